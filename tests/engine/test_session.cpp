// Session end to end on a tiny random Llama with the embedded default's SentencePiece tokenizer:
// SFT memorises a small set; a run stopped and resumed equals an uninterrupted one (bit for bit);
// each online algorithm raises a reward it can reach; the human judge is driven by a script.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "config/run_config.h"
#include "core/atomic_file.h"
#include "io/safetensors.h"
#include "judge/human_judge.h"
#include "model/model.h"
#include "support/tiny_model.h"
#include "train/session.h"

namespace fs = std::filesystem;

namespace {

const std::string kSft = std::string(REINFORGE_SOURCE_DIR) + "/resources/datasets/arithmetic-sft/train.jsonl";

fs::path temp_dir(const std::string& name) {
    fs::path d = fs::temp_directory_path() / ("rf_session_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

using rf::test::make_tiny_model;

// The first n lines of the bundled SFT set.
std::string sft_subset(const fs::path& dir, int n) {
    std::ifstream in(kSft);
    std::string line, out;
    for (int i = 0; i < n && std::getline(in, line); ++i) out += line + "\n";
    rf::write_file_atomic((dir / "sft.jsonl").string(), out);
    return (dir / "sft.jsonl").string();
}

std::vector<double> metric_series(const std::string& run_dir, const std::string& name) {
    std::vector<double> v;
    std::ifstream in(run_dir + "/metrics.jsonl");
    std::string line;
    while (std::getline(in, line)) {
        auto j = nlohmann::json::parse(line);
        if (j.value("phase", "") == "train" && j.contains(name) && j[name].is_number()) v.push_back(j[name].get<double>());
    }
    return v;
}

rf::RunConfig base_config(rf::TrainMode mode, const std::string& model, const std::string& data, const fs::path& out) {
    rf::RunConfig c = rf::default_run_config(mode);
    rf::set_value(c, "model", model);
    rf::set_value(c, "data", data);
    rf::set_value(c, "output_dir", out.string());
    rf::set_value(c, "steps_per_eval", "0");
    rf::set_value(c, "save_every", "0");
    rf::set_value(c, "seed", "3");
    return c;
}

}  // namespace

TEST(Session, SftMemorisesASmallSet) {
    fs::path d = temp_dir("sft");
    std::string model = make_tiny_model(d / "model");
    rf::RunConfig c = base_config(rf::TrainMode::sft, model, sft_subset(d, 4), d / "run");
    rf::set_value(c, "train_type", "full");
    rf::set_value(c, "iters", "80");
    rf::set_value(c, "batch_size", "4");
    rf::set_value(c, "learning_rate", "0.01");
    rf::set_value(c, "optimizer_config", R"({"adamw": {"bias_correction": true}})");
    rf::set_value(c, "mask_prompt", "true");
    rf::Session s(c, nullptr, nullptr);
    EXPECT_TRUE(s.run());
    auto loss = metric_series(s.run_dir(), "loss");
    ASSERT_EQ(loss.size(), 80u);
    EXPECT_GT(loss.front(), 4.0);  // ~log(400) at random init
    EXPECT_LT(loss.back(), 0.5) << "first " << loss.front();
    EXPECT_TRUE(fs::exists(s.run_dir() + "/adapters/adapters.safetensors"));
    EXPECT_TRUE(fs::exists(s.run_dir() + "/adapters/0000080_adapters.safetensors"));
    EXPECT_TRUE(fs::exists(s.run_dir() + "/config.yaml"));
    fs::remove_all(d);
}

// Bit-exact: the same losses and the same adapter bytes (LoRA with dropout, so the dropout counter,
// the data order and the optimizer moments must all be restored).
TEST(Session, StoppedAndResumedEqualsUninterrupted) {
    fs::path d = temp_dir("resume");
    std::string model = make_tiny_model(d / "model");
    std::string data = sft_subset(d, 12);
    auto cfg = [&](const std::string& name) {
        rf::RunConfig c = base_config(rf::TrainMode::sft, model, data, d / name);
        rf::set_value(c, "iters", "6");
        rf::set_value(c, "batch_size", "5");  // batches straddle the 12-row epochs
        rf::set_value(c, "learning_rate", "0.003");
        rf::set_value(c, "lora_parameters.dropout", "0.1");
        rf::set_value(c, "num_layers", "-1");
        return c;
    };
    {
        rf::Session a(cfg("straight"), nullptr, nullptr);
        ASSERT_TRUE(a.run());
    }
    {
        rf::RunControl control;
        rf::Session b(cfg("stopped"), nullptr, &control);
        for (int i = 0; i < 3; ++i) b.train_step();
        control.stop = true;
        EXPECT_FALSE(b.run());  // finishes nothing more, saves a checkpoint
        EXPECT_EQ(b.step(), 3);
    }
    auto resumed = rf::Session::resume((d / "stopped").string(), nullptr, nullptr);
    EXPECT_EQ(resumed->step(), 3);
    EXPECT_TRUE(resumed->run());
    auto la = metric_series((d / "straight").string(), "loss");
    auto lb = metric_series((d / "stopped").string(), "loss");
    ASSERT_EQ(la.size(), 6u);
    ASSERT_EQ(lb.size(), 6u);
    for (int i = 0; i < 6; ++i) EXPECT_EQ(la[i], lb[i]) << "step " << i + 1;
    EXPECT_EQ(rf::read_file((d / "straight/adapters/adapters.safetensors").string()),
              rf::read_file((d / "stopped/adapters/adapters.safetensors").string()));
    fs::remove_all(d);
}

// ---- online algorithms: a reward the tiny random model can reach --------------------------------

namespace {

// Share of the completion's characters that are digits: reachable from a random model, smooth.
const char* kDigitsReward = R"PY(
from mlx_lm_lora.trainer.grpo_reward_functions import register_reward_function

@register_reward_function("digit_share")
def digit_share(prompts, completions, answer, types=None):
    return [sum(ch.isdigit() for ch in c) / max(1, len(c)) for c in completions]
)PY";

double mean_of(const std::vector<double>& v, size_t begin, size_t end) {
    double s = 0;
    for (size_t i = begin; i < end; ++i) s += v[i];
    return s / double(end - begin);
}

void expect_reward_rises(rf::TrainMode mode, const std::string& reward_metric, int iters,
                         const std::vector<std::pair<std::string, std::string>>& extra, double min_rise = 0.15) {
    fs::path d = temp_dir(std::string(rf::enum_name(mode)));
    std::string model = make_tiny_model(d / "model");
    rf::write_file_atomic((d / "rewards.py").string(), kDigitsReward);
    rf::RunConfig c = base_config(mode, model, std::string(REINFORGE_SOURCE_DIR) + "/resources/datasets/arithmetic", d / "run");
    rf::set_value(c, "train_type", "full");
    rf::set_value(c, "iters", std::to_string(iters));
    rf::set_value(c, "batch_size", "4");
    rf::set_value(c, "learning_rate", "0.003");
    rf::set_value(c, "max_completion_length", "8");
    rf::set_value(c, "temperature", "1.0");
    rf::set_value(c, "reward_functions", "digit_share");
    rf::set_value(c, "reward_functions_file", (d / "rewards.py").string());
    if (mode != rf::TrainMode::grpo) rf::set_value(c, "judge", "rewards");
    for (auto& [k, v] : extra) rf::set_value(c, k, v);
    rf::Session s(c, nullptr, nullptr);
    ASSERT_TRUE(s.run());
    auto r = metric_series(s.run_dir(), reward_metric);
    ASSERT_EQ(r.size(), size_t(iters)) << reward_metric;
    double first = mean_of(r, 0, 5), last = mean_of(r, r.size() - 5, r.size());
    EXPECT_GT(last, first + min_rise) << rf::enum_name(mode) << ": " << reward_metric << " " << first << " -> " << last;
    // rollouts.jsonl carries the token-level view: a text piece and a log-prob per completion token
    std::ifstream rollouts(s.run_dir() + "/rollouts.jsonl");
    std::string line;
    ASSERT_TRUE(std::getline(rollouts, line));
    auto j = nlohmann::json::parse(line);
    ASSERT_TRUE(j.contains("tokens") && j.contains("token_logps") && j.contains("group")) << line;
    EXPECT_EQ(j["tokens"].size(), j["num_tokens"].get<size_t>());
    EXPECT_EQ(j["token_logps"].size(), j["num_tokens"].get<size_t>());
    fs::remove_all(d);
}

}  // namespace

TEST(SessionLearning, GrpoRaisesReward) {
    expect_reward_rises(rf::TrainMode::grpo, "total_rewards_mean", 40, {{"group_size", "4"}});
}
// REINFORCE's advantage is not normalised (A = R - b): the reward is weighted x10 so that its scale
// gives the update a size comparable to GRPO's normalised advantages at the same learning rate.
TEST(SessionLearning, RlooRaisesReward) {
    expect_reward_rises(rf::TrainMode::rloo, "rewards", 40, {{"group_size", "4"}, {"reward_weights", "[10.0]"}}, 1.5);
}
TEST(SessionLearning, ReinforceRaisesReward) {
    expect_reward_rises(rf::TrainMode::rlhf_reinforce, "rewards", 40,
                        {{"baseline", "batch_mean"}, {"reward_weights", "[10.0]"}}, 1.5);
}
TEST(SessionLearning, PpoRaisesReward) {
    // the judge's mean score of the sampled completions rises as the policy learns what it prefers
    // (few pairs are decided early on: two digit-free completions tie and carry no signal; with the
    // retrained tokenizer of the embedded default 40 steps were too few: 0.033 -> 0.179 in 100)
    expect_reward_rises(rf::TrainMode::ppo, "rewards", 100, {{"batch_size", "8"}}, 0.05);
}

// PPO with a person as the judge (scripted), at batch size 1 and 4: every verdict is asked, saved to
// judgments.jsonl, and the update is real (non-zero gradient) — the reference backend's PPO only runs
// at batch size 1, where its normalised advantage is identically 0.
TEST(Session, PpoWithScriptedHumanJudge) {
    for (int batch : {1, 4}) {
        fs::path d = temp_dir("ppo_human_" + std::to_string(batch));
        std::string model = make_tiny_model(d / "model");
        rf::RunConfig c = base_config(rf::TrainMode::ppo, model,
                                      std::string(REINFORGE_SOURCE_DIR) + "/resources/datasets/arithmetic", d / "run");
        rf::set_value(c, "judge", "human");
        rf::set_value(c, "iters", "3");
        rf::set_value(c, "batch_size", std::to_string(batch));
        rf::set_value(c, "max_completion_length", "6");
        std::vector<rf::ScriptedAsker::Answer> answers;
        for (int i = 0; i < 3 * batch; ++i) answers.push_back(rf::ScriptedAsker::pair(i % 2 ? rf::Winner::second : rf::Winner::first));
        rf::ScriptedAsker asker(answers);
        rf::Session s(c, nullptr, nullptr, &asker);
        ASSERT_TRUE(s.run());
        EXPECT_EQ(asker.asked(), 3 * batch);
        std::ifstream in(s.run_dir() + "/judgments.jsonl");
        int lines = 0;
        std::string line;
        while (std::getline(in, line)) {
            auto j = nlohmann::json::parse(line);
            EXPECT_EQ(j["judge"], "human");
            EXPECT_EQ(j["kind"], "pairwise");
            ++lines;
        }
        EXPECT_EQ(lines, 3 * batch);
        auto pairs = metric_series(s.run_dir(), "decided_pairs");
        auto gnorm = metric_series(s.run_dir(), "grad_norm");
        ASSERT_EQ(pairs.size(), 3u);
        ASSERT_EQ(gnorm.size(), 3u);
        for (int i = 0; i < 3; ++i) {
            EXPECT_EQ(pairs[i], double(batch));
            EXPECT_GT(gnorm[i], 0.0) << "batch " << batch << " step " << i + 1;
        }
        fs::remove_all(d);
    }
}

namespace {

// Answers from a script; at question `stop_at` it raises the run's stop flag instead (a person
// pressing Stop while the dialog is open).
class StoppingAsker : public rf::HumanAsker {
public:
    StoppingAsker(std::vector<rf::Winner> answers, int stop_at, rf::RunControl* control)
        : m_answers(std::move(answers)), m_stop_at(stop_at), m_control(control) {}
    std::optional<rf::Winner> ask_pair(const rf::PairItem&, int, int, const std::atomic<bool>&) override {
        const int i = m_asked++;
        if (i == m_stop_at) {
            m_control->stop = true;
            return std::nullopt;
        }
        return m_answers.at(size_t(i));
    }
    std::optional<rf::ScalarAnswer> ask_scalar(const rf::JudgeItem&, int, int, const std::atomic<bool>&) override {
        return rf::ScalarAnswer{false, 5.0f};
    }

private:
    std::vector<rf::Winner> m_answers;
    int m_stop_at;
    rf::RunControl* m_control;
    int m_asked = 0;
};

}  // namespace

// Stopping while a person judges (issue 16 item 8): the cancelled step's prompts, RNG and baseline
// go back, so the resumed run judges that step again and ends where an uninterrupted run ends.
TEST(Session, StopDuringHumanJudgingResumesTheSameStep) {
    fs::path d = temp_dir("ppo_human_stop");
    std::string model = make_tiny_model(d / "model");
    auto cfg = [&](const std::string& name) {
        rf::RunConfig c = base_config(rf::TrainMode::ppo, model,
                                      std::string(REINFORGE_SOURCE_DIR) + "/resources/datasets/arithmetic", d / name);
        rf::set_value(c, "judge", "human");
        rf::set_value(c, "iters", "3");
        rf::set_value(c, "batch_size", "2");
        rf::set_value(c, "max_completion_length", "6");
        return c;
    };
    const std::vector<rf::Winner> script = {rf::Winner::first, rf::Winner::second, rf::Winner::second,
                                            rf::Winner::first, rf::Winner::first, rf::Winner::second};
    {
        rf::RunControl control;
        StoppingAsker all(script, -1, &control);
        rf::Session a(cfg("straight"), nullptr, &control, &all);
        ASSERT_TRUE(a.run());
    }
    {
        rf::RunControl control;
        StoppingAsker stops(script, 3, &control);  // step 2, its second question
        rf::Session b(cfg("stopped"), nullptr, &control, &stops);
        EXPECT_FALSE(b.run());
        EXPECT_EQ(b.step(), 1);
    }
    rf::RunControl control;
    StoppingAsker rest({script.begin() + 2, script.end()}, -1, &control);
    auto resumed = rf::Session::resume((d / "stopped").string(), nullptr, &control, &rest);
    EXPECT_EQ(resumed->step(), 1);
    EXPECT_TRUE(resumed->run());
    EXPECT_EQ(rf::read_file((d / "straight/adapters/adapters.safetensors").string()),
              rf::read_file((d / "stopped/adapters/adapters.safetensors").string()));
    EXPECT_EQ(metric_series((d / "straight").string(), "decided_pairs"),
              metric_series((d / "stopped").string(), "decided_pairs"));
    fs::remove_all(d);
}

