// The reward workbench in the GUI: Preflight… beside Train (GRPO, REINFORCE, RLOO only) opens the
// dialog with the form's config; Run samples on a worker thread and shows the verdict, one row per
// reward function and per group; Score rates a hand-written completion; errors are shown, not thrown.
// One test runs the real engine on the embedded default's GRPO preset.
#include <QAbstractButton>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTest>

#include "config/run_config.h"
#include "core/error.h"
#include "form/config_form.h"
#include "run/live_run_panel.h"
#include "run/preflight_dialog.h"
#include "train_tab.h"

using namespace rf;
using namespace rf::ui;

namespace {

const std::string kPreset = REINFORGE_SOURCE_DIR "/resources/presets/grpo-default.yaml";

// Two groups of two: one with a spread of rewards, one where both completions score the same.
PreflightReport fakeReport() {
    PreflightReport r;
    r.mode = "grpo";
    r.scorer = "reward functions";
    r.group_size = 2;
    r.max_completion_length = 8;
    r.function_names = {"r1_accuracy_reward_func", "r1_count_xml"};
    r.weights = {1.0, 1.0};
    auto completion = [](const char* text, double acc, double xml, bool cut) {
        PreflightCompletion c;
        c.text = text;
        c.rewards = {acc, xml};
        c.total = acc + xml;
        c.truncated = cut;
        return c;
    };
    r.groups.push_back({"2+2?", "4", {completion("<answer>4</answer>", 2.0, 0.25, false), completion("5", 0.0, 0.0, true)}});
    r.groups.push_back({"3+3?", "6", {completion("7", 0.0, 0.0, false), completion("8", 0.0, 0.0, false)}});
    summarize(r);
    return r;
}

}  // namespace

class TestPreflightDialog : public QObject {
    Q_OBJECT
private slots:
    void buttonOnlyForScalarRewardModes();
    void runShowsVerdictFunctionsAndGroups();
    void refusedWithFormErrors();
    void errorsAreShown();
    void realPreflightOnTheEmbeddedDefault();
    void scoreAHandWrittenCompletion();
};

void TestPreflightDialog::buttonOnlyForScalarRewardModes() {
    TrainTab tab;
    tab.show();
    auto* button = tab.findChild<QPushButton*>("preflightButton");
    QVERIFY(button);
    for (const char* mode : {"grpo", "rlhf_reinforce", "rloo", "ppo", "sft"}) {
        QTest::mouseClick(tab.findChild<QAbstractButton*>(QString("mode_") + mode), Qt::LeftButton);
        const bool scalar = QString(mode) != "ppo" && QString(mode) != "sft";
        QCOMPARE(button->isVisible(), scalar);
    }
}

void TestPreflightDialog::runShowsVerdictFunctionsAndGroups() {
    TrainTab tab;
    tab.show();
    tab.form()->setConfig(load_run_config(kPreset));  // a form without errors (a model, a dataset)
    int calls = 0, asked_groups = 0;
    tab.setPreflightSampler([&](const RunConfig& cfg, int k) {
        ++calls;
        asked_groups = k;
        if (cfg.train_mode != TrainMode::grpo) throw std::runtime_error("the form's config did not arrive");
        return fakeReport();
    });
    QSignalSpy opened(&tab, &TrainTab::preflightOpened);
    QVERIFY2(tab.form()->errors().isEmpty(), qPrintable(tab.form()->errors().join("; ")));
    QTest::mouseClick(tab.findChild<QPushButton*>("preflightButton"), Qt::LeftButton);
    QCOMPARE(opened.count(), 1);
    auto* dialog = opened.at(0).at(0).value<PreflightDialog*>();
    QVERIFY(dialog && dialog->isVisible());
    dialog->findChild<QSpinBox*>("preflightGroups")->setValue(5);
    QSignalSpy shown(dialog, &PreflightDialog::reportShown);
    QTest::mouseClick(dialog->findChild<QPushButton*>("preflightRun"), Qt::LeftButton);
    QTRY_COMPARE(shown.count(), 1);
    QCOMPARE(calls, 1);
    QCOMPARE(asked_groups, 5);
    const PreflightReport want = fakeReport();
    const QString verdict = dialog->findChild<QLabel*>("preflightVerdict")->text();
    QVERIFY2(verdict.contains(QString::fromStdString(want.verdict.at(0)).toHtmlEscaped()), qPrintable(verdict));
    auto* functions = dialog->findChild<QTableWidget*>("preflightFunctions");
    QCOMPARE(functions->rowCount(), 2);
    QCOMPARE(functions->item(0, 0)->text(), QString("r1_accuracy_reward_func"));
    QVERIFY2(functions->item(0, 5)->text().contains("×"), qPrintable(functions->item(0, 5)->text()));
    auto* groups = dialog->findChild<QTableWidget*>("preflightGroupTable");
    QCOMPARE(groups->rowCount(), 2);
    QCOMPARE(groups->item(0, 3)->text(), QString("yes"));
    QCOMPARE(groups->item(1, 3)->text(), QString("no"));
    QCOMPARE(groups->item(0, 4)->text(), QString("1/2"));
    QVERIFY(dialog->findChild<QPlainTextEdit*>("preflightExamples")->toPlainText().contains("<answer>4</answer>"));
    QTRY_VERIFY(!dialog->busy());
    QVERIFY(dialog->findChild<QPushButton*>("preflightRun")->isEnabled());
}

// With errors in the form, Preflight is refused like Train (no dialog)
void TestPreflightDialog::refusedWithFormErrors() {
    TrainTab tab;
    tab.show();
    RunConfig cfg = load_run_config(kPreset);
    cfg.model.clear();
    tab.form()->setConfig(cfg);
    QVERIFY(!tab.form()->errors().isEmpty());
    QSignalSpy opened(&tab, &TrainTab::preflightOpened);
    QTest::mouseClick(tab.findChild<QPushButton*>("preflightButton"), Qt::LeftButton);
    QCOMPARE(opened.count(), 0);
    QVERIFY(tab.findChild<QLineEdit*>("runStatus")->text().startsWith("Preflight refused"));
}

void TestPreflightDialog::errorsAreShown() {
    RunConfig cfg = default_run_config(TrainMode::grpo);
    PreflightDialog dialog(cfg, nullptr, [](const RunConfig&, int) -> PreflightReport {
        throw InputError("cfg.yaml", 3, "judge", "preflight cannot ask a person", "use rewards");
    });
    QSignalSpy failed(&dialog, &PreflightDialog::failed);
    dialog.run();
    QTRY_COMPARE(failed.count(), 1);
    QVERIFY(dialog.findChild<QLabel*>("preflightVerdict")->text().contains("preflight cannot ask a person"));
    QTRY_VERIFY(!dialog.busy());
}

void TestPreflightDialog::realPreflightOnTheEmbeddedDefault() {
    RunConfig cfg = load_run_config(kPreset);
    set_value(cfg, "max_completion_length", "16");
    PreflightDialog dialog(cfg);
    dialog.findChild<QSpinBox*>("preflightGroups")->setValue(2);
    QSignalSpy shown(&dialog, &PreflightDialog::reportShown);
    QSignalSpy failed(&dialog, &PreflightDialog::failed);
    dialog.run();
    QTRY_VERIFY_WITH_TIMEOUT(shown.count() + failed.count() > 0, 120000);
    QCOMPARE(failed.count(), 0);
    QCOMPARE(dialog.findChild<QTableWidget*>("preflightGroupTable")->rowCount(), 2);
    QCOMPARE(dialog.findChild<QTableWidget*>("preflightFunctions")->rowCount(), 5);  // the five r1_* defaults
    QVERIFY(!dialog.findChild<QLabel*>("preflightVerdict")->text().isEmpty());
}

void TestPreflightDialog::scoreAHandWrittenCompletion() {
    RunConfig cfg = load_run_config(kPreset);
    PreflightDialog dialog(cfg);
    dialog.findChild<QLineEdit*>("preflightPrompt")->setText("What is 2+2?");
    dialog.findChild<QLineEdit*>("preflightAnswer")->setText("4");
    dialog.findChild<QPlainTextEdit*>("preflightCompletion")->setPlainText("<reasoning>\n2+2\n</reasoning>\n<answer>\n4\n</answer>\n");
    QSignalSpy shown(&dialog, &PreflightDialog::scoreShown);
    QTest::mouseClick(dialog.findChild<QPushButton*>("preflightScore"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(shown.count() == 1, 30000);
    const QString result = dialog.findChild<QLabel*>("preflightScoreResult")->text();
    QVERIFY2(result.contains("r1_accuracy_reward_func 2"), qPrintable(result));
    QVERIFY2(result.contains("r1_int_reward_func 0.5"), qPrintable(result));
    QVERIFY2(result.contains("r1_strict_format_reward_func 0 "), qPrintable(result));  // the r1 format wants <think>
}

QTEST_MAIN(TestPreflightDialog)
#include "tst_preflight_dialog.moc"
