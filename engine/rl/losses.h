// The RL loss heads: pure functions on per-token arrays that return the loss, dL/dlogp per token
// (the model's backward takes dL/dlogp) and the step metrics of SPEC §10. Every formula, with its
// gradient and reference, is written above the code that computes it (losses_pg.cpp,
// losses_clip.cpp) and collected in docs/algorithms.md.
//
// Layout: N completions padded to T tokens, row-major [N, T]; `mask` is 1 on the completion tokens
// that are scored and 0 on padding. The heads are templates on the scalar type (float for training,
// double for the finite-difference tests); they accumulate in double either way.
#pragma once
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "config/run_config.h"
#include "rl/advantages.h"

namespace rf {

using Metrics = std::map<std::string, double>;

template <class S>
struct LossBatch {
    int N = 0, T = 0;
    std::span<const S> logp;      // [N*T] policy log-probs of the sampled tokens (differentiated)
    std::span<const S> old_logp;  // [N*T] sampling policy, detached; empty = equal to logp (num_iterations 1)
    std::span<const S> ref_logp;  // [N*T] reference policy, detached; empty when there is none
    std::span<const S> mask;      // [N*T] 1 = scored completion token, 0 = padding
};

template <class S>
struct LossOutput {
    double loss = 0.0;
    std::vector<S> dlogp;  // [N*T] dL/dlogp, 0 on padding
    Metrics metrics;       // includes "loss"
    std::vector<double> advantages;  // [N] REINFORCE: r_i - b_i, the masked token mean of the A_it the
                                     // loss used (what the rollout view shows); empty for other heads
};

// --- option enums -------------------------------------------------------------------------------
// ImportanceSamplingLevel, RatioAgainst, GrpoLossType, PpoAdvantage (and Baseline, ScaleRewards) are
// RunConfig's (config/run_config.h), spelled as in YAML; enum_name() / enum_from_name<E>() convert.

// PPO's KL term: k3 = exp(ref - logp) - (ref - logp) - 1 (default), k1 = logp - ref (seed 001).

// --- SFT / NLL ---------------------------------------------------------------------------------

template <class S>
LossOutput<S> sft_loss(const LossBatch<S>& batch);

// --- REINFORCE / RLOO (SPEC §8.1; seeds 000, 002, 003) ---------------------------------------

struct ReinforceOptions {
    double beta = 0.1;
    Baseline baseline = Baseline::none;
    int group_size = 2;                 // completions per prompt (consecutive rows); per_prompt_mean, rloo
    double running_mean_decay = 0.9;    // running_mean: b <- decay b + (1 - decay) batch mean
};

// `rewards`: one scalar per completion (the judge's). `running` is read and updated when the
// baseline is running_mean (may be null otherwise). Needs ref_logp when beta != 0.
template <class S>
LossOutput<S> reinforce_loss(const LossBatch<S>& batch, std::span<const double> rewards, const ReinforceOptions& opts,
                             RunningMeanBaseline* running = nullptr);

// --- GRPO (SPEC §8.3; seed 004, DeepSeekMath, TRL GRPOTrainer) --------------------------------

struct GrpoOptions {
    double beta = 0.1;
    double epsilon = 0.2;       // epsilon_low
    double epsilon_high = 0.2;  // = epsilon unless set
    GrpoLossType loss_type = GrpoLossType::grpo;
    ImportanceSamplingLevel importance_sampling_level = ImportanceSamplingLevel::token;
    RatioAgainst ratio_against = RatioAgainst::rollout;
    int max_completion_length = 512;   // dr_grpo's constant
    bool mask_truncated_completions = false;
    double dapo_tokens = 0.0;          // dapo: active tokens of the whole accumulated step (0: this batch's)
    double sapo_temperature_pos = 1.0;   // sapo: gate temperature for A > 0 (TRL's default)
    double sapo_temperature_neg = 1.05;  // sapo: gate temperature for A <= 0
};

// `advantages`: per completion (grpo_advantages()). `truncated`: per completion, 1 when it hit
// max_completion_length without ending (may be empty). Needs ref_logp when beta != 0 or
// ratio_against is reference; with ref_logp present the `kl` metric is logged even at beta 0.
template <class S>
LossOutput<S> grpo_loss(const LossBatch<S>& batch, std::span<const double> advantages,
                        std::span<const uint8_t> truncated, const GrpoOptions& opts);

// --- PPO (SPEC §8.2; seed 001) -----------------------------------------------------------------

struct PpoOptions {
    double beta = 0.1;
    double epsilon = 0.2;
    PpoAdvantage advantage = PpoAdvantage::preference;
    RatioAgainst ratio_against = RatioAgainst::rollout;
    ImportanceSamplingLevel importance_sampling_level = ImportanceSamplingLevel::token;
    KlEstimator kl_estimator = KlEstimator::k3;
};

// Pair j is rows 2j (chosen) and 2j+1 (rejected). `score_gap`: per pair, the judge's score of the
// chosen minus the rejected completion; empty (or NaN entries) when the judge gives only a verdict.
template <class S>
LossOutput<S> ppo_loss(const LossBatch<S>& batch, std::span<const double> score_gap, const PpoOptions& opts);

}  // namespace rf
