// Learning on the embedded default (SPEC §14): for each bundled preset (resources/presets/
// {grpo,rloo,reinforce,ppo}-default.yaml; the human-judge one is left out), the share of correct
// answers on the held-out test split before and after training for a fixed wall-time budget.
//
//   accuracy = test_r1_accuracy_reward_func_mean / 2      (r1_accuracy_reward_func gives 2.0 for an
//              exact answer), over all 200 test rows, one completion each sampled at the preset's
//              temperature (Session::evaluate(-1, true))
//
// Each preset runs as written (its learning rate, group size, sampling, judge: rewards) except:
// iters is raised so that the time budget ends the run, evaluations and checkpoints during the run
// are off, and the run folder is temporary. Reported: steps done, wall and process CPU time
// (getrusage: the machine is shared), steps/s, the load average, and the reward curve (per step:
// total_rewards_mean for GRPO, the judge's mean reward `rewards` for the others; GRPO also its train
// accuracy r1_accuracy_reward_func_mean / 2).
//
// usage: bench_learning [--presets grpo,rloo,reinforce,ppo] [--minutes M] [--minutes-grpo M]
//                       [--max-steps N] [--set key=value]... [--root DIR] [--json FILE]
// (--max-steps 0: only the test evaluation of the untrained model)
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "bench_clock.h"
#include "config/run_config.h"
#include "train/session.h"

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

using rf::bench::cpu_seconds;
using rf::bench::load_average;

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

struct Eval {
    double accuracy = NAN, reward = NAN, avg_tokens = NAN, wall = 0;
};

Eval test_eval(rf::Session& s) {
    auto t0 = Clock::now();
    rf::StepMetrics m = s.evaluate(-1, true);
    Eval e;
    e.accuracy = rf::metric(m, "test_r1_accuracy_reward_func_mean", NAN) / 2.0;
    e.reward = rf::metric(m, "test_rewards", NAN);
    e.avg_tokens = rf::metric(m, "test_avg_generated_tokens", NAN);
    e.wall = since(t0);
    return e;
}

// Mean of v[a, b) (clamped), NAN when empty.
double mean_range(const std::vector<double>& v, size_t a, size_t b) {
    b = std::min(b, v.size());
    if (a >= b) return NAN;
    double s = 0;
    for (size_t i = a; i < b; ++i) s += v[i];
    return s / double(b - a);
}

nlohmann::json run_preset(const std::string& name, const fs::path& root, const fs::path& work, double minutes,
                          int max_steps, const std::vector<std::string>& sets) {
    const fs::path preset = root / "resources/presets" / (name + "-default.yaml");
    std::vector<std::string> all = {"iters=" + std::to_string(std::max(1, max_steps)), "steps_per_eval=0", "save_every=0",
                                    "test=false", "output_dir=" + (work / name).string()};
    all.insert(all.end(), sets.begin(), sets.end());
    rf::RunConfig cfg = rf::load_config_with_overrides(preset.string(), all);
    const bool grpo = cfg.train_mode == rf::TrainMode::grpo;

    std::printf("\n== %s (%s; %s) budget %.1f min, load average %s\n", name.c_str(), preset.string().c_str(),
                std::string(rf::enum_name(cfg.train_mode)).c_str(), minutes, load_average().c_str());
    rf::Session s(cfg, nullptr, nullptr);
    Eval before = test_eval(s);
    std::printf("before: test accuracy %.3f (mean reward %.3f, %.1f tokens, eval %.1f s)\n", before.accuracy,
                before.reward, before.avg_tokens, before.wall);

    const std::string reward_key = grpo ? "total_rewards_mean" : "rewards";
    std::vector<double> curve, acc_curve, kl_curve, len_curve;
    const auto t0 = Clock::now();
    const double c0 = cpu_seconds();
    int steps = 0;
    while (steps < max_steps && since(t0) < minutes * 60.0) {
        rf::StepMetrics m = s.train_step();
        ++steps;
        curve.push_back(rf::metric(m, reward_key, NAN));
        acc_curve.push_back(grpo ? rf::metric(m, "r1_accuracy_reward_func_mean", NAN) / 2.0 : NAN);
        kl_curve.push_back(rf::metric(m, grpo ? "kl" : "kl_penalty", NAN));
        len_curve.push_back(rf::metric(m, "avg_generated_tokens", NAN));
        if (steps % 10 == 0)
            std::printf("  step %4d  %6.1f s  %s %.3f (last 10: %.3f)\n", steps, since(t0), reward_key.c_str(),
                        curve.back(), mean_range(curve, curve.size() - 10, curve.size()));
    }
    const double wall = since(t0), cpu = cpu_seconds() - c0;
    Eval after = steps > 0 ? test_eval(s) : before;
    std::printf("after %d steps: test accuracy %.3f (mean reward %.3f, %.1f tokens)\n", steps, after.accuracy,
                after.reward, after.avg_tokens);
    std::printf("train: %.1f s wall, %.1f s CPU, %.3f steps/s; accuracy %+.1f points; load average %s\n", wall, cpu,
                steps / wall, 100.0 * (after.accuracy - before.accuracy), load_average().c_str());

    // the curve in windows of 10 steps
    std::ostringstream win;
    for (size_t a = 0; a < curve.size(); a += 10) win << (a ? " " : "") << std::round(mean_range(curve, a, a + 10) * 1000) / 1000;
    std::printf("%s per 10 steps: %s\n", reward_key.c_str(), win.str().c_str());

    nlohmann::json j;
    j["preset"] = name;
    j["train_mode"] = std::string(rf::enum_name(cfg.train_mode));
    j["learning_rate"] = cfg.learning_rate;
    j["batch_size"] = cfg.batch_size;
    j["group_size"] = cfg.group_size;
    j["temperature"] = cfg.temperature;
    j["max_completion_length"] = cfg.max_completion_length;
    j["beta"] = cfg.beta;
    j["accuracy_before"] = before.accuracy;
    j["accuracy_after"] = after.accuracy;
    j["test_reward_before"] = before.reward;
    j["test_reward_after"] = after.reward;
    j["steps"] = steps;
    j["wall_s"] = wall;
    j["cpu_s"] = cpu;
    j["steps_per_s"] = steps / wall;
    j["reward_key"] = reward_key;
    auto nan_null = [](const std::vector<double>& v) {
        nlohmann::json a = nlohmann::json::array();
        for (double x : v) a.push_back(std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr));
        return a;
    };
    j["reward_curve"] = nan_null(curve);
    j["train_accuracy_curve"] = nan_null(acc_curve);
    j["kl_curve"] = nan_null(kl_curve);
    j["length_curve"] = nan_null(len_curve);
    j["load_average_end"] = load_average();
    return j;
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    std::vector<std::string> presets = {"grpo", "rloo", "reinforce", "ppo"}, sets;
    double minutes = 5.0, minutes_grpo = 10.0;
    int max_steps = 100000;
    std::string json_out;
    fs::path root = fs::path(__FILE__).parent_path().parent_path();
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
        if (a == "--presets") {
            presets.clear();
            std::stringstream ss(next());
            for (std::string p; std::getline(ss, p, ',');)
                if (!p.empty()) presets.push_back(p);
        } else if (a == "--minutes") minutes = std::atof(next().c_str());
        else if (a == "--minutes-grpo") minutes_grpo = std::atof(next().c_str());
        else if (a == "--max-steps") max_steps = std::max(0, std::atoi(next().c_str()));
        else if (a == "--set") sets.push_back(next());
        else if (a == "--root") root = next();
        else if (a == "--json") json_out = next();
        else {
            std::fprintf(stderr,
                         "usage: bench_learning [--presets grpo,rloo,reinforce,ppo] [--minutes M] [--minutes-grpo M] "
                         "[--max-steps N] [--set key=value]... [--root DIR] [--json FILE]\n");
            return 2;
        }
    }
    fs::path work = fs::temp_directory_path() / ("reinforge-bench-learning-" + std::to_string(::getpid()));
    fs::create_directories(work);
    std::printf("bench_learning: presets on resources/models/reinforge-arith-tiny; %d CPUs; load average %s\n",
                int(sysconf(_SC_NPROCESSORS_ONLN)), load_average().c_str());
    nlohmann::json all = nlohmann::json::array();
    int rc = 0;
    try {
        for (const std::string& p : presets) {
            all.push_back(run_preset(p, root, work, p == "grpo" ? minutes_grpo : minutes, max_steps, sets));
            if (!json_out.empty()) {
                std::ofstream f(json_out);
                f << all.dump(1) << "\n";
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_learning: %s\n", e.what());
        rc = 1;
    }
    std::printf("\n| preset | steps | wall s | CPU s | steps/s | test accuracy before | after | change |\n"
                "|---|---|---|---|---|---|---|---|\n");
    for (const auto& j : all)
        std::printf("| %s | %d | %.0f | %.0f | %.3f | %.3f | %.3f | %+.1f points |\n",
                    j["preset"].get<std::string>().c_str(), j["steps"].get<int>(), j["wall_s"].get<double>(),
                    j["cpu_s"].get<double>(), j["steps_per_s"].get<double>(), j["accuracy_before"].get<double>(),
                    j["accuracy_after"].get<double>(),
                    100.0 * (j["accuracy_after"].get<double>() - j["accuracy_before"].get<double>()));
    fs::remove_all(work);
    return rc;
}
