// The common online step of SPEC §8, shared by GRPO, REINFORCE/RLOO and PPO (steps.h):
//   sample (group sampling, prompt prefilled once per group) → build the prompt+completion batch →
//   reference log-probs → policy log-probs (with backward state) → [loss head, per mode] →
//   backward of dL/dlogp → clip → optimizer step.
// Log-probs are those of the sampling distribution, log softmax(logits / temperature) (TRL), with the
// prompt as context; the trained tokens are the sampled ids, never a re-tokenisation of the text.
#pragma once
#include <chrono>
#include <cstdint>
#include <utility>
#include <vector>

#include "model/model.h"
#include "rewards/reward_set.h"
#include "rl/losses.h"
#include "sampling/generate.h"
#include "train/steps.h"

namespace rf {

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct Rollouts {
    std::vector<const RlPrompt*> prompts;         // P
    std::vector<std::vector<Completion>> groups;  // [P][G]
    double generate_seconds = 0;
};
// Samples `group_size` completions of each prompt with the run's sampling settings. `first_sequence`:
// where these prompts' sequences start in the whole batch (a data-parallel share, data_parallel.h).
Rollouts sample(Policy& p, const StepInputs& in, const std::vector<const RlPrompt*>& prompts, int group_size,
                bool use_adapters = true, int first_sequence = 0);

// GRPO's scoring (grpo.cpp): the reward functions on every completion of `r` (prompt-major) into
// `scored`, then the group-relative advantages and reward metrics of the totals (rl/advantages.h).
GroupAdvantages grpo_score(RewardSet& rewards, const RunConfig& cfg, const Rollouts& r, RewardBatch& scored);

// The token-level view of `c` in `rec` (session.h): each token's text and sampling log-prob.
void record_tokens(const Tokenizer& tok, const Completion& c, RolloutRecord& rec);

// Log-probs of every completion row of `rows` (prompt + completion), per completion token.
struct ScoredBatch {
    int N = 0, T = 0;                // completions, max completion length
    std::vector<float> mask;         // [N*T]
    std::vector<float> old_logp;     // [N*T] sampling policy (from generation)
    std::vector<float> ref_logp;     // [N*T] reference (empty when not needed)
    std::vector<uint8_t> truncated;  // [N]
    std::vector<int> lengths;        // [N]
    TokenBatch model_batch;          // prompt + completion, targets on completion tokens
    std::vector<size_t> pos;         // [N*T] position in model_batch of each completion token (or SIZE_MAX)
};
// rows: (prompt p, completion g) pairs of `r`, in the batch's order.
ScoredBatch build_batch(const Rollouts& r, const std::vector<std::pair<int, int>>& rows);
// Every (p, g) of P prompts × G completions, prompt-major.
std::vector<std::pair<int, int>> all_rows(int P, int G);
void reference_logps(Policy& p, const RunConfig& cfg, ScoredBatch& b);
// Policy forward (with backward state) → completion-token logp [N*T] and mean entropy.
std::vector<float> policy_logps(Policy& p, const RunConfig& cfg, const ScoredBatch& b, double* mean_entropy);
// The loss heads' view of a scored batch (rl/losses.h): `logp` from policy_logps (must outlive it),
// the sampling policy's log-probs as π_old only with `with_old` (num_iterations > 1).
LossBatch<float> loss_batch(const ScoredBatch& b, const std::vector<float>& logp, bool with_old);
// dL/dlogp per completion token [N*T] → model backward (accumulates gradients).
void policy_backward(Policy& p, const ScoredBatch& b, const std::vector<float>& dlogp);
// clip + optimizer step at learning rate schedule(step); adds grad_norm and learning_rate to `m`.
void optimizer_step(Policy& p, const RunConfig& cfg, int step, StepMetrics& m);
// avg/min/max_generated_tokens, hit_max_tokens_ratio, tokens_per_second of the rollouts.
void add_generation_metrics(const Rollouts& r, StepMetrics& m);
// The step's timing split, appended last: time_generate, time_score, time_train.
void add_step_times(StepMetrics& m, double generate, double score, double train);

}  // namespace rf
