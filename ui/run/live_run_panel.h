// The right-hand side of the Train tab: Train / Pause / Stop, a progress bar with step, ETA and
// tokens/s, health warnings, the charts, and below them the latest rollouts and the run log.
// It only displays what it is given; app/bridge_controller feeds it and listens to its buttons.
#pragma once
#include <QElapsedTimer>
#include <QWidget>

#include "run/health_monitor.h"
#include "run_types.h"

class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;

namespace rf::ui {

class ChartsPanel;
class RolloutView;
class RunProgressBar;

class LiveRunPanel : public QWidget {
    Q_OBJECT
public:
    enum class State { idle, running, paused, stopping };

    explicit LiveRunPanel(QWidget* parent = nullptr);

    void setTrainMode(const QString& train_mode);
    void setState(State state);
    State state() const { return m_state; }
    void startRun(int total_steps, const QString& run_folder);  // clears charts, rollouts, log
    void setRunFolder(int total_steps, const QString& run_folder);  // when the engine opened the run
    QString runFolder() const { return m_run_folder; }              // "" before the first run
    void addMetrics(const QList<MetricsRow>& rows);
    void addRollouts(const QList<RolloutRow>& rows);
    void appendLog(const QStringList& lines);
    void setProgress(const RunProgress& progress);
    void finishRun(const QString& message);  // back to idle with a final status line

    ChartsPanel* charts() const { return m_charts; }
    RolloutView* rollouts() const { return m_rollouts; }
    QList<HealthWarning> warnings() const { return m_health.warnings(); }
    static QString formatEta(double seconds);

signals:
    void trainClicked();
    void pauseClicked(bool pause);  // true = pause, false = resume
    void stopClicked();
    void preflightClicked();
    void beforeAfterClicked();

private:
    void updateStatus();
    void updateHealth();

    State m_state = State::idle;
    RunProgress m_progress;
    QElapsedTimer m_clock;
    qint64 m_active_ms = 0;  // running time without pauses, up to m_clock's last restart
    QString m_run_folder;
    HealthMonitor m_health;

    QPushButton* m_train = nullptr;
    QPushButton* m_pause = nullptr;
    QPushButton* m_stop = nullptr;
    QPushButton* m_preflight = nullptr;
    QPushButton* m_before_after = nullptr;
    RunProgressBar* m_bar = nullptr;
    QLineEdit* m_status = nullptr;
    QListWidget* m_warnings = nullptr;
    QStringList m_shown_warnings;
    ChartsPanel* m_charts = nullptr;
    QTabWidget* m_tabs = nullptr;
    RolloutView* m_rollouts = nullptr;
    QPlainTextEdit* m_log = nullptr;
};

}  // namespace rf::ui
