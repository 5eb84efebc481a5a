// The rollout browser (issue 20 item 3): trend → step → group → completion → tokens, live during a
// run or from a run folder (File ▸ Open run folder…).
//
//   trend      reward per step drawn from the rollouts (mean and worst group); click to pick a step
//   steps      one row per step, newest first: mean reward, worst group mean, how many groups have no
//              variance, a truncated completion, a verdict without signal
//   groups     the step's groups, worst (lowest mean total) first, each with its completions: total,
//              per-function rewards, advantage, truncation, verdict, text. Choosing a step selects
//              its worst group, so the worst group of any step is two clicks away (or "Worst of run")
//   tokens     the selected completion token by token as a heat map (TokenHeatMap)
//
// While the tab is hidden, a live run only grows the index; the views are built when it is shown.
// Filters keep only groups with no variance, with a truncated completion, or with a verdict
// without signal (steps without such a group are hidden).
#pragma once
#include <QWidget>

#include "run/rollout_groups.h"
#include "run/run_folder.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace rf::ui {

class GroupTree;
class MetricChart;
class TokenHeatMap;

class RolloutBrowser : public QWidget {
    Q_OBJECT
public:
    explicit RolloutBrowser(QWidget* parent = nullptr);

    // Live: a run started (clears); rows arrive with every report.
    void startLive(const QString& run_label);
    void setLiveRunFolder(const QString& dir);  // the engine opened the run's folder
    void addRollouts(const QList<RolloutRow>& rows);
    // A run folder read by readRunFolder (replaces what is shown).
    void showRunFolder(const RunFolder& run);
    // Reads `dir` off the GUI thread, then shows it; emits folderLoaded or folderFailed.
    void openRunFolder(const QString& dir);
    QString source() const { return m_source; }

    const RolloutIndex& index() const { return m_index; }
    void setFilter(const GroupFilter& filter);
    GroupFilter filter() const { return m_filter; }
    void selectStep(int step);
    void selectGroup(int group_index);  // an index into index().groups()
    void selectRow(int row);            // an index into index().rows()
    int currentStep() const { return m_step; }
    int currentGroup() const;           // -1 when no group (or a completion of none) is selected
    int currentRow() const;             // -1 when no completion is selected
    QList<int> shownGroups() const;     // the group tree's groups, top to bottom
    TokenHeatMap* heatMap() const { return m_heat; }
    MetricChart* trend() const { return m_trend; }

signals:
    void folderLoaded(const QString& dir);
    void folderFailed(const QString& message);
    void stepChanged(int step);
    void groupChanged(int group_index);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void showEvent(QShowEvent* event) override;

private:
    void resetViews();
    void rebuildViews();
    void appendSteps(int from_step);
    void updateStepRow(int step);
    void applyFilter();
    void fillGroups();
    void showSelection();
    void selectWorstInRun();
    int stepRowOf(int step) const;

    RolloutIndex m_index;
    GroupFilter m_filter;
    QString m_source;
    int m_step = -1;
    int m_last_step = -1;
    bool m_filling = false;
    bool m_stale = false;  // rows arrived while hidden: the views are built on show

    QLabel* m_source_label = nullptr;
    QPushButton* m_open = nullptr;
    QCheckBox* m_follow = nullptr;
    QCheckBox* m_zero = nullptr;
    QCheckBox* m_trunc = nullptr;
    QCheckBox* m_failed = nullptr;
    QPushButton* m_worst_run = nullptr;
    MetricChart* m_trend = nullptr;
    QTableWidget* m_steps = nullptr;
    GroupTree* m_groups = nullptr;
    QLabel* m_header = nullptr;
    QComboBox* m_mode = nullptr;
    TokenHeatMap* m_heat = nullptr;
};

}  // namespace rf::ui
