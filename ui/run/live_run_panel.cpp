#include "run/live_run_panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>
#include <cmath>

#include "charts/charts_panel.h"
#include "run/rollout_view.h"
#include "run/run_progress_bar.h"

namespace rf::ui {

LiveRunPanel::LiveRunPanel(QWidget* parent) : QWidget(parent) {
    setObjectName("liveRunPanel");
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);

    auto* controls = new QHBoxLayout;
    m_train = new QPushButton(tr("Train"));
    m_train->setObjectName("trainButton");
    m_train->setToolTip(tr("Validate the form and start the run (Ctrl+R)"));
    m_train->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_pause = new QPushButton(tr("Pause"));
    m_pause->setObjectName("pauseButton");
    m_pause->setCheckable(true);
    m_pause->setToolTip(tr("Pause after the current step; press again to resume"));
    m_pause->setMinimumWidth(std::max(m_pause->sizeHint().width(),
                                      m_pause->fontMetrics().horizontalAdvance(tr("Resume")) + 24));
    m_stop = new QPushButton(tr("Stop"));
    m_stop->setObjectName("stopButton");
    m_stop->setToolTip(tr("Stop the run; adapters saved so far stay in the run folder"));
    m_preflight = new QPushButton(tr("Preflight…"));
    m_preflight->setObjectName("preflightButton");
    m_preflight->setToolTip(tr("Sample and score the run's first groups without training: do the rewards vary "
                               "within groups, are completions cut off?"));
    m_before_after = new QPushButton(tr("Before / after…"));
    m_before_after->setObjectName("beforeAfterButton");
    m_before_after->setToolTip(tr("The same prompts answered by the base and this run's checkpoints, side by side "
                                  "(also during a run)"));
    m_bar = new RunProgressBar;
    m_bar->setObjectName("runProgress");
    m_bar->setRange(1);
    m_bar->setValue(0);
    m_bar->setFormat(tr("no run"));
    controls->addWidget(m_train);
    controls->addWidget(m_pause);
    controls->addWidget(m_stop);
    controls->addWidget(m_preflight);
    controls->addWidget(m_before_after);
    controls->addWidget(m_bar, 1);
    layout->addLayout(controls);

    // a frameless read-only line, not a QLabel: its text changes with every report and a QLabel
    // would re-run the layout of the whole panel (charts included) each time
    m_status = new QLineEdit(tr("Idle. Fill in the form and press Train."));
    m_status->setObjectName("runStatus");
    m_status->setReadOnly(true);
    m_status->setFrame(false);
    m_status->setFocusPolicy(Qt::ClickFocus);
    m_status->setStyleSheet("QLineEdit { background: transparent; }");
    layout->addWidget(m_status);

    // Health warnings: a box of fixed height (two lines, scrollable), so a warning that comes or
    // goes never resizes the charts (resizing a chart costs more than drawing a report).
    m_warnings = new QListWidget;
    m_warnings->setObjectName("healthWarnings");
    m_warnings->setSelectionMode(QAbstractItemView::NoSelection);
    m_warnings->setFocusPolicy(Qt::NoFocus);
    m_warnings->setTextElideMode(Qt::ElideRight);
    m_warnings->setFixedHeight(2 * (fontMetrics().height() + 4) + 6);
    m_warnings->setToolTip(tr("Health warnings: checks on the latest reports (docs/gui.md lists the rules)"));
    layout->addWidget(m_warnings);

    auto* split = new QSplitter(Qt::Vertical);
    split->setObjectName("runSplitter");
    split->setChildrenCollapsible(false);
    m_charts = new ChartsPanel;
    m_charts->setObjectName("chartsPanel");
    m_tabs = new QTabWidget;
    m_tabs->setObjectName("runTabs");
    m_rollouts = new RolloutView;
    m_rollouts->setObjectName("rolloutView");
    m_log = new QPlainTextEdit;
    m_log->setObjectName("runLog");
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);
    m_tabs->addTab(m_rollouts, tr("Rollouts"));
    m_tabs->addTab(m_log, tr("Log"));
    split->addWidget(m_charts);
    split->addWidget(m_tabs);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    split->setSizes({700, 230});
    layout->addWidget(split, 1);

    connect(m_train, &QPushButton::clicked, this, &LiveRunPanel::trainClicked);
    connect(m_pause, &QPushButton::clicked, this, [this](bool checked) { emit pauseClicked(checked); });
    connect(m_stop, &QPushButton::clicked, this, &LiveRunPanel::stopClicked);
    connect(m_preflight, &QPushButton::clicked, this, &LiveRunPanel::preflightClicked);
    connect(m_before_after, &QPushButton::clicked, this, &LiveRunPanel::beforeAfterClicked);
    setState(State::idle);
}

void LiveRunPanel::setTrainMode(const QString& train_mode) {
    m_charts->setTrainMode(train_mode);
    // preflight previews a scalar reward per completion: GRPO, REINFORCE, RLOO
    m_preflight->setVisible(train_mode == "grpo" || train_mode == "rlhf_reinforce" || train_mode == "rloo");
    m_before_after->setVisible(train_mode != "sft");  // LoRA/DoRA runs of the online modes
}

void LiveRunPanel::setState(State state) {
    // the clock counts running time only, so the ETA ignores pauses
    if (m_state == State::running && state != State::running && m_clock.isValid()) {
        m_active_ms += m_clock.elapsed();
        m_clock.invalidate();
    }
    if (state == State::running && m_state != State::running) m_clock.start();
    m_state = state;
    m_train->setEnabled(state == State::idle);
    m_preflight->setEnabled(state == State::idle);  // it loads the model again: not beside a run
    m_pause->setEnabled(state == State::running || state == State::paused);
    m_pause->setChecked(state == State::paused);
    m_pause->setText(state == State::paused ? tr("Resume") : tr("Pause"));
    m_stop->setEnabled(state == State::running || state == State::paused);
    updateStatus();
}

void LiveRunPanel::startRun(int total_steps, const QString& run_folder) {
    m_charts->clear();
    m_rollouts->clear();
    m_log->clear();
    m_health.clear();
    updateHealth();
    m_progress = RunProgress{};
    m_progress.total = total_steps;
    m_run_folder = run_folder;
    m_active_ms = 0;
    m_clock.invalidate();
    m_charts->setStepRange(total_steps);
    m_bar->setRange(std::max(1, total_steps));
    m_bar->setValue(0);
    m_bar->setFormat(tr("step %v / %m"));
    setState(State::running);
}

void LiveRunPanel::setRunFolder(int total_steps, const QString& run_folder) {
    m_run_folder = run_folder;
    if (total_steps > 0) {
        m_charts->setStepRange(total_steps);
        m_progress.total = total_steps;
        m_bar->setRange(total_steps);
    }
    updateStatus();
}

void LiveRunPanel::addMetrics(const QList<MetricsRow>& rows) {
    m_charts->addRows(rows);
    for (const MetricsRow& r : rows) m_health.add(r);
    updateHealth();
}

void LiveRunPanel::addRollouts(const QList<RolloutRow>& rows) { m_rollouts->addRollouts(rows); }

void LiveRunPanel::appendLog(const QStringList& lines) {
    for (const QString& line : lines) m_log->appendPlainText(line);
}

void LiveRunPanel::setProgress(const RunProgress& progress) {
    m_progress = progress;
    if (progress.total > 0) m_bar->setRange(progress.total);
    m_bar->setValue(std::min(progress.step, m_bar->maximum()));
    updateStatus();
}

void LiveRunPanel::finishRun(const QString& message) {
    setState(State::idle);
    m_status->setText(message);
    m_status->setCursorPosition(0);
}

QString LiveRunPanel::formatEta(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return QStringLiteral("\u2013");
    const qint64 s = qint64(std::llround(seconds));
    if (s >= 3600) return QString("%1:%2:%3").arg(s / 3600).arg((s / 60) % 60, 2, 10, QChar('0')).arg(s % 60, 2, 10, QChar('0'));
    return QString("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
}

void LiveRunPanel::updateStatus() {
    if (m_state == State::idle) return;
    const qint64 active = m_active_ms + (m_clock.isValid() ? m_clock.elapsed() : 0);
    QString eta = QStringLiteral("\u2013");
    if (m_progress.step > 0 && m_progress.total > 0)
        eta = formatEta(double(active) / 1000.0 / m_progress.step * (m_progress.total - m_progress.step));
    QString state = m_state == State::paused ? tr("Paused") : m_state == State::stopping ? tr("Stopping") : tr("Running");
    m_status->setText(tr("%1 \u00b7 step %2 / %3 \u00b7 ETA %4 \u00b7 %5 tok/s \u00b7 lr %6 \u00b7 %7")
                          .arg(state)
                          .arg(m_progress.step)
                          .arg(m_progress.total)
                          .arg(eta)
                          .arg(m_progress.tokens_per_second, 0, 'f', 1)
                          .arg(m_progress.learning_rate, 0, 'g', 3)
                          .arg(m_run_folder));
    m_status->setCursorPosition(0);
}

void LiveRunPanel::updateHealth() {
    const QList<HealthWarning> warnings = m_health.warnings();
    QStringList ids;
    for (const HealthWarning& w : warnings) ids << w.id + w.text;
    if (ids == m_shown_warnings && m_warnings->count() > 0) return;
    m_shown_warnings = ids;
    m_warnings->clear();
    for (const HealthWarning& w : warnings) {
        auto* item = new QListWidgetItem(QStringLiteral("\u26a0 ") + w.text);
        item->setToolTip(w.text);
        item->setData(Qt::UserRole, w.id);
        item->setForeground(QColor("#7a5200"));
        item->setBackground(QColor("#fff4ce"));
        m_warnings->addItem(item);
    }
    if (warnings.isEmpty()) {
        auto* item = new QListWidgetItem(tr("No health warnings."));
        item->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
        m_warnings->addItem(item);
    }
}

}  // namespace rf::ui
