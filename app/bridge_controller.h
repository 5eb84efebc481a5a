// The GUI thread's handle on a training run (Qt's worker-object pattern):
//
//   EngineController (GUI thread) --start--> QThread + EngineWorker --runs--> RunFunction (rf::Session)
//        ^  drains RunQueue <= 20 times/s         |  RunObserver callbacks go into RunQueue
//        |  emits metricsReady/... to widgets     |  HumanAsker = QtJudge (dialog on the GUI thread)
//
// Stop and pause are flags (rf::RunControl) read by the engine between and inside steps; a queued
// slot would never arrive while the loop runs. Failures (bad input, NaN, a judge that cannot work)
// come back as runFailed(message, run folder): the folder keeps the last good checkpoint.
#pragma once
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <functional>
#include <memory>

#include "bridge_qt_judge.h"
#include "bridge_run_queue.h"
#include "config/run_config.h"

class QThread;

namespace rf::bridge {

// What the worker thread runs: the real one builds an rf::Session and calls run(); tests pass a fake.
// Returns true when every step was done; throws on failure.
using RunFunction = std::function<bool(const RunConfig&, RunObserver&, RunControl&, HumanAsker*)>;
RunFunction sessionRunFunction();

class EngineWorker : public QObject {
    Q_OBJECT
public:
    EngineWorker(RunFunction fn, RunConfig cfg, RunObserver* observer, RunControl* control, HumanAsker* asker);

public slots:
    void run();

signals:
    // error is empty unless the run failed; stopped: the stop flag ended it.
    void finished(bool completed, bool stopped, const QString& error);

private:
    RunFunction m_fn;
    RunConfig m_cfg;
    RunObserver* m_observer;
    RunControl* m_control;
    HumanAsker* m_asker;
};

class EngineController : public QObject {
    Q_OBJECT
public:
    static constexpr int kMinDrainIntervalMs = 50;  // <= 20 UI updates per second

    explicit EngineController(RunFunction fn = sessionRunFunction(), QObject* parent = nullptr);
    ~EngineController() override;  // stops a running run and waits for its thread

    void setJudge(QtJudge* judge) { m_judge = judge; }  // asked when judge: human
    QtJudge* judge() const { return m_judge; }

    // false when a run is already going. `fn`: what runs this one run instead of the controller's
    // own (the GUI's "Run on: MPI", bridge_mpi_run.h); empty: the controller's.
    bool start(const RunConfig& cfg, RunFunction fn = {});
    void setPaused(bool paused);
    void stop();
    bool isRunning() const { return m_thread != nullptr; }
    bool isPaused() const;
    QString runDir() const;
    int batchesEmitted() const { return m_batches; }

signals:
    void runStarted(int total_steps, const QString& run_dir);
    void metricsReady(const QList<rf::ui::MetricsRow>& rows);
    void rolloutsReady(const QList<rf::ui::RolloutRow>& rows);
    void logReady(const QStringList& lines);
    void progressChanged(const rf::ui::RunProgress& progress);
    void downloadProgress(const rf::ui::DownloadProgress& progress);  // before the run starts
    void runFinished(bool completed, bool stopped);
    void runFailed(const QString& message, const QString& run_dir);

private:
    void onPending();
    void drain();
    void onWorkerFinished(bool completed, bool stopped, const QString& error);

    RunFunction m_fn;
    QPointer<QtJudge> m_judge;
    QThread* m_thread = nullptr;
    std::unique_ptr<RunControl> m_control;
    std::unique_ptr<RunQueue> m_queue;
    QElapsedTimer m_since_drain;
    bool m_drain_scheduled = false;
    int m_batches = 0;
};

}  // namespace rf::bridge
