// Run comparison (issue 20 item 7): several run folders side by side. Chosen metrics are overlaid,
// one chart per metric (MetricChart, smoothed as in the Live Run Panel) with one line per run in
// the run's colour, and the config diff lists every key whose value differs between the runs
// (beta, group_size, grpo_loss_type, learning_rate, …; engine/config/run_config_diff.h, as
// `reinforge-cli compare`; "Show equal keys" lists the rest).
// Run folders are read off the GUI thread (readRunFolder).
#pragma once
#include <QWidget>

#include "run/run_folder.h"

class QCheckBox;
class QDoubleSpinBox;
class QGridLayout;
class QLabel;
class QListWidget;
class QPushButton;
class QTableWidget;

namespace rf::ui {

class MetricChart;

class RunComparison : public QWidget {
    Q_OBJECT
public:
    explicit RunComparison(QWidget* parent = nullptr);

    void addRun(const RunFolder& run);  // a folder already shown is read again (replaced)
    void addRunFolder(const QString& dir);  // reads in the background; emits runAdded or runFailed
    void removeRun(int index);
    int runCount() const { return int(m_runs.size()); }
    const RunFolder& run(int index) const { return m_runs[index]; }

    QStringList metrics() const;          // every metric any run reported, sorted
    QStringList chosenMetrics() const;
    void setChosenMetrics(const QStringList& keys);
    MetricChart* chart(const QString& metric) const;
    QTableWidget* diffTable() const { return m_diff; }
    QString lineKey(int run) const;       // the run's line in every chart (its unique name)
    static QColor runColour(int index);
    static QStringList defaultMetrics(const QStringList& available);

signals:
    void runAdded(const QString& dir);
    void runFailed(const QString& message);

private:
    void rebuildRunList();
    void rebuildMetricList();
    void rebuildCharts();
    void rebuildDiff();
    void addFolderWithDialog();

    QList<RunFolder> m_runs;
    QStringList m_chosen;
    bool m_chosen_by_user = false;
    QList<MetricChart*> m_charts;

    QPushButton* m_add = nullptr;
    QPushButton* m_remove = nullptr;
    QListWidget* m_run_list = nullptr;
    QListWidget* m_metric_list = nullptr;
    QDoubleSpinBox* m_smoothing = nullptr;
    QWidget* m_chart_area = nullptr;
    QGridLayout* m_grid = nullptr;
    QLabel* m_empty = nullptr;
    QCheckBox* m_all_keys = nullptr;
    QTableWidget* m_diff = nullptr;
};

}  // namespace rf::ui
