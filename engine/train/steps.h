// One optimizer step of each training mode, as free functions of a Policy (train/policy.h) and the
// step's inputs. The caller (Session, or any other driver) draws the data, owns the judge and the
// reward functions, and records what comes out (metrics.jsonl, rollouts.jsonl, observers).
//
//   sft_step        next-token NLL over gradient_accumulation_steps micro-batches      (sft.cpp)
//   grpo_step       G completions per prompt, reward functions, group advantages       (grpo.cpp)
//   reinforce_step  RLHF-REINFORCE / RLOO with a scalar judge                          (reinforce.cpp)
//   ppo_step        two completions per prompt, a pairwise judge                       (ppo.cpp)
//   sft_eval, online_eval   the validation / test metrics                  (sft.cpp, online_eval.cpp)
// The online steps share the sampling, batch building, log-prob and update helpers of online.h.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "config/run_config.h"
#include "core/rng.h"
#include "judge/judge_runner.h"
#include "rl/advantages.h"
#include "rl/metrics.h"
#include "train/policy.h"
#include "train/session.h"

namespace rf {

class Judge;
class RewardSet;

// One prompt of an online mode, ready to sample from.
struct RlPrompt {
    std::vector<int> ids;  // chat-templated prompt, generation prompt included
    std::string prompt;    // the user's prompt as in the dataset (reward functions and judges see it)
    std::string answer;
    std::string type;
};

// One SFT sequence: ids, and how many leading ids are the prompt (masked when mask_prompt).
struct SftSequence {
    std::vector<int> ids;
    int prompt_len = 0;
};

// What every step reads besides the policy and its data.
struct StepInputs {
    const RunConfig& cfg;
    int step = 0;                     // optimizer steps completed before this one
    Rng& rng;                         // sampling seeds, judge A/B order (advanced by the step)
    std::function<bool()> stopping;   // a stop was asked for: finish the current pass and return
};

struct StepOutput {
    StepMetrics metrics;
    std::vector<RolloutRecord> rollouts;  // online modes: every sampled completion of the step
    double trained_tokens = 0;            // tokens this step trained on
    std::string note;                     // a line for the run log ("no signal: no update"), or empty
};

// micro[k]: the rows / prompts of micro-batch k (gradient_accumulation_steps micro-batches).
StepOutput sft_step(Policy& p, const StepInputs& in, const std::vector<std::vector<const SftSequence*>>& micro);
StepOutput grpo_step(Policy& p, const StepInputs& in, const std::vector<std::vector<const RlPrompt*>>& micro,
                     RewardSet& rewards);
// `baseline`: the running-mean baseline's state, carried across steps by the caller.
StepOutput reinforce_step(Policy& p, const StepInputs& in, const std::vector<std::vector<const RlPrompt*>>& micro,
                          Judge& judge, const JudgeContext& jctx, RunningMeanBaseline& baseline);
StepOutput ppo_step(Policy& p, const StepInputs& in, const std::vector<std::vector<const RlPrompt*>>& micro,
                    Judge& judge, const JudgeContext& jctx);

// Mean metrics over `batches` batches of a split (all when < 0), without the split prefix.
StepMetrics sft_eval(Policy& p, const RunConfig& cfg, const std::vector<SftSequence>& seqs, int batches);
// One completion per prompt sampled from an evaluation RNG of its own (seeded from seed and step, so
// evaluating never changes the training stream), scored by `rewards` when given, else by `judge` in
// scalar mode (never a human).
StepMetrics online_eval(Policy& p, const StepInputs& in, const std::vector<RlPrompt>& prompts, int batches,
                        RewardSet* rewards, Judge* judge, const JudgeContext& jctx);

}  // namespace rf
