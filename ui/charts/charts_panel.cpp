#include "charts/charts_panel.h"

#include <QGridLayout>
#include <QLabel>
#include <QResizeEvent>
#include <QScrollArea>
#include <QSlider>
#include <QHBoxLayout>
#include <cmath>
#include <QTimer>
#include <QVBoxLayout>

#include "charts/metric_chart.h"
#include "rl/idle_metrics.h"

namespace rf::ui {

ChartsPanel::ChartsPanel(QWidget* parent) : QWidget(parent) {
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    // smoothing of every chart's training lines (MetricChart::setSmoothing), TensorBoard's default 0.6
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 0, 4, 0);
    m_smoothing_label = new QLabel;
    m_smoothing_label->setObjectName("smoothingLabel");
    m_smoothing = new QSlider(Qt::Horizontal);
    m_smoothing->setObjectName("smoothingSlider");
    m_smoothing->setRange(0, 99);
    m_smoothing->setMaximumWidth(220);
    m_smoothing->setToolTip(tr("Exponential moving average over the reported steps (as TensorBoard draws it); "
                               "the raw values stay as a faint line. 0 = raw only."));
    bar->addStretch(1);
    bar->addWidget(m_smoothing_label);
    bar->addWidget(m_smoothing);
    outer->addLayout(bar);
    connect(m_smoothing, &QSlider::valueChanged, this, [this](int v) { setSmoothing(v / 100.0); });
    auto* scroll = new QScrollArea;
    scroll->setObjectName("chartsScroll");
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* inner = new QWidget;
    m_grid = new QGridLayout(inner);
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setSpacing(6);
    m_empty = new QLabel(tr("Charts appear here as soon as the run reports its first step."));
    m_empty->setObjectName("chartsEmptyLabel");
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setMinimumHeight(120);
    m_grid->addWidget(m_empty, 0, 0);
    for (ChartGroup g : chartGroupsInOrder()) {
        auto* chart = new MetricChart(chartGroupTitle(g), inner);
        chart->setObjectName("chart_" + chartGroupId(g));
        chart->hide();
        connect(chart, &MetricChart::dataAppeared, this, &ChartsPanel::scheduleRelayout);
        m_charts.insert(g, chart);
    }
    scroll->setWidget(inner);
    outer->addWidget(scroll);
    setTrainMode("grpo");
    m_smoothing->setValue(60);
    setSmoothing(0.6);
}

void ChartsPanel::setRunConfig(const RunConfig& cfg) {
    for (auto it = m_charts.begin(); it != m_charts.end(); ++it)
        it.value()->setNote(QString::fromStdString(idle_group_note(it.key(), cfg)));
}

void ChartsPanel::setSmoothing(double weight) {
    const int v = int(std::lround(std::clamp(weight, 0.0, 0.99) * 100));
    if (m_smoothing->value() != v) m_smoothing->setValue(v);  // comes back here through valueChanged
    m_smoothing_label->setText(v == 0 ? tr("Smoothing: off") : tr("Smoothing: %1").arg(v / 100.0, 0, 'f', 2));
    for (MetricChart* chart : std::as_const(m_charts)) chart->setSmoothing(v / 100.0);
}

void ChartsPanel::setTrainMode(const QString& train_mode) {
    m_mode = train_mode;
    MetricChart* loss = m_charts.value(ChartGroup::loss);
    if (train_mode == QLatin1String("grpo"))
        loss->setTitle(tr("Loss (near zero by construction in GRPO: watch the rewards)"));
    else
        loss->setTitle(chartGroupTitle(ChartGroup::loss));
}

void ChartsPanel::setColumns(int columns) {
    m_columns = std::max(1, columns);
    relayout();
}

void ChartsPanel::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    // at least 320 px per chart column
    const int columns = std::clamp(event->size().width() / 320, 1, 3);
    if (columns != m_columns) setColumns(columns);
}

void ChartsPanel::addRows(const QList<MetricsRow>& rows) {
    QList<PendingPoint> points;
    for (const MetricsRow& row : rows) {
        for (auto it = row.values.constBegin(); it != row.values.constEnd(); ++it) {
            const ChartPlacement where = placeMetric(it.key());
            if (where.group != ChartGroup::none) points.append({it.key(), where, double(row.step), it.value()});
        }
    }
    route(points);
}

// Adding a line to a Qt chart costs milliseconds (series, axes, legend marker), and a run's first
// report brings twenty or more. At most kNewLinesPerPass lines are created per pass; the points of
// the others wait (in order) for the next pass of the event loop, so no single event is long.
void ChartsPanel::route(const QList<PendingPoint>& points) {
    int budget = kNewLinesPerPass;
    QList<PendingPoint> later;
    for (const PendingPoint& p : points) {
        MetricChart* chart = m_charts.value(p.where.group);
        if (m_deferred.contains(p.key)) {
            later.append(p);
            continue;
        }
        if (!chart->hasLine(p.key)) {
            if (budget == 0) {
                m_deferred.insert(p.key);
                later.append(p);
                continue;
            }
            --budget;
        }
        chart->addPoint(p.key, p.where, p.step, p.value);
    }
    for (MetricChart* chart : std::as_const(m_charts)) chart->flush();
    m_backlog.append(later);
    if (!m_backlog.isEmpty() && !m_backlog_pending) {
        m_backlog_pending = true;
        QTimer::singleShot(0, this, [this] {
            m_backlog_pending = false;
            const QList<PendingPoint> points = std::exchange(m_backlog, {});
            m_deferred.clear();
            route(points);
        });
    }
}

bool ChartsPanel::idle() const { return m_backlog.isEmpty(); }

void ChartsPanel::clear() {
    m_backlog.clear();
    m_deferred.clear();
    for (MetricChart* chart : std::as_const(m_charts)) chart->clear();
    relayout();
}

// Several charts appear in the same batch: lay them out once, after the batch.
void ChartsPanel::scheduleRelayout() {
    if (m_relayout_pending) return;
    m_relayout_pending = true;
    QTimer::singleShot(0, this, &ChartsPanel::relayout);
}

void ChartsPanel::setStepRange(int total_steps) {
    for (MetricChart* chart : std::as_const(m_charts)) chart->setStepRange(total_steps);
}

void ChartsPanel::relayout() {
    m_relayout_pending = false;
    for (ChartGroup g : chartGroupsInOrder()) m_grid->removeWidget(m_charts.value(g));
    m_grid->removeWidget(m_empty);
    int i = 0;
    for (ChartGroup g : chartGroupsInOrder()) {
        MetricChart* chart = m_charts.value(g);
        chart->setVisible(chart->hasData());
        if (!chart->hasData()) continue;
        m_grid->addWidget(chart, i / m_columns, i % m_columns);
        ++i;
    }
    m_empty->setVisible(i == 0);
    if (i == 0) m_grid->addWidget(m_empty, 0, 0, 1, m_columns);
}

}  // namespace rf::ui
