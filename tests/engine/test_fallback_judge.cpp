// judge: human with human_fallback: rewards (judge/fallback_judge.h): the person's answers are kept,
// what they skip, leave unanswered or are not asked about goes to the reward functions, every
// verdict is logged under who gave it, a stop cancels; a PPO run with a person who answers once and
// then is away never blocks.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "config/run_config.h"
#include "core/rng.h"
#include "judge/fallback_judge.h"
#include "judge/judge_runner.h"
#include "judge/preferences.h"
#include "judge/rewards_judge.h"
#include "rewards/reward_set.h"
#include "support/tiny_model.h"
#include "train/session.h"

namespace fs = std::filesystem;
using rf::ScriptedAsker;
using rf::Winner;

namespace {

fs::path temp_dir(const std::string& name) {
    fs::path d = fs::temp_directory_path() / ("rf_fallback_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

std::unique_ptr<rf::Judge> int_rewards() {
    rf::RewardSetOptions o;
    o.names = {"r1_int_reward_func"};  // 0.5 for an integer answer, else 0
    return std::make_unique<rf::RewardsJudge>(std::make_shared<rf::RewardSet>(o));
}

// Pair i: "<answer>i</answer>" (integer: the rewards prefer it) against "<answer>x</answer>".
std::vector<rf::PairItem> pairs(int n) {
    std::vector<rf::PairItem> items;
    for (int i = 0; i < n; ++i)
        items.push_back({"p" + std::to_string(i), {"<answer>x</answer>", "<answer>" + std::to_string(i) + "</answer>"}, "", ""});
    return items;
}

std::vector<nlohmann::json> rows(const fs::path& p) {
    std::vector<nlohmann::json> out;
    std::ifstream in(p);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) out.push_back(nlohmann::json::parse(line));
    return out;
}

}  // namespace

TEST(FallbackJudge, ThePersonsAnswersStayTheRestGoesToTheRewards) {
    ScriptedAsker asker({ScriptedAsker::pair(Winner::first), ScriptedAsker::pair(Winner::skip),
                         ScriptedAsker::pair(Winner::first)});
    std::atomic<bool> stop{false};
    rf::FallbackJudge judge(asker, stop, int_rewards(), {.fraction = 1.0, .wait_seconds = 0.3, .seed = 1});
    judge.begin_step(1);
    auto t0 = std::chrono::steady_clock::now();
    std::vector<rf::PairVerdict> v = judge.compare(pairs(5));
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_EQ(v.size(), 5u);
    EXPECT_EQ(v[0].winner, Winner::first);  // the person, against the rewards' choice
    EXPECT_EQ(v[0].by, "");
    EXPECT_EQ(v[1].winner, Winner::second);  // skipped: the rewards prefer the integer answer
    EXPECT_EQ(v[1].by, "rewards");
    EXPECT_EQ(v[2].winner, Winner::first);
    EXPECT_EQ(v[3].by, "rewards");  // no answer within 0.3 s: the person is away
    EXPECT_EQ(v[3].winner, Winner::second);
    EXPECT_EQ(v[4].by, "rewards");  // the rest of the step is not asked
    EXPECT_EQ(asker.asked(), 4);
    EXPECT_LT(secs, 2.0);
    // the next step asks again
    asker.push(ScriptedAsker::pair(Winner::first));
    judge.begin_step(2);
    EXPECT_EQ(judge.compare(pairs(1))[0].by, "");
}

TEST(FallbackJudge, VerdictsAreLoggedUnderWhoGaveThem) {
    fs::path d = temp_dir("log");
    ScriptedAsker asker({ScriptedAsker::pair(Winner::first), ScriptedAsker::pair(Winner::skip)});
    std::atomic<bool> stop{false};
    rf::FallbackJudge judge(asker, stop, int_rewards(), {.fraction = 1.0, .wait_seconds = 0, .seed = 1});
    judge.begin_step(1);
    rf::JudgmentLog log((d / "judgments.jsonl").string());
    rf::Rng rng;
    rng.reseed(5, 1);
    rf::judge_pairs(judge, pairs(2), rng, rf::JudgeContext{1, "train", &log, nullptr});
    auto r = rows(d / "judgments.jsonl");
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0]["judge"], "human");
    EXPECT_EQ(r[1]["judge"], "rewards");
    // export-preferences keeps the person's verdict only, unless every judge is asked for
    EXPECT_EQ(rf::collect_preferences((d / "judgments.jsonl").string(), false).rows.size(), 1u);
    EXPECT_EQ(rf::collect_preferences((d / "judgments.jsonl").string(), true).rows.size(), 2u);
    fs::remove_all(d);
}

TEST(FallbackJudge, ScalarAndFraction) {
    ScriptedAsker asker({ScriptedAsker::scalar(7), ScriptedAsker::scalar_skip()});
    std::atomic<bool> stop{false};
    rf::FallbackJudge judge(asker, stop, int_rewards(), {.fraction = 1.0, .wait_seconds = 0, .seed = 1});
    judge.begin_step(1);
    std::vector<rf::JudgeItem> items = {{"p", "<answer>3</answer>", "", ""}, {"p", "<answer>3</answer>", "", ""}};
    auto v = judge.score(items);
    EXPECT_EQ(v[0].score, 7.0f);
    EXPECT_EQ(v[0].by, "");
    EXPECT_EQ(v[1].by, "rewards");
    EXPECT_FLOAT_EQ(v[1].score, 0.5f);
    // fraction 0: nobody is asked
    rf::FallbackJudge none(asker, stop, int_rewards(), {.fraction = 0.0, .wait_seconds = 0, .seed = 1});
    none.begin_step(1);
    auto w = none.score(items);
    EXPECT_EQ(asker.asked(), 2);
    EXPECT_EQ(w[0].by, "rewards");
}

TEST(FallbackJudge, AStopWhileAskedCancels) {
    ScriptedAsker asker;
    std::atomic<bool> stop{false};
    rf::FallbackJudge judge(asker, stop, int_rewards(), {.fraction = 1.0, .wait_seconds = 30, .seed = 1});
    judge.begin_step(1);
    std::thread stopper([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(150));
        stop = true;
    });
    EXPECT_THROW(judge.compare(pairs(1)), rf::JudgeCancelled);
    stopper.join();
}

// PPO with a person who answers the first question and is then away: the run goes on (never waits
// more than human_wait_seconds per step) and the rewards decide the rest.
TEST(FallbackJudge, PpoRunWithAPersonWhoLeaves) {
    fs::path d = temp_dir("ppo");
    std::string model = rf::test::make_tiny_model(d / "model");
    rf::RunConfig c = rf::default_run_config(rf::TrainMode::ppo);
    rf::set_value(c, "model", model);
    rf::set_value(c, "data", std::string(REINFORGE_SOURCE_DIR) + "/resources/datasets/arithmetic");
    rf::set_value(c, "output_dir", (d / "run").string());
    rf::set_value(c, "steps_per_eval", "0");
    rf::set_value(c, "save_every", "0");
    rf::set_value(c, "iters", "3");
    rf::set_value(c, "batch_size", "2");
    rf::set_value(c, "max_completion_length", "6");
    rf::set_value(c, "judge", "human");
    rf::set_value(c, "human_fallback", "rewards");
    rf::set_value(c, "human_wait_seconds", "0.2");
    ScriptedAsker asker({ScriptedAsker::pair(Winner::first)});
    rf::Session s(c, nullptr, nullptr, &asker);
    auto t0 = std::chrono::steady_clock::now();
    ASSERT_TRUE(s.run());
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 30.0);
    auto r = rows(fs::path(s.run_dir()) / "judgments.jsonl");
    ASSERT_EQ(r.size(), 6u);
    EXPECT_EQ(r[0]["judge"], "human");
    for (size_t i = 1; i < r.size(); ++i) EXPECT_EQ(r[i]["judge"], "rewards") << i;
    EXPECT_EQ(asker.asked(), 1 + 3);  // the answer, then one timed-out question in each of the 3 steps
    fs::remove_all(d);
}
