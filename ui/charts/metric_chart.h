// One live chart of the Live Run Panel: a QChartView with one line per metric key, drawn against the
// step. Points are added in bulk and pushed to Qt Charts once per batch (flush); long series are
// decimated (Decimator) while CSV export keeps every point. No animations. Hovering a line shows the
// nearest reported value; the context menu exports PNG and CSV; clicking a legend entry hides a line.
//
// Smoothing (as TensorBoard and W&B draw it): with a weight w in (0, 1) every training line is also
// drawn smoothed, the debiased exponential moving average
//   s_i = w s_{i-1} + (1 - w) y_i  (s_{-1} = 0),   shown_i = s_i / (1 - w^(i+1)),
// over its reported points, bold and in the legend, while the raw line stays as a faint line behind
// it. Validation lines (sparse, dashed) are never smoothed. w = 0 draws the raw lines only.
#pragma once
#include <QChartView>
#include <QHash>
#include <QString>

#include "charts/chart_groups.h"
#include "charts/decimator.h"

class QLabel;
class QLineSeries;
class QValueAxis;

namespace rf::ui {

class MetricChart : public QChartView {
    Q_OBJECT
public:
    explicit MetricChart(const QString& title, QWidget* parent = nullptr);

    void setTitle(const QString& title);
    QString title() const;
    // A note over the plot (why this chart cannot move in this run's configuration); "" hides it.
    void setNote(const QString& note);
    QString note() const;
    // Buffers one value; nothing is redrawn until flush().
    void addPoint(const QString& key, const ChartPlacement& where, double step, double value);
    // Pushes the buffered points of changed series to the chart and rescales the axes.
    void flush();
    void clear();
    // The x axis spans the whole run (0..total_steps) when it is known; 0 = grow with the data.
    void setStepRange(int total_steps);

    struct Range {
        double lo = 0, hi = 1, step = 0.25;
        bool valid = false;
    };

    QStringList keys() const;                            // in creation order
    bool hasLine(const QString& key) const { return m_lines.contains(key); }
    const QList<QPointF>& points(const QString& key) const;  // every point (empty list when unknown)
    int displayedCount(const QString& key) const;        // points handed to Qt Charts
    bool hasData() const { return !m_order.isEmpty(); }

    // Exports; on failure returns false and sets *error.
    bool exportPng(const QString& path, QString* error = nullptr);
    bool exportCsv(const QString& path, QString* error = nullptr) const;
    QString csv() const;

    // A fixed colour for a line (the run comparison draws each run in the same colour in every chart).
    void setLineColour(const QString& key, const QColor& colour);

    // 0 = off; clamped to [0, 0.99]. Recomputes every smoothed line.
    void setSmoothing(double weight);
    double smoothing() const { return m_smoothing; }
    QList<QPointF> smoothedPoints(const QString& key) const;  // every smoothed point (empty when off)
    bool rawIsFaint(const QString& key) const;                // the raw line drawn faint behind its smoothed one

signals:
    void dataAppeared();  // the first point arrived (the panel shows the chart then)

protected:
    void contextMenuEvent(QContextMenuEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    struct Line {
        QString label;
        Decimator data;
        QLineSeries* series = nullptr;
        bool right_axis = false;
        bool validation = false;
        bool dirty = false;
        // smoothing (training lines only)
        QLineSeries* smooth = nullptr;
        Decimator smoothed;
        double ema = 0.0;
        int ema_n = 0;
    };
    void smoothAppend(Line& line, const QPointF& p);
    void applySmoothing(const QString& key, Line& line);  // adds / removes the smoothed series, styles the raw one
    Line& lineFor(const QString& key, const ChartPlacement& where);
    void showHover(const QString& key, const QPointF& point, bool state);
    void rescale();
    void exportWithDialog(bool png);

    QLabel* m_note = nullptr;
    QValueAxis* m_axis_x = nullptr;
    QValueAxis* m_axis_left = nullptr;
    QValueAxis* m_axis_right = nullptr;  // created with the first right-axis line
    QHash<QString, Line> m_lines;
    Range m_y[2];             // left, right axis
    double m_x_hi = 1;
    int m_fixed_steps = 0;
    double m_smoothing = 0.0;
    QStringList m_order;
};

}  // namespace rf::ui
