#include "bridge_controller.h"

#include <QThread>
#include <QTimer>

#include "bridge_qt_judge.h"
#include "core/error.h"
#include "judge/judge.h"

namespace rf::bridge {

EngineWorker::EngineWorker(RunFunction fn, RunConfig cfg, RunObserver* observer, RunControl* control,
                           HumanAsker* asker)
    : m_fn(std::move(fn)), m_cfg(std::move(cfg)), m_observer(observer), m_control(control), m_asker(asker) {}

void EngineWorker::run() {
    bool completed = false;
    QString error;
    try {
        completed = m_fn(m_cfg, *m_observer, *m_control, m_asker);
    } catch (const JudgeCancelled&) {
        // the stop flag interrupted a human verdict: a normal stop
    } catch (const std::exception& e) {
        error = QString::fromStdString(e.what());
    } catch (...) {
        error = tr("unknown failure in the training thread");
    }
    emit finished(completed, m_control->stop.load(), error);
}

EngineController::EngineController(RunFunction fn, QObject* parent) : QObject(parent), m_fn(std::move(fn)) {
    qRegisterMetaType<rf::ui::MetricsRow>();
    qRegisterMetaType<rf::ui::RolloutRow>();
    qRegisterMetaType<rf::ui::RunProgress>();
    qRegisterMetaType<rf::ui::DownloadProgress>();
    qRegisterMetaType<QList<rf::ui::MetricsRow>>();
    qRegisterMetaType<QList<rf::ui::RolloutRow>>();
    m_since_drain.start();
}

EngineController::~EngineController() {
    if (!m_thread) return;
    m_control->stop = true;
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
}

bool EngineController::start(const RunConfig& cfg, RunFunction fn) {
    if (m_thread) return false;
    m_control = std::make_unique<RunControl>();
    m_queue = std::make_unique<RunQueue>(
        [this] { QMetaObject::invokeMethod(this, &EngineController::onPending, Qt::QueuedConnection); });
    if (m_judge) m_judge->setStepSource([q = m_queue.get()] { return q->lastStep() + 1; });
    HumanAsker* asker = m_judge ? static_cast<HumanAsker*>(m_judge.data()) : nullptr;

    m_thread = new QThread;
    m_thread->setObjectName("reinforge-engine");
    auto* worker = new EngineWorker(fn ? std::move(fn) : m_fn, cfg, m_queue.get(), m_control.get(), asker);
    worker->moveToThread(m_thread);
    connect(m_thread, &QThread::started, worker, &EngineWorker::run);
    connect(m_thread, &QThread::finished, worker, &QObject::deleteLater);
    connect(worker, &EngineWorker::finished, this, &EngineController::onWorkerFinished);
    m_thread->start();
    return true;
}

void EngineController::setPaused(bool paused) {
    if (m_control) m_control->pause = paused;
}

bool EngineController::isPaused() const { return m_control && m_control->pause.load(); }

void EngineController::stop() {
    if (!m_control) return;
    m_control->stop = true;
    m_control->pause = false;
}

QString EngineController::runDir() const { return m_queue ? m_queue->runDir() : QString(); }

void EngineController::onPending() {
    if (m_drain_scheduled) return;
    m_drain_scheduled = true;
    const qint64 wait = std::max<qint64>(0, kMinDrainIntervalMs - m_since_drain.elapsed());
    QTimer::singleShot(int(wait), this, &EngineController::drain);
}

void EngineController::drain() {
    m_drain_scheduled = false;
    if (!m_queue) return;
    RunBatch b = m_queue->take();
    m_since_drain.restart();
    if (b.empty()) return;
    ++m_batches;
    if (b.download_changed) emit downloadProgress(b.download);
    if (b.started) emit runStarted(b.progress.total, b.run_dir);
    if (!b.log.isEmpty()) emit logReady(b.log);
    if (!b.metrics.isEmpty()) emit metricsReady(b.metrics);
    if (!b.rollouts.isEmpty()) emit rolloutsReady(b.rollouts);
    if (b.progress_changed) emit progressChanged(b.progress);
}

void EngineController::onWorkerFinished(bool completed, bool stopped, const QString& error) {
    m_thread->quit();
    m_thread->wait();  // run() has returned: only the thread's event loop is left to end
    delete m_thread;
    m_thread = nullptr;
    drain();  // the last reports before the end
    const QString dir = runDir();
    if (!error.isEmpty()) emit runFailed(error, dir);
    else emit runFinished(completed, stopped);
}

}  // namespace rf::bridge
