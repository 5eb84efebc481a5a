// Per-sequence advantages and baselines, shared by the loss heads in losses*.cpp:
// REINFORCE baselines (none | batch_mean | running_mean | per_prompt_mean | rloo), GRPO's
// group-normalised advantages with its reward metrics, and PPO's pair advantages.
// Groups are `group_size` consecutive rows (the prompt's completions, in sampling order).
#pragma once
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "config/run_config.h"  // Baseline, ScaleRewards (with their YAML name tables)

namespace rf {

// State of the running_mean baseline, kept across steps (saved in the run's `state` for resume).
struct RunningMeanBaseline {
    double value = 0.0;
    int64_t count = 0;  // updates so far; 0 = no history yet
    nlohmann::json to_json() const { return {{"value", value}, {"count", count}}; }
    static RunningMeanBaseline from_json(const nlohmann::json& j);  // InputError on a malformed entry
};

// b_i for each sequence, from the per-sequence values r (REINFORCE: KL-adjusted rewards).
//   none: 0;  batch_mean: mean_j r_j;  per_prompt_mean: mean of i's group;
//   rloo: mean of the OTHER members of i's group (group_size >= 2);
//   running_mean: the state's value (the batch mean when it has no history), then the state is
//   updated with v <- decay v + (1 - decay) mean_j r_j (v <- mean_j r_j on the first update).
std::vector<double> reinforce_baselines(std::span<const double> r, Baseline baseline, int group_size, double decay,
                                        RunningMeanBaseline* running);

struct GroupAdvantages {
    std::vector<double> total_rewards;  // R_i
    std::vector<double> advantages;     // A_i
    std::map<std::string, double> metrics;
};

// GRPO rewards and advantages. `fn_rewards` is K x N (row k = reward function k, NaN = the
// function does not apply to that completion, as Python's None), `weights` K values.
//   R_i = sum_k w_k r_ki (NaN counted as 0);  A_i = (R_i - mean_g R) / (std + 1e-4)
// with std the group's (scale group), the batch's (scale batch), or no division (scale none).
// Metrics: total_rewards_mean/std, grouped_rewards_mean/std, frac_reward_zero_std, and
// <name>_mean/_std/_coverage per function.
GroupAdvantages grpo_advantages(std::span<const double> fn_rewards, std::span<const std::string> fn_names,
                                std::span<const double> weights, int group_size, ScaleRewards scale,
                                AdvantageStd std_kind = AdvantageStd::population);

}  // namespace rf
