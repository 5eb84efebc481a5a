// The window as a user sees it, at 1280x800 and 1920x1080: the Train tab for GRPO and PPO, the judging
// dialog, and the charts mid-run (fake run). Checks that no visible label, button or field is clipped
// (narrower than its minimum size hint) or overlaps a sibling, and, when REINFORGE_SCREENSHOT_DIR is
// set, writes the PNGs committed under docs/images/ (xvfb-run gives real fonts; see docs/gui.md).
#include <QAbstractButton>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QSpinBox>
#include <QScrollArea>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "app_settings.h"
#include "bridge_controller.h"
#include "bridge_qt_judge.h"
#include "bridge_window_link.h"
#include "charts/charts_panel.h"
#include "charts/metric_chart.h"
#include "fake_run.h"
#include "form/config_form.h"
#include "form/field_editor.h"
#include "judge/judge_dialog.h"
#include "form/dataset_preview_dialog.h"
#include "main_window.h"
#include "compare/run_comparison.h"
#include "run/rollout_browser.h"
#include "run/token_heat_map.h"
#include "train/session.h"
#include "run/download_dialog.h"
#include "run/before_after_dialog.h"
#include "run/live_run_panel.h"
#include "run/preflight_dialog.h"
#include "train/session.h"
#include "train_tab.h"

using namespace rf;
using namespace rf::ui;

namespace {

void save(QWidget* w, const QString& name) {
    const QString dir = qEnvironmentVariable("REINFORGE_SCREENSHOT_DIR");
    if (dir.isEmpty()) return;
    QVERIFY(w->grab().save(dir + "/" + name + ".png"));
}

// Visible text-bearing widgets narrower than they need (text cut off), as "objectName/class: text".
QStringList clipped(QWidget* root) {
    QStringList out;
    const auto widgets = root->findChildren<QWidget*>();
    for (QWidget* w : widgets) {
        if (!w->isVisibleTo(root) || w->width() <= 0) continue;
        QString text;
        int need = 0;
        if (auto* l = qobject_cast<QLabel*>(w); l && !l->wordWrap() && !l->text().isEmpty() && !l->pixmap().isNull() == false) {
            text = l->text();
            need = l->minimumSizeHint().width();
        } else if (auto* b = qobject_cast<QAbstractButton*>(w); b && !b->text().isEmpty()) {
            text = b->text();
            need = b->minimumSizeHint().width();
        } else if (auto* c = qobject_cast<QComboBox*>(w)) {
            text = c->currentText();
            need = c->minimumSizeHint().width();
        }
        if (text.isEmpty()) continue;
        if (w->width() + 1 < need)
            out << QString("%1/%2 '%3': %4 < %5").arg(w->objectName(), w->metaObject()->className(), text).arg(w->width()).arg(need);
    }
    return out;
}

// Visible fields of a block whose rectangles overlap.
QStringList overlapping(QWidget* root) {
    QStringList out;
    QList<QWidget*> fields;
    for (auto* f : root->findChildren<FieldEditor*>())
        if (f->isVisibleTo(root)) fields << f;
    for (int i = 0; i < fields.size(); ++i)
        for (int j = i + 1; j < fields.size(); ++j) {
            if (fields[i]->parentWidget() != fields[j]->parentWidget()) continue;
            if (fields[i]->geometry().intersects(fields[j]->geometry()))
                out << fields[i]->objectName() + " x " + fields[j]->objectName();
        }
    return out;
}

}  // namespace

class TestScreenshots : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void trainTab_data();
    void trainTab();
    void judgeDialog();
    void datasetDialogs();
    void chartsMidRun_data();
    void chartsMidRun();
    void realRunMidway_data();
    void realRunMidway();
    void workbenchDialogs();
    void browserAndComparison();

private:
    QTemporaryDir m_dir;
    RunConfig sample(TrainMode mode) const;
};

void TestScreenshots::initTestCase() { QVERIFY(m_dir.isValid()); }

RunConfig TestScreenshots::sample(TrainMode mode) const {
    RunConfig c = default_run_config(mode);
    set_value(c, "model", "Qwen/Qwen3-0.6B");
    set_value(c, "data", QString(REINFORGE_SOURCE_DIR "/resources/datasets/arithmetic").toStdString());
    set_value(c, "iters", "200");
    if (mode == TrainMode::ppo) set_value(c, "judge", "human");
    return c;
}

void TestScreenshots::trainTab_data() {
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QSize>("size");
    for (const char* m : {"grpo", "ppo", "rlhf_reinforce", "sft"}) {
        QTest::addRow("%s 1280x800", m) << QString(m) << QSize(1280, 800);
        QTest::addRow("%s 1920x1080", m) << QString(m) << QSize(1920, 1080);
    }
}

void TestScreenshots::trainTab() {
    QFETCH(QString, mode);
    QFETCH(QSize, size);
    AppSettings settings(m_dir.filePath("s.ini"));
    MainWindow w(&settings);
    w.trainTab()->form()->setConfig(sample(*enum_from_name<TrainMode>(mode.toStdString())));
    w.resize(size);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QTest::qWait(50);
    const QStringList cut = clipped(&w);
    QVERIFY2(cut.isEmpty(), qPrintable(cut.join('\n')));
    const QStringList over = overlapping(&w);
    QVERIFY2(over.isEmpty(), qPrintable(over.join('\n')));
    // the form scrolls vertically only: its content must get the width it needs, or the buttons at
    // the right edge are cut off (the Live Run Panel's wider button row once squeezed it to 449 px)
    auto* scroll = w.trainTab()->form()->findChild<QScrollArea*>("formScroll");
    QVERIFY(scroll && scroll->widget());
    QVERIFY2(scroll->viewport()->width() >= scroll->widget()->minimumSizeHint().width(),
             qPrintable(QString("form viewport %1 px < its content's minimum %2")
                            .arg(scroll->viewport()->width())
                            .arg(scroll->widget()->minimumSizeHint().width())));
    // the per-algorithm block of the mode is on screen
    save(&w, QString("train_%1_%2x%3").arg(mode).arg(size.width()).arg(size.height()));
}

void TestScreenshots::judgeDialog() {
    JudgeDialog d;
    JudgeQuestion q;
    q.pairwise = true;
    q.prompt = "Explain in one paragraph why the sky is blue.";
    q.first = "Sunlight is scattered by the molecules of the air. Blue light has a shorter wavelength, so it is "
              "scattered much more strongly than red light (Rayleigh scattering, proportional to 1/wavelength^4). "
              "When we look at the sky away from the sun we see this scattered blue light.";
    q.second = "Because the sky reflects the colour of the oceans, which cover most of the Earth.";
    q.index = 1;
    q.count = 2;
    q.step = 14;
    d.ask(q);
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    QStringList cut = clipped(&d);
    QVERIFY2(cut.isEmpty(), qPrintable(cut.join('\n')));
    save(&d, "judge_dialog_pairwise");
    q.pairwise = false;
    d.ask(q);
    cut = clipped(&d);
    QVERIFY2(cut.isEmpty(), qPrintable(cut.join('\n')));
    save(&d, "judge_dialog_scalar");
}

void TestScreenshots::datasetDialogs() {
    // the dataset preview of a GSM8K-shaped folder, and the download progress of a run
    QTemporaryDir tmp;
    qputenv("XDG_CACHE_HOME", tmp.filePath("xdg").toUtf8());
    for (const char* c : {"main", "socratic"}) {
        QVERIFY(QDir().mkpath(tmp.filePath(QString("gsm8k/%1").arg(c))));
        QVERIFY(QFile::copy(REINFORGE_FIXTURES "/parquet/gsm8k_like.parquet", tmp.filePath(QString("gsm8k/%1/train-00000-of-00001.parquet").arg(c))));
    }
    RunConfig cfg = default_run_config(TrainMode::grpo);
    set_value(cfg, "data", tmp.filePath("gsm8k").toStdString());
    set_value(cfg, "dataset_config", "main");
    set_value(cfg, "prompt_feature", "question");
    set_value(cfg, "answer_pattern", "gsm8k");
    DatasetPreviewDialog preview(cfg);
    preview.show();
    QVERIFY(QTest::qWaitForWindowExposed(&preview));
    QTRY_VERIFY(!preview.loading());
    QVERIFY2(preview.previewText().contains("answer: 72"), qPrintable(preview.status()));
    QStringList cut = clipped(&preview);
    QVERIFY2(cut.isEmpty(), qPrintable(cut.join('\n')));
    save(&preview, "dataset_preview");
    DownloadDialog download;
    DownloadProgress p;
    p.file = "model-00001-of-00002.safetensors";
    p.all_done = 412 << 20;
    p.all_total = qint64(1190) << 20;
    p.files_done = 3;
    p.files_total = 8;
    download.setProgress(p);
    QVERIFY(QTest::qWaitForWindowExposed(&download));
    cut = clipped(&download);
    QVERIFY2(cut.isEmpty(), qPrintable(cut.join('\n')));
    save(&download, "download_dialog");
    qunsetenv("XDG_CACHE_HOME");
}

void TestScreenshots::chartsMidRun_data() {
    QTest::addColumn<QSize>("size");
    QTest::newRow("1280x800") << QSize(1280, 800);
    QTest::newRow("1920x1080") << QSize(1920, 1080);
}

void TestScreenshots::chartsMidRun() {
    QFETCH(QSize, size);
    AppSettings settings(m_dir.filePath("s.ini"));
    MainWindow w(&settings);
    test::FakeRunOptions o;
    o.steps = 400;
    o.step_ms = 0;
    bridge::EngineController c(test::fakeRun(o));
    bridge::linkWindow(&w, &c);
    w.trainTab()->form()->setConfig(sample(TrainMode::grpo));
    w.resize(size);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QSignalSpy finished(&c, &bridge::EngineController::runFinished);
    QTest::mouseClick(w.findChild<QAbstractButton*>("trainButton"), Qt::LeftButton);
    QVERIFY(finished.wait(20000));
    // show it as "mid-run": the panel in its running state at step 240 of 400
    LiveRunPanel* panel = w.trainTab()->runPanel();
    panel->setState(LiveRunPanel::State::running);
    RunProgress p;
    p.step = 240;
    p.total = 400;
    p.tokens_per_second = 1234;
    p.learning_rate = 1e-5;
    panel->setProgress(p);
    QTRY_VERIFY(panel->charts()->idle());
    QTRY_VERIFY(panel->charts()->chart(ChartGroup::rewards)->isVisible());
    QTest::qWait(50);
    const QStringList cut = clipped(panel);
    QVERIFY2(cut.isEmpty(), qPrintable(cut.join('\n')));
    save(&w, QString("charts_midrun_%1x%2").arg(size.width()).arg(size.height()));
    panel->setState(LiveRunPanel::State::idle);
}

// The charts of a real GRPO run of the embedded default (resources/presets/grpo-default.yaml) caught
// mid-run; only when writing screenshots (it trains for minutes: run with QTEST_FUNCTION_TIMEOUT=1800000).
void TestScreenshots::realRunMidway_data() {
    QTest::addColumn<QSize>("size");
    QTest::newRow("1280x800") << QSize(1280, 800);
    QTest::newRow("1920x1080") << QSize(1920, 1080);
}

void TestScreenshots::realRunMidway() {
    QFETCH(QSize, size);
    if (qEnvironmentVariableIsEmpty("REINFORGE_SCREENSHOT_DIR")) QSKIP("only when writing screenshots");
    const QString preset = REINFORGE_SOURCE_DIR "/resources/presets/grpo-default.yaml";
    if (!QFile::exists(REINFORGE_SOURCE_DIR "/resources/models/reinforge-arith-tiny/model.safetensors"))
        QSKIP("the embedded default has no weights yet");
    AppSettings settings(m_dir.filePath("real.ini"));
    MainWindow w(&settings);
    bridge::EngineController c;
    bridge::linkWindow(&w, &c);
    QVERIFY(w.importYaml(preset));
    RunConfig cfg = w.trainTab()->form()->config();
    set_value(cfg, "iters", "40");
    set_value(cfg, "batch_size", "2");  // half the preset's prompts per step: a shorter wait
    set_value(cfg, "steps_per_report", "1");
    set_value(cfg, "steps_per_eval", "10");
    set_value(cfg, "save_every", "0");
    set_value(cfg, "output_dir", m_dir.filePath("real-run").toStdString());
    w.trainTab()->form()->setConfig(cfg);
    w.resize(size);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QSignalSpy failed(&c, &bridge::EngineController::runFailed);
    QTest::mouseClick(w.findChild<QAbstractButton*>("trainButton"), Qt::LeftButton);
    MetricChart* rewards = w.trainTab()->runPanel()->charts()->chart(ChartGroup::rewards);
    QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty() || rewards->points("total_rewards_mean").size() >= 24, 1500000);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed[0][0].toString()));
    QTRY_VERIFY(w.trainTab()->runPanel()->charts()->idle());
    QTest::qWait(300);
    save(&w, QString("real_grpo_midrun_%1x%2").arg(size.width()).arg(size.height()));
    QSignalSpy finished(&c, &bridge::EngineController::runFinished);
    QTest::mouseClick(w.findChild<QAbstractButton*>("stopButton"), Qt::LeftButton);
    QVERIFY(finished.wait(10000));
}

// Preflight on the GRPO preset (8 groups) and before/after on a short run of it; only when writing
// screenshots (they sample for a minute).
void TestScreenshots::workbenchDialogs() {
    if (qEnvironmentVariableIsEmpty("REINFORGE_SCREENSHOT_DIR")) QSKIP("only when writing screenshots");
    RunConfig cfg = load_run_config(REINFORGE_SOURCE_DIR "/resources/presets/grpo-default.yaml");
    PreflightDialog preflight(cfg);
    preflight.findChild<QSpinBox*>("preflightGroups")->setValue(8);
    QSignalSpy shown(&preflight, &PreflightDialog::reportShown);
    preflight.show();
    preflight.run();
    QTRY_VERIFY_WITH_TIMEOUT(shown.count() == 1, 300000);
    QTest::qWait(200);
    QVERIFY2(clipped(&preflight).isEmpty(), qPrintable(clipped(&preflight).join("; ")));
    save(&preflight, "preflight_dialog");

    set_value(cfg, "iters", "30");
    set_value(cfg, "save_every", "15");
    set_value(cfg, "steps_per_eval", "0");
    set_value(cfg, "output_dir", m_dir.filePath("ba-run").toStdString());
    Session session(cfg, nullptr, nullptr);
    QVERIFY(session.run());
    BeforeAfterDialog ba(m_dir.filePath("ba-run"));
    auto* sources = ba.findChild<QListWidget*>("beforeAfterSources");
    for (int i = 0; i < sources->count(); ++i) sources->item(i)->setCheckState(Qt::Checked);
    QSignalSpy answered(&ba, &BeforeAfterDialog::answersShown);
    ba.show();
    ba.generate();
    QTRY_VERIFY_WITH_TIMEOUT(answered.count() == 1, 300000);
    QTest::qWait(200);
    save(&ba, "before_after_dialog");
}

// The Rollouts and Compare tabs on two real 20-step GRPO runs of the embedded default (the preset,
// and the preset with beta 0 and learning_rate 2e-4); only when writing screenshots.
void TestScreenshots::browserAndComparison() {
    if (qEnvironmentVariableIsEmpty("REINFORGE_SCREENSHOT_DIR")) QSKIP("only when writing screenshots");
    QStringList dirs;
    for (int run = 0; run < 2; ++run) {
        RunConfig cfg = load_run_config(REINFORGE_SOURCE_DIR "/resources/presets/grpo-default.yaml");
        set_value(cfg, "iters", "20");
        set_value(cfg, "steps_per_report", "1");
        set_value(cfg, "steps_per_eval", "5");
        set_value(cfg, "save_every", "0");
        if (run == 1) {
            set_value(cfg, "beta", "0");
            set_value(cfg, "learning_rate", "2e-4");
        }
        dirs << m_dir.filePath(run == 0 ? "grpo-preset" : "grpo-beta0-lr2e-4");
        set_value(cfg, "output_dir", dirs.last().toStdString());
        Session session(cfg, nullptr, nullptr);
        QVERIFY(session.run());
    }
    AppSettings settings(m_dir.filePath("browser.ini"));
    MainWindow w(&settings);
    w.resize(1280, 800);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    RolloutBrowser* b = w.rolloutBrowser();
    w.showRolloutBrowser();
    QSignalSpy loaded(b, &RolloutBrowser::folderLoaded);
    b->openRunFolder(dirs[0]);
    QVERIFY(loaded.wait(30000));
    // the last step's group with the widest spread, and its completion with the least likely token
    const RolloutIndex& index = b->index();
    int group = -1;
    for (int gi : index.groupsOfStep(index.steps().back()))
        if (group < 0 || index.groups()[gi].std > index.groups()[group].std) group = gi;
    QVERIFY(group >= 0);
    int pick = index.groups()[group].rows.front();
    float lowest = 0;
    for (int ri : index.groups()[group].rows)
        for (float lp : index.rows()[ri].token_logps)
            if (lp < lowest) {
                lowest = lp;
                pick = ri;
            }
    b->selectGroup(group);
    b->selectRow(pick);
    QTest::qWait(300);
    QVERIFY2(clipped(&w).isEmpty(), qPrintable(clipped(&w).join("; ")));
    save(&w, "rollout_browser_1280x800");
    w.resize(1920, 1080);
    QTest::qWait(300);
    save(&w, "rollout_browser_1920x1080");

    w.resize(1280, 800);
    w.showRunComparison();
    RunComparison* c = w.runComparison();
    QSignalSpy added(c, &RunComparison::runAdded);
    for (const QString& dir : dirs) {
        c->addRunFolder(dir);
        QVERIFY(added.wait(30000));
    }
    QTest::qWait(300);
    QVERIFY2(clipped(&w).isEmpty(), qPrintable(clipped(&w).join("; ")));
    save(&w, "run_comparison_1280x800");
    w.resize(1920, 1080);
    QTest::qWait(300);
    save(&w, "run_comparison_1920x1080");
}

QTEST_MAIN(TestScreenshots)
#include "tst_screenshots.moc"
