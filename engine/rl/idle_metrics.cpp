#include "rl/idle_metrics.h"

#include "config/run_config.h"

namespace rf {

std::string idle_group_note(MetricGroup g, const RunConfig& cfg) {
    const bool ratio_modes = cfg.train_mode == TrainMode::grpo || cfg.train_mode == TrainMode::ppo;
    // ρ = π/π_old is exactly 1 when every update uses the policy that sampled (docs/algorithms.md)
    if (g == MetricGroup::clipping && ratio_modes && cfg.num_iterations == 1)
        return "Stays at zero with num_iterations: 1 — each update uses the policy that sampled, so the ratio is 1 "
               "and nothing can be clipped. Raise num_iterations to reuse samples.";
    if (g == MetricGroup::kl && cfg.train_mode != TrainMode::sft && cfg.beta == 0.0)
        return "beta is 0: KL to the reference is measured, not penalised.";
    return {};
}

}  // namespace rf
