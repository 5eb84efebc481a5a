// The metrics table (engine/rl/metrics.h) and the health rules (engine/rl/health.h).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "rl/health.h"
#include "rl/metrics.h"

namespace rf {
namespace {

TEST(MetricsTable, NamesAreUniqueAndDocumentedInMetricsMd) {
    std::ifstream f(std::string(REINFORGE_SOURCE_DIR) + "/docs/metrics.md");
    ASSERT_TRUE(f.good());
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string md = ss.str();
    std::set<std::string> documented;
    std::regex row(R"(\n\| `([a-z_0-9<>]+)`)");
    for (auto it = std::sregex_iterator(md.begin(), md.end(), row); it != std::sregex_iterator(); ++it)
        documented.insert((*it)[1]);
    std::set<std::string> names;
    for (const MetricSpec& m : metric_table()) {
        EXPECT_TRUE(names.insert(m.name).second) << "twice in the table: " << m.name;
        EXPECT_TRUE(documented.count(m.name)) << m.name << " is in the table but not in docs/metrics.md";
        EXPECT_NE(std::string(m.label), "") << m.name;
        EXPECT_NE(std::string(m.doc), "") << m.name;
    }
    for (const std::string& d : documented) {
        if (d.rfind("<fn>", 0) == 0) continue;
        EXPECT_TRUE(names.count(d)) << d << " is documented in docs/metrics.md but not in the metrics table";
    }
}

TEST(MetricsTable, Placement) {
    MetricPlacement p = place_metric("total_rewards_mean");
    EXPECT_EQ(p.group, MetricGroup::rewards);
    EXPECT_EQ(p.label, "mean");
    p = place_metric("val_kl");
    EXPECT_TRUE(p.validation);
    EXPECT_EQ(p.group, MetricGroup::kl);
    EXPECT_EQ(p.base, "kl");
    EXPECT_EQ(p.label, "val kl");
    p = place_metric("r1_accuracy_reward_func_mean");
    EXPECT_TRUE(p.reward_function);
    EXPECT_EQ(p.group, MetricGroup::accuracy);
    EXPECT_EQ(p.label, "accuracy");
    EXPECT_EQ(place_metric("val_r1_accuracy_reward_func_mean").group, MetricGroup::accuracy);
    EXPECT_EQ(place_metric("val_r1_accuracy_reward_func_mean").label, "val accuracy");
    EXPECT_EQ(place_metric("r1_count_xml_mean").group, MetricGroup::reward_functions);
    EXPECT_EQ(place_metric("val_r1_count_xml_mean").group, MetricGroup::none);  // one legend entry per function
    EXPECT_EQ(place_metric("ratios_mean").group, MetricGroup::clipping);  // a _mean that is no reward function
    EXPECT_EQ(place_metric("learning_rate").group, MetricGroup::none);
    EXPECT_EQ(place_metric("test_loss").group, MetricGroup::none);  // the test split is not charted
    EXPECT_TRUE(place_metric("hit_max_tokens_ratio").right_axis);
    EXPECT_EQ(std::string(metric_group_title(MetricGroup::rewards)), "Reward");
    // what is learned first: accuracy (training and held-out), then the total reward, then the rest
    EXPECT_EQ(metric_groups_in_order().front(), MetricGroup::accuracy);
    EXPECT_EQ(metric_groups_in_order()[1], MetricGroup::rewards);
    EXPECT_EQ(metric_groups_in_order()[2], MetricGroup::reward_functions);
    // the spread of the rewards has a chart of its own, on one axis (no ratio on a right axis)
    for (const char* k : {"total_rewards_std", "grouped_rewards_std", "frac_reward_zero_std", "rewards_std"}) {
        EXPECT_EQ(place_metric(k).group, MetricGroup::signal) << k;
        EXPECT_FALSE(place_metric(k).right_axis) << k;
    }
    // GRPO's mean advantage is 0 by construction and the mean of group means is the mean: not drawn
    EXPECT_EQ(place_metric("advantages_mean").group, MetricGroup::none);
    EXPECT_EQ(place_metric("grouped_rewards_mean").group, MetricGroup::none);
}

std::vector<std::string> ids(const HealthMonitor& h) {
    std::vector<std::string> out;
    for (const HealthWarning& w : h.warnings()) out.push_back(w.id);
    return out;
}

TEST(Health, RulesFireOnTheirSignalOnly) {
    HealthMonitor h;
    EXPECT_TRUE(h.warnings().empty());
    h.add({{"loss", 0.5}, {"frac_reward_zero_std", 0.9}, {"hit_max_tokens_ratio", 1.0}, {"clip_ratio_total", 0.4}});
    EXPECT_EQ(ids(h), (std::vector<std::string>{"no_signal", "clipping", "truncated"}));
    h.add({{"loss", NAN}, {"frac_reward_zero_std", 0.0}, {"judge_failures", 2}});
    // no_signal averages the last 5 reports: (0.9 + 0) / 2 < 0.8
    EXPECT_EQ(ids(h), (std::vector<std::string>{"nonfinite", "judge"}));
    h.add({{"val_loss", NAN}});  // a validation row changes nothing
    EXPECT_EQ(ids(h), (std::vector<std::string>{"nonfinite", "judge"}));
    h.add({{"loss", 0.5}, {"judge_failures", 2}});  // the running total did not grow: no judge warning
    EXPECT_TRUE(h.warnings().empty());
    h.add({{"loss", 0.5}, {"judge_failures", 3}});
    EXPECT_EQ(ids(h), (std::vector<std::string>{"judge"}));
    h.clear();
    EXPECT_TRUE(h.warnings().empty());
}

TEST(Health, KlDriftNeedsRisingKlAndAFlatReward) {
    HealthMonitor flat, learning;
    for (int s = 0; s < HealthMonitor::kWindow + 2; ++s) {  // the rule needs a full window
        flat.add({{"kl", 0.01 * s}, {"total_rewards_mean", 1.0 + (s % 2) * 0.1}});
        learning.add({{"kl", 0.01 * s}, {"total_rewards_mean", 1.0 + 0.2 * s}});
    }
    EXPECT_EQ(ids(flat), (std::vector<std::string>{"kl_drift"}));
    EXPECT_TRUE(learning.warnings().empty());
}

// A healthy 200-step run of the GRPO preset (reward and held-out accuracy rising, KL noisy around
// 0.01-0.08), recorded with `reinforge-cli train resources/presets/grpo-default.yaml`: replayed
// report by report it raises no warning (the old kl_drift rule fired 9 times on it).
TEST(Health, ARecordedHealthyRunRaisesNone) {
    std::ifstream f(std::string(REINFORGE_FIXTURES) + "/recorded/grpo_preset_healthy.jsonl");
    ASSERT_TRUE(f.good());
    HealthMonitor h;
    int rows = 0;
    for (std::string line; std::getline(f, line);) {
        auto j = nlohmann::json::parse(line);
        StepMetrics m;
        for (auto it = j.begin(); it != j.end(); ++it)
            if (it.key() != "step") m.push_back({it.key(), it->get<double>()});
        h.add(m);
        ++rows;
        for (const HealthWarning& w : h.warnings()) ADD_FAILURE() << "step " << j["step"] << ": " << w.id;
    }
    EXPECT_EQ(rows, 200);
}

}  // namespace
}  // namespace rf
