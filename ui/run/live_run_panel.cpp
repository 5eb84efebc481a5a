#include "run/live_run_panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>
#include <cmath>

#include "charts/charts_panel.h"
#include "run/rollout_view.h"

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
    m_stop = new QPushButton(tr("Stop"));
    m_stop->setObjectName("stopButton");
    m_stop->setToolTip(tr("Stop the run; adapters saved so far stay in the run folder"));
    m_bar = new QProgressBar;
    m_bar->setObjectName("runProgress");
    m_bar->setRange(0, 1);
    m_bar->setValue(0);
    m_bar->setFormat(tr("no run"));
    controls->addWidget(m_train);
    controls->addWidget(m_pause);
    controls->addWidget(m_stop);
    controls->addWidget(m_bar, 1);
    layout->addLayout(controls);

    m_status = new QLabel(tr("Idle. Fill in the form and press Train."));
    m_status->setObjectName("runStatus");
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);

    m_warnings = new QLabel;
    m_warnings->setObjectName("healthWarnings");
    m_warnings->setWordWrap(true);
    m_warnings->setStyleSheet("QLabel { background: #fff4ce; color: #5c4400; border: 1px solid #e0c060; "
                              "border-radius: 3px; padding: 4px; }");
    m_warnings->hide();
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
    setState(State::idle);
}

void LiveRunPanel::setTrainMode(const QString& train_mode) { m_charts->setTrainMode(train_mode); }

void LiveRunPanel::setState(State state) {
    // the clock counts running time only, so the ETA ignores pauses
    if (m_state == State::running && state != State::running && m_clock.isValid()) {
        m_active_ms += m_clock.elapsed();
        m_clock.invalidate();
    }
    if (state == State::running && m_state != State::running) m_clock.start();
    m_state = state;
    m_train->setEnabled(state == State::idle);
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
    m_bar->setRange(0, std::max(1, total_steps));
    m_bar->setValue(0);
    m_bar->setFormat(tr("step %v / %m"));
    setState(State::running);
}

void LiveRunPanel::setRunFolder(int total_steps, const QString& run_folder) {
    m_run_folder = run_folder;
    if (total_steps > 0) {
        m_progress.total = total_steps;
        m_bar->setRange(0, total_steps);
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
    if (progress.total > 0) m_bar->setRange(0, progress.total);
    m_bar->setValue(std::min(progress.step, m_bar->maximum()));
    updateStatus();
}

void LiveRunPanel::finishRun(const QString& message) {
    setState(State::idle);
    m_status->setText(message);
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
}

void LiveRunPanel::updateHealth() {
    const QList<HealthWarning> warnings = m_health.warnings();
    QStringList lines;
    for (const HealthWarning& w : warnings) lines << QStringLiteral("\u26a0 ") + w.text;
    m_warnings->setText(lines.join('\n'));
    m_warnings->setVisible(!lines.isEmpty());
}

}  // namespace rf::ui
