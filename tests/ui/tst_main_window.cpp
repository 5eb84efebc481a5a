// The window: YAML import fills every field, import -> export is identity on a golden file, bad files
// are reported, relative paths of presets resolve, recent files and the last session persist (a temp
// INI), a .yaml dropped on the window is imported, a failing run shows its error dialog, and a real
// tiny-model GRPO run started from the window feeds the charts, pauses, resumes and stops within 1 s
// while the GUI thread stays responsive.
#include <QAbstractButton>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "app_settings.h"
#include "bridge_controller.h"
#include "bridge_window_link.h"
#include "charts/charts_panel.h"
#include "charts/metric_chart.h"
#include "core/atomic_file.h"
#include "fake_run.h"
#include "form/config_form.h"
#include "form/field_editor.h"
#include "io/safetensors.h"
#include "main_window.h"
#include "model/model.h"
#include "run/download_dialog.h"
#include "run/live_run_panel.h"
#include "run/rollout_view.h"
#include "train_tab.h"

using namespace rf;
using namespace rf::ui;

namespace {

const QString kFixtures = REINFORGE_FIXTURES "/ui";
QString qs(const std::string& s) { return QString::fromStdString(s); }

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// A tiny random Llama (C=32, 2 layers) with the embedded default's tokenizer and chat template.
QString makeTinyModel(const QString& dir) {
    namespace fs = std::filesystem;
    const std::string def = REINFORGE_SOURCE_DIR "/resources/models/reinforge-arith-tiny";
    const fs::path d = dir.toStdString();
    fs::create_directories(d);
    nlohmann::json cfg = nlohmann::json::parse(read_file(def + "/config.json"));
    cfg["hidden_size"] = 32;
    cfg["intermediate_size"] = 64;
    cfg["num_hidden_layers"] = 2;
    cfg["num_attention_heads"] = 2;
    cfg["num_key_value_heads"] = 1;
    cfg["head_dim"] = 16;
    write_file_atomic((d / "config.json").string(), cfg.dump(2));
    fs::copy_file(def + "/tokenizer.model", d / "tokenizer.model");
    fs::copy_file(def + "/tokenizer_config.json", d / "tokenizer_config.json");
    auto model = Model::random_init(ModelConfig::from_dir(d.string()), 7);
    std::vector<TensorToWrite> ts;
    for (const ParamView& v : model->base_layout())
        ts.push_back({v.name, v.shape, model->base_params().data() + v.offset, DType::F32});
    write_safetensors((d / "model.safetensors").string(), ts);
    return dir;
}

// How long the GUI thread was unavailable, from a 5 ms timer: `worst` is the largest wall-clock gap
// between ticks (our work plus time the OS gave to other threads and processes: the CI's 2 cores are
// shared), `worst_busy` the largest GUI-thread CPU time spent between two ticks, i.e. how long our own
// code kept the event loop from running. The issue's budget (~50 ms) applies to the latter.
struct LatencyProbe {
    QTimer timer;
    QElapsedTimer clock;
    qint64 last = 0, worst = 0;
    double last_cpu = 0, worst_busy = 0;
    int ticks = 0;
    QList<qint64> gaps;
    static double threadCpuMs() {
        timespec ts;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
    }
    LatencyProbe() {
        timer.setInterval(5);
        timer.setTimerType(Qt::PreciseTimer);
        QObject::connect(&timer, &QTimer::timeout, [this] {
            const qint64 now = clock.elapsed();
            const double cpu = threadCpuMs();
            if (ticks++ > 0) {
                gaps.append(now - last);
                worst = std::max(worst, now - last);
                worst_busy = std::max(worst_busy, cpu - last_cpu);
            }
            last = now;
            last_cpu = cpu;
        });
        clock.start();
        last_cpu = threadCpuMs();
        timer.start();
    }
    qint64 percentile(int p) {
        std::sort(gaps.begin(), gaps.end());
        return gaps.isEmpty() ? 0 : gaps[std::min<qsizetype>(gaps.size() - 1, gaps.size() * p / 100)];
    }
    QString report() {
        return QString("GUI thread: worst busy %1 ms; wall gaps p50 %2, p99 %3, worst %4 ms over %5 ticks")
            .arg(worst_busy, 0, 'f', 1).arg(percentile(50)).arg(percentile(99)).arg(worst).arg(ticks);
    }
};

}  // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void init();
    void importFillsEveryField();
    void importExportIdentityOnGolden();
    void importReportsTyposAndKeepsGoing();
    void importRefusesBrokenYaml();
    void importResolvesPresetRelativePaths();
    void recentFilesAndLastSessionPersist();
    void dropYamlImports();
    void failedRunShowsErrorDialog();
    void guiStaysResponsiveUnderFastReports();
    void tinyModelRunFromWindow();
    void downloadShowsProgressAndCancels();

private:
    QTemporaryDir m_dir;
    QString iniPath() const { return m_dir.filePath("reinforge.ini"); }
};

void TestMainWindow::init() { QFile::remove(iniPath()); }

void TestMainWindow::importFillsEveryField() {
    AppSettings settings(iniPath());
    MainWindow w(&settings);
    QVERIFY(w.importYaml(kFixtures + "/golden_ppo.yaml"));
    const ParsedConfig expected = parse_run_config(readAll(kFixtures + "/golden_ppo.yaml").toStdString(), "golden");
    ConfigForm* form = w.trainTab()->form();
    for (const KeySpec& k : run_config_keys()) {
        if (k.name == "schema_version") continue;
        QCOMPARE(form->field(qs(k.name))->value(), qs(get_value(expected.config, k.name)));
    }
    QVERIFY(same_values(form->config(), expected.config));
    QVERIFY(w.windowTitle().contains("golden_ppo.yaml"));
}

void TestMainWindow::importExportIdentityOnGolden() {
    // golden_ppo.yaml = ppo_source.yaml imported and exported once (REINFORGE_WRITE_GOLDEN=1 rewrites it)
    AppSettings settings(iniPath());
    MainWindow w(&settings);
    if (qEnvironmentVariableIsSet("REINFORGE_WRITE_GOLDEN")) {
        QVERIFY(w.importYaml(kFixtures + "/ppo_source.yaml"));
        QVERIFY(w.exportYaml(kFixtures + "/golden_ppo.yaml"));
    }
    const QByteArray golden = readAll(kFixtures + "/golden_ppo.yaml");
    QVERIFY(!golden.isEmpty());
    QVERIFY(w.importYaml(kFixtures + "/golden_ppo.yaml"));
    const QString out = m_dir.filePath("exported.yaml");
    QVERIFY(w.exportYaml(out));
    QCOMPARE(readAll(out), golden);
    // and the golden says what the source says
    const ParsedConfig source = parse_run_config(readAll(kFixtures + "/ppo_source.yaml").toStdString(), "source");
    const ParsedConfig gold = parse_run_config(golden.toStdString(), "golden");
    QVERIFY(!has_errors(gold.issues));
    const auto diff = differing_keys(source.config, gold.config);
    QVERIFY2(diff.empty() || (diff.size() == 1 && diff[0] == "run_name") || diff == std::vector<std::string>{},
             diff.empty() ? "" : diff.front().c_str());
    QCOMPARE(gold.config.train_mode, TrainMode::ppo);
    QCOMPARE(gold.config.lr_schedule.name, ScheduleKind::cosine_decay);
    QCOMPARE(gold.config.num_iterations, 3);
}

void TestMainWindow::importReportsTyposAndKeepsGoing() {
    const QString path = m_dir.filePath("typo.yaml");
    write_file_atomic(path.toStdString(), "model: Qwen/Qwen3-0.6B\ndata: some/data\ntrain_mode: grpo\niters: 10\nlerning_rate: 1e-4\n");
    AppSettings settings(iniPath());
    MainWindow w(&settings);
    w.show();
    QString error;
    QVERIFY(w.importYaml(path, &error));
    QVERIFY2(error.contains("lerning_rate") && error.contains("learning_rate"), qPrintable(error));
    auto* box = w.findChild<QMessageBox*>("importIssuesDialog");
    QVERIFY(box && box->isVisible());
    QVERIFY(box->text().contains("did you mean"));
    QCOMPARE(w.trainTab()->form()->config().iters, 10);
    QCOMPARE(w.trainTab()->form()->config().train_mode, TrainMode::grpo);
    box->accept();
}

void TestMainWindow::importRefusesBrokenYaml() {
    const QString path = m_dir.filePath("broken.yaml");
    write_file_atomic(path.toStdString(), "model: [unclosed\n  iters: : 3\n");
    AppSettings settings(iniPath());
    MainWindow w(&settings);
    const RunConfig before = w.trainTab()->form()->config();
    QString error;
    QVERIFY(!w.importYaml(path, &error));
    QVERIFY2(error.contains("broken.yaml"), qPrintable(error));
    QVERIFY(same_values(w.trainTab()->form()->config(), before));
    QVERIFY(w.findChild<QMessageBox*>("importErrorDialog"));
    QVERIFY(!w.importYaml(m_dir.filePath("missing.yaml"), &error));
    QVERIFY(error.contains("Cannot read"));
}

void TestMainWindow::importResolvesPresetRelativePaths() {
    const QString preset = REINFORGE_SOURCE_DIR "/resources/presets/grpo-default.yaml";
    if (!QFile::exists(preset)) QSKIP("no bundled GRPO preset");
    AppSettings settings(iniPath());
    MainWindow w(&settings);
    QVERIFY(w.importYaml(preset));
    const RunConfig& c = w.trainTab()->form()->config();
    QCOMPARE(qs(c.model), QDir::cleanPath(REINFORGE_SOURCE_DIR "/resources/models/reinforge-arith-tiny"));
    QCOMPARE(qs(c.data.at(0)), QDir::cleanPath(REINFORGE_SOURCE_DIR "/resources/datasets/arithmetic"));
    QCOMPARE(c.train_mode, TrainMode::grpo);
}

void TestMainWindow::recentFilesAndLastSessionPersist() {
    {
        AppSettings settings(iniPath());
        MainWindow w(&settings);
        QVERIFY(w.importYaml(kFixtures + "/golden_ppo.yaml"));
        QTest::mouseClick(w.trainTab()->form()->findChild<QAbstractButton*>("mode_grpo"), Qt::LeftButton);
        w.resize(1111, 777);
        w.close();  // saves the session
    }
    AppSettings settings(iniPath());
    QCOMPARE(settings.recentFiles(), QStringList{QFileInfo(kFixtures + "/golden_ppo.yaml").absoluteFilePath()});
    MainWindow w(&settings);
    w.restoreSession();
    const RunConfig& c = w.trainTab()->form()->config();
    QCOMPARE(c.train_mode, TrainMode::grpo);
    QCOMPARE(c.num_iterations, 3);  // typed in the file: kept across the mode switch and the restart
    QCOMPARE(c.lora_parameters.rank, 16);
    QCOMPARE(w.size(), QSize(1111, 777));
    auto* recent = w.findChild<QMenu*>("recentFilesMenu");
    QCOMPARE(recent->actions().size(), 1);
    for (int i = 0; i < 10; ++i) settings.addRecentFile(m_dir.filePath(QString("f%1.yaml").arg(i)));
    QCOMPARE(settings.recentFiles().size(), AppSettings::kMaxRecentFiles);
    QVERIFY(settings.recentFiles().front().endsWith("f9.yaml"));
}

void TestMainWindow::dropYamlImports() {
    AppSettings settings(iniPath());
    MainWindow w(&settings);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(kFixtures + "/golden_ppo.yaml")});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &drop);
    QCOMPARE(w.trainTab()->form()->config().train_mode, TrainMode::ppo);
    QCOMPARE(w.trainTab()->form()->config().seed, int64_t(42));
    QMimeData text;
    text.setUrls({QUrl::fromLocalFile(m_dir.filePath("notes.txt"))});
    QDragEnterEvent other(QPoint(10, 10), Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
    other.setAccepted(false);
    QApplication::sendEvent(&w, &other);
    QVERIFY(!other.isAccepted());
}

void TestMainWindow::failedRunShowsErrorDialog() {
    AppSettings settings(iniPath());
    MainWindow w(&settings);
    bridge::EngineController c;  // the real Session
    bridge::linkWindow(&w, &c);
    w.show();
    ConfigForm* form = w.trainTab()->form();
    RunConfig cfg = default_run_config(TrainMode::grpo);
    set_value(cfg, "model", m_dir.filePath("no-such-model").toStdString());
    set_value(cfg, "data", REINFORGE_SOURCE_DIR "/resources/datasets/arithmetic");
    set_value(cfg, "iters", "3");
    set_value(cfg, "output_dir", m_dir.filePath("failed-run").toStdString());
    form->setConfig(cfg);
    QSignalSpy failed(&c, &bridge::EngineController::runFailed);
    QTest::mouseClick(w.findChild<QAbstractButton*>("trainButton"), Qt::LeftButton);
    QVERIFY(failed.wait(10000));
    auto* box = w.findChild<QMessageBox*>("runErrorDialog");
    QVERIFY(box && box->isVisible());
    QVERIFY2(box->text().contains("no-such-model"), qPrintable(box->text()));
    QVERIFY(w.findChild<QLineEdit*>("runStatus")->text().startsWith("Failed"));
    QVERIFY(form->isEnabled() && w.findChild<QAbstractButton*>("trainButton")->isEnabled());
    box->accept();
}

void TestMainWindow::downloadShowsProgressAndCancels() {
    // a run whose model is not cached yet: the download's progress in a dialog, Cancel ends the run
    AppSettings settings(iniPath());
    MainWindow w(&settings);
    test::FakeRunOptions o;
    o.download_files = 3;
    o.download_ms = 20000;  // slow enough to cancel during the first file
    bridge::EngineController c(test::fakeRun(o));
    bridge::linkWindow(&w, &c);
    w.show();
    RunConfig cfg = default_run_config(TrainMode::grpo);
    set_value(cfg, "model", "org/model");
    set_value(cfg, "data", "d");
    set_value(cfg, "iters", "5");
    w.trainTab()->form()->setConfig(cfg);
    QSignalSpy failed(&c, &bridge::EngineController::runFailed);
    QSignalSpy progress(&c, &bridge::EngineController::downloadProgress);
    QTest::mouseClick(w.findChild<QAbstractButton*>("trainButton"), Qt::LeftButton);
    QTRY_VERIFY2(progress.count() > 0 || !failed.isEmpty(), "no download progress");
    QVERIFY2(failed.isEmpty(), qPrintable(failed.isEmpty() ? QString() : failed.first().first().toString()));
    DownloadDialog* dialog = nullptr;
    QTRY_VERIFY((dialog = w.findChild<DownloadDialog*>("download_dialog")) && dialog->isVisible());
    QTRY_VERIFY2(dialog->text().contains("model-00001.safetensors") && dialog->text().contains("File 1 of 3"),
                 qPrintable(dialog->text()));
    QVERIFY(!dialog->isModal());  // the window keeps working
    QVERIFY(!w.findChild<QAbstractButton*>("trainButton")->isEnabled());  // the run has begun
    QElapsedTimer t;
    t.start();
    QTest::mouseClick(dialog->findChild<QAbstractButton*>("download_cancel"), Qt::LeftButton);
    QVERIFY(failed.wait(5000));
    QVERIFY2(t.elapsed() < 3000, "cancel took too long");
    QVERIFY2(failed.first().first().toString().contains("cancelled"), qPrintable(failed.first().first().toString()));
    QTRY_VERIFY(!dialog->isVisible());
    QVERIFY(w.findChild<QAbstractButton*>("trainButton")->isEnabled());
    if (auto* box = w.findChild<QMessageBox*>("runErrorDialog")) box->accept();
}

void TestMainWindow::guiStaysResponsiveUnderFastReports() {
    // 3000 steps reported as fast as the fake can (each with 4 rollouts), the whole window drawing them
    AppSettings settings(iniPath());
    MainWindow w(&settings);
    test::FakeRunOptions o;
    o.steps = 3000;
    o.step_ms = 1;
    bridge::EngineController c(test::fakeRun(o));
    bridge::linkWindow(&w, &c);
    w.resize(1280, 800);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    RunConfig cfg = default_run_config(TrainMode::grpo);
    set_value(cfg, "model", "m");
    set_value(cfg, "data", "d");
    set_value(cfg, "iters", "3000");
    w.trainTab()->form()->setConfig(cfg);
    QSignalSpy finished(&c, &bridge::EngineController::runFinished);
    LatencyProbe whole;  // includes the first frame after Train: the form greys out, the charts appear
    QTest::mouseClick(w.findChild<QAbstractButton*>("trainButton"), Qt::LeftButton);
    MetricChart* rewards = w.trainTab()->runPanel()->charts()->chart(ChartGroup::rewards);
    QTRY_VERIFY(rewards->isVisible() || !finished.isEmpty());
    QTest::qWait(50);
    LatencyProbe probe;  // steady state: the GUI thread only handles the run's reports
    QVERIFY(!finished.isEmpty() || finished.wait(60000));
    probe.timer.stop();
    whole.timer.stop();
    qInfo("with the first frame: %s", qPrintable(whole.report()));
    QVERIFY2(whole.worst_busy < 300, qPrintable(whole.report()));
    qInfo("%s; %d batches", qPrintable(probe.report()), c.batchesEmitted());
    QVERIFY2(probe.worst_busy < 50, qPrintable(probe.report()));
    QCOMPARE(w.trainTab()->runPanel()->charts()->chart(ChartGroup::rewards)->points("total_rewards_mean").size(), 3000);
}

void TestMainWindow::tinyModelRunFromWindow() {
    const QString model = makeTinyModel(m_dir.filePath("tiny"));
    AppSettings settings(iniPath());
    MainWindow w(&settings);
    bridge::EngineController c;  // the real Session
    bridge::linkWindow(&w, &c);
    w.resize(1280, 800);
    w.show();
    RunConfig cfg = default_run_config(TrainMode::grpo);
    set_value(cfg, "model", model.toStdString());
    set_value(cfg, "data", REINFORGE_SOURCE_DIR "/resources/datasets/arithmetic");
    set_value(cfg, "iters", "400");
    set_value(cfg, "batch_size", "1");
    set_value(cfg, "group_size", "2");
    set_value(cfg, "max_completion_length", "8");
    set_value(cfg, "steps_per_report", "1");
    set_value(cfg, "steps_per_eval", "0");
    set_value(cfg, "save_every", "0");
    set_value(cfg, "output_dir", m_dir.filePath("tiny-run").toStdString());
    w.trainTab()->form()->setConfig(cfg);
    QVERIFY2(w.trainTab()->form()->errors().isEmpty(), qPrintable(w.trainTab()->form()->errors().join('\n')));

    QSignalSpy metrics(&c, &bridge::EngineController::metricsReady);
    QSignalSpy finished(&c, &bridge::EngineController::runFinished);
    QSignalSpy failed(&c, &bridge::EngineController::runFailed);
    LatencyProbe whole;  // includes the first frame after Train: the form greys out, the charts appear
    QTest::mouseClick(w.findChild<QAbstractButton*>("trainButton"), Qt::LeftButton);
    QVERIFY(c.isRunning());
    QVERIFY(!w.trainTab()->form()->findChild<QWidget*>("block_model_and_data")->isEnabled());
    MetricChart* rewards = w.trainTab()->runPanel()->charts()->chart(ChartGroup::rewards);
    QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty() || rewards->points("total_rewards_mean").size() >= 3, 60000);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed[0][0].toString()));
    QVERIFY(w.trainTab()->runPanel()->charts()->chart(ChartGroup::kl)->points("kl").size() >= 3);
    QVERIFY(w.trainTab()->runPanel()->rollouts()->rowCount() > 0);
    QTest::qWait(100);
    LatencyProbe probe;  // steady state: the GUI thread only handles the run's reports

    // pause: no new steps while paused
    QTest::mouseClick(w.findChild<QAbstractButton*>("pauseButton"), Qt::LeftButton);
    QCOMPARE(w.trainTab()->runPanel()->state(), LiveRunPanel::State::paused);
    QTest::qWait(500);  // the step in progress ends and is reported
    const auto paused_points = rewards->points("total_rewards_mean").size();
    QTest::qWait(500);
    QCOMPARE(rewards->points("total_rewards_mean").size(), paused_points);
    QTest::mouseClick(w.findChild<QAbstractButton*>("pauseButton"), Qt::LeftButton);  // resume
    QTRY_VERIFY_WITH_TIMEOUT(rewards->points("total_rewards_mean").size() > paused_points + 2, 30000);

    probe.timer.stop();
    whole.timer.stop();
    QElapsedTimer clock;
    clock.start();
    QTest::mouseClick(w.findChild<QAbstractButton*>("stopButton"), Qt::LeftButton);
    QVERIFY(finished.wait(5000));
    qInfo("real tiny run: stop took %lld ms; %d points; steady %s; with the first frame: %s", clock.elapsed(),
          int(rewards->points("total_rewards_mean").size()), qPrintable(probe.report()), qPrintable(whole.report()));
    QVERIFY(clock.elapsed() < 1000);
    QCOMPARE(finished[0][1].toBool(), true);
    QVERIFY(w.findChild<QLineEdit*>("runStatus")->text().startsWith("Stopped"));
    QVERIFY(QFile::exists(m_dir.filePath("tiny-run/metrics.jsonl")));
    QVERIFY(QFile::exists(m_dir.filePath("tiny-run/config.yaml")));
    QVERIFY2(probe.worst_busy < 50, qPrintable(probe.report()));
    // The first frame after Train (the click itself, the form greying out, the charts appearing) is a
    // response to the user, not to a report; it is bounded loosely (measured: 54-160 ms on 2 shared cores).
    QVERIFY2(whole.worst_busy < 300, qPrintable(whole.report()));
}

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
