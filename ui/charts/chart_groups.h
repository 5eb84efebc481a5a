// Which chart a metric is drawn in: the engine's metrics table (engine/rl/metrics.h) in Qt types.
// Validation metrics (`val_<name>`) go to the chart of `<name>`, drawn dashed.
#pragma once
#include <QList>
#include <QString>

#include "rl/metrics.h"

namespace rf::ui {

using ChartGroup = rf::MetricGroup;

struct ChartPlacement {
    ChartGroup group = ChartGroup::none;
    QString base_key;         // key without the `val_` prefix
    bool validation = false;  // drawn dashed, labelled "val …"
    bool right_axis = false;  // ratios / seconds drawn against the right axis
};

// Groups in display order (rewards first).
QList<ChartGroup> chartGroupsInOrder();
QString chartGroupId(ChartGroup g);     // "rewards", "kl", … (objectName suffix, file names)
QString chartGroupTitle(ChartGroup g);  // "Rewards", "KL", …
ChartPlacement placeMetric(const QString& key);
// Short legend text: "mean" for total_rewards_mean in the Rewards chart, "accuracy" for
// r1_accuracy_reward_func_mean, …; "val " prefix for validation, " (right)" for the right axis.
QString legendLabel(const QString& key);

}  // namespace rf::ui
