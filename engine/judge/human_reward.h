// A person as one weighted reward among the reward functions (reward_functions: [..., human]; GRPO,
// and REINFORCE/RLOO/PPO with judge: rewards). Installed into the RewardSet as its `human` scorer.
//
// Per step, a share `human_fraction` of the groups (group_size consecutive completions of one
// prompt) is chosen by a hash of (seed, step, the group's number in the step), so a resumed or
// repeated step asks about the same groups. The person scores each completion of a chosen group
// 0..10 (the judging dialog, or the terminal); the column is score / 10. A group counts only whole:
// one skipped completion and the group's column is NaN (no signal from the person, the other
// functions still score it), since a partly scored group would compare scored with unscored
// completions. Unchosen groups are NaN too.
//
// Never blocking unless asked to: each question waits at most `human_wait_seconds` (0 = as long as
// it takes); a question left unanswered counts as skipped, and the rest of the step's questions are
// not asked (the person is away). The run's stop flag while a question is open → JudgeCancelled,
// as with judge: human. Every answer, skips and time-outs included, is a scalar verdict of judge
// "human" in judgments.jsonl; export-preferences turns each group's best and worst into a pair.
#pragma once
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "judge/human_judge.h"
#include "judge/judge_runner.h"
#include "rewards/reward_function.h"

namespace rf {

struct HumanRewardOptions {
    int group_size = 1;
    double fraction = 1.0;     // human_fraction, 0..1
    double wait_seconds = 0;   // human_wait_seconds; 0 = wait for the answer
    uint64_t seed = 0;
};

class HumanRewardScorer {
public:
    // `asker`, `stop` and `log` (may be null) must outlive the scorer.
    HumanRewardScorer(HumanAsker& asker, const std::atomic<bool>& stop, JudgmentLog* log, HumanRewardOptions o)
        : m_asker(asker), m_stop(stop), m_log(log), m_opt(o) {}

    // Before each step (ask = true) or evaluation (ask = false: the person is never asked there).
    void begin_step(int step, bool ask);
    // Whether group `group` (its number in the step) of step `step` is one the person is asked about.
    bool chosen(int step, int64_t group) const;
    // The ExternalRewardScorer: one value per completion (score / 10, or NaN).
    std::vector<float> operator()(const Strings& prompts, const Strings& completions, const Strings& answers,
                                  const Strings& types);

private:
    HumanAsker& m_asker;
    const std::atomic<bool>& m_stop;
    JudgmentLog* m_log;
    HumanRewardOptions m_opt;
    int m_step = 0;
    bool m_ask = false;
    bool m_away = false;      // a question of this step timed out
    int64_t m_groups = 0;     // groups seen in this step (over its micro-batches)
};

}  // namespace rf
