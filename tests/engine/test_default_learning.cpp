// The bundled loop learns (issue 8, SPEC §14): the GRPO preset as shipped
// (resources/presets/grpo-default.yaml: the embedded default model, the five r1_* reward functions,
// its learning rate, group size, sampling and seed) raises the training reward. To keep the test
// short and its signal above the sampling noise, it trains on 8 fixed prompts of the bundled train
// split (batch_size 8: every step sees all of them), so the reward it measures is the reward on
// the same prompts each step; 20 steps. The measure is total_rewards_mean (the weighted sum of the five reward
// functions, at most 4.0 per completion), averaged over the first and the last kWindow steps.
// bench/bench_learning.cpp measures the held-out accuracy of the full presets (bench/RESULTS.md).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "config/run_config.h"
#include "train/session.h"

namespace fs = std::filesystem;

namespace {

const std::string kRoot = REINFORGE_SOURCE_DIR;
constexpr int kSteps = 20;
constexpr int kWindow = 5;
constexpr int kPrompts = 8;

double mean(const std::vector<double>& v, size_t a, size_t b) {
    double s = 0;
    for (size_t i = a; i < b; ++i) s += v[i];
    return s / double(b - a);
}

TEST(DefaultLearning, GrpoPresetRaisesTrainingReward) {
    const std::string model = kRoot + "/resources/models/reinforge-arith-tiny/model.safetensors";
    ASSERT_TRUE(fs::exists(model)) << model << " is missing: build it with resources/models/make_default.sh";
    fs::path out = fs::temp_directory_path() / ("rf_default_learning_" + std::to_string(::getpid()));
    fs::remove_all(out);
    fs::create_directories(out / "data");
    {
        std::ifstream in(kRoot + "/resources/datasets/arithmetic/train.jsonl");
        std::ofstream train(out / "data/train.jsonl"), valid(out / "data/valid.jsonl");
        std::string line;
        for (int i = 0; i < kPrompts && std::getline(in, line); ++i) train << line << "\n", valid << line << "\n";
    }
    rf::RunConfig cfg = rf::load_config_with_overrides(
        kRoot + "/resources/presets/grpo-default.yaml",
        {"iters=" + std::to_string(kSteps), "batch_size=" + std::to_string(kPrompts), "steps_per_eval=0",
         "save_every=0", "test=false", "data=" + (out / "data").string(), "output_dir=" + (out / "run").string()});
    rf::Session s(cfg, nullptr, nullptr);
    std::vector<double> reward;
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kSteps; ++i) {
        rf::StepMetrics m = s.train_step();
        reward.push_back(rf::metric(m, "total_rewards_mean", NAN));
        ASSERT_TRUE(std::isfinite(reward.back())) << "step " << i + 1;
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double first = mean(reward, 0, kWindow), last = mean(reward, kSteps - kWindow, kSteps);
    std::string curve;
    for (double r : reward) curve += std::to_string(r).substr(0, 5) + " ";
    std::printf("total_rewards_mean per step: %s\nfirst %d steps %.3f, last %d steps %.3f (%.0f s)\n", curve.c_str(),
                kWindow, first, kWindow, last, secs);
    EXPECT_GT(last, first + 0.2) << "the GRPO preset did not raise the training reward";
    fs::remove_all(out);
}

}  // namespace
