// judge: rewards. The run's reward functions act as the judge (SPEC §9), so REINFORCE/RLOO and PPO
// run offline on verifiable tasks:
//   scalar:   score = R = sum_k w_k r_k(prompt, completion, answer, type)
//   pairwise: the completion with the higher R wins; equal R is a tie; `scores` = (R_0, R_1)
// One RewardSet call per batch (pairs are flattened), so a Python reward file is called once a step.
#pragma once
#include <memory>

#include "judge/judge.h"
#include "rewards/reward_set.h"

namespace rf {

class RewardsJudge : public Judge {
public:
    explicit RewardsJudge(std::shared_ptr<RewardSet> rewards) : m_rewards(std::move(rewards)) {}

    std::string name() const override { return "rewards"; }
    std::vector<ScalarVerdict> score(const std::vector<JudgeItem>& items) override;
    std::vector<PairVerdict> compare(const std::vector<PairItem>& items) override;

    // The per-function scores of the last call (for the `<fn>_mean/_std/_coverage` metrics); for
    // compare() the completions are in the order pair 0 A, pair 0 B, pair 1 A, …
    const RewardBatch& last_batch() const { return m_last; }
    RewardSet& rewards() { return *m_rewards; }

private:
    std::shared_ptr<RewardSet> m_rewards;
    RewardBatch m_last;
};

}  // namespace rf
