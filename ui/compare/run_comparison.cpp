#include "compare/run_comparison.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>

#include "charts/chart_groups.h"
#include "charts/metric_chart.h"
#include "config/run_config_diff.h"
#include "form/background.h"

namespace rf::ui {

RunComparison::RunComparison(QWidget* parent) : QWidget(parent) {
    setObjectName("runComparison");
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    auto* split = new QSplitter(Qt::Horizontal);

    auto* side = new QWidget;
    auto* side_layout = new QVBoxLayout(side);
    side_layout->setContentsMargins(0, 0, 0, 0);
    auto* buttons = new QHBoxLayout;
    m_add = new QPushButton(tr("Add run folder\u2026"));
    m_add->setObjectName("compareAddButton");
    m_add->setToolTip(tr("Add a run folder (it holds config.yaml and metrics.jsonl) to the comparison"));
    m_remove = new QPushButton(tr("Remove"));
    m_remove->setObjectName("compareRemoveButton");
    m_remove->setToolTip(tr("Remove the selected run from the comparison"));
    buttons->addWidget(m_add);
    buttons->addWidget(m_remove);
    m_run_list = new QListWidget;
    m_run_list->setObjectName("compareRuns");
    m_metric_list = new QListWidget;
    m_metric_list->setObjectName("compareMetrics");
    m_metric_list->setToolTip(tr("Tick the metrics to overlay: one chart each, one line per run"));
    auto* smooth_row = new QHBoxLayout;
    smooth_row->addWidget(new QLabel(tr("Smoothing")));
    m_smoothing = new QDoubleSpinBox;
    m_smoothing->setObjectName("compareSmoothing");
    m_smoothing->setRange(0.0, 0.99);
    m_smoothing->setSingleStep(0.05);
    m_smoothing->setValue(0.6);
    m_smoothing->setToolTip(tr("Exponential moving average of the training lines, as in the Live Run Panel (0 = raw)"));
    smooth_row->addWidget(m_smoothing, 1);
    side_layout->addLayout(buttons);
    side_layout->addWidget(new QLabel(tr("Runs")));
    side_layout->addWidget(m_run_list, 1);
    side_layout->addWidget(new QLabel(tr("Metrics")));
    side_layout->addWidget(m_metric_list, 3);
    side_layout->addLayout(smooth_row);

    auto* right = new QSplitter(Qt::Vertical);
    right->setChildrenCollapsible(false);
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    m_chart_area = new QWidget;
    m_grid = new QGridLayout(m_chart_area);
    m_grid->setColumnStretch(0, 1);
    m_grid->setColumnStretch(1, 1);
    m_empty = new QLabel(tr("Add two or more run folders (File \u25b8 Add run to comparison\u2026) to overlay their metrics."));
    m_empty->setObjectName("compareEmpty");
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_grid->addWidget(m_empty, 0, 0);
    scroll->setWidget(m_chart_area);
    auto* diff_box = new QWidget;
    auto* diff_layout = new QVBoxLayout(diff_box);
    diff_layout->setContentsMargins(0, 0, 0, 0);
    auto* diff_top = new QHBoxLayout;
    auto* diff_title = new QLabel(tr("<b>What changed</b> (config.yaml of each run)"));
    m_all_keys = new QCheckBox(tr("Show equal keys"));
    m_all_keys->setObjectName("compareAllKeys");
    diff_top->addWidget(diff_title, 1);
    diff_top->addWidget(m_all_keys);
    m_diff = new QTableWidget;
    m_diff->setObjectName("compareDiff");
    m_diff->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_diff->verticalHeader()->setDefaultSectionSize(m_diff->fontMetrics().height() + 6);
    m_diff->horizontalHeader()->setStretchLastSection(true);
    m_diff->verticalHeader()->hide();
    diff_layout->addLayout(diff_top);
    diff_layout->addWidget(m_diff, 1);
    right->addWidget(scroll);
    right->addWidget(diff_box);
    right->setStretchFactor(0, 3);
    right->setStretchFactor(1, 1);
    right->setSizes({560, 190});

    split->addWidget(side);
    split->addWidget(right);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 4);
    split->setSizes({300, 980});
    layout->addWidget(split);

    connect(m_add, &QPushButton::clicked, this, &RunComparison::addFolderWithDialog);
    connect(m_remove, &QPushButton::clicked, this, [this] {
        if (m_run_list->currentRow() >= 0) removeRun(m_run_list->currentRow());
    });
    connect(m_metric_list, &QListWidget::itemChanged, this, [this] {
        QStringList chosen;
        for (int i = 0; i < m_metric_list->count(); ++i)
            if (m_metric_list->item(i)->checkState() == Qt::Checked) chosen << m_metric_list->item(i)->data(Qt::UserRole).toString();
        if (chosen == m_chosen) return;
        m_chosen = chosen;
        m_chosen_by_user = true;
        rebuildCharts();
    });
    connect(m_smoothing, &QDoubleSpinBox::valueChanged, this, [this](double w) {
        for (MetricChart* c : std::as_const(m_charts)) c->setSmoothing(w);
    });
    connect(m_all_keys, &QCheckBox::toggled, this, &RunComparison::rebuildDiff);
    rebuildRunList();
    rebuildDiff();
}

QColor RunComparison::runColour(int index) {
    static const QColor colours[] = {QColor("#1f77b4"), QColor("#d62728"), QColor("#2ca02c"), QColor("#9467bd"),
                                     QColor("#ff7f0e"), QColor("#17becf"), QColor("#8c564b"), QColor("#e377c2")};
    return colours[index % 8];
}

QString RunComparison::lineKey(int index) const {
    const QString name = m_runs[index].name;
    int same = 0;
    for (int i = 0; i < index; ++i) same += m_runs[i].name == name ? 1 : 0;
    return same ? QString("%1 (%2)").arg(name).arg(same + 1) : name;
}

void RunComparison::addRun(const RunFolder& run) {
    bool replaced = false;
    for (RunFolder& r : m_runs)
        if (r.dir == run.dir) {
            r = run;
            replaced = true;
        }
    if (!replaced) m_runs.append(run);
    rebuildRunList();
    rebuildMetricList();
    rebuildCharts();
    rebuildDiff();
}

void RunComparison::addRunFolder(const QString& dir) {
    runInBackground<RunFolder>(this, [dir] { return readRunFolder(dir); },
                               [this](const RunFolder& run, const QString& error) {
                                   if (!error.isEmpty()) {
                                       emit runFailed(error);
                                       return;
                                   }
                                   addRun(run);
                                   emit runAdded(run.dir);
                               });
}

void RunComparison::addFolderWithDialog() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Add run folder to the comparison"));
    if (!dir.isEmpty()) addRunFolder(dir);
}

void RunComparison::removeRun(int index) {
    if (index < 0 || index >= m_runs.size()) return;
    m_runs.removeAt(index);
    rebuildRunList();
    rebuildMetricList();
    rebuildCharts();
    rebuildDiff();
}

void RunComparison::rebuildRunList() {
    m_run_list->clear();
    for (int i = 0; i < m_runs.size(); ++i) {
        const RunFolder& r = m_runs[i];
        auto* item = new QListWidgetItem(lineKey(i));
        QPixmap swatch(12, 12);
        swatch.fill(runColour(i));
        item->setIcon(QIcon(swatch));
        QString tip = r.dir;
        if (r.has_config) tip += tr("\n%1, %2 steps").arg(QString::fromStdString(get_value(r.config, "train_mode")),
                                                         QString::fromStdString(get_value(r.config, "iters")));
        if (!r.problems.isEmpty()) tip += "\n" + r.problems.join('\n');
        item->setToolTip(tip);
        m_run_list->addItem(item);
    }
    m_remove->setEnabled(!m_runs.isEmpty());
}

QStringList RunComparison::metrics() const {
    QSet<QString> keys;
    for (const RunFolder& r : m_runs)
        for (const MetricsRow& row : r.metrics)
            for (auto it = row.values.constBegin(); it != row.values.constEnd(); ++it) keys.insert(it.key());
    QStringList out(keys.begin(), keys.end());
    out.sort();
    return out;
}

QStringList RunComparison::defaultMetrics(const QStringList& available) {
    QStringList out;
    for (const char* k : {"val_r1_accuracy_reward_func_mean", "r1_accuracy_reward_func_mean", "total_rewards_mean",
                          "val_rewards", "rewards", "kl", "loss", "val_loss"})
        if (available.contains(k) && out.size() < 4) out << k;
    return out;
}

QStringList RunComparison::chosenMetrics() const { return m_chosen; }

void RunComparison::setChosenMetrics(const QStringList& keys) {
    m_chosen = keys;
    m_chosen_by_user = true;
    rebuildMetricList();
    rebuildCharts();
}

void RunComparison::rebuildMetricList() {
    const QStringList all = metrics();
    if (!m_chosen_by_user) m_chosen = defaultMetrics(all);
    const QSignalBlocker block(m_metric_list);
    m_metric_list->clear();
    for (const QString& key : all) {
        auto* item = new QListWidgetItem(key);
        item->setToolTip(tr("%1: drawn as \u201c%2\u201d").arg(key, legendLabel(key)));
        item->setData(Qt::UserRole, key);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(m_chosen.contains(key) ? Qt::Checked : Qt::Unchecked);
        m_metric_list->addItem(item);
    }
}

MetricChart* RunComparison::chart(const QString& metric) const {
    for (MetricChart* c : m_charts)
        if (c->property("metric").toString() == metric) return c;
    return nullptr;
}

void RunComparison::rebuildCharts() {
    qDeleteAll(m_charts);
    m_charts.clear();
    const bool show = !m_runs.isEmpty() && !m_chosen.isEmpty();
    m_empty->setVisible(!show);
    if (!show) return;
    const int columns = m_chosen.size() > 1 ? 2 : 1;
    for (int m = 0; m < m_chosen.size(); ++m) {
        const QString key = m_chosen[m];
        const ChartPlacement where = placeMetric(key);
        auto* chart = new MetricChart(QString("%1 \u00b7 %2").arg(legendLabel(key), key));
        chart->setObjectName("compareChart_" + key);
        chart->setProperty("metric", key);
        chart->setMinimumHeight(240);
        // validation metrics are sparse (one point per evaluation): never smoothed
        chart->setSmoothing(where.validation ? 0.0 : m_smoothing->value());
        for (int r = 0; r < m_runs.size(); ++r) {
            const ChartPlacement line{where.group, key, false, false};
            bool any = false;
            for (const MetricsRow& row : m_runs[r].metrics)
                if (auto it = row.values.constFind(key); it != row.values.constEnd() && std::isfinite(*it)) {
                    chart->addPoint(lineKey(r), line, row.step, *it);
                    any = true;
                }
            if (any) chart->setLineColour(lineKey(r), runColour(r));
        }
        chart->flush();
        m_grid->addWidget(chart, 1 + m / columns, m % columns);
        m_charts << chart;
    }
}

void RunComparison::rebuildDiff() {
    std::vector<RunConfig> configs;
    QStringList names;
    for (int i = 0; i < m_runs.size(); ++i) {
        configs.push_back(m_runs[i].config);
        names << lineKey(i);
    }
    const std::vector<ConfigDiffRow> rows = config_diff(configs, m_all_keys->isChecked());
    m_diff->clear();
    m_diff->setColumnCount(1 + int(names.size()));
    m_diff->setHorizontalHeaderLabels(QStringList{tr("Key")} + names);
    for (int i = 0; i < names.size(); ++i) m_diff->horizontalHeaderItem(1 + i)->setForeground(runColour(i));
    m_diff->setRowCount(int(rows.size()));
    for (int r = 0; r < int(rows.size()); ++r) {
        auto* key = new QTableWidgetItem(QString::fromStdString(rows[r].key));
        QFont f = key->font();
        f.setBold(rows[r].differs);
        key->setFont(f);
        m_diff->setItem(r, 0, key);
        for (int c = 0; c < int(rows[r].values.size()); ++c) {
            const QString value = QString::fromStdString(rows[r].values[c]);
            auto* item = new QTableWidgetItem(value);
            item->setToolTip(value);
            if (!rows[r].differs) item->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
            else if (rows[r].values[c] != rows[r].values.front()) item->setBackground(QColor("#fff4ce"));
            m_diff->setItem(r, 1 + c, item);
        }
    }
    m_diff->resizeColumnsToContents();
    for (int c = 0; c < m_diff->columnCount(); ++c) m_diff->setColumnWidth(c, std::min(m_diff->columnWidth(c), 360));
}

}  // namespace rf::ui
