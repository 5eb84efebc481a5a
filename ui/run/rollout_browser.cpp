#include "run/rollout_browser.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QGraphicsSceneMouseEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMouseEvent>
#include <QPushButton>
#include <QShowEvent>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>

#include "charts/metric_chart.h"
#include "form/background.h"
#include "run/group_tree.h"
#include "run/token_heat_map.h"

namespace rf::ui {

namespace {

QString num(double v) { return rolloutNumber(v); }

}  // namespace

RolloutBrowser::RolloutBrowser(QWidget* parent) : QWidget(parent) {
    setObjectName("rolloutBrowser");
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);

    auto* top = new QHBoxLayout;
    m_open = new QPushButton(tr("Open run folder\u2026"));
    m_open->setObjectName("browserOpenButton");
    m_open->setToolTip(tr("Browse the rollouts of a finished or running run (its rollouts.jsonl)"));
    m_source_label = new QLabel(tr("No run yet: press Train, or open a run folder."));
    m_source_label->setObjectName("browserSource");
    m_source_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_follow = new QCheckBox(tr("Follow the latest step"));
    m_follow->setObjectName("followLatest");
    m_follow->setChecked(true);
    m_follow->setToolTip(tr("During a run, show each new step as it arrives"));
    top->addWidget(m_open);
    top->addWidget(m_source_label, 1);
    top->addWidget(m_follow);
    layout->addLayout(top);

    auto* filters = new QHBoxLayout;
    filters->addWidget(new QLabel(tr("Only groups:")));
    m_zero = new QCheckBox(tr("with no variance"));
    m_zero->setObjectName("filterZeroVariance");
    m_zero->setToolTip(tr("Every completion got the same total reward: the group's advantages are 0, it teaches nothing"));
    m_trunc = new QCheckBox(tr("with a truncated completion"));
    m_trunc->setObjectName("filterTruncated");
    m_trunc->setToolTip(tr("A completion hit max_completion_length"));
    m_failed = new QCheckBox(tr("with a verdict without signal"));
    m_failed->setObjectName("filterFailed");
    m_failed->setToolTip(tr("A judge's verdict failed, was skipped or tied, or a reward function returned no value"));
    m_worst_run = new QPushButton(tr("Worst group of the run"));
    m_worst_run->setObjectName("worstInRunButton");
    m_worst_run->setToolTip(tr("Select the group with the lowest mean total reward over every step (filters apply)"));
    filters->addWidget(m_zero);
    filters->addWidget(m_trunc);
    filters->addWidget(m_failed);
    filters->addStretch(1);
    filters->addWidget(m_worst_run);
    layout->addLayout(filters);

    auto* vsplit = new QSplitter(Qt::Vertical);
    vsplit->setObjectName("browserSplitter");
    vsplit->setChildrenCollapsible(false);
    auto* hsplit = new QSplitter(Qt::Horizontal);
    hsplit->setChildrenCollapsible(false);

    auto* left = new QWidget;
    auto* left_layout = new QVBoxLayout(left);
    left_layout->setContentsMargins(0, 0, 0, 0);
    m_trend = new MetricChart(tr("Reward per step (click a step)"));
    m_trend->setObjectName("browserTrend");
    m_trend->setMinimumHeight(150);
    m_trend->setMaximumHeight(230);
    m_trend->viewport()->installEventFilter(this);
    m_steps = new QTableWidget(0, 6);
    m_steps->setObjectName("browserSteps");
    m_steps->setHorizontalHeaderLabels({tr("Step"), tr("Mean"), tr("Worst"), tr("No var."), tr("Trunc."), tr("No signal")});
    const QStringList step_tips{tr("Optimizer step"), tr("Mean total reward of the step's completions"),
                                tr("The lowest group mean of the step"), tr("Groups whose completions all got the same total"),
                                tr("Groups with a truncated completion"), tr("Groups with a verdict without signal")};
    for (int c = 0; c < step_tips.size(); ++c) m_steps->horizontalHeaderItem(c)->setToolTip(step_tips[c]);
    m_steps->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_steps->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_steps->setSelectionMode(QAbstractItemView::SingleSelection);
    m_steps->verticalHeader()->hide();
    m_steps->verticalHeader()->setDefaultSectionSize(m_steps->fontMetrics().height() + 6);
    m_steps->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    left_layout->addWidget(m_trend);
    left_layout->addWidget(m_steps, 1);

    m_groups = new GroupTree;
    hsplit->addWidget(left);
    hsplit->addWidget(m_groups);
    hsplit->setStretchFactor(0, 2);
    hsplit->setStretchFactor(1, 5);
    hsplit->setSizes({380, 900});

    auto* detail = new QWidget;
    auto* detail_layout = new QVBoxLayout(detail);
    detail_layout->setContentsMargins(0, 0, 0, 0);
    auto* detail_top = new QHBoxLayout;
    m_header = new QLabel(tr("Select a completion to read it token by token."));
    m_header->setObjectName("browserHeader");
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_mode = new QComboBox;
    m_mode->setObjectName("heatMapMode");
    m_mode->addItem(tr("Colour: log-prob (white sure, red unlikely)"));
    m_mode->addItem(tr("Colour: advantage (green +, red \u2212)"));
    m_mode->setToolTip(tr("Log-prob: under the policy that sampled the token, shaded by 1 \u2212 p.\n"
                          "Advantage: the completion's advantage, which the loss gives each of its tokens."));
    detail_top->addWidget(m_header, 1);
    detail_top->addWidget(m_mode, 0, Qt::AlignTop);
    m_heat = new TokenHeatMap;
    detail_layout->addLayout(detail_top);
    detail_layout->addWidget(m_heat, 1);

    vsplit->addWidget(hsplit);
    vsplit->addWidget(detail);
    vsplit->setStretchFactor(0, 3);
    vsplit->setStretchFactor(1, 2);
    vsplit->setSizes({430, 300});
    layout->addWidget(vsplit, 1);

    connect(m_open, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Open run folder"));
        if (!dir.isEmpty()) openRunFolder(dir);
    });
    for (QCheckBox* box : {m_zero, m_trunc, m_failed})
        connect(box, &QCheckBox::toggled, this, [this] {
            m_filter = {m_zero->isChecked(), m_trunc->isChecked(), m_failed->isChecked()};
            applyFilter();
        });
    connect(m_worst_run, &QPushButton::clicked, this, &RolloutBrowser::selectWorstInRun);
    connect(m_steps, &QTableWidget::itemSelectionChanged, this, [this] {
        const auto rows = m_steps->selectionModel()->selectedRows();
        if (rows.isEmpty() || m_filling) return;
        const int step = m_steps->item(rows.front().row(), 0)->data(Qt::UserRole).toInt();
        if (step != m_last_step) m_follow->setChecked(false);  // the user went back in time
        selectStep(step);
    });
    connect(m_groups, &GroupTree::selectionMoved, this, &RolloutBrowser::showSelection);
    // reading a completion of the newest step: a new step must not take it away
    connect(m_groups, &QTreeWidget::itemClicked, this, [this] { m_follow->setChecked(false); });
    connect(m_mode, &QComboBox::currentIndexChanged, this, [this](int i) {
        m_heat->setMode(i == 1 ? TokenHeatMap::Mode::advantage : TokenHeatMap::Mode::logprob);
    });
    resetViews();
}

void RolloutBrowser::resetViews() {
    m_step = m_last_step = -1;
    m_trend->clear();
    m_steps->setRowCount(0);
    m_groups->clear();
    m_heat->clearRollout();
    m_header->setText(tr("Select a completion to read it token by token."));
}

void RolloutBrowser::startLive(const QString& run_label) {
    m_index.clear();
    m_stale = false;
    m_source = QStringLiteral("live");
    m_source_label->setText(tr("Live run %1").arg(run_label));
    m_follow->setChecked(true);
    resetViews();
}

void RolloutBrowser::setLiveRunFolder(const QString& dir) {
    if (m_source == QLatin1String("live")) m_source_label->setText(tr("Live run \u00b7 %1").arg(dir));
}

void RolloutBrowser::addRollouts(const QList<RolloutRow>& rows) {
    if (rows.isEmpty()) return;
    const int first_before = m_index.steps().isEmpty() ? -1 : m_index.steps().front();
    m_index.add(rows);
    // the oldest steps were dropped (RolloutIndex's cap): the indexes moved, build again
    if (first_before >= 0 && m_index.steps().front() != first_before) m_stale = true;
    // while the tab is not shown, only the index grows; the views are built when it is shown
    if (!isVisible()) {
        m_stale = true;
        return;
    }
    if (m_stale) rebuildViews();
    else appendSteps(rows.front().step);
}

void RolloutBrowser::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (m_stale) rebuildViews();
}

void RolloutBrowser::rebuildViews() {
    m_stale = false;
    const int step = m_step;
    resetViews();
    appendSteps(-1);
    if (step >= 0 && !(m_source == QLatin1String("live") && m_follow->isChecked())) selectStep(step);
}

void RolloutBrowser::showRunFolder(const RunFolder& run) {
    m_index.clear();
    m_source = run.dir;
    m_source_label->setText(tr("%1 \u00b7 %n completion(s)", "", int(run.rollouts.size())).arg(run.dir));
    m_source_label->setToolTip(run.problems.join('\n'));
    m_follow->setChecked(false);
    m_stale = false;
    resetViews();
    m_index.add(run.rollouts);
    appendSteps(-1);
    if (!m_index.steps().isEmpty()) selectStep(m_index.steps().back());
}

void RolloutBrowser::openRunFolder(const QString& dir) {
    m_source_label->setText(tr("Reading %1\u2026").arg(dir));
    runInBackground<RunFolder>(this, [dir] { return readRunFolder(dir); },
                               [this, dir](const RunFolder& run, const QString& error) {
                                   if (!error.isEmpty()) {
                                       m_source_label->setText(error);
                                       emit folderFailed(error);
                                       return;
                                   }
                                   showRunFolder(run);
                                   emit folderLoaded(run.dir);
                               });
}

// The table is sorted newest first and new steps arrive newest: scan from the top.
int RolloutBrowser::stepRowOf(int step) const {
    for (int r = 0; r < m_steps->rowCount(); ++r) {
        const int here = m_steps->item(r, 0)->data(Qt::UserRole).toInt();
        if (here == step) return r;
        if (here < step) break;
    }
    return -1;
}

// Adds (newest first) or refreshes the rows of every step >= from_step, and their trend points.
void RolloutBrowser::appendSteps(int from_step) {
    m_filling = true;
    const QList<int> steps = m_index.steps();
    for (int step : steps) {
        if (step < from_step) continue;
        updateStepRow(step);
    }
    m_trend->flush();
    m_filling = false;
    applyFilter();
    if (!steps.isEmpty()) m_last_step = steps.back();
    if (m_source == QLatin1String("live") && m_follow->isChecked() && m_last_step >= 0 && m_last_step != m_step)
        selectStep(m_last_step);
}

void RolloutBrowser::updateStepRow(int step) {
    const StepSummary s = m_index.summary(step);
    int r = stepRowOf(step);
    if (r < 0) {
        r = 0;
        while (r < m_steps->rowCount() && m_steps->item(r, 0)->data(Qt::UserRole).toInt() > step) ++r;
        m_steps->insertRow(r);
        for (int c = 0; c < m_steps->columnCount(); ++c) {
            auto* item = new QTableWidgetItem;
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_steps->setItem(r, c, item);
        }
        m_steps->item(r, 0)->setData(Qt::UserRole, step);
    }
    const QStringList texts{QString::number(step), num(s.mean), num(s.worst), QString::number(s.zero_variance),
                            QString::number(s.truncated), QString::number(s.failed)};
    for (int c = 0; c < texts.size(); ++c) m_steps->item(r, c)->setText(texts[c]);
    m_steps->item(r, 0)->setToolTip(tr("Step %1: %2 groups, %3 completions").arg(step).arg(s.groups).arg(s.completions));
    const ChartPlacement where{ChartGroup::rewards, QString(), false, false};
    if (std::isfinite(s.mean)) m_trend->addPoint(tr("mean"), where, step, s.mean);
    if (std::isfinite(s.worst)) m_trend->addPoint(tr("worst group"), where, step, s.worst);
}

void RolloutBrowser::applyFilter() {
    for (int r = 0; r < m_steps->rowCount(); ++r) {
        const int step = m_steps->item(r, 0)->data(Qt::UserRole).toInt();
        m_steps->setRowHidden(r, m_filter.any() && m_index.worstGroup(m_filter, step) < 0);
    }
    if (m_step >= 0) fillGroups();
}

void RolloutBrowser::setFilter(const GroupFilter& filter) {
    const QSignalBlocker a(m_zero), b(m_trunc), c(m_failed);
    m_zero->setChecked(filter.zero_variance);
    m_trunc->setChecked(filter.truncated);
    m_failed->setChecked(filter.failed);
    m_filter = filter;
    applyFilter();
}

void RolloutBrowser::selectStep(int step) {
    if (!m_index.groupsOfStep(step).size()) return;
    m_step = step;
    const int r = stepRowOf(step);
    if (r >= 0 && (m_steps->selectionModel()->selectedRows().isEmpty() ||
                   m_steps->selectionModel()->selectedRows().front().row() != r)) {
        m_filling = true;
        m_steps->selectRow(r);
        m_filling = false;
    }
    fillGroups();
    emit stepChanged(step);
}

void RolloutBrowser::fillGroups() { m_groups->fill(m_index, m_step, m_filter, currentRow(), currentGroup()); showSelection(); }

int RolloutBrowser::currentGroup() const { return m_groups->currentGroup(); }
int RolloutBrowser::currentRow() const { return m_groups->currentRow(); }
QList<int> RolloutBrowser::shownGroups() const { return m_groups->shownGroups(); }

void RolloutBrowser::selectGroup(int group_index) {
    if (group_index < 0 || group_index >= m_index.groups().size()) return;
    if (m_index.groups()[group_index].step != m_step) selectStep(m_index.groups()[group_index].step);
    m_groups->selectGroup(group_index);
}

void RolloutBrowser::selectRow(int row) {
    if (row < 0 || row >= m_index.rows().size()) return;
    if (m_index.rows()[row].step != m_step) selectStep(m_index.rows()[row].step);
    m_groups->selectRow(row);
}

void RolloutBrowser::selectWorstInRun() {
    const int gi = m_index.worstGroup(m_filter);
    if (gi < 0) return;
    m_follow->setChecked(false);
    selectGroup(gi);
}

// The header and heat map of the selected completion (or, for a group, its first completion).
void RolloutBrowser::showSelection() {
    const int gi = currentGroup();
    if (gi < 0) {
        m_heat->clearRollout();
        m_header->setText(m_step >= 0 ? tr("No group of step %1 passes the filters.").arg(m_step)
                                      : tr("Select a completion to read it token by token."));
        return;
    }
    const RolloutGroup& g = m_index.groups()[gi];
    int ri = currentRow();
    if (ri < 0) ri = g.rows.front();
    const RolloutRow& r = m_index.rows()[ri];
    double scale = 0;
    for (int i : g.rows) scale = std::max(scale, std::fabs(m_index.rows()[i].advantage));
    QStringList fns;
    for (auto it = r.function_rewards.constBegin(); it != r.function_rewards.constEnd(); ++it)
        fns << QString("%1 %2").arg(rewardFunctionShortName(it.key()).toHtmlEscaped(), num(it.value()));
    m_header->setText(tr("<b>Step %1 \u00b7 group %2 \u00b7 completion %3 of %4</b> \u00b7 total %5 \u00b7 advantage %6%7%8"
                         "<br>%9<br><b>Prompt:</b> %10%11")
                          .arg(r.step)
                          .arg(g.group + 1)
                          .arg(g.rows.indexOf(ri) + 1)
                          .arg(g.rows.size())
                          .arg(num(r.reward), num(r.advantage))
                          .arg(r.truncated ? tr(" \u00b7 <i>truncated</i>") : QString())
                          .arg(r.verdict.isEmpty() ? QString() : tr(" \u00b7 verdict <i>%1</i>").arg(r.verdict.toHtmlEscaped()))
                          .arg(fns.join(" \u00b7 "))
                          .arg(rolloutOneLine(r.prompt, 300).toHtmlEscaped())
                          .arg(r.answer.isEmpty() ? QString() : tr(" \u00b7 <b>answer:</b> %1").arg(r.answer.toHtmlEscaped())));
    m_heat->setRollout(r, scale);
    emit groupChanged(gi);
}

bool RolloutBrowser::eventFilter(QObject* watched, QEvent* event) {
    // a click on the trend picks the step nearest to it
    if (watched == m_trend->viewport() && event->type() == QEvent::MouseButtonPress && !m_index.steps().isEmpty()) {
        const auto* me = static_cast<QMouseEvent*>(event);
        const QPointF value = m_trend->chart()->mapToValue(m_trend->chart()->mapFromScene(m_trend->mapToScene(me->position().toPoint())));
        int best = m_index.steps().front();
        for (int s : m_index.steps())
            if (std::fabs(s - value.x()) < std::fabs(best - value.x())) best = s;
        m_follow->setChecked(best == m_last_step && m_follow->isChecked());
        selectStep(best);
        return false;
    }
    return QWidget::eventFilter(watched, event);
}

}  // namespace rf::ui
