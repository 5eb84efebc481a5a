// The rollouts of a run grouped as the trainer saw them: step → group (one prompt's completions) →
// completion, with what the rollout browser shows and filters by. Plain data, no widgets.
//
// A group is the completions of one step that share `group` (rollouts.jsonl's field); rows written
// before that field existed (group -1) are grouped by consecutive equal prompts within a step.
#pragma once
#include <QList>
#include <QMap>

#include "run_types.h"

namespace rf::ui {

struct RolloutGroup {
    int step = 0;
    int group = 0;               // index within the step
    QList<int> rows;             // indexes into RolloutIndex::rows(), in sampling order
    double mean = 0, std = 0;    // of the completions' total rewards (population std, as GRPO)
    double min = 0, max = 0;
    int truncated = 0;           // completions that hit max_completion_length
    int failed = 0;              // completions without signal: a verdict failed / skipped / tie, or a reward is NaN
    bool zeroVariance() const { return rows.size() > 1 ? max - min <= 1e-9 : false; }
};

struct StepSummary {
    int step = 0;
    int groups = 0, completions = 0;
    double mean = 0;             // mean total reward of the step's completions
    double worst = 0;            // the lowest group mean
    int zero_variance = 0, truncated = 0, failed = 0;  // groups with each property
};

struct GroupFilter {
    bool zero_variance = false;  // only groups whose completions all got the same total
    bool truncated = false;      // only groups with a truncated completion
    bool failed = false;         // only groups with a completion without signal
    bool any() const { return zero_variance || truncated || failed; }
    bool passes(const RolloutGroup& g) const {
        return (!zero_variance || g.zeroVariance()) && (!truncated || g.truncated > 0) && (!failed || g.failed > 0);
    }
};

class RolloutIndex {
public:
    // Appends rows (a run reports steps in order). Past `max_rows`, the oldest whole steps are dropped.
    void add(const QList<RolloutRow>& rows);
    void clear();
    void setMaxRows(int max_rows) { m_max_rows = max_rows; }

    const QList<RolloutRow>& rows() const { return m_rows; }
    const QList<RolloutGroup>& groups() const { return m_groups; }
    QList<int> steps() const { return m_step_groups.keys(); }  // ascending
    QList<int> groupsOfStep(int step) const { return m_step_groups.value(step); }  // indexes into groups()
    StepSummary summary(int step) const;
    // The group with the lowest mean total reward among those passing `filter`, in `step` (or every
    // step when step < 0); the first one on a tie, -1 when none passes.
    int worstGroup(const GroupFilter& filter, int step = -1) const;
    // Every reward function name seen, in order of appearance.
    const QStringList& functions() const { return m_functions; }
    static bool withoutSignal(const RolloutRow& r);

private:
    void rebuild();
    void append(int row);
    void finish(RolloutGroup& g) const;

    QList<RolloutRow> m_rows;
    QList<RolloutGroup> m_groups;
    QMap<int, QList<int>> m_step_groups;
    QStringList m_functions;
    int m_max_rows = 50000;  // with their tokens, some 150 MB
};

}  // namespace rf::ui
