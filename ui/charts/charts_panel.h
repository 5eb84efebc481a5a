// The charts of the Live Run Panel: one MetricChart per ChartGroup, rewards first, laid out in two
// columns inside a scroll area. A chart appears when its first metric arrives, so each mode shows
// only the charts it reports (PPO has clipping but no per-function rewards, SFT only loss, …).
#pragma once
#include <QHash>
#include <QSet>
#include <QWidget>

#include "charts/chart_groups.h"
#include "config/run_config.h"
#include "run_types.h"

class QGridLayout;
class QLabel;
class QSlider;

namespace rf::ui {

class MetricChart;

class ChartsPanel : public QWidget {
    Q_OBJECT
public:
    explicit ChartsPanel(QWidget* parent = nullptr);

    // The train mode changes the Loss chart's title (GRPO's loss is near zero by construction).
    void setTrainMode(const QString& train_mode);
    // Notes on the charts that cannot move under `cfg` (rl/idle_metrics.h); set when a run starts.
    void setRunConfig(const RunConfig& cfg);
    void addRows(const QList<MetricsRow>& rows);  // bulk: one redraw per chart
    bool idle() const;  // every point given so far is in its chart (see route())
    static constexpr int kNewLinesPerPass = 6;
    void clear();
    void setStepRange(int total_steps);  // x axes span the run (0 = grow with the data)
    MetricChart* chart(ChartGroup g) const { return m_charts.value(g, nullptr); }
    int columns() const { return m_columns; }
    void setColumns(int columns);
    // Smoothing of the training lines of every chart, 0..0.99 (the slider above the charts).
    void setSmoothing(double weight);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    struct PendingPoint {
        QString key;
        ChartPlacement where;
        double step, value;
    };
    void route(const QList<PendingPoint>& points);
    void relayout();
    void scheduleRelayout();

    QHash<ChartGroup, MetricChart*> m_charts;
    QGridLayout* m_grid = nullptr;
    QLabel* m_empty = nullptr;
    QLabel* m_smoothing_label = nullptr;
    QSlider* m_smoothing = nullptr;
    QString m_mode;
    int m_columns = 2;
    bool m_relayout_pending = false;
    QList<PendingPoint> m_backlog;
    QSet<QString> m_deferred;
    bool m_backlog_pending = false;
};

}  // namespace rf::ui
