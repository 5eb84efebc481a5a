// judge: human with human_fallback: rewards — a person who may skip, be away or judge only a share,
// and the reward functions for the rest (issue 20 item 8; PPO pairwise, REINFORCE/RLOO scalar).
//
// Per step a share `human_fraction` of the items (pairs or completions) is asked, chosen by a hash
// of (seed, step, the item's number in the step); each question waits `human_wait_seconds` (0 = as
// long as it takes). An item the person is not asked about, skips, or leaves unanswered goes to the
// fallback judge, in one batch at the end; after a time-out the rest of the step is not asked (the
// person is away). Every verdict is logged under who gave it ("human" or the fallback's name, the
// verdict's `by`), so export-preferences keeps only the person's unless --all. A stop while a
// question is open cancels the step (JudgeCancelled), as with judge: human.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>

#include "judge/human_judge.h"

namespace rf {

struct HumanFallbackOptions {
    double fraction = 1.0;     // human_fraction
    double wait_seconds = 60;  // human_wait_seconds
    uint64_t seed = 0;
};

class FallbackJudge : public Judge {
public:
    // `asker` and `stop` must outlive the judge.
    FallbackJudge(HumanAsker& asker, const std::atomic<bool>& stop, std::unique_ptr<Judge> fallback,
                  HumanFallbackOptions o)
        : m_asker(asker), m_stop(stop), m_fallback(std::move(fallback)), m_opt(o) {}

    std::string name() const override { return "human"; }
    void begin_step(int step) override;
    std::vector<ScalarVerdict> score(const std::vector<JudgeItem>& items) override;
    std::vector<PairVerdict> compare(const std::vector<PairItem>& items) override;

private:
    bool ask_this(int64_t index) const;
    template <class Item, class Verdict, class Answer, class Ask, class Accept, class Fallback>
    std::vector<Verdict> decide(const std::vector<Item>& items, Ask ask, Accept accept, Fallback fallback);

    HumanAsker& m_asker;
    const std::atomic<bool>& m_stop;
    std::unique_ptr<Judge> m_fallback;
    HumanFallbackOptions m_opt;
    int m_step = 0;
    int64_t m_seen = 0;  // items seen in this step (over its micro-batches)
    bool m_away = false;
};

}  // namespace rf
