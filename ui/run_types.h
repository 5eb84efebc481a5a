// Values that travel from the engine thread to the widgets, by value, over queued connections.
// They are Qt types (the engine never sees them): app/bridge_* converts the engine's observer
// callbacks into these.
#pragma once
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace rf::ui {

// One report of the step loop: the flat SPEC §10 map name -> value for `step`.
// Validation values carry the `val_` prefix in the same map (or in a row of their own).
struct MetricsRow {
    int step = 0;
    QMap<QString, double> values;
};

// One sampled completion with its scores (the rollout view shows the latest ones).
struct RolloutRow {
    int step = 0;
    QString prompt;
    QString completion;
    double reward = 0.0;                    // total (weighted) reward or judge score
    QMap<QString, double> function_rewards;  // per reward function (GRPO / judge: rewards)
    double advantage = 0.0;
    bool truncated = false;                 // hit max_completion_length
    QString answer;                         // the dataset's reference answer ("" when none)
    int group = -1;                         // the prompt's group within the step (-1: not recorded)
    int num_tokens = 0;
    QString verdict;                        // a judge's verdict without signal: "failed", "skip", "tie"; else ""
    QStringList tokens;                     // per completion token: its text (token-level view)
    QList<float> token_logps;               // per completion token: log-prob under the sampling policy
};

// A model or dataset being downloaded before the run starts (io/hub_client.h HubProgress).
struct DownloadProgress {
    QString file;                    // repo-relative path of the file in progress
    qint64 all_done = 0, all_total = -1;  // bytes of the whole download (-1: unknown)
    int files_done = 0, files_total = 0;
};

// Where the run stands; sent with every metrics batch.
struct RunProgress {
    int step = 0;        // steps done
    int total = 0;       // iters (0 when unknown)
    double tokens_per_second = 0.0;
    double learning_rate = 0.0;
};

}  // namespace rf::ui

Q_DECLARE_METATYPE(rf::ui::MetricsRow)
Q_DECLARE_METATYPE(rf::ui::RolloutRow)
Q_DECLARE_METATYPE(rf::ui::RunProgress)
Q_DECLARE_METATYPE(rf::ui::DownloadProgress)
