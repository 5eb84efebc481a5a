// The rollout browser (issue 20 item 3): grouping and statistics, the worst group of a step in two
// clicks, the filters, the token heat map, reading a run folder (torn lines, not a run folder), live
// following, and its place in the main window (Rollouts tab, File ▸ Open run folder…, fed by a run).
#include <QAbstractButton>
#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>
#include <cmath>

#include "app_settings.h"
#include "bridge_controller.h"
#include "bridge_window_link.h"
#include "charts/metric_chart.h"
#include "fake_run.h"
#include "form/config_form.h"
#include "main_window.h"
#include "run/group_tree.h"
#include "run/rollout_browser.h"
#include "run/rollout_groups.h"
#include "run/run_folder.h"
#include "run/token_heat_map.h"
#include "train_tab.h"

using namespace rf;
using namespace rf::ui;

namespace {

RolloutRow row(int step, int group, double reward, bool truncated = false, const QString& verdict = QString()) {
    RolloutRow r;
    r.step = step;
    r.group = group;
    r.prompt = QString("What is %1 + %2?").arg(step).arg(group);
    r.answer = QString::number(step + group);
    r.completion = QString("<answer>%1</answer>").arg(reward);
    r.reward = reward;
    r.advantage = reward - 1.0;
    r.truncated = truncated;
    r.verdict = verdict;
    r.function_rewards = {{"r1_accuracy_reward_func", reward}};
    r.tokens = {"<answer>", QString::number(reward), "</answer>"};
    r.token_logps = {-0.001f, -2.5f, -0.01f};
    r.num_tokens = 3;
    return r;
}

// Step 1: group 0 rewards {2, 0, 1} (mean 1), group 1 {0, 0, 0} (no variance, worst), group 2 {3, 3, 2}
// with a truncated completion. Step 2: group 0 {1, 2, 3}, group 1 {0.5, 1.5, NaN-free, verdict failed}.
QList<RolloutRow> sampleRows() {
    return {row(1, 0, 2), row(1, 0, 0), row(1, 0, 1), row(1, 1, 0), row(1, 1, 0), row(1, 1, 0),
            row(1, 2, 3), row(1, 2, 3, true), row(1, 2, 2),
            row(2, 0, 1), row(2, 0, 2), row(2, 0, 3), row(2, 1, 0.5), row(2, 1, 1.5, false, "failed"), row(2, 1, 1)};
}

void clickStepRow(RolloutBrowser& b, int step) {
    auto* table = b.findChild<QTableWidget*>("browserSteps");
    for (int r = 0; r < table->rowCount(); ++r)
        if (table->item(r, 0)->text() == QString::number(step)) {
            const QRect rect = table->visualItemRect(table->item(r, 0));
            QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, rect.center());
            return;
        }
    QFAIL("no such step row");
}

void writeFile(const QString& path, const QByteArray& text) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(text);
}

}  // namespace

class TestRolloutBrowser : public QObject {
    Q_OBJECT
private slots:
    void indexGroupsAndStatistics();
    void legacyRowsGroupByPrompt();
    void indexDropsTheOldestStepsWhole();
    void worstGroupOfAStepInTwoClicks();
    void worstGroupOfTheRun();
    void clickingTheTrendPicksAStep();
    void filtersKeepMatchingGroupsAndSteps();
    void heatMapColoursAndToolTips();
    void readsARunFolder();
    void notARunFolderFails();
    void liveFollowsTheLatestStepUntilTheUserGoesBack();
    void reachableFromTheMainWindowAndFedByARun();
};

void TestRolloutBrowser::indexGroupsAndStatistics() {
    RolloutIndex index;
    index.add(sampleRows().mid(0, 7));
    index.add(sampleRows().mid(7));  // a report may end inside a group
    QCOMPARE(index.steps(), QList<int>({1, 2}));
    QCOMPARE(index.groupsOfStep(1).size(), 3);
    QCOMPARE(index.groupsOfStep(2).size(), 2);
    const RolloutGroup& g0 = index.groups()[0];
    QCOMPARE(g0.rows, QList<int>({0, 1, 2}));
    QCOMPARE(g0.mean, 1.0);
    QVERIFY(std::fabs(g0.std - std::sqrt(2.0 / 3.0)) < 1e-12);
    QVERIFY(!g0.zeroVariance());
    QVERIFY(index.groups()[1].zeroVariance());
    QCOMPARE(index.groups()[2].truncated, 1);
    QCOMPARE(index.groups()[2].rows.size(), 3);
    QCOMPARE(index.groups()[4].failed, 1);
    const StepSummary s1 = index.summary(1);
    QCOMPARE(s1.groups, 3);
    QCOMPARE(s1.completions, 9);
    QCOMPARE(s1.worst, 0.0);
    QCOMPARE(s1.zero_variance, 1);
    QCOMPARE(s1.truncated, 1);
    QCOMPARE(s1.failed, 0);
    QCOMPARE(index.worstGroup({}, 1), 1);
    QCOMPARE(index.worstGroup({}, 2), 4);  // mean 1 < 2
    QCOMPARE(index.worstGroup({}), 1);
    QCOMPARE(index.worstGroup({false, true, false}), 2);  // the only group with a truncated completion
    QCOMPARE(index.functions(), QStringList({"r1_accuracy_reward_func"}));
    // a reward function that returned no value is a completion without signal too
    RolloutRow nan = row(3, 0, 1);
    nan.function_rewards["r1_count_xml"] = std::nan("");
    QVERIFY(RolloutIndex::withoutSignal(nan));
    QVERIFY(!RolloutIndex::withoutSignal(row(3, 0, 1)));
}

void TestRolloutBrowser::legacyRowsGroupByPrompt() {
    QList<RolloutRow> rows = sampleRows().mid(0, 6);
    for (RolloutRow& r : rows) r.group = -1;  // written before rollouts.jsonl had "group"
    RolloutIndex index;
    index.add(rows);
    QCOMPARE(index.groupsOfStep(1).size(), 2);
    QCOMPARE(index.groups()[0].rows.size(), 3);
    QCOMPARE(index.groups()[1].group, 1);
}

void TestRolloutBrowser::indexDropsTheOldestStepsWhole() {
    RolloutIndex index;
    index.setMaxRows(10);
    for (int step = 1; step <= 4; ++step) index.add({row(step, 0, 1), row(step, 0, 2), row(step, 1, 0), row(step, 1, 3)});
    // 16 rows > 10: whole steps go until at most 9 are left
    QCOMPARE(index.steps(), QList<int>({3, 4}));
    QCOMPARE(index.rows().size(), 8);
    QCOMPARE(index.groups().size(), 4);
    QCOMPARE(index.groups()[0].rows, QList<int>({0, 1}));  // indexes into the rows that are left
    QCOMPARE(index.groups()[0].step, 3);
    QCOMPARE(index.worstGroup({}, 4), 2);
}

void TestRolloutBrowser::worstGroupOfAStepInTwoClicks() {
    RolloutBrowser b;
    b.resize(1200, 800);
    b.show();
    QVERIFY(QTest::qWaitForWindowExposed(&b));
    RunFolder run;
    run.dir = "/tmp/x";
    run.rollouts = sampleRows();
    b.showRunFolder(run);
    QCOMPARE(b.currentStep(), 2);  // a folder opens on its last step
    QSignalSpy steps(&b, &RolloutBrowser::stepChanged);
    QSignalSpy groups(&b, &RolloutBrowser::groupChanged);
    // click 1: the step; its groups are listed worst first and the worst is selected
    clickStepRow(b, 1);
    QCOMPARE(steps.count(), 1);
    QCOMPARE(steps.last().first().toInt(), 1);
    QCOMPARE(b.shownGroups(), QList<int>({1, 0, 2}));
    QCOMPARE(b.currentGroup(), 1);
    QVERIFY(b.findChild<QLabel*>("browserHeader")->text().contains("group 2"));
    // click 2: a completion of the worst group, read token by token
    auto* tree = b.findChild<GroupTree*>("browserGroups");
    QTreeWidgetItem* first = tree->topLevelItem(0)->child(1);
    QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, tree->visualItemRect(first).center());
    QCOMPARE(b.currentGroup(), 1);
    QCOMPARE(b.currentRow(), 4);
    QVERIFY(groups.count() >= 1);
    QCOMPARE(b.heatMap()->tokenCount(), 3);
    // the group row shows the group together: mean, the prompt and answer, each completion's numbers
    QCOMPARE(tree->topLevelItem(0)->childCount(), 3);
    auto column = [tree](const QString& header) {
        for (int c = 0; c < tree->columnCount(); ++c)
            if (tree->headerItem()->text(c).startsWith(header)) return c;
        return -1;
    };
    QVERIFY(tree->topLevelItem(0)->text(column("Prompt")).contains("What is 1 + 1?  \u2192 2"));
    QVERIFY(tree->topLevelItem(0)->text(column("Notes")).contains("no variance"));
    QCOMPARE(tree->topLevelItem(0)->child(0)->text(column("accuracy")), QString("0"));
    QCOMPARE(tree->topLevelItem(0)->child(0)->text(column("Advantage")), QString("-1"));
}

void TestRolloutBrowser::worstGroupOfTheRun() {
    RolloutBrowser b;
    RunFolder run;
    run.rollouts = sampleRows();
    b.showRunFolder(run);
    QCOMPARE(b.currentStep(), 2);
    QSignalSpy steps(&b, &RolloutBrowser::stepChanged);
    QTest::mouseClick(b.findChild<QAbstractButton*>("worstInRunButton"), Qt::LeftButton);
    QCOMPARE(steps.count(), 1);
    QCOMPARE(b.currentStep(), 1);
    QCOMPARE(b.currentGroup(), 1);
}

void TestRolloutBrowser::clickingTheTrendPicksAStep() {
    RolloutBrowser b;
    b.resize(1200, 800);
    b.show();
    QVERIFY(QTest::qWaitForWindowExposed(&b));
    RunFolder run;
    run.rollouts = sampleRows();
    b.showRunFolder(run);
    QCOMPARE(b.currentStep(), 2);
    MetricChart* trend = b.trend();
    QCOMPARE(trend->points("mean"), QList<QPointF>({QPointF(1, 11.0 / 9.0), QPointF(2, 1.5)}));
    // a click near step 1 on the plot (anywhere vertically) picks step 1
    const QPointF scene = trend->chart()->mapToScene(trend->chart()->mapToPosition(QPointF(1.2, 1.0)));
    QSignalSpy steps(&b, &RolloutBrowser::stepChanged);
    QTest::mouseClick(trend->viewport(), Qt::LeftButton, {}, trend->mapFromScene(scene));
    QCOMPARE(steps.count(), 1);
    QCOMPARE(b.currentStep(), 1);
    QCOMPARE(b.currentGroup(), 1);  // with its worst group selected
}

void TestRolloutBrowser::filtersKeepMatchingGroupsAndSteps() {
    RolloutBrowser b;
    b.show();
    RunFolder run;
    run.rollouts = sampleRows();
    b.showRunFolder(run);
    auto* steps = b.findChild<QTableWidget*>("browserSteps");
    QCOMPARE(steps->rowCount(), 2);
    QCOMPARE(steps->item(0, 0)->text(), QString("2"));  // newest first
    b.selectStep(1);
    QTest::mouseClick(b.findChild<QCheckBox*>("filterZeroVariance"), Qt::LeftButton);
    QVERIFY(b.filter().zero_variance);
    QCOMPARE(b.shownGroups(), QList<int>({1}));
    QVERIFY(steps->isRowHidden(0));   // step 2 has no group without variance
    QVERIFY(!steps->isRowHidden(1));
    QTest::mouseClick(b.findChild<QCheckBox*>("filterZeroVariance"), Qt::LeftButton);
    QTest::mouseClick(b.findChild<QCheckBox*>("filterTruncated"), Qt::LeftButton);
    QCOMPARE(b.shownGroups(), QList<int>({2}));
    QTest::mouseClick(b.findChild<QCheckBox*>("filterTruncated"), Qt::LeftButton);
    QTest::mouseClick(b.findChild<QCheckBox*>("filterFailed"), Qt::LeftButton);
    QVERIFY(steps->isRowHidden(1));  // step 1 has no failed verdict
    QVERIFY(b.shownGroups().isEmpty());
    b.selectStep(2);
    QCOMPARE(b.shownGroups(), QList<int>({4}));
    QCOMPARE(b.index().worstGroup(b.filter()), 4);
}

void TestRolloutBrowser::heatMapColoursAndToolTips() {
    TokenHeatMap map;
    RolloutRow r = row(1, 0, 2);
    map.setRollout(r, 2.0);
    QCOMPARE(map.tokenCount(), 3);
    // log-prob: a sure token is (nearly) white, an unlikely one red
    QVERIFY(map.tokenColour(0).red() > 250 && map.tokenColour(0).green() > 250);
    QVERIFY(map.tokenColour(1).green() < 100);
    QVERIFY(map.tokenToolTip(1).contains("-2.5000"));
    QVERIFY(map.tokenToolTip(1).contains("p = 0.082"));
    QVERIFY(map.toHtml().contains("&lt;answer&gt;"));
    QSignalSpy hovered(&map, &TokenHeatMap::tokenHovered);
    emit map.highlighted(QUrl("t:2"));
    QCOMPARE(hovered.count(), 1);
    QCOMPARE(hovered.last().first().toInt(), 2);
    // advantage: every token carries the completion's advantage (+1 of scale 2: half-green)
    map.setMode(TokenHeatMap::Mode::advantage);
    const QColor c = map.tokenColour(2);
    QVERIFY(c.green() > c.red());
    QCOMPARE(map.tokenColour(0), map.tokenColour(2));
    r.advantage = -2.0;
    map.setRollout(r, 2.0);
    QVERIFY(map.tokenColour(0).red() > map.tokenColour(0).green());
    // a run recorded before tokens: the plain completion
    RolloutRow old = row(1, 0, 2);
    old.tokens.clear();
    old.token_logps.clear();
    map.setRollout(old, 1.0);
    QCOMPARE(map.tokenCount(), 0);
    QVERIFY(map.toPlainText().contains("recorded no tokens"));
}

void TestRolloutBrowser::readsARunFolder() {
    QTemporaryDir dir;
    RunConfig cfg = default_run_config(TrainMode::grpo);
    set_value(cfg, "beta", "0.07");
    writeFile(dir.filePath("config.yaml"), QByteArray::fromStdString(to_yaml(cfg)));
    writeFile(dir.filePath("metrics.jsonl"),
              "{\"phase\":\"val\",\"step\":0,\"val_rewards\":1.5}\n"
              "{\"phase\":\"train\",\"step\":1,\"total_rewards_mean\":2.25,\"kl\":0.001}\n");
    writeFile(dir.filePath("rollouts.jsonl"),
              "{\"step\":1,\"group\":0,\"prompt\":\"p\",\"completion\":\"c\",\"answer\":\"4\",\"reward\":2.5,"
              "\"advantage\":0.5,\"truncated\":true,\"num_tokens\":2,\"rewards\":{\"r1_count_xml\":null,\"r1_int_reward_func\":0.5},"
              "\"tokens\":[\"<a>\",\"4\"],\"token_logps\":[-0.1,-1.25],\"verdict\":\"skip\"}\n"
              "{\"step\":1,\"group\":0,\"prompt\":\"p\",\"compl");  // torn by a kill
    const RunFolder run = readRunFolder(dir.path());
    QVERIFY(run.has_config);
    QCOMPARE(run.config.beta, 0.07);
    QCOMPARE(run.metrics.size(), 2);
    QCOMPARE(run.metrics[0].values.value("val_rewards"), 1.5);
    QCOMPARE(run.metrics[1].step, 1);
    QVERIFY(!run.metrics[1].values.contains("phase"));
    QCOMPARE(run.rollouts.size(), 1);
    const RolloutRow& r = run.rollouts[0];
    QCOMPARE(r.answer, QString("4"));
    QVERIFY(r.truncated);
    QCOMPARE(r.verdict, QString("skip"));
    QVERIFY(std::isnan(r.function_rewards.value("r1_count_xml")));
    QCOMPARE(r.tokens, QStringList({"<a>", "4"}));
    QCOMPARE(r.token_logps, QList<float>({-0.1f, -1.25f}));
    QCOMPARE(run.problems.size(), 1);
    QVERIFY2(run.problems[0].contains("rollouts.jsonl line 2"), qPrintable(run.problems[0]));

    RolloutBrowser b;
    QSignalSpy loaded(&b, &RolloutBrowser::folderLoaded);
    b.openRunFolder(dir.path());
    QVERIFY(loaded.wait(5000));
    QCOMPARE(b.source(), QDir(dir.path()).absolutePath());
    QCOMPARE(b.index().rows().size(), 1);
    QCOMPARE(b.currentStep(), 1);
    QCOMPARE(b.heatMap()->tokenCount(), 2);
}

void TestRolloutBrowser::notARunFolderFails() {
    QTemporaryDir dir;
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, readRunFolder(dir.path()));
    RolloutBrowser b;
    QSignalSpy failed(&b, &RolloutBrowser::folderFailed);
    b.openRunFolder(dir.path());
    QVERIFY(failed.wait(5000));
    QVERIFY(failed.first().first().toString().contains("no run folder"));
}

void TestRolloutBrowser::liveFollowsTheLatestStepUntilTheUserGoesBack() {
    RolloutBrowser b;
    b.resize(1200, 800);
    b.show();
    QVERIFY(QTest::qWaitForWindowExposed(&b));
    b.startLive("test");
    const QList<RolloutRow> rows = sampleRows();
    b.addRollouts(rows.mid(0, 9));
    QCOMPARE(b.currentStep(), 1);
    b.addRollouts(rows.mid(9));
    QCOMPARE(b.currentStep(), 2);
    QCOMPARE(b.trend()->points("mean").size(), 2);
    QCOMPARE(b.trend()->points("worst group").last().y(), 1.0);
    clickStepRow(b, 1);
    QVERIFY(!b.findChild<QCheckBox*>("followLatest")->isChecked());
    QList<RolloutRow> more = {row(3, 0, 1), row(3, 0, 2)};
    b.addRollouts(more);
    QCOMPARE(b.currentStep(), 1);  // stays where the user went
    QCOMPARE(b.findChild<QTableWidget*>("browserSteps")->rowCount(), 3);
    QTest::mouseClick(b.findChild<QCheckBox*>("followLatest"), Qt::LeftButton);
    b.addRollouts({row(4, 0, 1)});
    QCOMPARE(b.currentStep(), 4);
    // clicking a completion of the newest step to read it stops following too
    auto* tree = b.findChild<GroupTree*>("browserGroups");
    QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, tree->visualItemRect(tree->topLevelItem(0)->child(0)).center());
    QVERIFY(!b.findChild<QCheckBox*>("followLatest")->isChecked());
    b.addRollouts({row(5, 0, 1)});
    QCOMPARE(b.currentStep(), 4);
    QCOMPARE(b.currentRow(), int(b.index().rows().size()) - 2);
}

void TestRolloutBrowser::reachableFromTheMainWindowAndFedByARun() {
    QTemporaryDir dir;
    AppSettings settings(dir.filePath("s.ini"));
    MainWindow w(&settings);
    auto* tabs = w.findChild<QTabWidget*>("mainTabs");
    QVERIFY(tabs->indexOf(w.rolloutBrowser()) > 0);
    QVERIFY(w.findChild<QAction*>("openRunFolderAction"));
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.showRolloutBrowser();
    QCOMPARE(tabs->currentWidget(), w.rolloutBrowser());
    tabs->setCurrentWidget(w.trainTab());
    test::FakeRunOptions o;
    o.steps = 5;
    bridge::EngineController c(test::fakeRun(o));
    bridge::linkWindow(&w, &c);
    RunConfig cfg = default_run_config(TrainMode::grpo);
    set_value(cfg, "model", "m");
    set_value(cfg, "data", "d");
    set_value(cfg, "iters", "5");
    w.trainTab()->form()->setConfig(cfg);
    QSignalSpy finished(&c, &bridge::EngineController::runFinished);
    QTest::mouseClick(w.findChild<QAbstractButton*>("trainButton"), Qt::LeftButton);
    QVERIFY(finished.wait(10000));
    QTRY_COMPARE(w.rolloutBrowser()->index().rows().size(), 20);
    QCOMPARE(w.rolloutBrowser()->source(), QString("live"));
    // while the Train tab is shown, the browser only indexes; its views are built when it is shown
    auto* steps = w.rolloutBrowser()->findChild<QTableWidget*>("browserSteps");
    QCOMPARE(steps->rowCount(), 0);
    w.showRolloutBrowser();
    QCOMPARE(steps->rowCount(), 5);
    QCOMPARE(w.rolloutBrowser()->currentStep(), 5);
    QCOMPARE(w.rolloutBrowser()->index().groupsOfStep(5).size(), 1);
    QVERIFY(w.rolloutBrowser()->findChild<QLabel*>("browserSource")->text().contains(QString::fromStdString(o.run_dir)));
}

QTEST_MAIN(TestRolloutBrowser)
#include "tst_rollout_browser.moc"
