// Before / after in the GUI: "Before / after…" beside Train opens the dialog on the run folder of the
// current run; it lists the folder's sources (base, checkpoints, latest; base and latest checked);
// Generate answers on a worker thread, one column per source with its mean reward; errors are shown.
// The real engine runs on a two-step GRPO run of the embedded default trained in initTestCase.
#include <QAbstractButton>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include "config/run_config.h"
#include "run/before_after_dialog.h"
#include "run/live_run_panel.h"
#include "train/session.h"
#include "train_tab.h"

using namespace rf;
using namespace rf::ui;

class TestBeforeAfterDialog : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void listsTheRunsSources();
    void generatesSideBySide();
    void notARunFolderIsShown();
    void openedBesideTrainOnTheCurrentRun();

private:
    QTemporaryDir m_tmp;
    QString m_run;
};

void TestBeforeAfterDialog::initTestCase() {
    QVERIFY(m_tmp.isValid());
    m_run = m_tmp.path() + "/run";
    RunConfig cfg = load_run_config(REINFORGE_SOURCE_DIR "/resources/presets/grpo-default.yaml");
    set_value(cfg, "iters", "2");
    set_value(cfg, "save_every", "1");
    set_value(cfg, "steps_per_eval", "0");
    set_value(cfg, "max_completion_length", "12");
    set_value(cfg, "learning_rate", "5.0e-3");
    set_value(cfg, "output_dir", m_run.toStdString());
    Session session(cfg, nullptr, nullptr);
    QVERIFY(session.run());
}

void TestBeforeAfterDialog::listsTheRunsSources() {
    BeforeAfterDialog dialog(m_run);
    auto* list = dialog.findChild<QListWidget*>("beforeAfterSources");
    QStringList labels, checked;
    for (int i = 0; i < list->count(); ++i) {
        labels << list->item(i)->text();
        if (list->item(i)->checkState() == Qt::Checked) checked << list->item(i)->text();
    }
    QCOMPARE(labels, QStringList({"base", "step 1", "step 2", "latest"}));
    QCOMPARE(checked, QStringList({"base", "latest"}));
}

void TestBeforeAfterDialog::generatesSideBySide() {
    BeforeAfterDialog dialog(m_run);
    dialog.findChild<QSpinBox*>("beforeAfterPrompts")->setValue(2);
    QSignalSpy shown(&dialog, &BeforeAfterDialog::answersShown);
    QSignalSpy failed(&dialog, &BeforeAfterDialog::failed);
    QTest::mouseClick(dialog.findChild<QPushButton*>("beforeAfterGenerate"), Qt::LeftButton);
    QVERIFY(dialog.busy());
    QTRY_VERIFY_WITH_TIMEOUT(shown.count() + failed.count() > 0, 120000);
    QCOMPARE(failed.count(), 0);
    auto* table = dialog.findChild<QTableWidget*>("beforeAfterTable");
    QCOMPARE(table->rowCount(), 2);
    QCOMPARE(table->columnCount(), 3);
    QVERIFY(table->horizontalHeaderItem(1)->text().startsWith("base (mean "));
    QVERIFY(table->horizontalHeaderItem(2)->text().startsWith("latest (mean "));
    QVERIFY(table->item(0, 0)->text().contains("answer:"));
    QVERIFY2(table->item(0, 1)->text().startsWith("["), qPrintable(table->item(0, 1)->text()));
    QVERIFY(!dialog.busy());
}

void TestBeforeAfterDialog::notARunFolderIsShown() {
    BeforeAfterDialog dialog{QString()};
    QSignalSpy err(&dialog, &BeforeAfterDialog::failed);
    dialog.setRunFolder(m_tmp.path());
    QCOMPARE(err.count(), 1);
    QVERIFY(err.at(0).at(0).toString().contains("config.yaml"));
    QCOMPARE(dialog.findChild<QListWidget*>("beforeAfterSources")->count(), 0);
    // an answer function that throws (a damaged checkpoint): the message, not a crash
    BeforeAfterDialog broken(m_run, nullptr, [](const std::string&, const std::vector<AnswerSource>&, const BeforeAfterOptions&) -> BeforeAfter {
        throw std::runtime_error("cannot read step 1");
    });
    QSignalSpy broken_err(&broken, &BeforeAfterDialog::failed);
    broken.generate();
    QTRY_COMPARE(broken_err.count(), 1);
    QVERIFY(broken.findChild<QLabel*>("beforeAfterStatus")->text().contains("cannot read step 1"));
}

void TestBeforeAfterDialog::openedBesideTrainOnTheCurrentRun() {
    TrainTab tab;
    tab.show();
    auto* button = tab.findChild<QPushButton*>("beforeAfterButton");
    QVERIFY(button && button->isVisible());
    tab.runPanel()->setRunFolder(2, m_run);
    QSignalSpy opened(&tab, &TrainTab::beforeAfterOpened);
    QTest::mouseClick(button, Qt::LeftButton);
    QCOMPARE(opened.count(), 1);
    auto* dialog = opened.at(0).at(0).value<BeforeAfterDialog*>();
    QCOMPARE(dialog->findChild<QListWidget*>("beforeAfterSources")->count(), 4);
    QTest::mouseClick(tab.findChild<QAbstractButton*>("mode_sft"), Qt::LeftButton);
    QVERIFY(!button->isVisible());
}

QTEST_MAIN(TestBeforeAfterDialog)
#include "tst_before_after_dialog.moc"
