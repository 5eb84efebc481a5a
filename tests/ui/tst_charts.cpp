// Charts of the Live Run Panel: metric placement, decimation, bulk updates, CSV/PNG export, the
// GRPO loss label, validation overlays; the health warnings and the rollout view.
#include <QImage>
#include <QLineSeries>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QToolTip>
#include <QtTest>
#include <cmath>

#include "charts/chart_groups.h"
#include "charts/charts_panel.h"
#include "charts/decimator.h"
#include "charts/metric_chart.h"
#include "config/run_config.h"
#include "run/health_monitor.h"
#include "run/rollout_view.h"

using namespace rf::ui;

class TestCharts : public QObject {
    Q_OBJECT
private slots:
    void placement_data();
    void placement();
    void decimatorKeepsExtremesAndBound();
    void smoothingIsTheDebiasedEmaWithRawFaint();
    void chartsThatCannotMoveSayWhy();
    void decimatorSmallSeriesUntouched();
    void chartBulkFlushAndCsv();
    void chartExportsPng();
    void panelShowsGroupsWithDataRewardsFirst();
    void panelGrpoLossTitle();
    void panelCreatesLinesInSlicesWithoutLosingPoints();
    void validationOverlayDashed();
    void validationFirstTakesTheTrainingColour();
    void hoverShowsNearestValue();
    void health_data();
    void health();
    void healthKlDrift();
    void rolloutViewNewestFirstWithFunctions();
};

void TestCharts::placement_data() {
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("group");
    QTest::addColumn<bool>("validation");
    QTest::addColumn<bool>("right");
    QTest::newRow("grpo reward") << "total_rewards_mean" << "rewards" << false << false;
    QTest::newRow("reinforce reward") << "rewards" << "rewards" << false << false;
    QTest::newRow("ppo accuracy (ratio)") << "accuracies" << "rewards" << false << true;
    QTest::newRow("kl") << "kl" << "kl" << false << false;
    QTest::newRow("val kl") << "val_kl" << "kl" << true << false;
    QTest::newRow("ppo clip") << "clip_fraction" << "clipping" << false << false;
    QTest::newRow("loss") << "loss" << "loss" << false << false;
    QTest::newRow("grad norm") << "grad_norm" << "loss" << false << true;
    QTest::newRow("lengths") << "avg_generated_tokens" << "generation" << false << false;
    QTest::newRow("accuracy fn") << "r1_accuracy_reward_func_mean" << "accuracy" << false << false;
    QTest::newRow("val accuracy fn") << "val_r1_accuracy_reward_func_mean" << "accuracy" << true << false;
    QTest::newRow("reward fn") << "r1_count_xml_mean" << "reward_functions" << false << false;
    QTest::newRow("val reward fn") << "val_r1_count_xml_mean" << "" << true << false;
    QTest::newRow("not a reward fn") << "grouped_rewards_mean" << "" << false << false;
    QTest::newRow("zero-std groups") << "frac_reward_zero_std" << "signal" << false << false;
    QTest::newRow("group std") << "grouped_rewards_std" << "signal" << false << false;
    QTest::newRow("std not charted") << "r1_count_xml_std" << "" << false << false;
    QTest::newRow("throughput") << "tokens_per_second" << "throughput" << false << false;
    QTest::newRow("unknown") << "trained_tokens" << "" << false << false;
}

void TestCharts::placement() {
    QFETCH(QString, key);
    QFETCH(QString, group);
    QFETCH(bool, validation);
    QFETCH(bool, right);
    const ChartPlacement p = placeMetric(key);
    QCOMPARE(chartGroupId(p.group), group);
    if (p.group != ChartGroup::none) {
        QCOMPARE(p.validation, validation);
        QCOMPARE(p.right_axis, right);
    }
}

void TestCharts::decimatorKeepsExtremesAndBound() {
    Decimator d;
    const int n = 50000;
    for (int i = 0; i < n; ++i) d.append(QPointF(i, std::sin(i * 0.01) + (i == 31337 ? 100.0 : 0.0)));
    QCOMPARE(d.raw().size(), n);
    const QList<QPointF> shown = d.display();
    QVERIFY2(shown.size() <= 2 * Decimator::kMaxBuckets, qPrintable(QString::number(shown.size())));
    QVERIFY(shown.size() >= Decimator::kMaxBuckets / 2);
    bool spike = false;
    for (int i = 1; i < shown.size(); ++i) QVERIFY(shown[i].x() >= shown[i - 1].x());  // x order kept
    for (const QPointF& p : shown) spike |= p.x() == 31337 && p.y() > 99;
    QVERIFY2(spike, "the single spike must survive decimation");
    QCOMPARE(d.maxY(), std::sin(313.37) + 100.0);
}

void TestCharts::smoothingIsTheDebiasedEmaWithRawFaint() {
    MetricChart chart("Rewards");
    const ChartPlacement total = placeMetric("total_rewards_mean"), val = placeMetric("val_rewards");
    std::vector<double> ys = {1.0, 3.0, 2.0, 5.0, std::nan(""), 4.0};
    for (size_t i = 0; i < ys.size(); ++i) chart.addPoint("total_rewards_mean", total, double(i + 1), ys[i]);
    chart.addPoint("val_rewards", val, 3, 2.5);
    chart.flush();
    QVERIFY(chart.smoothedPoints("total_rewards_mean").isEmpty());  // off by default
    chart.setSmoothing(0.6);
    // TensorBoard's debiased EMA, recomputed here by hand (the NaN is skipped, as the raw line skips it)
    QList<QPointF> want;
    double s = 0;
    int n = 0;
    for (size_t i = 0; i < ys.size(); ++i) {
        if (!std::isfinite(ys[i])) continue;
        s = 0.6 * s + 0.4 * ys[i];
        ++n;
        want.append(QPointF(double(i + 1), s / (1 - std::pow(0.6, n))));
    }
    QList<QPointF> got = chart.smoothedPoints("total_rewards_mean");
    QCOMPARE(got.size(), want.size());
    for (int i = 0; i < got.size(); ++i) {
        QCOMPARE(got[i].x(), want[i].x());
        QVERIFY(std::abs(got[i].y() - want[i].y()) < 1e-12);
    }
    QCOMPARE(got.first().y(), 1.0);  // debiased: the first point is its own value
    QVERIFY(chart.rawIsFaint("total_rewards_mean"));
    QVERIFY(chart.smoothedPoints("val_rewards").isEmpty());  // validation lines are not smoothed
    // a point added later extends the smoothed line
    chart.addPoint("total_rewards_mean", total, 7, 6.0);
    chart.flush();
    QCOMPARE(chart.smoothedPoints("total_rewards_mean").size(), want.size() + 1);
    chart.setSmoothing(0);
    QVERIFY(chart.smoothedPoints("total_rewards_mean").isEmpty());
    QVERIFY(!chart.rawIsFaint("total_rewards_mean"));
    QCOMPARE(chart.points("total_rewards_mean").size(), 6);  // raw data untouched (the NaN is never kept)
}

void TestCharts::chartsThatCannotMoveSayWhy() {
    ChartsPanel panel;
    rf::RunConfig cfg = rf::default_run_config(rf::TrainMode::grpo);  // num_iterations 1
    panel.setRunConfig(cfg);
    MetricChart* clipping = panel.chart(ChartGroup::clipping);
    QVERIFY2(clipping->note().contains("num_iterations: 1"), qPrintable(clipping->note()));
    QVERIFY(panel.chart(ChartGroup::rewards)->note().isEmpty());
    rf::set_value(cfg, "num_iterations", "2");
    panel.setRunConfig(cfg);
    QVERIFY(clipping->note().isEmpty());  // with sample reuse the ratio moves
    rf::set_value(cfg, "beta", "0");
    panel.setRunConfig(cfg);
    QVERIFY(panel.chart(ChartGroup::kl)->note().contains("beta is 0"));
    rf::RunConfig sft = rf::default_run_config(rf::TrainMode::sft);
    panel.setRunConfig(sft);
    QVERIFY(clipping->note().isEmpty());
}

void TestCharts::decimatorSmallSeriesUntouched() {
    Decimator d;
    d.append(QPointF(1, 2));
    d.append(QPointF(2, std::nan("")));  // dropped, not drawn
    d.append(QPointF(3, 4));
    QCOMPARE(d.display(), (QList<QPointF>{QPointF(1, 2), QPointF(3, 4)}));
}

void TestCharts::chartBulkFlushAndCsv() {
    MetricChart chart("KL");
    QSignalSpy appeared(&chart, &MetricChart::dataAppeared);
    const ChartPlacement kl = placeMetric("kl");
    for (int s = 1; s <= 3; ++s) chart.addPoint("kl", kl, s, 0.5 * s);
    QCOMPARE(appeared.count(), 1);
    QCOMPARE(chart.displayedCount("kl"), 0);  // nothing drawn before flush
    chart.flush();
    QCOMPARE(chart.displayedCount("kl"), 3);
    chart.addPoint("val_kl", placeMetric("val_kl"), 2, 0.25);
    chart.flush();
    QCOMPARE(chart.csv(), QString("step,kl,val_kl\n1,0.5,\n2,1,0.25\n3,1.5,\n"));

    QTemporaryDir dir;
    const QString path = dir.filePath("kl.csv");
    QVERIFY(chart.exportCsv(path));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(f.readAll()), chart.csv());
    QString error;
    QVERIFY(!chart.exportCsv(dir.filePath("missing/dir/x.csv"), &error));
    QVERIFY(error.contains("Cannot write"));
}

void TestCharts::chartExportsPng() {
    MetricChart chart("Rewards");
    chart.resize(400, 260);
    for (int s = 0; s < 10; ++s) chart.addPoint("rewards", placeMetric("rewards"), s, s * s);
    chart.flush();
    QTemporaryDir dir;
    const QString path = dir.filePath("rewards.png");
    QVERIFY(chart.exportPng(path));
    QImage img(path);
    QCOMPARE(img.size(), QSize(400, 260));
}

void TestCharts::panelShowsGroupsWithDataRewardsFirst() {
    ChartsPanel panel;
    panel.resize(900, 700);
    panel.show();
    QVERIFY(!panel.chart(ChartGroup::rewards)->isVisibleTo(&panel));
    QList<MetricsRow> rows;
    for (int s = 1; s <= 5; ++s) {
        MetricsRow r;
        r.step = s;
        r.values = {{"loss", 0.01}, {"kl", 0.1 * s}, {"total_rewards_mean", 0.2 * s}, {"trained_tokens", 100.0 * s}};
        rows.append(r);
    }
    panel.addRows(rows);
    QTRY_VERIFY(panel.chart(ChartGroup::rewards)->isVisibleTo(&panel));  // laid out after the batch
    QVERIFY(panel.chart(ChartGroup::kl)->isVisibleTo(&panel));
    QVERIFY(panel.chart(ChartGroup::loss)->isVisibleTo(&panel));
    QVERIFY(!panel.chart(ChartGroup::clipping)->isVisibleTo(&panel));
    QCOMPARE(panel.chart(ChartGroup::rewards)->points("total_rewards_mean").size(), 5);
    // rewards come first: top-left of the grid
    QVERIFY(panel.chart(ChartGroup::rewards)->geometry().top() <= panel.chart(ChartGroup::loss)->geometry().top());
    QVERIFY(panel.chart(ChartGroup::rewards)->geometry().left() <= panel.chart(ChartGroup::kl)->geometry().left());
    panel.clear();
    QTRY_VERIFY(!panel.chart(ChartGroup::rewards)->isVisibleTo(&panel));
    QVERIFY(panel.findChild<QWidget*>("chartsEmptyLabel")->isVisibleTo(&panel));
}

void TestCharts::panelCreatesLinesInSlicesWithoutLosingPoints() {
    ChartsPanel panel;
    QList<MetricsRow> rows;
    for (int s = 1; s <= 3; ++s) {
        MetricsRow r;
        r.step = s;
        for (int f = 0; f < 20; ++f) r.values.insert(QString("fn%1_mean").arg(f, 2, 10, QChar('0')), s * 10 + f);
        rows.append(r);
    }
    panel.addRows(rows);
    MetricChart* chart = panel.chart(ChartGroup::reward_functions);
    QCOMPARE(chart->keys().size(), ChartsPanel::kNewLinesPerPass);  // the first slice only
    QVERIFY(!panel.idle());
    MetricsRow late;
    late.step = 4;
    late.values.insert("fn19_mean", 99);
    panel.addRows({late});  // arrives while fn19 still waits: must stay behind steps 1-3
    QTRY_VERIFY(panel.idle());
    QCOMPARE(chart->keys().size(), 20);
    QCOMPARE(chart->points("fn19_mean"), (QList<QPointF>{{1, 29}, {2, 39}, {3, 49}, {4, 99}}));
    QCOMPARE(chart->points("fn00_mean").size(), 3);
}

void TestCharts::panelGrpoLossTitle() {
    ChartsPanel panel;
    panel.setTrainMode("grpo");
    QVERIFY(panel.chart(ChartGroup::loss)->title().contains("near zero"));
    panel.setTrainMode("ppo");
    QCOMPARE(panel.chart(ChartGroup::loss)->title(), QString("Loss"));
}

void TestCharts::validationOverlayDashed() {
    MetricChart chart("KL");
    chart.addPoint("kl", placeMetric("kl"), 1, 1);
    chart.addPoint("val_kl", placeMetric("val_kl"), 1, 1);
    chart.flush();
    const auto series = chart.chart()->series();
    QCOMPARE(series.size(), 2);
    auto* train = qobject_cast<QLineSeries*>(series[0]);
    auto* val = qobject_cast<QLineSeries*>(series[1]);
    QCOMPARE(val->name(), QString("val kl"));
    QCOMPARE(val->pen().style(), Qt::DashLine);
    QCOMPARE(val->pen().color(), train->pen().color());
    QCOMPARE(chart.chart()->animationOptions(), QChart::NoAnimation);
}

// The step-0 evaluation reports before the first training step: the validation line comes first and
// still ends up in its training line's colour.
void TestCharts::validationFirstTakesTheTrainingColour() {
    MetricChart chart("Accuracy");
    chart.addPoint("val_r1_accuracy_reward_func_mean", placeMetric("val_r1_accuracy_reward_func_mean"), 0, 0.5);
    chart.addPoint("r1_accuracy_reward_func_mean", placeMetric("r1_accuracy_reward_func_mean"), 1, 0.7);
    chart.flush();
    QLineSeries *train = nullptr, *val = nullptr;
    for (QAbstractSeries* s : chart.chart()->series()) {
        auto* l = qobject_cast<QLineSeries*>(s);
        if (l && l->name() == "val accuracy") val = l;
        if (l && l->name() == "accuracy") train = l;
    }
    QVERIFY(train && val);
    QColor want = train->pen().color();
    want.setAlpha(255);
    QCOMPARE(val->pen().color(), want);
    QCOMPARE(val->pen().style(), Qt::DashLine);
}

void TestCharts::hoverShowsNearestValue() {
    MetricChart chart("KL");
    chart.resize(400, 260);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    for (int s = 1; s <= 4; ++s) chart.addPoint("kl", placeMetric("kl"), s * 10, s * 0.25);
    chart.flush();
    auto* series = qobject_cast<QLineSeries*>(chart.chart()->series().front());
    emit series->hovered(QPointF(21.0, 0.3), true);  // between steps 20 and 30, nearer 20
    QTRY_VERIFY(QToolTip::isVisible());
    QCOMPARE(QToolTip::text(), QString("kl\nstep 20: 0.5"));
    emit series->hovered(QPointF(21.0, 0.3), false);
    QTRY_VERIFY(!QToolTip::isVisible());
}

void TestCharts::health_data() {
    QTest::addColumn<QString>("key");
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("warning");  // "" = none expected
    QTest::newRow("zero std high") << "frac_reward_zero_std" << 0.8 << "no_signal";
    QTest::newRow("zero std fine") << "frac_reward_zero_std" << 0.79 << "";
    QTest::newRow("ppo clipping") << "clip_fraction" << 0.31 << "clipping";
    QTest::newRow("grpo clipping") << "clip_ratio_total" << 0.5 << "clipping";
    QTest::newRow("clipping fine") << "clip_fraction" << 0.3 << "";
    QTest::newRow("all truncated") << "hit_max_tokens_ratio" << 1.0 << "truncated";
    QTest::newRow("some truncated") << "hit_max_tokens_ratio" << 0.9 << "";
    QTest::newRow("nan loss") << "loss" << std::nan("") << "nonfinite";
    QTest::newRow("judge failures") << "judge_failures" << 2.0 << "judge";
    QTest::newRow("no new judge failures") << "judge_failures" << 0.0 << "";
}

void TestCharts::health() {
    QFETCH(QString, key);
    QFETCH(double, value);
    QFETCH(QString, warning);
    HealthMonitor h;
    // judge_failures is a running total: it grows while verdicts keep failing
    for (int s = 1; s <= 5; ++s) h.add(MetricsRow{s, {{key, key == "judge_failures" ? value * s : value}}});
    h.add(MetricsRow{6, {{"val_" + key, 0.0}}});  // validation rows do not count
    QStringList ids;
    for (const HealthWarning& w : h.warnings()) ids << w.id;
    if (warning.isEmpty()) QVERIFY2(ids.isEmpty(), qPrintable(ids.join(',')));
    else QCOMPARE(ids, QStringList{warning});
}

void TestCharts::healthKlDrift() {
    auto run = [](double kl_slope, double reward_slope) {
        HealthMonitor h;
        for (int s = 0; s < 20; ++s)
            h.add(MetricsRow{s, {{"kl", 0.01 + kl_slope * s}, {"rewards", 0.5 + reward_slope * s + ((s % 2) ? 0.05 : -0.05)}}});
        for (const HealthWarning& w : h.warnings())
            if (w.id == "kl_drift") return true;
        return false;
    };
    QVERIFY(run(0.01, 0.0));    // KL 0.01 -> 0.2, reward flat (noise only)
    QVERIFY(!run(0.01, 0.05));  // reward rises with it: fine
    QVERIFY(!run(0.0, 0.0));    // flat KL
}

void TestCharts::rolloutViewNewestFirstWithFunctions() {
    RolloutView view;
    RolloutRow a;
    a.step = 1;
    a.prompt = "2+2?";
    a.completion = "<answer>4</answer>";
    a.reward = 2.5;
    a.function_rewards = {{"r1_accuracy_reward_func", 2.0}, {"r1_count_xml", 0.5}};
    a.truncated = true;
    RolloutRow b = a;
    b.step = 2;
    view.addRollouts({a, b});
    auto* table = view.findChild<QTableWidget*>("rolloutTable");
    QCOMPARE(table->rowCount(), 2);
    QCOMPARE(table->item(0, 0)->text(), QString("2"));  // newest first
    QStringList headers;
    for (int c = 0; c < table->columnCount(); ++c) headers << table->horizontalHeaderItem(c)->text();
    QCOMPARE(headers, (QStringList{"Step", "Reward", "accuracy", "count_xml", "Advantage", "Trunc.", "Prompt", "Completion"}));
    QCOMPARE(table->item(0, 5)->text(), QString("yes"));
    QList<RolloutRow> many;
    for (int i = 0; i < 300; ++i) many.append(a);
    view.addRollouts(many);
    QCOMPARE(view.rowCount(), RolloutView::kMaxRows);
}

QTEST_MAIN(TestCharts)
#include "tst_charts.moc"
