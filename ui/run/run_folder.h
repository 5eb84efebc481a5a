// A run folder read back for the rollout browser and the run comparison (docs/runs.md): the
// resolved config.yaml, metrics.jsonl as MetricsRows (validation values keep their `val_` prefix,
// as the live run reports them) and rollouts.jsonl as RolloutRows. Reading is plain file work: the
// widgets call it through runInBackground (ui/form/background.h), never on the GUI thread.
#pragma once
#include <QList>
#include <QString>

#include "config/run_config.h"
#include "run_types.h"

namespace rf::ui {

struct RunFolder {
    QString dir;                   // absolute path
    QString name;                  // the folder's name (what lists and legends show)
    RunConfig config;              // parsed from config.yaml (defaults when the file is missing)
    bool has_config = false;
    QList<MetricsRow> metrics;     // in file order
    QList<RolloutRow> rollouts;    // in file order
    QStringList problems;          // files missing or lines that did not parse ("rollouts.jsonl line 7: …")
};

// Reads `dir`; throws std::runtime_error when it is no run folder (none of config.yaml,
// metrics.jsonl, rollouts.jsonl in it). Lines that do not parse are skipped and listed in problems
// (a run killed mid-line leaves a torn last line).
RunFolder readRunFolder(const QString& dir);

// One line of rollouts.jsonl / metrics.jsonl; false when it is not a JSON object.
bool parseRolloutLine(const QByteArray& line, RolloutRow* row);
bool parseMetricsLine(const QByteArray& line, MetricsRow* row);

}  // namespace rf::ui
