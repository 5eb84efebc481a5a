// The metrics of a run (SPEC §10): the value types, and ONE table of every metric name the engine
// emits, with the chart it belongs to, its legend label, a one-line meaning and its axis. The GUI's
// charts, the CLI's progress line and docs/metrics.md (checked by a test) all read this table; no
// other code spells a metric's chart or label. Formulas are in docs/metrics.md.
#pragma once
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rf {

struct Metric {
    std::string name;  // SPEC §10 names ("loss", "kl", "total_rewards_mean", "val_loss", …)
    double value = 0.0;
};
using StepMetrics = std::vector<Metric>;
// The value of `name` in `m`, or `fallback`.
double metric(const StepMetrics& m, const std::string& name, double fallback = 0.0);

// The chart a metric is drawn in (none: status line / metrics.jsonl only), in display order.
// The charts, in the order a run shows them: what is learned first (accuracy — the mean of a reward
// function named *accuracy*, training and held-out —, the total reward, the other functions' means),
// then whether groups carry a signal, then the health of the update (KL, clipping, loss), lengths
// and speed.
enum class MetricGroup { accuracy, rewards, reward_functions, signal, kl, clipping, loss, generation, throughput, none };
std::vector<MetricGroup> metric_groups_in_order();  // every group but none, accuracy first
const char* metric_group_id(MetricGroup g);         // "accuracy", "rewards", … ("" for none)
const char* metric_group_title(MetricGroup g);      // "Rewards", "KL", …

struct MetricSpec {
    const char* name;
    MetricGroup group;
    const char* label;  // short legend text ("mean", "tok/s")
    const char* doc;    // one line: what it is
    bool right_axis;    // ratios / seconds drawn against the chart's right axis
};
// Every fixed metric name, in the order of docs/metrics.md. Per-reward-function metrics are
// `<fn>_mean`, `<fn>_std`, `<fn>_coverage` (kRewardFunctionSuffixes); evaluation metrics carry the
// prefix `val_` or `test_`.
std::span<const MetricSpec> metric_table();
inline constexpr const char* kRewardFunctionSuffixes[] = {"_mean", "_std", "_coverage"};

// Where a metric key goes: its spec (nullptr for a reward function's or an unknown name), chart and
// label. `val_` keys go to the chart of their base name, drawn dashed, labelled "val …"; `test_` keys
// (the end-of-run test split) are not charted.
struct MetricPlacement {
    const MetricSpec* spec = nullptr;
    MetricGroup group = MetricGroup::none;
    std::string base;          // the key without `val_`
    bool validation = false;   // `val_`
    bool right_axis = false;
    bool reward_function = false;  // `<fn>_mean` of a reward function
    std::string label;         // legend text, "val " prefixed for validation (no axis note)
};
MetricPlacement place_metric(std::string_view key);

}  // namespace rf
