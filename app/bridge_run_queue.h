// What the engine thread reports, waiting for the GUI thread: the engine's RunObserver callbacks
// (train/session.h) converted to Qt values and queued under a mutex. The GUI drains the queue at
// most every 50 ms (EngineController), so however fast steps go, the widgets get <= 20 updates/s.
#pragma once
#include <QList>
#include <QStringList>
#include <functional>
#include <mutex>

#include "run_types.h"
#include "train/session.h"

namespace rf::bridge {

struct RunBatch {
    QList<ui::MetricsRow> metrics;
    QList<ui::RolloutRow> rollouts;
    QStringList log;
    ui::RunProgress progress;
    bool progress_changed = false;
    bool started = false;  // on_start arrived (run_dir, total)
    QString run_dir;
    ui::DownloadProgress download;
    bool download_changed = false;
    bool empty() const {
        return metrics.isEmpty() && rollouts.isEmpty() && log.isEmpty() && !progress_changed && !started && !download_changed;
    }
};

class RunQueue : public RunObserver {
public:
    // Called (on the engine thread, outside the lock) when the queue goes from empty to non-empty.
    explicit RunQueue(std::function<void()> on_pending) : m_on_pending(std::move(on_pending)) {}

    RunBatch take();  // GUI thread: everything queued so far
    void log(const QString& line);
    QString runDir() const;
    int lastStep() const;  // the last step reported by on_metrics (or on_start's first step)

    void on_start(const std::string& run_dir, int first_step, int total_steps) override;
    void on_metrics(int step, const StepMetrics& metrics) override;
    void on_eval(int step, const StepMetrics& metrics) override;
    void on_rollouts(int step, const std::vector<RolloutRecord>& rollouts) override;
    void on_log(const std::string& line) override;
    bool on_download(const HubProgress& progress) override;  // the Session's stop flag cancels

private:
    template <class F>
    void push(F&& fill);

    std::function<void()> m_on_pending;
    mutable std::mutex m_mutex;
    RunBatch m_batch;
    QString m_run_dir;
    ui::RunProgress m_progress;
};

}  // namespace rf::bridge
