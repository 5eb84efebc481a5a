// The plain log-likelihood heads: SFT/NLL and REINFORCE (with its baselines).
#include <cmath>

#include "core/error.h"
#include "rl/losses.h"
#include "rl/losses_detail.h"

namespace rf {

using loss_detail::check_batch;

// SFT / NLL over the scored tokens (mask_prompt decides which those are):
//   L = -(1/M) sum_{i,t} m_it logp_it,   M = max(1, sum m)
//   dL/dlogp_it = -m_it / M
// reference: mlx-lm tuner/trainer.py default_loss (cross-entropy averaged over the target tokens)
template <class S>
LossOutput<S> sft_loss(const LossBatch<S>& b) {
    check_batch(b, false);
    const size_t n = size_t(b.N) * size_t(b.T);
    double M = 0.0, sum = 0.0;
    for (size_t k = 0; k < n; ++k) M += double(b.mask[k]), sum += double(b.mask[k]) * double(b.logp[k]);
    M = std::max(M, 1.0);
    LossOutput<S> out;
    out.loss = -sum / M;
    out.dlogp.resize(n);
    for (size_t k = 0; k < n; ++k) out.dlogp[k] = S(-double(b.mask[k]) / M);
    out.metrics["loss"] = out.loss;
    out.metrics["ntokens"] = M;
    return out;
}

// REINFORCE with a per-token KL-shaped advantage (seed 000) and a baseline (seeds 002/003).
// For completion i with judge reward R_i, n_i = sum_t m_it, M = max(1, sum_i n_i):
//   KL_it  = old_logp_it - ref_logp_it          (sampling policy vs reference; detached; with
//                                                num_iterations 1 old_logp = logp)
//   r_i    = R_i - beta (1/max(1,n_i)) sum_t m_it KL_it     (sequence-level KL-adjusted reward)
//   b_i    = baseline over the r_j (advantages.h; rloo = NeMo-Aligner's leave-one-out)
//   A_it   = R_i - beta KL_it - b_i              (token-mean of A_i. equals r_i - b_i)
//   L      = -(1/M) sum_{i,t} m_it A_it logp_it
//   dL/dlogp_it = -m_it A_it / M                 (A is a constant for the gradient)
// reference: seeds 000 (A_t = R - beta KL_t), 002 (RLOO baseline on KL-adjusted rewards), 003
// Metrics (names of the backend): rewards, rewards_std (population), kl_penalty = mean_i sum_t
// m KL (sequence KL, not beta-scaled), advantages = mean_i (r_i - b_i), policy_logps / ref_logps
// = mean_i sum_t m logp.
template <class S>
LossOutput<S> reinforce_loss(const LossBatch<S>& b, std::span<const double> rewards, const ReinforceOptions& opts,
                             RunningMeanBaseline* running) {
    check_batch(b, opts.beta != 0.0);
    const size_t N = size_t(b.N), T = size_t(b.T);
    RF_CHECK(rewards.size() == N, "reinforce_loss: one reward per completion");
    const bool has_ref = !b.ref_logp.empty();
    auto old_at = [&](size_t k) { return b.old_logp.empty() ? double(b.logp[k]) : double(b.old_logp[k]); };

    std::vector<double> r(N), seq_kl(N, 0.0), seq_logp(N, 0.0), seq_ref(N, 0.0);
    double M = 0.0;
    for (size_t i = 0; i < N; ++i) {
        RF_CHECK(std::isfinite(rewards[i]), "reinforce_loss: non-finite reward");
        double n_i = 0.0;
        for (size_t t = 0; t < T; ++t) {
            const size_t k = i * T + t;
            const double m = b.mask[k];
            n_i += m;
            seq_logp[i] += m * double(b.logp[k]);
            if (has_ref) {
                seq_kl[i] += m * (old_at(k) - double(b.ref_logp[k]));
                seq_ref[i] += m * double(b.ref_logp[k]);
            }
        }
        M += n_i;
        r[i] = rewards[i] - opts.beta * seq_kl[i] / std::max(n_i, 1.0);
    }
    M = std::max(M, 1.0);
    const std::vector<double> base = reinforce_baselines(r, opts.baseline, opts.group_size, opts.running_mean_decay, running);

    LossOutput<S> out;
    out.dlogp.assign(N * T, S(0));
    out.advantages.resize(N);
    double loss = 0.0, adv_sum = 0.0;
    for (size_t i = 0; i < N; ++i) {
        adv_sum += r[i] - base[i];
        out.advantages[i] = r[i] - base[i];
        for (size_t t = 0; t < T; ++t) {
            const size_t k = i * T + t;
            const double m = b.mask[k];
            if (m == 0.0) continue;
            const double kl = has_ref ? old_at(k) - double(b.ref_logp[k]) : 0.0;
            const double A = rewards[i] - opts.beta * kl - base[i];
            loss -= m * A * double(b.logp[k]);
            out.dlogp[k] = S(-m * A / M);
        }
    }
    out.loss = loss / M;
    double rsum = 0.0, rsq = 0.0, kl_sum = 0.0, lp_sum = 0.0, ref_sum = 0.0;
    for (size_t i = 0; i < N; ++i) rsum += rewards[i], kl_sum += seq_kl[i], lp_sum += seq_logp[i], ref_sum += seq_ref[i];
    const double rmean = rsum / double(N);
    for (size_t i = 0; i < N; ++i) rsq += (rewards[i] - rmean) * (rewards[i] - rmean);
    out.metrics = {{"loss", out.loss},
                   {"rewards", rmean},
                   {"rewards_std", std::sqrt(rsq / double(N))},
                   {"kl_penalty", kl_sum / double(N)},
                   {"advantages", adv_sum / double(N)},
                   {"policy_logps", lp_sum / double(N)},
                   {"ntokens", M}};
    if (has_ref) out.metrics["ref_logps"] = ref_sum / double(N);
    return out;
}

template LossOutput<float> sft_loss(const LossBatch<float>&);
template LossOutput<double> sft_loss(const LossBatch<double>&);
template LossOutput<float> reinforce_loss(const LossBatch<float>&, std::span<const double>, const ReinforceOptions&,
                                          RunningMeanBaseline*);
template LossOutput<double> reinforce_loss(const LossBatch<double>&, std::span<const double>, const ReinforceOptions&,
                                           RunningMeanBaseline*);

}  // namespace rf
