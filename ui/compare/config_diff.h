// What changed between runs: every key of the engine's key table (run_config_keys()) whose resolved
// value differs between the configs, as the run folders' config.yaml wrote it. Plain data.
#pragma once
#include <QList>
#include <QStringList>

#include "config/run_config.h"

namespace rf::ui {

struct ConfigDiffRow {
    QString key;
    QStringList values;  // one per config, as get_value() gives it
    bool differs = false;
};

// Rows in the key table's order, the keys that differ first; with `all`, the equal keys follow.
// Where a run's files live (output_dir, run_name, adapter_path) differs always and comes last.
QList<ConfigDiffRow> configDiff(const QList<RunConfig>& configs, bool all = false);

}  // namespace rf::ui
