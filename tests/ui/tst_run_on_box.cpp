// "Run on" (issue 17 item 5): the choice beside Train, and the MPI RunFunction it selects, which
// launches `mpirun -np N reinforge-cli train` and shows rank 0's metrics as they are written. The
// launch test runs the real CLI on the embedded default's GRPO preset under 2 ranks (skipped when
// mpirun is missing or the CLI has no MPI).
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "bridge_controller.h"
#include "bridge_mpi_run.h"
#include "config/run_config.h"
#include "run/run_on_box.h"
#include "train_tab.h"

using namespace rf;
using namespace rf::ui;

class TestRunOnBox : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        // as tests/cli/train_mpi.sh: shared memory, no CMA single-copy (containers often forbid it)
        qputenv("OMPI_MCA_btl", "self,vader");
        qputenv("OMPI_MCA_btl_vader_single_copy_mechanism", "none");
    }

    void defaultsToThisComputer() {
        RunOnBox box;
        box.setMpiAvailable(true);
        QVERIFY(!box.choice().mpi);
        QVERIFY(box.findChild<QSpinBox*>("runOnProcesses"));
        QVERIFY(box.findChild<QLineEdit*>("runOnHostfile"));
    }

    void mpiChoiceCarriesProcessesAndHostfile() {
        RunOnBox box;
        box.setMpiAvailable(true);
        box.show();
        QSignalSpy changed(&box, &RunOnBox::choiceChanged);
        auto* where = box.findChild<QComboBox*>("runOnWhere");
        auto* processes = box.findChild<QSpinBox*>("runOnProcesses");
        auto* hostfile = box.findChild<QLineEdit*>("runOnHostfile");
        QVERIFY(where && processes && hostfile);
        QVERIFY(!processes->isVisible());  // only with MPI chosen
        where->setCurrentIndex(1);
        QVERIFY(processes->isVisible());
        processes->setValue(4);
        hostfile->setText("  /etc/hosts.mpi ");
        const RunOnChoice c = box.choice();
        QVERIFY(c.mpi);
        QCOMPARE(c.processes, 4);
        QCOMPARE(c.hostfile, QString("/etc/hosts.mpi"));
        QVERIFY(changed.count() >= 3);
    }

    void withoutMpirunTheChoiceIsDisabled() {
        RunOnBox box;
        box.setMpiAvailable(true);
        box.findChild<QComboBox*>("runOnWhere")->setCurrentIndex(1);
        box.setMpiAvailable(false, "mpirun was not found");
        auto* where = box.findChild<QComboBox*>("runOnWhere");
        QVERIFY(!where->isEnabled());
        QCOMPARE(where->toolTip(), QString("mpirun was not found"));
        QVERIFY(!box.choice().mpi);
    }

    void trainTabHasItAndLocksItWhileRunning() {
        TrainTab tab;
        QVERIFY(tab.runOn());
        QCOMPARE(tab.findChild<RunOnBox*>("runOnBox"), tab.runOn());
        tab.setRunning(true);
        QVERIFY(!tab.runOn()->isEnabled());
        tab.setRunning(false);
        QVERIFY(tab.runOn()->isEnabled());
    }

    // The real thing: 2 ranks of the CLI through the controller, metrics arriving as rank 0 writes them.
    void launchesTwoRanksAndShowsRankZerosMetrics() {
        if (QStandardPaths::findExecutable("mpirun").isEmpty()) QSKIP("mpirun not found (openmpi-bin)");
        QTemporaryDir tmp;
        RunConfig cfg = load_run_config(REINFORGE_SOURCE_DIR "/resources/presets/grpo-default.yaml");
        set_value(cfg, "iters", "2");
        set_value(cfg, "steps_per_eval", "0");
        set_value(cfg, "max_completion_length", "24");
        cfg.output_dir = tmp.filePath("run").toStdString();
        cfg.adapter_path = cfg.output_dir + "/adapters";
        bridge::EngineController controller;
        QSignalSpy metrics(&controller, &bridge::EngineController::metricsReady);
        QSignalSpy started(&controller, &bridge::EngineController::runStarted);
        QSignalSpy finished(&controller, &bridge::EngineController::runFinished);
        QSignalSpy failed(&controller, &bridge::EngineController::runFailed);
        QSignalSpy log(&controller, &bridge::EngineController::logReady);
        QVERIFY(controller.start(cfg, bridge::mpiRunFunction({2, "", "mpirun", REINFORGE_CLI})));
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() > 0, 120000);
        QStringList lines;
        for (const auto& args : log) lines += args.at(0).toStringList();
        if (failed.count() > 0 && failed.at(0).at(0).toString().contains("built without MPI"))
            QSKIP("reinforge-cli was built without MPI");
        QVERIFY2(failed.isEmpty(), qPrintable(failed.isEmpty() ? QString() : failed.at(0).at(0).toString()));
        QCOMPARE(finished.at(0).at(0).toBool(), true);  // completed
        QVERIFY(lines.join('\n').contains("data-parallel: 2 ranks"));
        QCOMPARE(started.count(), 1);
        QCOMPARE(started.at(0).at(1).toString(), tmp.filePath("run"));
        int rows = 0;
        for (const auto& args : metrics)
            for (const MetricsRow& r : args.at(0).value<QList<MetricsRow>>()) {
                QVERIFY(r.values.contains("loss") && r.values.contains("total_rewards_mean"));
                ++rows;
            }
        QCOMPARE(rows, 2);
        QVERIFY(QFile::exists(tmp.filePath("run/launch.yaml")));
        QVERIFY(QFile::exists(tmp.filePath("run/adapters/adapters.safetensors")));
    }

    // Stop: SIGUSR1 to mpirun reaches every rank; they stop after a step and rank 0 checkpoints.
    void stopEndsTheRanksWithACheckpoint() {
        if (QStandardPaths::findExecutable("mpirun").isEmpty()) QSKIP("mpirun not found (openmpi-bin)");
        QTemporaryDir tmp;
        RunConfig cfg = load_run_config(REINFORGE_SOURCE_DIR "/resources/presets/grpo-default.yaml");
        set_value(cfg, "iters", "200");
        set_value(cfg, "steps_per_eval", "0");
        set_value(cfg, "max_completion_length", "24");
        cfg.output_dir = tmp.filePath("run").toStdString();
        cfg.adapter_path = cfg.output_dir + "/adapters";
        bridge::EngineController controller;
        QSignalSpy metrics(&controller, &bridge::EngineController::metricsReady);
        QSignalSpy finished(&controller, &bridge::EngineController::runFinished);
        QSignalSpy failed(&controller, &bridge::EngineController::runFailed);
        QVERIFY(controller.start(cfg, bridge::mpiRunFunction({2, "", "mpirun", REINFORGE_CLI})));
        QTRY_VERIFY_WITH_TIMEOUT(metrics.count() > 0 || failed.count() > 0, 60000);
        if (failed.count() > 0 && failed.at(0).at(0).toString().contains("built without MPI"))
            QSKIP("reinforge-cli was built without MPI");
        controller.stop();
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() > 0, 60000);
        QVERIFY2(failed.isEmpty(), qPrintable(failed.isEmpty() ? QString() : failed.at(0).at(0).toString()));
        QCOMPARE(finished.at(0).at(0).toBool(), false);  // not completed
        QCOMPARE(finished.at(0).at(1).toBool(), true);   // stopped
        QVERIFY(QFile::exists(tmp.filePath("run/state.json")));
    }
};

QTEST_MAIN(TestRunOnBox)
#include "tst_run_on_box.moc"
