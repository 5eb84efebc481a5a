// GRPO rewards/advantages and their metrics against tests/fixtures/losses/losses_cases.json
// ("advantage_cases", from tests/reference/losses_reference.py); the REINFORCE baselines are
// checked through the reinforce cases of test_losses.cpp. Plus the error paths.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "rl/advantages.h"

namespace {

using nlohmann::json;

const json& fixture() {
    static const json j = [] {
        std::ifstream in(std::string(REINFORGE_FIXTURES) + "/losses/losses_cases.json");
        if (!in) throw std::runtime_error("missing fixture losses/losses_cases.json");
        return json::parse(in);
    }();
    return j;
}

struct Table {
    std::vector<double> values;  // K x N, NaN = not applicable
    std::vector<std::string> names;
    std::vector<double> weights;
    Table() {
        const json& in = fixture()["inputs"];
        for (const json& row : in["fn_rewards"])
            for (const json& v : row) values.push_back(v.is_null() ? NAN : v.get<double>());
        names = in["fn_names"].get<std::vector<std::string>>();
        weights = in["weights"].get<std::vector<double>>();
    }
};

TEST(Advantages, GrpoMatchesReference) {
    Table t;
    const int G = fixture()["group_size"];
    ASSERT_EQ(fixture()["advantage_cases"].size(), 3u);
    for (const json& c : fixture()["advantage_cases"]) {
        SCOPED_TRACE(c["scale_rewards"].get<std::string>());
        rf::GroupAdvantages out =
            rf::grpo_advantages(t.values, t.names, t.weights, G, *rf::enum_from_name<rf::ScaleRewards>(c["scale_rewards"].get<std::string>()));
        ASSERT_EQ(out.advantages.size(), c["advantages"].size());
        for (size_t i = 0; i < out.advantages.size(); ++i) {
            EXPECT_NEAR(out.total_rewards[i], c["total_rewards"][i].get<double>(), 1e-12);
            // group scaling divides by (std + 1e-4); a zero-std group gives exactly 0
            EXPECT_NEAR(out.advantages[i], c["advantages"][i].get<double>(), 1e-10);
        }
        for (auto it = c["metrics"].begin(); it != c["metrics"].end(); ++it) {
            ASSERT_TRUE(out.metrics.count(it.key())) << it.key();
            EXPECT_NEAR(out.metrics[it.key()], it.value().get<double>(), 1e-12) << it.key();
        }
        EXPECT_EQ(out.metrics.size(), c["metrics"].size());
    }
}

TEST(Advantages, GrpoRejectsMismatchedWeights) {
    Table t;
    std::vector<double> two = {1.0, 1.0};
    try {
        rf::grpo_advantages(t.values, t.names, two, 4, rf::ScaleRewards::group);
        FAIL();
    } catch (const rf::InputError& e) {
        EXPECT_EQ(e.key, "reward_weights");
    }
    EXPECT_THROW(rf::grpo_advantages(t.values, t.names, t.weights, 0, rf::ScaleRewards::group), rf::InputError);
    EXPECT_THROW(rf::grpo_advantages(t.values, t.names, t.weights, 3, rf::ScaleRewards::group), rf::InternalError);
}

TEST(Advantages, RlooNeedsTwoPerGroupAndRunningMeanPersists) {
    std::vector<double> r = {1.0, 2.0, 3.0, 4.0};
    EXPECT_THROW(rf::reinforce_baselines(r, rf::Baseline::rloo, 1, 0.9, nullptr), rf::InputError);
    rf::RunningMeanBaseline s;
    rf::reinforce_baselines(r, rf::Baseline::running_mean, 1, 0.9, &s);
    rf::RunningMeanBaseline back = rf::RunningMeanBaseline::from_json(json::parse(s.to_json().dump()));
    EXPECT_EQ(back.value, s.value);
    EXPECT_EQ(back.count, 1);
    EXPECT_THROW(rf::RunningMeanBaseline::from_json(json{{"value", 1.0}, {"count", -2}}), rf::InputError);
    EXPECT_THROW(rf::reinforce_baselines(r, rf::Baseline::running_mean, 1, 1.5, &s), rf::InputError);
}

}  // namespace

// advantage_std (issue 16 item 10): population (ddof 0, mlx-lm-lora, default) or unbiased (ddof 1, TRL).
TEST(GrpoAdvantages, PopulationOrUnbiasedStd) {
    const std::vector<double> r = {1, 0, 0, 0, 2, 2, 0, 0};  // one function, two groups of 4
    const std::vector<std::string> names = {"f"};
    const std::vector<double> w = {1.0};
    auto pop = rf::grpo_advantages(r, names, w, 4, rf::ScaleRewards::group);
    auto unb = rf::grpo_advantages(r, names, w, 4, rf::ScaleRewards::group, rf::AdvantageStd::unbiased);
    // group 1: mean 0.25, population std sqrt(0.1875), unbiased std sqrt(0.25) = 0.5
    EXPECT_NEAR(pop.advantages[0], 0.75 / (std::sqrt(0.1875) + 1e-4), 1e-12);
    EXPECT_NEAR(unb.advantages[0], 0.75 / (0.5 + 1e-4), 1e-12);
    // group 2: mean 1, population std 1, unbiased sqrt(4/3)
    EXPECT_NEAR(pop.advantages[4], 1.0 / (1.0 + 1e-4), 1e-12);
    EXPECT_NEAR(unb.advantages[4], 1.0 / (std::sqrt(4.0 / 3.0) + 1e-4), 1e-12);
    // batch scaling: the batch's std of 8 values
    auto ub = rf::grpo_advantages(r, names, w, 4, rf::ScaleRewards::batch, rf::AdvantageStd::unbiased);
    double m = 0.625, ss = 0;
    for (double x : r) ss += (x - m) * (x - m);
    EXPECT_NEAR(ub.advantages[0], 0.75 / (std::sqrt(ss / 7.0) + 1e-4), 1e-12);
    EXPECT_EQ(pop.metrics.at("total_rewards_std"), unb.metrics.at("total_rewards_std"));  // metrics unchanged
}

