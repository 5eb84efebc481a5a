// Judges without a network: the judge runner (random A/B order and un-swapping, judgments.jsonl
// written verdict by verdict, judge_failures), the human judge through a scripted asker (including
// stop while waiting), and the rewards judge.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/error.h"
#include "core/rng.h"
#include "judge/human_judge.h"
#include "judge/judge_runner.h"
#include "judge/rewards_judge.h"

using namespace rf;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::vector<json> read_jsonl(const std::string& path) {
    std::vector<json> out;
    std::ifstream f(path);
    for (std::string line; std::getline(f, line);) out.push_back(json::parse(line));
    return out;
}

std::string temp_path(const std::string& name) {
    return (fs::temp_directory_path() / ("rf_judge_" + std::to_string(::getpid()) + "_" + name)).string();
}

// Always prefers the completion containing "good", whatever position it is shown in; records order.
class PreferGood : public Judge {
public:
    std::string name() const override { return "prefer-good"; }
    std::vector<ScalarVerdict> score(const std::vector<JudgeItem>& items) override {
        std::vector<ScalarVerdict> v(items.size());
        for (size_t i = 0; i < items.size(); ++i) v[i].score = items[i].completion.find("good") != std::string::npos ? 9.f : 1.f;
        return v;
    }
    std::vector<PairVerdict> compare(const std::vector<PairItem>& items) override {
        std::vector<PairVerdict> v(items.size());
        for (size_t i = 0; i < items.size(); ++i) {
            bool a = items[i].completions[0].find("good") != std::string::npos;
            v[i].winner = a ? Winner::first : Winner::second;
            v[i].scores = std::array<float, 2>{a ? 1.f : 0.f, a ? 0.f : 1.f};
            shown_first.push_back(items[i].completions[0]);
        }
        return v;
    }
    std::vector<std::string> shown_first;
};

// Always answers "A" (position bias in its purest form).
class AlwaysFirst : public Judge {
public:
    std::string name() const override { return "always-first"; }
    std::vector<ScalarVerdict> score(const std::vector<JudgeItem>& items) override { return std::vector<ScalarVerdict>(items.size()); }
    std::vector<PairVerdict> compare(const std::vector<PairItem>& items) override {
        std::vector<PairVerdict> v(items.size());
        for (auto& x : v) x.winner = Winner::first;
        return v;
    }
};

}  // namespace

TEST(Winner, Strings) {
    for (Winner w : {Winner::first, Winner::second, Winner::tie, Winner::skip}) EXPECT_EQ(winner_from_string(to_string(w)), w);
    EXPECT_STREQ(to_string(Winner::first), "0");
    EXPECT_THROW(winner_from_string("2"), InputError);
}

TEST(JudgeRunner, ShuffleIsUndoneAndLogged) {
    std::string log_path = temp_path("shuffle.jsonl");
    fs::remove(log_path);
    JudgmentLog log(log_path);
    JudgeStats stats;
    Rng rng(7);
    PreferGood judge;
    std::vector<PairItem> items;
    for (int i = 0; i < 64; ++i) {
        PairItem p;
        p.prompt = "q" + std::to_string(i);
        p.completions = i % 3 ? std::array<std::string, 2>{"good " + std::to_string(i), "bad"}
                              : std::array<std::string, 2>{"bad", "good " + std::to_string(i)};
        items.push_back(p);
    }
    std::vector<PairVerdict> v = judge_pairs(judge, items, rng, {3, "train", &log, &stats});
    ASSERT_EQ(v.size(), items.size());
    int swapped = 0;
    for (size_t i = 0; i < items.size(); ++i) {
        const int good = items[i].completions[0].find("good") != std::string::npos ? 0 : 1;
        EXPECT_EQ(v[i].chosen(), good) << i;                          // relative to the caller's order
        EXPECT_EQ((*v[i].scores)[size_t(good)], 1.f) << i;            // scores un-swapped too
        EXPECT_EQ(judge.shown_first[i] != items[i].completions[0], v[i].swapped) << i;
        swapped += v[i].swapped;
    }
    EXPECT_GT(swapped, 16);  // about half of 64 are shown in B, A order
    EXPECT_LT(swapped, 48);
    auto lines = read_jsonl(log_path);
    ASSERT_EQ(lines.size(), items.size());
    EXPECT_EQ(lines[5]["step"], 3);
    EXPECT_EQ(lines[5]["kind"], "pairwise");
    EXPECT_EQ(lines[5]["judge"], "prefer-good");
    EXPECT_EQ(lines[5]["prompt"], "q5");
    EXPECT_EQ(lines[5]["completions"][0], items[5].completions[0]);
    EXPECT_EQ(lines[5]["verdict"]["winner"], to_string(v[5].winner));
    EXPECT_EQ(lines[5]["verdict"]["swapped"], v[5].swapped);
    EXPECT_EQ(stats.verdicts, 64);
    EXPECT_EQ(stats.failures, 0);
    fs::remove(log_path);
}

TEST(JudgeRunner, RandomOrderCancelsPositionBias) {
    AlwaysFirst judge;
    Rng rng(11);
    std::vector<PairItem> items(1000);
    auto v = judge_pairs(judge, items, rng, {});
    int first = 0;
    for (auto& x : v) first += x.chosen() == 0;
    EXPECT_NEAR(first, 500, 60);  // ~N(500, 16): a biased judge picks each slot half the time
}

TEST(JudgeRunner, SameSeedSameOrder) {
    PreferGood a, b;
    std::vector<PairItem> items(20, PairItem{"p", {"good", "bad"}, "", ""});
    Rng r1(5), r2(5);
    auto v1 = judge_pairs(a, items, r1, {});
    auto v2 = judge_pairs(b, items, r2, {});
    for (size_t i = 0; i < items.size(); ++i) EXPECT_EQ(v1[i].swapped, v2[i].swapped);
}

TEST(HumanJudge, ScriptedPairwiseAndScalar) {
    std::string log_path = temp_path("human.jsonl");
    fs::remove(log_path);
    JudgmentLog log(log_path);
    JudgeStats stats;
    std::atomic<bool> stop{false};
    ScriptedAsker asker({ScriptedAsker::pair(Winner::second), ScriptedAsker::pair(Winner::tie),
                         ScriptedAsker::pair(Winner::skip), ScriptedAsker::scalar(7.5f), ScriptedAsker::scalar_skip()});
    HumanJudge judge(asker, stop);
    Rng rng(3);
    std::vector<PairItem> pairs(3, PairItem{"p", {"x", "y"}, "", ""});
    auto pv = judge_pairs(judge, pairs, rng, {1, "train", &log, &stats});
    // The human saw (shown[0], shown[1]) and picked the second shown; un-swapped, that is "y" unless swapped.
    auto shown = asker.shown();
    ASSERT_EQ(shown.size(), 3u);
    EXPECT_EQ(pairs[0].completions[size_t(pv[0].chosen())], shown[0][1]);
    EXPECT_EQ(pv[1].winner, Winner::tie);
    EXPECT_EQ(pv[2].winner, Winner::skip);
    auto sv = judge_scalar(judge, {{"p", "c1", "", ""}, {"p", "c2", "", ""}}, {2, "train", &log, &stats});
    EXPECT_EQ(sv[0].score, 7.5f);
    EXPECT_TRUE(sv[1].skipped);
    EXPECT_EQ(stats.verdicts, 5);
    EXPECT_EQ(stats.ties, 1);
    EXPECT_EQ(stats.skipped, 2);
    auto lines = read_jsonl(log_path);
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_EQ(lines[0]["judge"], "human");
    EXPECT_EQ(lines[3]["kind"], "scalar");
    EXPECT_EQ(lines[3]["verdict"]["score"], 7.5);
    EXPECT_EQ(lines[4]["verdict"]["skipped"], true);
    fs::remove(log_path);
}

// Each verdict is in judgments.jsonl before the human is asked the next question.
TEST(HumanJudge, VerdictSavedBeforeNextQuestion) {
    std::string log_path = temp_path("immediate.jsonl");
    fs::remove(log_path);
    JudgmentLog log(log_path);
    struct CheckingAsker : HumanAsker {
        std::string path;
        std::vector<size_t> lines_seen;
        std::optional<Winner> ask_pair(const PairItem&, int, int, const std::atomic<bool>&) override {
            lines_seen.push_back(read_jsonl(path).size());
            return Winner::first;
        }
        std::optional<ScalarAnswer> ask_scalar(const JudgeItem&, int, int, const std::atomic<bool>&) override {
            return ScalarAnswer{};
        }
    } asker;
    asker.path = log_path;
    std::atomic<bool> stop{false};
    HumanJudge judge(asker, stop);
    Rng rng(1);
    judge_pairs(judge, std::vector<PairItem>(4), rng, {0, "train", &log, nullptr});
    EXPECT_EQ(asker.lines_seen, (std::vector<size_t>{0, 1, 2, 3}));
    fs::remove(log_path);
}

// Stop while the human has not answered: returns within a fraction of a second, keeps the verdicts given.
TEST(HumanJudge, StopWhileWaitingNeverDeadlocks) {
    std::string log_path = temp_path("stop.jsonl");
    fs::remove(log_path);
    JudgmentLog log(log_path);
    std::atomic<bool> stop{false};
    ScriptedAsker asker({ScriptedAsker::pair(Winner::first)});  // answers 1 of 3, then waits
    HumanJudge judge(asker, stop);
    Rng rng(2);
    std::thread stopper([&] {
        while (asker.asked() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        stop = true;
    });
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_THROW(judge_pairs(judge, std::vector<PairItem>(3), rng, {0, "train", &log, nullptr}), JudgeCancelled);
    double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    stopper.join();
    EXPECT_LT(dt, 1.0);
    EXPECT_EQ(read_jsonl(log_path).size(), 1u);
    EXPECT_FALSE(judge.on_pair_verdict);  // callbacks cleared on the way out
    // A stopped run does not ask again.
    EXPECT_THROW(judge.compare(std::vector<PairItem>(1)), JudgeCancelled);
    fs::remove(log_path);
}

TEST(RewardsJudge, ScalarIsWeightedSumPairwiseHigherWins) {
    RewardSetOptions o;
    o.names = {"r1_accuracy_reward_func", "r1_int_reward_func"};
    o.weights = {1.0, 2.0};
    auto judge = RewardsJudge(std::make_shared<RewardSet>(o));
    auto sv = judge.score({{"p", "<answer>4</answer>", "4", ""}, {"p", "<answer>x</answer>", "4", ""}});
    EXPECT_EQ(sv[0].score, 2.0f + 2.0f * 0.5f);
    EXPECT_EQ(sv[1].score, 0.0f);
    EXPECT_NE(sv[0].raw.find("r1_accuracy_reward_func=2"), std::string::npos) << sv[0].raw;
    auto pv = judge.compare({{"p", {"<answer>5</answer>", "<answer>4</answer>"}, "4", ""},
                             {"p", {"<answer>4</answer>", "<answer>5</answer>"}, "4", ""},
                             {"p", {"<answer>7</answer>", "<answer>5</answer>"}, "4", ""}});
    EXPECT_EQ(pv[0].winner, Winner::second);  // 0.5*2 = 1 vs 2 + 1 = 3
    EXPECT_EQ(pv[1].winner, Winner::first);
    EXPECT_EQ(pv[2].winner, Winner::tie);     // both 1.0
    EXPECT_EQ((*pv[0].scores)[0], 1.0f);
    EXPECT_EQ((*pv[0].scores)[1], 3.0f);
    EXPECT_EQ(judge.last_batch().total.size(), 6u);
}

TEST(JudgmentLog, InvalidUtf8IsReplacedNotThrown) {
    std::string log_path = temp_path("utf8.jsonl");
    fs::remove(log_path);
    JudgmentLog log(log_path);
    ScalarVerdict v;
    v.score = 3;
    log.append(1, "val", "human", JudgeItem{"p", "cut \xe2\x82", "", ""}, v);
    auto lines = read_jsonl(log_path);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0]["completions"][0], "cut \xef\xbf\xbd");
    EXPECT_EQ(lines[0]["phase"], "val");
    fs::remove(log_path);
}
