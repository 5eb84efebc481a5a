// Judges: whatever turns completions into a training signal for REINFORCE/RLOO (scalar mode, one
// score per completion) and PPO (pairwise mode, which of two completions of one prompt is better).
// SPEC §9. One Qt-free interface with four families behind it:
//   rewards         RewardsJudge  (rewards_judge.h)  reward functions; scalar = weighted sum,
//                                                    pairwise = higher sum wins, equal sums tie
//   human           HumanJudge    (human_judge.h)    asks a HumanAsker: the GUI dialog, the CLI
//                                                    terminal prompt, or a script in tests
//   http(s)://…/v1  LlmJudge + HttpChatBackend       OpenAI-compatible chat/completions endpoint
//   model path/id   LlmJudge + a local-model backend (llm_judge.h; the backend lands with the model)
//
// The caller never calls compare() directly with the trainer's order: judge_runner.h shuffles A/B
// per pair (position bias), un-swaps the verdicts, counts failures and appends every verdict to
// judgments.jsonl as soon as it is final.
#pragma once
#include <array>
#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rf {

// One completion to score (scalar mode).
struct JudgeItem {
    std::string prompt;      // the user's prompt as in the dataset (not chat-templated)
    std::string completion;  // the sampled completion text
    std::string answer;      // the dataset answer (reward functions read it); may be empty
    std::string type;        // the dataset type column; empty = none (Python None)
};

// Two completions of one prompt (pairwise mode). completions[0] is shown as A (identifier "0"),
// completions[1] as B (identifier "1").
struct PairItem {
    std::string prompt;
    std::array<std::string, 2> completions;
    std::string answer;
    std::string type;
};

// Which completion of a pair won. `first`/`second` index PairItem::completions.
enum class Winner { first, second, tie, skip };
// "0", "1", "tie", "skip" (the strings judgments.jsonl uses); winner_from_string throws InputError.
const char* to_string(Winner w);
Winner winner_from_string(std::string_view s);

struct ScalarVerdict {
    float score = 0.0f;     // LLM/human/HTTP: 0..10; rewards: the weighted reward sum
    bool failed = false;    // the judge gave no usable verdict (unparsable reply); score is then 0
                            // and the item should carry no signal. Counted in `judge_failures`.
    bool skipped = false;   // a human chose "skip"; score is 0, no signal
    std::string raw;        // the judge's raw reply (human: what was chosen)
    std::string by;         // who decided, when not the judge itself (a fallback: "rewards"); "" = name()
};

struct PairVerdict {
    Winner winner = Winner::skip;                // tie/skip: no preference
    bool failed = false;                         // unparsable reply; winner is then skip
    std::optional<std::array<float, 2>> scores;  // per completion, when the judge gives scores
                                                 // (rewards: weighted sums; LLM: probabilities)
    bool scores_are_probabilities = false;       // LLM: P(A), P(B), which sum to 1 (their mean is 0.5
                                                 // by construction: no reward level)
    bool swapped = false;                        // set by judge_pairs(): shown to the judge as (B, A)
    std::string raw;                             // the judge's raw reply
    std::string by;                              // who decided when not the judge itself ("" = name())
    // 0 or 1 for a decided pair, -1 otherwise.
    int chosen() const { return winner == Winner::first ? 0 : winner == Winner::second ? 1 : -1; }
};

// Thrown by a judge that was waiting (a human, a retry back-off, an HTTP request) when the run's stop
// flag was raised. Verdicts already reported through the callbacks below have been saved.
struct JudgeCancelled : std::runtime_error {
    JudgeCancelled() : std::runtime_error("judging cancelled: the run was stopped") {}
};

// A judge that cannot work at all (endpoint unreachable after its retries, HTTP 4xx, ...): the run
// stops with this message rather than training on noise. Per-verdict problems are `failed` instead.
struct JudgeError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Judge {
public:
    virtual ~Judge() = default;

    // Recorded in judgments.jsonl: "rewards", "human", "http:<model>@<url>", the judge model path.
    virtual std::string name() const = 0;

    // Scalar mode: one verdict per item, same order.
    virtual std::vector<ScalarVerdict> score(const std::vector<JudgeItem>& items) = 0;
    // Pairwise mode: one verdict per pair, same order, winner relative to the order given.
    virtual std::vector<PairVerdict> compare(const std::vector<PairItem>& items) = 0;
    // Before each training step (`step` counts from 1): judges that choose what to ask per step.
    virtual void begin_step(int /*step*/) {}

    // Set by the caller (judge_runner.h). A judge that produces verdicts one by one (the human judge)
    // calls them the moment verdict i is final, so it is saved even if the batch is cancelled later.
    // Judges that answer a whole batch at once need not call them.
    std::function<void(size_t, const ScalarVerdict&)> on_scalar_verdict;
    std::function<void(size_t, const PairVerdict&)> on_pair_verdict;

protected:
    void report(size_t i, const ScalarVerdict& v) const {
        if (on_scalar_verdict) on_scalar_verdict(i, v);
    }
    void report(size_t i, const PairVerdict& v) const {
        if (on_pair_verdict) on_pair_verdict(i, v);
    }
};

}  // namespace rf
