// Run comparison (issue 20 item 7): the config diff (what changed), overlaid metrics with one line
// per run in the run's colour, choosing metrics, adding folders in the background, removing a run,
// and its place in the main window (Compare tab, File ▸ Add run to comparison…).
#include <QAction>
#include <QCheckBox>
#include <QFile>
#include <QLineSeries>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "app_settings.h"
#include "charts/metric_chart.h"
#include "config/run_config_diff.h"
#include "compare/run_comparison.h"
#include "main_window.h"

using namespace rf;
using namespace rf::ui;

namespace {

RunFolder makeRun(const QString& name, const QString& beta, const QString& lr, double reward_slope) {
    RunFolder run;
    run.dir = "/tmp/compare/" + name;
    run.name = name;
    run.config = default_run_config(TrainMode::grpo);
    set_value(run.config, "beta", beta.toStdString());
    set_value(run.config, "learning_rate", lr.toStdString());
    set_value(run.config, "output_dir", run.dir.toStdString());
    run.has_config = true;
    for (int s = 1; s <= 10; ++s) {
        MetricsRow row;
        row.step = s;
        row.values = {{"total_rewards_mean", 2.0 + reward_slope * s}, {"kl", 0.001 * s}, {"r1_accuracy_reward_func_mean", 0.4 + reward_slope * s}};
        run.metrics << row;
    }
    MetricsRow val;
    val.step = 10;
    val.values = {{"val_rewards", 2.5 + reward_slope}};
    run.metrics << val;
    return run;
}

int diffRowOf(QTableWidget* t, const QString& key) {
    for (int r = 0; r < t->rowCount(); ++r)
        if (t->item(r, 0)->text() == key) return r;
    return -1;
}

}  // namespace

class TestRunComparison : public QObject {
    Q_OBJECT
private slots:
    void configDiffListsWhatChanged();
    void overlaysChosenMetricsOneLinePerRun();
    void choosingAMetricAddsItsChart();
    void diffTableAndEqualKeys();
    void addsFoldersInTheBackgroundAndRemoves();
    void reachableFromTheMainWindow();
};

void TestRunComparison::configDiffListsWhatChanged() {
    RunConfig a = default_run_config(TrainMode::grpo), b = a;
    set_value(b, "beta", "0");
    set_value(b, "group_size", "6");
    set_value(b, "grpo_loss_type", "dr_grpo");
    set_value(a, "output_dir", "/runs/a");
    set_value(b, "output_dir", "/runs/b");
    const std::vector<ConfigDiffRow> rows = config_diff({a, b});
    QStringList keys;
    for (const ConfigDiffRow& r : rows) {
        keys << QString::fromStdString(r.key);
        QVERIFY(r.differs);
    }
    QVERIFY2(keys.contains("beta") && keys.contains("group_size") && keys.contains("grpo_loss_type"), qPrintable(keys.join(',')));
    QVERIFY(!keys.contains("learning_rate"));
    QVERIFY(keys.indexOf("output_dir") > keys.indexOf("grpo_loss_type"));  // where a run lives differs always: last
    QVERIFY(keys.indexOf("adapter_path") > keys.indexOf("grpo_loss_type"));  // and the paths that follow it
    const ConfigDiffRow& beta = rows[size_t(keys.indexOf("beta"))];
    QCOMPARE(beta.values[0], get_value(a, "beta"));
    QCOMPARE(beta.values[1], get_value(b, "beta"));
    QVERIFY(beta.values[0] != beta.values[1]);
    const std::vector<ConfigDiffRow> all = config_diff({a, b}, true);
    QCOMPARE(all.size(), run_config_keys().size());
    QVERIFY(all.front().differs);
    QVERIFY(config_diff({a, a}).empty());
}

void TestRunComparison::overlaysChosenMetricsOneLinePerRun() {
    RunComparison c;
    c.resize(1200, 800);
    c.show();
    c.addRun(makeRun("run-a", "0.04", "5e-05", 0.01));
    c.addRun(makeRun("run-b", "0", "0.0002", 0.05));
    QCOMPARE(c.runCount(), 2);
    QVERIFY(c.metrics().contains("val_rewards"));
    QCOMPARE(c.chosenMetrics(), QStringList({"r1_accuracy_reward_func_mean", "total_rewards_mean", "val_rewards", "kl"}));
    MetricChart* rewards = c.chart("total_rewards_mean");
    QVERIFY(rewards);
    QCOMPARE(rewards->keys(), QStringList({"run-a", "run-b"}));
    QCOMPARE(rewards->points("run-b").size(), 10);
    QCOMPARE(rewards->points("run-b").last(), QPointF(10, 2.5));
    QCOMPARE(c.chart("val_rewards")->points("run-a"), QList<QPointF>({QPointF(10, 2.51)}));
    QCOMPARE(c.chart("val_rewards")->smoothing(), 0.0);    // sparse validation points are never smoothed
    QCOMPARE(rewards->smoothing(), 0.6);
    // each run has its colour in every chart
    for (const QString& m : c.chosenMetrics()) {
        const auto series = c.chart(m)->chart()->series();
        for (QAbstractSeries* s : series) {
            auto* line = static_cast<QLineSeries*>(s);
            const int run = line->name() == "run-a" ? 0 : 1;
            QCOMPARE(line->pen().color().rgb(), RunComparison::runColour(run).rgb());
        }
    }
    // two runs of the same folder name stay apart
    RunFolder twin = makeRun("run-a", "0.1", "5e-05", 0.0);
    twin.dir = "/elsewhere/run-a";
    c.addRun(twin);
    QCOMPARE(c.chart("kl")->keys(), QStringList({"run-a", "run-b", "run-a (2)"}));
}

void TestRunComparison::choosingAMetricAddsItsChart() {
    RunComparison c;
    c.addRun(makeRun("run-a", "0.04", "5e-05", 0.01));
    c.addRun(makeRun("run-b", "0", "0.0002", 0.05));
    auto* list = c.findChild<QListWidget*>("compareMetrics");
    QCOMPARE(list->count(), 4);
    QVERIFY(!c.chart("nonexistent"));
    for (int i = 0; i < list->count(); ++i)
        if (list->item(i)->data(Qt::UserRole).toString() == "kl") list->item(i)->setCheckState(Qt::Unchecked);
    QVERIFY(!c.chart("kl"));
    QCOMPARE(c.chosenMetrics().size(), 3);
    c.setChosenMetrics({"kl"});
    QVERIFY(c.chart("kl"));
    QVERIFY(!c.chart("total_rewards_mean"));
    // the choice survives adding a run
    c.addRun(makeRun("run-c", "0.04", "5e-05", 0.02));
    QCOMPARE(c.chosenMetrics(), QStringList({"kl"}));
    QCOMPARE(c.chart("kl")->keys().size(), 3);
}

void TestRunComparison::diffTableAndEqualKeys() {
    RunComparison c;
    c.show();
    c.addRun(makeRun("run-a", "0.04", "5e-05", 0.01));
    c.addRun(makeRun("run-b", "0", "0.0002", 0.05));
    QTableWidget* t = c.diffTable();
    QCOMPARE(t->columnCount(), 3);
    QCOMPARE(t->horizontalHeaderItem(2)->text(), QString("run-b"));
    const int beta = diffRowOf(t, "beta");
    QVERIFY(beta >= 0);
    QCOMPARE(t->item(beta, 2)->text().toDouble(), 0.0);
    QCOMPARE(t->item(beta, 1)->text().toDouble(), 0.04);
    QVERIFY(diffRowOf(t, "learning_rate") >= 0);
    QCOMPARE(diffRowOf(t, "group_size"), -1);
    const int shown = t->rowCount();
    QTest::mouseClick(c.findChild<QCheckBox*>("compareAllKeys"), Qt::LeftButton);
    QVERIFY(t->rowCount() > shown);
    QVERIFY(diffRowOf(t, "group_size") >= shown);  // equal keys after the changed ones
}

void TestRunComparison::addsFoldersInTheBackgroundAndRemoves() {
    QTemporaryDir dir;
    for (const char* name : {"a", "b"}) {
        QVERIFY(QDir(dir.path()).mkdir(name));
        RunConfig cfg = default_run_config(TrainMode::grpo);
        set_value(cfg, "group_size", name[0] == 'a' ? "8" : "4");
        QFile y(dir.filePath(QString(name) + "/config.yaml"));
        QVERIFY(y.open(QIODevice::WriteOnly));
        y.write(QByteArray::fromStdString(to_yaml(cfg)));
        QFile m(dir.filePath(QString(name) + "/metrics.jsonl"));
        QVERIFY(m.open(QIODevice::WriteOnly));
        m.write("{\"phase\":\"train\",\"step\":1,\"total_rewards_mean\":2.0}\n");
    }
    RunComparison c;
    c.show();
    QSignalSpy added(&c, &RunComparison::runAdded);
    QSignalSpy failed(&c, &RunComparison::runFailed);
    c.addRunFolder(dir.filePath("a"));
    QVERIFY(added.wait(5000));
    c.addRunFolder(dir.filePath("b"));
    QVERIFY(added.wait(5000));
    c.addRunFolder(dir.filePath("nothing-here"));
    QVERIFY(failed.wait(5000));
    QCOMPARE(c.runCount(), 2);
    const int g = diffRowOf(c.diffTable(), "group_size");
    QVERIFY(g >= 0);
    QCOMPARE(c.diffTable()->item(g, 1)->text(), QString("8"));
    QCOMPARE(c.diffTable()->item(g, 2)->text(), QString("4"));
    c.addRunFolder(dir.filePath("a"));  // again: replaced, not doubled
    QVERIFY(added.wait(5000));
    QCOMPARE(c.runCount(), 2);
    auto* runs = c.findChild<QListWidget*>("compareRuns");
    runs->setCurrentRow(0);
    QTest::mouseClick(c.findChild<QPushButton*>("compareRemoveButton"), Qt::LeftButton);
    QCOMPARE(c.runCount(), 1);
    QCOMPARE(c.run(0).name, QString("b"));
    QCOMPARE(c.diffTable()->rowCount(), 0);  // one run: nothing differs
}

void TestRunComparison::reachableFromTheMainWindow() {
    QTemporaryDir dir;
    AppSettings settings(dir.filePath("s.ini"));
    MainWindow w(&settings);
    auto* tabs = w.findChild<QTabWidget*>("mainTabs");
    QVERIFY(tabs->indexOf(w.runComparison()) > 0);
    QVERIFY(w.findChild<QAction*>("addRunToComparisonAction"));
    w.showRunComparison();
    QCOMPARE(tabs->currentWidget(), w.runComparison());
}

QTEST_MAIN(TestRunComparison)
#include "tst_run_comparison.moc"
