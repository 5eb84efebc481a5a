// A person as one weighted reward among the reward functions (judge/human_reward.h): which groups
// are asked, whole groups only, skips and time-outs fall back to the other functions, a stop cancels,
// every answer is in judgments.jsonl; and a GRPO run on a tiny model with a scripted person.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "config/run_config.h"
#include "core/error.h"
#include "judge/human_reward.h"
#include "rewards/reward_set.h"
#include "support/tiny_model.h"
#include "train/session.h"

namespace fs = std::filesystem;
using rf::ScriptedAsker;

namespace {

fs::path temp_dir(const std::string& name) {
    fs::path d = fs::temp_directory_path() / ("rf_human_reward_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

std::vector<nlohmann::json> read_rows(const std::string& path) {
    std::vector<nlohmann::json> rows;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
    return rows;
}

rf::Strings n_strings(size_t n, const std::string& stem) {
    rf::Strings s;
    for (size_t i = 0; i < n; ++i) s.push_back(stem + std::to_string(i));
    return s;
}

}  // namespace

TEST(HumanReward, WithoutAPersonTheColumnIsNotAskedAndTheOthersDecide) {
    rf::RewardSetOptions o;
    o.names = {"r1_int_reward_func", "human"};
    o.weights = {1.0, 3.0};
    rf::RewardSet set(o);
    EXPECT_TRUE(set.has_human());
    rf::RewardBatch b = set.score({"p", "p"}, {"<answer>7</answer>", "no digits"}, {"7", "7"}, {});
    ASSERT_EQ(b.per_function.size(), 2u);
    EXPECT_TRUE(std::isnan(b.per_function[1][0]) && std::isnan(b.per_function[1][1]));
    EXPECT_FLOAT_EQ(b.total[0], b.per_function[0][0]);
    EXPECT_FLOAT_EQ(b.total[1], b.per_function[0][1]);

    rf::RewardSetOptions only;
    only.names = {"human"};
    rf::RewardSet alone(only);  // the person alone, not asked: no signal (total 0), not the all-None error
    rf::RewardBatch a = alone.score({"p"}, {"c"}, {""}, {});
    EXPECT_EQ(a.total[0], 0.0f);
}

TEST(HumanReward, ScoresWholeGroupsAndLogsEveryAnswer) {
    fs::path d = temp_dir("groups");
    rf::JudgmentLog log((d / "judgments.jsonl").string());
    ScriptedAsker asker({ScriptedAsker::scalar(10), ScriptedAsker::scalar(4), ScriptedAsker::scalar_skip(),
                         ScriptedAsker::scalar(8), ScriptedAsker::scalar(6), ScriptedAsker::scalar(6)});
    std::atomic<bool> stop{false};
    rf::HumanRewardScorer h(asker, stop, &log, {.group_size = 2, .fraction = 1.0, .wait_seconds = 0, .seed = 1});
    h.begin_step(5, true);
    std::vector<float> v = h(n_strings(6, "p"), n_strings(6, "c"), n_strings(6, "a"), {});
    ASSERT_EQ(v.size(), 6u);
    EXPECT_FLOAT_EQ(v[0], 1.0f);
    EXPECT_FLOAT_EQ(v[1], 0.4f);
    EXPECT_TRUE(std::isnan(v[2]) && std::isnan(v[3])) << "a group with a skip carries no human score";
    EXPECT_FLOAT_EQ(v[4], 0.6f);
    EXPECT_EQ(asker.asked(), 6);
    auto rows = read_rows((d / "judgments.jsonl").string());
    ASSERT_EQ(rows.size(), 6u);
    EXPECT_EQ(rows[0]["judge"], "human");
    EXPECT_EQ(rows[0]["kind"], "scalar");
    EXPECT_EQ(rows[0]["step"], 5);
    EXPECT_EQ(rows[0]["completions"][0], "c0");
    EXPECT_EQ(rows[2]["verdict"]["skipped"], true);

    h.begin_step(5, false);  // evaluation: nobody is asked
    std::vector<float> e = h(n_strings(2, "p"), n_strings(2, "c"), n_strings(2, "a"), {});
    EXPECT_TRUE(std::isnan(e[0]) && std::isnan(e[1]));
    EXPECT_EQ(asker.asked(), 6);
    fs::remove_all(d);
}

TEST(HumanReward, TheFractionChoosesGroupsBySeedStepAndGroup) {
    ScriptedAsker asker;
    std::atomic<bool> stop{false};
    rf::HumanRewardScorer h(asker, stop, nullptr, {.group_size = 4, .fraction = 0.3, .wait_seconds = 0, .seed = 9});
    int chosen = 0, differ = 0;
    for (int g = 0; g < 1000; ++g) {
        chosen += h.chosen(3, g);
        differ += h.chosen(3, g) != h.chosen(4, g);
        EXPECT_EQ(h.chosen(3, g), h.chosen(3, g));
    }
    EXPECT_GT(chosen, 250);
    EXPECT_LT(chosen, 350);
    EXPECT_GT(differ, 300) << "another step chooses other groups";
}

TEST(HumanReward, AnUnansweredQuestionTimesOutAndTheRestOfTheStepIsNotAsked) {
    fs::path d = temp_dir("away");
    rf::JudgmentLog log((d / "judgments.jsonl").string());
    ScriptedAsker asker;  // never answers
    std::atomic<bool> stop{false};
    rf::HumanRewardScorer h(asker, stop, &log, {.group_size = 2, .fraction = 1.0, .wait_seconds = 0.3, .seed = 1});
    h.begin_step(1, true);
    auto t0 = std::chrono::steady_clock::now();
    std::vector<float> v = h(n_strings(4, "p"), n_strings(4, "c"), n_strings(4, "a"), {});
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (float x : v) EXPECT_TRUE(std::isnan(x));
    EXPECT_EQ(asker.asked(), 1) << "one question waited; the others were not asked";
    EXPECT_GE(secs, 0.29);
    EXPECT_LT(secs, 2.0);
    auto rows = read_rows((d / "judgments.jsonl").string());
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0]["verdict"]["raw"], "no answer within human_wait_seconds");
    EXPECT_EQ(rows[3]["verdict"]["skipped"], true);

    asker.push(ScriptedAsker::scalar(3));  // back for the next step
    asker.push(ScriptedAsker::scalar(7));
    h.begin_step(2, true);
    std::vector<float> w = h(n_strings(2, "p"), n_strings(2, "c"), n_strings(2, "a"), {});
    EXPECT_FLOAT_EQ(w[0], 0.3f);
    EXPECT_FLOAT_EQ(w[1], 0.7f);
    fs::remove_all(d);
}

TEST(HumanReward, StoppingWhileAskedCancelsTheStep) {
    ScriptedAsker asker;
    std::atomic<bool> stop{false};
    for (double wait : {0.0, 30.0}) {
        stop = false;
        rf::HumanRewardScorer h(asker, stop, nullptr, {.group_size = 1, .fraction = 1.0, .wait_seconds = wait, .seed = 1});
        h.begin_step(1, true);
        std::thread stopper([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(150));
            stop = true;
        });
        EXPECT_THROW(h({"p"}, {"c"}, {"a"}, {}), rf::JudgeCancelled) << "wait " << wait;
        stopper.join();
    }
}

// GRPO on a tiny random model with the person as the second reward: half the groups asked, the
// answers in rollouts.jsonl's human column (score / 10), every answer in judgments.jsonl, the other
// groups scored by the reward function alone; export-preferences has a pair per scored group.
TEST(HumanReward, GrpoRunWithAScriptedPerson) {
    fs::path d = temp_dir("grpo");
    std::string model = rf::test::make_tiny_model(d / "model");
    rf::RunConfig c = rf::default_run_config(rf::TrainMode::grpo);
    rf::set_value(c, "model", model);
    rf::set_value(c, "data", std::string(REINFORGE_SOURCE_DIR) + "/resources/datasets/arithmetic");
    rf::set_value(c, "output_dir", (d / "run").string());
    rf::set_value(c, "steps_per_eval", "0");
    rf::set_value(c, "save_every", "0");
    rf::set_value(c, "seed", "3");
    rf::set_value(c, "iters", "3");
    rf::set_value(c, "batch_size", "4");
    rf::set_value(c, "group_size", "2");
    rf::set_value(c, "max_completion_length", "6");
    rf::set_value(c, "reward_functions", "r1_int_reward_func, human");
    rf::set_value(c, "reward_weights", "[1.0, 2.0]");
    rf::set_value(c, "human_fraction", "0.5");
    rf::set_value(c, "human_wait_seconds", "0");
    ScriptedAsker asker;
    for (int i = 0; i < 3 * 4 * 2; ++i) asker.push(ScriptedAsker::scalar(float(i % 11)));
    rf::Session s(c, nullptr, nullptr, &asker);
    ASSERT_TRUE(s.run());
    auto judged = read_rows(s.run_dir() + "/judgments.jsonl");
    EXPECT_EQ(int(judged.size()), asker.asked());
    EXPECT_GT(asker.asked(), 0);
    EXPECT_LT(asker.asked(), 3 * 4 * 2) << "human_fraction 0.5 asks about some groups, not all";
    EXPECT_EQ(asker.asked() % 2, 0) << "whole groups";
    int with_human = 0;
    for (const auto& r : read_rows(s.run_dir() + "/rollouts.jsonl")) {
        ASSERT_TRUE(r["rewards"].contains("human"));
        if (r["rewards"]["human"].is_null()) continue;
        ++with_human;
        const double h = r["rewards"]["human"].get<double>();
        EXPECT_GE(h, 0.0);
        EXPECT_LE(h, 1.0);
        const double i = r["rewards"]["r1_int_reward_func"].get<double>();
        EXPECT_NEAR(r["reward"].get<double>(), i + 2.0 * h, 1e-5);
    }
    EXPECT_EQ(with_human, asker.asked());
    fs::remove_all(d);
}

TEST(HumanReward, ARunWithoutAPersonToAskIsRefused) {
    fs::path d = temp_dir("noasker");
    std::string model = rf::test::make_tiny_model(d / "model");
    rf::RunConfig c = rf::default_run_config(rf::TrainMode::grpo);
    rf::set_value(c, "model", model);
    rf::set_value(c, "data", std::string(REINFORGE_SOURCE_DIR) + "/resources/datasets/arithmetic");
    rf::set_value(c, "output_dir", (d / "run").string());
    rf::set_value(c, "reward_functions", "r1_int_reward_func, human");
    try {
        rf::Session s(c, nullptr, nullptr, nullptr);
        FAIL() << "expected an InputError";
    } catch (const rf::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("human"), std::string::npos) << e.what();
    }
    fs::remove_all(d);
}
