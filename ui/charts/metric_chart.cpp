#include "charts/metric_chart.h"

#include <QCursor>
#include <QGraphicsLayout>
#include <QLabel>
#include <QResizeEvent>
#include <QLegendMarker>
#include <QLineSeries>
#include <QToolTip>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

namespace rf::ui {

namespace {

// "12.3", "0.00042", "1.2e+06": short but exact enough for a tooltip or an axis label.
QString shortNumber(double v) { return QString::number(v, 'g', 5); }

// A "nice" tick step (1, 2, 2.5 or 5 times a power of ten) near span / 4.
double niceStep(double span) {
    if (!(span > 0)) return 1.0;
    const double raw = span / 4.0, mag = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 2.5, 5.0})
        if (raw <= m * mag) return m * mag;
    return 10.0 * mag;
}

// [lo, hi] padded and rounded outward to nice ticks; flat lines get a small band around them.
MetricChart::Range niceRange(double lo, double hi) {
    if (hi - lo < 1e-12) {
        const double pad = std::max(std::abs(lo) * 0.05, 1e-3);
        lo -= pad;
        hi += pad;
    }
    const double step = niceStep(hi - lo);
    return {std::floor(lo / step) * step, std::ceil(hi / step) * step, step};
}

}  // namespace

MetricChart::MetricChart(const QString& title, QWidget* parent) : QChartView(parent) {
    auto* chart = new QChart;
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setTitle(title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    QFont legend_font = chart->legend()->font();
    legend_font.setPointSizeF(std::max(7.0, legend_font.pointSizeF() - 1.0));
    chart->legend()->setFont(legend_font);
    chart->legend()->setShowToolTips(true);  // a label cut short by a narrow chart shows whole on hover
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->layout()->setContentsMargins(0, 0, 0, 0);
    chart->setBackgroundRoundness(0);

    m_axis_x = new QValueAxis;
    m_axis_x->setLabelFormat("%d");
    m_axis_x->setRange(0, 1);
    m_axis_x->setTickCount(6);
    m_axis_left = new QValueAxis;
    m_axis_left->setLabelFormat("%.4g");
    m_axis_left->setRange(0, 1);
    chart->addAxis(m_axis_x, Qt::AlignBottom);
    chart->addAxis(m_axis_left, Qt::AlignLeft);
    setChart(chart);
    setRenderHint(QPainter::Antialiasing, false);  // antialiased lines cost several times more to paint
    setMinimumHeight(200);
    setContextMenuPolicy(Qt::DefaultContextMenu);
    setToolTip(tr("Hover a line to read its values; right-click to export PNG or CSV; click a legend entry to "
                  "hide a line."));
}

void MetricChart::setTitle(const QString& title) { chart()->setTitle(title); }

void MetricChart::setNote(const QString& note) {
    if (!m_note) {
        m_note = new QLabel(this);
        m_note->setObjectName("chartNote");
        m_note->setWordWrap(true);
        m_note->setAlignment(Qt::AlignCenter);
        m_note->setStyleSheet("QLabel { background: rgba(255, 255, 255, 215); color: #555; border: 1px solid #ccc; "
                              "border-radius: 3px; padding: 4px; }");
    }
    m_note->setText(note);
    m_note->setVisible(!note.isEmpty());
    QResizeEvent e(size(), size());
    resizeEvent(&e);
}

QString MetricChart::note() const { return m_note && !m_note->isHidden() ? m_note->text() : QString(); }

void MetricChart::resizeEvent(QResizeEvent* event) {
    QChartView::resizeEvent(event);
    if (!m_note || m_note->isHidden()) return;
    const int w = std::max(120, width() - 80);
    m_note->setFixedWidth(w);
    m_note->adjustSize();
    m_note->move((width() - w) / 2, std::max(28, height() / 2 - m_note->height()));
}
QString MetricChart::title() const { return chart()->title(); }

MetricChart::Line& MetricChart::lineFor(const QString& key, const ChartPlacement& where) {
    auto it = m_lines.find(key);
    if (it != m_lines.end()) return *it;

    Line line;
    line.label = legendLabel(key);
    line.right_axis = where.right_axis;
    line.validation = where.validation;
    line.series = new QLineSeries;
    line.series->setName(line.label);
    chart()->addSeries(line.series);
    line.series->attachAxis(m_axis_x);
    if (where.right_axis) {
        if (!m_axis_right) {
            m_axis_right = new QValueAxis;
            m_axis_right->setLabelFormat("%.4g");
            chart()->addAxis(m_axis_right, Qt::AlignRight);
        }
        line.series->attachAxis(m_axis_right);
    } else {
        line.series->attachAxis(m_axis_left);
    }
    QPen pen = line.series->pen();
    pen.setWidthF(1.6);
    if (where.right_axis) pen.setStyle(Qt::DotLine);
    if (where.validation) {
        // the same colour as the training line of that metric, dashed
        if (auto train = m_lines.find(where.base_key); train != m_lines.end()) {
            QColor colour = train->series->pen().color();
            colour.setAlpha(255);  // the training line may be drawn faint behind its smoothed one
            pen.setColor(colour);
        }
        pen.setStyle(Qt::DashLine);
        pen.setWidthF(2.0);
    }
    line.series->setPen(pen);
    connect(line.series, &QLineSeries::hovered, this,
            [this, key](const QPointF& point, bool state) { showHover(key, point, state); });
    const auto markers = chart()->legend()->markers(line.series);
    for (QLegendMarker* marker : markers) {
        connect(marker, &QLegendMarker::clicked, this, [marker] {
            QAbstractSeries* s = marker->series();
            s->setVisible(!s->isVisible());
            marker->setVisible(true);  // keep the entry so the line can be shown again
            marker->setLabelBrush(s->isVisible() ? QBrush(Qt::black) : QBrush(Qt::gray));
        });
    }
    const bool first = m_order.isEmpty();
    m_order.append(key);
    if (!where.validation) {
        // its validation line may have come first (the step-0 evaluation): it takes this colour too
        if (auto val = m_lines.find("val_" + key); val != m_lines.end()) {
            QColor colour = pen.color();
            colour.setAlpha(255);
            QPen vp = val->series->pen();
            vp.setColor(colour);
            val->series->setPen(vp);
        }
    }
    auto inserted = m_lines.insert(key, line);
    applySmoothing(key, *inserted);
    if (first) emit dataAppeared();
    return *inserted;
}

// the debiased EMA of the header comment, one point at a time
void MetricChart::smoothAppend(Line& line, const QPointF& p) {
    if (!std::isfinite(p.y())) return;
    const double w = m_smoothing;
    line.ema = w * line.ema + (1.0 - w) * p.y();
    ++line.ema_n;
    line.smoothed.append(QPointF(p.x(), line.ema / (1.0 - std::pow(w, line.ema_n))));
}

void MetricChart::applySmoothing(const QString& key, Line& line) {
    const bool on = m_smoothing > 0 && !line.validation;
    QPen raw = line.series->pen();
    QColor colour = raw.color();
    if (on && !line.smooth) {
        line.smooth = new QLineSeries;
        line.smooth->setName(line.label);
        chart()->addSeries(line.smooth);
        line.smooth->attachAxis(m_axis_x);
        line.smooth->attachAxis(line.right_axis ? m_axis_right : m_axis_left);
        connect(line.smooth, &QLineSeries::hovered, this,
                [this, key](const QPointF& point, bool state) { showHover(key, point, state); });
        for (QLegendMarker* marker : chart()->legend()->markers(line.smooth)) {
            connect(marker, &QLegendMarker::clicked, this, [this, key, marker] {
                Line& l = m_lines[key];
                const bool show = !l.smooth->isVisible();
                l.smooth->setVisible(show);
                l.series->setVisible(show);
                marker->setVisible(true);
                marker->setLabelBrush(show ? QBrush(Qt::black) : QBrush(Qt::gray));
            });
        }
    } else if (!on && line.smooth) {
        chart()->removeSeries(line.smooth);
        delete line.smooth;
        line.smooth = nullptr;
    }
    if (on) {
        colour.setAlpha(255);
        QPen bold = raw;
        bold.setColor(colour);
        bold.setWidthF(2.0);
        line.smooth->setPen(bold);
        colour.setAlpha(60);  // the raw line, faint behind
        raw.setColor(colour);
        raw.setWidthF(1.0);
        line.smoothed.clear();
        line.ema = 0.0;
        line.ema_n = 0;
        for (const QPointF& p : line.data.raw()) smoothAppend(line, p);
        line.smooth->replace(line.smoothed.display());
    } else if (!line.validation) {
        colour.setAlpha(255);
        raw.setColor(colour);
        raw.setWidthF(1.6);
    }
    line.series->setPen(raw);
    for (QLegendMarker* marker : chart()->legend()->markers(line.series)) marker->setVisible(!on);  // one entry per metric
}

void MetricChart::setLineColour(const QString& key, const QColor& colour) {
    auto it = m_lines.find(key);
    if (it == m_lines.end()) return;
    QPen pen = it->series->pen();
    pen.setColor(colour);
    it->series->setPen(pen);
    applySmoothing(key, *it);  // restyles the raw (faint) and smoothed lines in the new colour
}

void MetricChart::setSmoothing(double weight) {
    const double w = std::clamp(std::isfinite(weight) ? weight : 0.0, 0.0, 0.99);
    if (w == m_smoothing) return;
    m_smoothing = w;
    for (const QString& key : std::as_const(m_order)) applySmoothing(key, m_lines[key]);
}

QList<QPointF> MetricChart::smoothedPoints(const QString& key) const {
    auto it = m_lines.find(key);
    return it == m_lines.end() || !it->smooth ? QList<QPointF>() : it->smoothed.raw();
}

bool MetricChart::rawIsFaint(const QString& key) const {
    auto it = m_lines.find(key);
    return it != m_lines.end() && it->smooth && it->series->pen().color().alpha() < 255;
}

void MetricChart::addPoint(const QString& key, const ChartPlacement& where, double step, double value) {
    Line& line = lineFor(key, where);
    line.data.append(QPointF(step, value));
    if (line.smooth) smoothAppend(line, QPointF(step, value));
    line.dirty = true;
}

void MetricChart::flush() {
    bool any = false;
    for (const QString& key : std::as_const(m_order)) {
        Line& line = m_lines[key];
        if (!line.dirty) continue;
        line.series->replace(line.data.display());
        if (line.smooth) line.smooth->replace(line.smoothed.display());
        line.dirty = false;
        any = true;
    }
    if (any) rescale();
}

// Axes only ever grow during a run, to nice bounds, so most flushes change no axis: an axis change
// makes Qt Charts recompute every attached series, which is the expensive part of an update.
void MetricChart::rescale() {
    double x_hi = 1;
    double lo[2] = {0, 0}, hi[2] = {0, 0};
    bool seen[2] = {false, false};
    for (const QString& key : std::as_const(m_order)) {
        const Line& line = m_lines[key];
        if (line.data.raw().isEmpty()) continue;
        x_hi = std::max(x_hi, line.data.raw().back().x());
        const int a = line.right_axis ? 1 : 0;
        lo[a] = seen[a] ? std::min(lo[a], line.data.minY()) : line.data.minY();
        hi[a] = seen[a] ? std::max(hi[a], line.data.maxY()) : line.data.maxY();
        seen[a] = true;
    }
    if (m_fixed_steps <= 0 && x_hi > m_x_hi) {
        const double step = niceStep(x_hi);
        m_x_hi = std::ceil(x_hi / step) * step;
        m_axis_x->setRange(0, m_x_hi);
    }
    QValueAxis* axes[2] = {m_axis_left, m_axis_right};
    for (int a = 0; a < 2; ++a) {
        if (!seen[a] || !axes[a]) continue;
        Range& r = m_y[a];
        if (r.valid && lo[a] >= r.lo && hi[a] <= r.hi) continue;
        const Range want = niceRange(r.valid ? std::min(lo[a], r.lo) : lo[a], r.valid ? std::max(hi[a], r.hi) : hi[a]);
        r = want;
        r.valid = true;
        // Ticks at multiples of the step, anchored at 0: counted up from r.lo they land on e.g.
        // 1.388e-17 instead of 0 (-0.1 + 0.1 in floating point). The interval is set BEFORE the
        // range: a wide range with the previous (small) interval would lay out millions of ticks.
        const bool sane = r.step > 0 && (r.hi - r.lo) / r.step <= 20;
        axes[a]->setTickType(sane ? QValueAxis::TicksDynamic : QValueAxis::TicksFixed);
        if (sane) {
            axes[a]->setTickAnchor(0.0);
            axes[a]->setTickInterval(r.step);
        }
        axes[a]->setRange(r.lo, r.hi);
    }
}

void MetricChart::setStepRange(int total_steps) {
    m_fixed_steps = total_steps;
    m_x_hi = total_steps > 0 ? total_steps : 1;
    m_axis_x->setRange(0, m_x_hi);
}

void MetricChart::clear() {
    for (const QString& key : std::as_const(m_order)) {
        chart()->removeSeries(m_lines[key].series);
        delete m_lines[key].series;
        if (m_lines[key].smooth) {
            chart()->removeSeries(m_lines[key].smooth);
            delete m_lines[key].smooth;
        }
    }
    m_lines.clear();
    m_order.clear();
    if (m_axis_right) {
        chart()->removeAxis(m_axis_right);
        delete m_axis_right;
        m_axis_right = nullptr;
    }
    m_y[0] = m_y[1] = Range{};
    m_axis_left->setRange(0, 1);
    if (m_fixed_steps <= 0) {
        m_x_hi = 1;
        m_axis_x->setRange(0, 1);
    }
}

QStringList MetricChart::keys() const { return m_order; }

const QList<QPointF>& MetricChart::points(const QString& key) const {
    static const QList<QPointF> empty;
    auto it = m_lines.constFind(key);
    return it == m_lines.constEnd() ? empty : it->data.raw();
}

int MetricChart::displayedCount(const QString& key) const {
    auto it = m_lines.constFind(key);
    return it == m_lines.constEnd() ? 0 : int(it->series->count());
}

void MetricChart::showHover(const QString& key, const QPointF& point, bool state) {
    if (!state) {
        QToolTip::hideText();
        return;
    }
    const Line& line = m_lines[key];
    const auto& raw = line.data.raw();
    if (raw.isEmpty()) return;
    // nearest reported step (steps increase along the series)
    auto it = std::lower_bound(raw.begin(), raw.end(), point.x(),
                               [](const QPointF& p, double x) { return p.x() < x; });
    if (it == raw.end()) --it;
    if (it != raw.begin() && std::abs((it - 1)->x() - point.x()) < std::abs(it->x() - point.x())) --it;
    QToolTip::showText(QCursor::pos(), tr("%1\nstep %2: %3").arg(key).arg(it->x()).arg(shortNumber(it->y())),
                       this);
}

}  // namespace rf::ui
