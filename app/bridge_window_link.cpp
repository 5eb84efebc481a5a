#include "bridge_window_link.h"

#include "bridge_controller.h"
#include "bridge_mpi_run.h"
#include "bridge_qt_judge.h"
#include "main_window.h"
#include "charts/charts_panel.h"
#include "run/download_dialog.h"
#include "run/live_run_panel.h"
#include "run/rollout_browser.h"
#include "run/run_on_box.h"
#include "train_tab.h"

namespace rf::bridge {

void linkWindow(ui::MainWindow* window, EngineController* controller) {
    using ui::LiveRunPanel;
    ui::TrainTab* tab = window->trainTab();
    LiveRunPanel* panel = tab->runPanel();
    if (!controller->judge()) controller->setJudge(new QtJudge(window, window));

    QObject::connect(tab, &ui::TrainTab::trainRequested, controller, [=](const RunConfig& cfg) {
        // Run on: MPI launches mpirun -np N reinforge-cli train (bridge_mpi_run.h); else a Session here
        const ui::RunOnChoice on = tab->runOn()->choice();
        RunFunction fn = on.mpi ? mpiRunFunction({on.processes, on.hostfile.toStdString()}) : RunFunction();
        if (!controller->start(cfg, fn)) return;
        panel->startRun(cfg.iters, QString());
        window->rolloutBrowser()->startLive(QString());
        panel->charts()->setRunConfig(cfg);
        tab->setRunning(true);
    });
    QObject::connect(panel, &LiveRunPanel::pauseClicked, controller, [=](bool pause) {
        controller->setPaused(pause);
        panel->setState(pause ? LiveRunPanel::State::paused : LiveRunPanel::State::running);
    });
    QObject::connect(panel, &LiveRunPanel::stopClicked, controller, [=] {
        controller->stop();
        panel->setState(LiveRunPanel::State::stopping);
    });
    // a Hub model or dataset that is not cached yet is downloaded before the run starts
    auto* download = new ui::DownloadDialog(window);
    QObject::connect(controller, &EngineController::downloadProgress, download, &ui::DownloadDialog::setProgress);
    QObject::connect(download, &ui::DownloadDialog::cancelRequested, controller, [=] {
        controller->stop();
        panel->setState(LiveRunPanel::State::stopping);
    });
    QObject::connect(controller, &EngineController::runStarted, download, &QDialog::hide);
    QObject::connect(controller, &EngineController::runFinished, download, &QDialog::hide);
    QObject::connect(controller, &EngineController::runFailed, download, &QDialog::hide);
    QObject::connect(controller, &EngineController::runStarted, panel, &LiveRunPanel::setRunFolder);
    QObject::connect(controller, &EngineController::metricsReady, panel, &LiveRunPanel::addMetrics);
    QObject::connect(controller, &EngineController::rolloutsReady, panel, &LiveRunPanel::addRollouts);
    // the Rollouts tab follows the run live (issue 20 item 3)
    ui::RolloutBrowser* browser = window->rolloutBrowser();
    QObject::connect(controller, &EngineController::rolloutsReady, browser, &ui::RolloutBrowser::addRollouts);
    QObject::connect(controller, &EngineController::runStarted, browser,
                     [browser](int, const QString& dir) { browser->setLiveRunFolder(dir); });
    QObject::connect(controller, &EngineController::logReady, panel, &LiveRunPanel::appendLog);
    QObject::connect(controller, &EngineController::progressChanged, panel, &LiveRunPanel::setProgress);
    QObject::connect(controller, &EngineController::runFinished, panel, [=](bool completed, bool stopped) {
        const QString dir = controller->runDir();
        panel->finishRun(completed ? QObject::tr("Finished. Run folder: %1").arg(dir)
                         : stopped ? QObject::tr("Stopped; checkpoint saved in %1").arg(dir)
                                   : QObject::tr("Ended. Run folder: %1").arg(dir));
        tab->setRunning(false);
    });
    QObject::connect(controller, &EngineController::runFailed, window, [=](const QString& message, const QString& dir) {
        panel->finishRun(QObject::tr("Failed: %1").arg(message.section('\n', 0, 0)));
        tab->setRunning(false);
        window->showRunError(message, dir);
    });
}

}  // namespace rf::bridge
