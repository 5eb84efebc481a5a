// judge: human. The engine asks a person through HumanAsker, a Qt-free interface:
//   - the GUI implements it with the judging dialog (app/, a promise/future answered on the GUI thread),
//   - the CLI with a terminal prompt (app/cli_human_judge.h),
//   - tests with ScriptedAsker below.
// Pairwise: A / B / tie / skip. Scalar: 0..10 or skip. A/B order is randomised by judge_pairs()
// (judge_runner.h) before the asker sees the pair.
//
// Stopping never deadlocks: every m_ask* receives the run's stop flag and must return std::nullopt
// within ~100 ms of it becoming true; HumanJudge then throws JudgeCancelled. Each verdict is reported
// (Judge::report) the moment the person gives it, so judgments.jsonl holds it even when the rest of
// the batch is cancelled.
#pragma once
#include <atomic>
#include <deque>
#include <mutex>
#include <optional>

#include "judge/judge.h"

namespace rf {

struct ScalarAnswer {
    bool skip = false;
    float score = 0.0f;  // 0..10 when !skip
};

class HumanAsker {
public:
    virtual ~HumanAsker() = default;
    // `index` counts from 0 within the batch of `count` questions of this step ("verdict index+1 of
    // count"). Return std::nullopt only when `stop` became true while waiting.
    virtual std::optional<Winner> ask_pair(const PairItem& item, int index, int count,
                                           const std::atomic<bool>& stop) = 0;
    virtual std::optional<ScalarAnswer> ask_scalar(const JudgeItem& item, int index, int count,
                                                   const std::atomic<bool>& stop) = 0;
};

class HumanJudge : public Judge {
public:
    // Both references must outlive the judge. `stop` is the run's stop flag.
    HumanJudge(HumanAsker& asker, const std::atomic<bool>& stop) : m_asker(asker), m_stop(stop) {}

    std::string name() const override { return "human"; }
    // Throw JudgeCancelled when stopped; an answer outside 0..10 is an InternalError (askers validate).
    std::vector<ScalarVerdict> score(const std::vector<JudgeItem>& items) override;
    std::vector<PairVerdict> compare(const std::vector<PairItem>& items) override;

private:
    HumanAsker& m_asker;
    const std::atomic<bool>& m_stop;
};

// Answers from a script, in order; for tests (engine and GUI). When the script runs out it waits,
// polling `stop`, like a person who does not answer; push() may add answers from another thread.
class ScriptedAsker : public HumanAsker {
public:
    struct Answer {
        Winner winner = Winner::skip;  // for ask_pair
        ScalarAnswer scalar;           // for ask_scalar
    };
    ScriptedAsker() = default;
    explicit ScriptedAsker(std::vector<Answer> answers);
    static Answer pair(Winner w) { return {w, {}}; }
    static Answer scalar(float score) { return {Winner::skip, {false, score}}; }
    static Answer scalar_skip() { return {Winner::skip, {true, 0.0f}}; }

    void push(Answer a);
    // The questions seen so far: the completions shown (pairwise: A then B; scalar: one), in order.
    std::vector<std::vector<std::string>> shown() const;
    int asked() const;

    std::optional<Winner> ask_pair(const PairItem& item, int index, int count,
                                   const std::atomic<bool>& stop) override;
    std::optional<ScalarAnswer> ask_scalar(const JudgeItem& item, int index, int count,
                                           const std::atomic<bool>& stop) override;

private:
    std::optional<Answer> next(const std::atomic<bool>& stop);
    mutable std::mutex m_mu;
    std::deque<Answer> m_answers;
    std::vector<std::vector<std::string>> m_shown;
};

}  // namespace rf
