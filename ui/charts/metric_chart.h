// One live chart of the Live Run Panel: a QChartView with one line per metric key, drawn against the
// step. Points are added in bulk and pushed to Qt Charts once per batch (flush); long series are
// decimated (Decimator) while CSV export keeps every point. No animations. Hovering a line shows the
// nearest reported value; the context menu exports PNG and CSV; clicking a legend entry hides a line.
#pragma once
#include <QChartView>
#include <QHash>
#include <QString>

#include "charts/chart_groups.h"
#include "charts/decimator.h"

class QLineSeries;
class QValueAxis;

namespace rf::ui {

class MetricChart : public QChartView {
    Q_OBJECT
public:
    explicit MetricChart(const QString& title, QWidget* parent = nullptr);

    void setTitle(const QString& title);
    QString title() const;
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

signals:
    void dataAppeared();  // the first point arrived (the panel shows the chart then)

protected:
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    struct Line {
        QString label;
        Decimator data;
        QLineSeries* series = nullptr;
        bool right_axis = false;
        bool dirty = false;
    };
    Line& lineFor(const QString& key, const ChartPlacement& where);
    void showHover(const QString& key, const QPointF& point, bool state);
    void rescale();
    void exportWithDialog(bool png);

    QValueAxis* m_axis_x = nullptr;
    QValueAxis* m_axis_left = nullptr;
    QValueAxis* m_axis_right = nullptr;  // created with the first right-axis line
    QHash<QString, Line> m_lines;
    Range m_y[2];             // left, right axis
    double m_x_hi = 1;
    int m_fixed_steps = 0;
    QStringList m_order;
};

}  // namespace rf::ui
