// The groups of one step in the rollout browser: one bold row per group (mean total, truncated
// completions, notes such as "no variance", the prompt and answer), its completions below it
// (total, advantage, truncation, verdict, text, then one column per reward function). Worst group first; every
// column sorts by its number. A group with no variance is shaded amber.
#pragma once
#include <QTreeWidget>

#include "run/rollout_groups.h"

namespace rf::ui {

class GroupTree : public QTreeWidget {
    Q_OBJECT
public:
    explicit GroupTree(QWidget* parent = nullptr);

    // Shows the groups of `step` passing `filter`; selects the completion `keep_row` or the group
    // `keep_group` when shown, else the worst group. Emits no currentItemChanged while filling.
    void fill(const RolloutIndex& index, int step, const GroupFilter& filter, int keep_row, int keep_group);
    int currentGroup() const;  // index into RolloutIndex::groups(), -1 when none
    int currentRow() const;    // index into RolloutIndex::rows(), -1 when a group (or nothing) is selected
    QList<int> shownGroups() const;
    bool selectGroup(int group_index);
    bool selectRow(int row);

signals:
    void selectionMoved();  // the user (or a select*) changed the current item
};

// Helpers shared by the browser's views.
QString rolloutNumber(double v);                            // 4 significant digits, "–" for NaN
QString rolloutOneLine(const QString& text, int max_chars = 160);
QString rewardFunctionShortName(QString fn);                // r1_accuracy_reward_func → accuracy

}  // namespace rf::ui
