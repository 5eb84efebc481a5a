// The pure part of preflight (train/preflight.h): summarize() — per-group variance and signal, the
// predicted frac_reward_zero_std (held against grpo_advantages' metric on the same rewards), the
// per-function value counts / histograms, the examples and the verdict lines; and the --completions
// file reader. Sampling and scoring are the training's own code paths, covered end to end by
// tests/cli/preflight.sh (its first groups equal training step 1's rollouts).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "rl/advantages.h"
#include "train/preflight.h"

namespace {

// One function, weight 1: each completion's reward is its total. `failed` marks judge failures.
rf::PreflightReport report(const std::vector<std::vector<double>>& totals, const std::vector<std::vector<bool>>& truncated = {},
                           const std::string& baseline = {}) {
    rf::PreflightReport r;
    r.function_names = {"f"};
    r.weights = {1.0};
    r.baseline = baseline;
    for (size_t g = 0; g < totals.size(); ++g) {
        rf::PreflightGroup grp;
        for (size_t i = 0; i < totals[g].size(); ++i) {
            rf::PreflightCompletion c;
            c.total = totals[g][i];
            c.rewards = {totals[g][i]};
            c.truncated = !truncated.empty() && truncated[g][i];
            c.text = "g" + std::to_string(g) + "c" + std::to_string(i);
            grp.completions.push_back(c);
        }
        r.groups.push_back(grp);
    }
    return r;
}

TEST(Preflight, ZeroStdShareIsTheTrainingMetric) {
    const std::vector<std::vector<double>> totals = {{0, 0, 0, 0}, {1, 0, 0, 0}, {2, 2, 2, 2}, {0.5, 0.25, 0.5, 0.5}};
    rf::PreflightReport r = report(totals);
    rf::summarize(r);
    EXPECT_EQ(r.signal_groups, 2);
    EXPECT_DOUBLE_EQ(r.frac_reward_zero_std, 0.5);
    EXPECT_FALSE(r.groups[0].signal);
    EXPECT_TRUE(r.groups[1].signal);
    EXPECT_DOUBLE_EQ(r.groups[1].mean, 0.25);
    EXPECT_DOUBLE_EQ(r.groups[1].variance, 0.1875);  // population variance, ddof 0

    std::vector<double> flat;
    for (const auto& g : totals) flat.insert(flat.end(), g.begin(), g.end());
    const std::vector<std::string> names = {"f"};
    const std::vector<double> weights = {1.0};
    rf::GroupAdvantages adv = rf::grpo_advantages(flat, names, weights, 4, rf::ScaleRewards::group);
    EXPECT_DOUBLE_EQ(r.frac_reward_zero_std, adv.metrics.at("frac_reward_zero_std"));
    ASSERT_EQ(r.verdict.size(), 1u);
    EXPECT_EQ(r.verdict[0], "2 of 4 groups (50%) carry signal");
}

TEST(Preflight, VerdictWithoutSignalAndWithTruncation) {
    rf::PreflightReport r = report({{0, 0, 0}, {1, 1, 1}}, {{true, true, true}, {true, false, true}});
    rf::summarize(r);
    EXPECT_DOUBLE_EQ(r.frac_reward_zero_std, 1.0);
    EXPECT_EQ(r.truncated, 5);
    ASSERT_EQ(r.verdict.size(), 2u);
    EXPECT_EQ(r.verdict[0],
              "no group has variance: the run cannot learn — raise temperature or group_size, or use finer rewards");
    EXPECT_EQ(r.verdict[1], "83% of completions are truncated: raise max_completion_length");

    // exactly half truncated: no truncation line
    rf::PreflightReport half = report({{0, 1}}, {{true, false}});
    rf::summarize(half);
    EXPECT_EQ(half.verdict.size(), 1u);
}

TEST(Preflight, BatchBaselinesLearnFromDifferencesBetweenPrompts) {
    // no group varies, the batch does: with a batch-wide baseline the run still moves; with a
    // group-relative one (rloo, per_prompt_mean) it cannot
    for (const char* b : {"batch_mean", "running_mean", "none"}) {
        rf::PreflightReport r = report({{0, 0}, {1, 1}}, {}, b);
        rf::summarize(r);
        EXPECT_NE(r.verdict.at(0).find("the rewards differ between prompts"), std::string::npos) << b;
    }
    for (const char* b : {"rloo", "per_prompt_mean"}) {
        rf::PreflightReport r = report({{0, 0}, {1, 1}}, {}, b);
        rf::summarize(r);
        EXPECT_EQ(r.verdict.at(0).rfind("no group has variance: the run cannot learn", 0), 0u) << b;
    }
}

TEST(Preflight, FailedVerdictsAreLeftOut) {
    rf::PreflightReport r = report({{1, 0, 1}, {3, 7}});
    r.groups[0].completions[1].failed = true;  // the only differing reward failed: no signal
    r.groups[1].completions[0].failed = true;  // one reward left: no variance
    rf::summarize(r);
    EXPECT_EQ(r.failed, 2);
    EXPECT_EQ(r.signal_groups, 0);
    EXPECT_EQ(r.functions[0].scored, 3);
    EXPECT_EQ(r.verdict.at(1), "2 of 5 judge verdicts failed (no reward): check the judge's replies");
}

TEST(Preflight, ValueCountsOrHistogram) {
    rf::PreflightReport few = report({{0, 0, 2, 2, 2, 0.5}});
    few.groups[0].completions[5].rewards[0] = std::nan("");  // not applicable: left out of the function's stats
    rf::summarize(few);
    const rf::PreflightFunction& f = few.functions.at(0);
    EXPECT_EQ(f.scored, 5);
    EXPECT_DOUBLE_EQ(f.mean, 1.2);
    EXPECT_DOUBLE_EQ(f.nonzero_share, 0.6);
    ASSERT_EQ(f.counts.size(), 2u);
    EXPECT_EQ(f.counts[0], (std::pair<double, int>{0.0, 2}));
    EXPECT_EQ(f.counts[1], (std::pair<double, int>{2.0, 3}));
    EXPECT_TRUE(f.bins.empty());

    std::vector<double> many;
    for (int i = 0; i <= 20; ++i) many.push_back(i * 0.5);  // 21 distinct values in [0, 10]
    rf::PreflightReport r = report({many});
    rf::summarize(r);
    const rf::PreflightFunction& h = r.functions.at(0);
    EXPECT_TRUE(h.counts.empty());
    EXPECT_DOUBLE_EQ(h.lo, 0.0);
    EXPECT_DOUBLE_EQ(h.hi, 10.0);
    ASSERT_EQ(h.bins.size(), 10u);
    int sum = 0;
    for (int n : h.bins) sum += n;
    EXPECT_EQ(sum, 21);
    EXPECT_EQ(h.bins[0], 2);  // 0, 0.5
    EXPECT_EQ(h.bins[9], 3);  // 9, 9.5 and the maximum 10
}

TEST(Preflight, OneExamplePerRewardLevel) {
    rf::PreflightReport r = report({{0, 1, 0, 1}, {2, 0, 1, 1}});
    rf::summarize(r);
    ASSERT_EQ(r.examples.size(), 3u);
    EXPECT_EQ(r.examples[0].total, 0.0);
    EXPECT_EQ(r.examples[2].total, 2.0);
    EXPECT_EQ(r.examples[2].group, 1);
    EXPECT_EQ(r.examples[2].index, 0);  // the first completion at that level

    std::vector<double> many;
    for (int i = 0; i < 30; ++i) many.push_back(i);
    rf::PreflightReport m = report({many});
    rf::summarize(m);
    ASSERT_EQ(m.examples.size(), 8u);  // at most 8, lowest and highest included
    EXPECT_EQ(m.examples.front().total, 0.0);
    EXPECT_EQ(m.examples.back().total, 29.0);
}

TEST(Preflight, CompletionRows) {
    const std::string path = testing::TempDir() + "/preflight_rows.jsonl";
    {
        std::ofstream f(path);
        f << R"({"prompt": "What is 3 + 4?", "completion": "<answer>7</answer>", "answer": 7})" "\n\n"
          << R"({"completion": "x", "type": "add"})" "\n";
    }
    std::vector<rf::CompletionRow> rows = rf::read_completion_rows(path);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].answer, "7");
    EXPECT_EQ(rows[0].prompt, "What is 3 + 4?");
    EXPECT_EQ(rows[1].prompt, "");
    EXPECT_EQ(rows[1].type, "add");
    {
        std::ofstream f(path);
        f << R"({"completion": "ok"})" "\n" << R"({"prompt": "p", "answer": "a"})" "\n";
    }
    try {
        rf::read_completion_rows(path);
        FAIL() << "a row without completion was accepted";
    } catch (const rf::InputError& e) {
        EXPECT_NE(std::string(e.what()).find(":2: 'completion'"), std::string::npos) << e.what();
    }
    std::filesystem::remove(path);
}

}  // namespace
