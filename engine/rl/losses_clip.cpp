// The clipped-surrogate heads: GRPO and PPO share one core (token- or sequence-level importance
// ratio, asymmetric clip, k1/k3 KL term, per-token reduction weights).
#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "rl/losses.h"
#include "rl/losses_detail.h"

namespace rf {

namespace {

using loss_detail::check_batch;

// Which surrogate clipped_surrogate computes: the hard clip (grpo, bnpo, dr_grpo, dapo; PPO), cispo's
// truncated weight or sapo's soft gate with its two temperatures.
struct SurrogateKind {
    GrpoLossType kind = GrpoLossType::grpo;
    double tau_pos = 1.0, tau_neg = 1.05;
};

struct SurrogateTerms {
    double surrogate = 0.0;     // sum_it c_it s_it
    double kl = 0.0;            // sum_it c_it kl_it (not beta-scaled; 0 without ref_logp)
    std::vector<double> ratio;  // token level [N*T], sequence level [N]
};

// Clipped surrogate and KL term for N sequences with advantages A_i, token weights c_it = w_i m_it:
//   token level:    rho_it = exp(logp_it - base_it)
//   sequence level: rho_i  = exp((1/max(1,n_i)) sum_t m_it (logp_it - base_it))        (GSPO)
//   s = -min(rho A_i, clip(rho, 1 - eps_low, 1 + eps_high) A_i)
//   ds/drho = -A_i when the unclipped term is the min (A_i > 0 and rho <= 1 + eps_high, or
//             A_i < 0 and rho >= 1 - eps_low), else 0;   drho_it/dlogp_it = rho_it,
//             drho_i/dlogp_it = rho_i m_it / max(1, n_i)
//   k3: kl = exp(ref - logp) - (ref - logp) - 1,   dkl/dlogp = 1 - exp(ref - logp)
//   k1: kl = logp - ref,                           dkl/dlogp = 1
//   L_part = sum_it c_it (s + beta kl)            (sequence level: s_i on each of i's tokens)
// base is detached (the rollout policy, or the reference for ratio_against: reference).
// cispo (MiniMax-M1, arXiv:2506.13585 eq. 4; TRL loss_type "cispo") replaces s by a policy gradient
// weighted with the truncated importance weight, held constant (stop-gradient):
//   w_hat = min(rho, 1 + eps_high),   s = -w_hat A_i logp_it,   ds/dlogp_it = -w_hat A_i
// (sequence level: w_hat from rho_i on each of i's tokens). No token's gradient is dropped; only
// its weight is capped.
// sapo (SAPO, arXiv:2511.20347; TRL loss_type "sapo") replaces the hard clip by a soft gate, with
// tau = tau_pos when A_i > 0, else tau_neg, and sigma the logistic function:
//   f(rho) = sigma(tau (rho - 1)) 4 / tau,   s = -f(rho) A_i,
//   ds/drho = -A_i 4 sigma (1 - sigma)       (= -A_i at rho = 1: on-policy it is the plain policy
//   gradient; the weight decays smoothly, never to exactly 0, as rho leaves 1)
// reference: seed 004 / DeepSeekMath eq. 3; GSPO (arXiv:2507.18071) eq. 7; Schulman's k3
// (joschu.net/blog/kl-approx.html); TRL GRPOTrainer._compute_loss
template <class S>
SurrogateTerms clipped_surrogate(const LossBatch<S>& b, const std::vector<double>& m, std::span<const double> A,
                                 std::span<const S> base, double eps_low, double eps_high, double beta, KlEstimator kl_kind,
                                 bool sequence_level, const std::vector<double>& w, std::vector<S>& dlogp,
                                 const SurrogateKind kind = {}) {
    const bool cispo = kind.kind == GrpoLossType::cispo, sapo = kind.kind == GrpoLossType::sapo;
    const size_t N = size_t(b.N), T = size_t(b.T);
    const bool has_ref = !b.ref_logp.empty();
    SurrogateTerms out;
    out.ratio.assign(sequence_level ? N : N * T, 1.0);
    auto surrogate = [&](double rho, double a, double& grad) {
        if (sapo) {
            const double tau = a > 0.0 ? kind.tau_pos : kind.tau_neg;
            const double x = tau * (rho - 1.0);
            const double sg = x >= 0.0 ? 1.0 / (1.0 + std::exp(-x)) : std::exp(x) / (1.0 + std::exp(x));
            grad = -a * 4.0 * sg * (1.0 - sg);  // ds/drho
            return -a * sg * 4.0 / tau;
        }
        const double clipped = std::clamp(rho, 1.0 - eps_low, 1.0 + eps_high);
        const bool unclipped_is_min = a > 0.0 ? rho <= 1.0 + eps_high : (a < 0.0 ? rho >= 1.0 - eps_low : false);
        grad = unclipped_is_min ? -a : 0.0;  // ds/drho
        return -std::min(rho * a, clipped * a);
    };
    for (size_t i = 0; i < N; ++i) {
        double n_i = 0.0;
        for (size_t t = 0; t < T; ++t) n_i += m[i * T + t];
        const double n_clamped = std::max(n_i, 1.0);
        if (sequence_level) {
            double lw = 0.0;
            for (size_t t = 0; t < T; ++t) {
                const size_t k = i * T + t;
                lw += m[k] * (double(b.logp[k]) - double(base[k]));
            }
            const double rho = std::exp(lw / n_clamped);
            out.ratio[i] = rho;
            if (cispo) {
                const double what = std::min(rho, 1.0 + eps_high);
                for (size_t t = 0; t < T; ++t) {
                    const size_t k = i * T + t;
                    if (m[k] == 0.0) continue;
                    out.surrogate += w[i] * m[k] * (-what * A[i] * double(b.logp[k]));
                    dlogp[k] += S(w[i] * m[k] * (-what * A[i]));
                }
            } else {
                double ds = 0.0;
                const double s = surrogate(rho, A[i], ds);
                const double C = w[i] * n_i;  // sum_t c_it
                out.surrogate += C * s;
                for (size_t t = 0; t < T; ++t) {
                    const size_t k = i * T + t;
                    dlogp[k] += S(C * ds * rho * m[k] / n_clamped);
                }
            }
        } else {
            for (size_t t = 0; t < T; ++t) {
                const size_t k = i * T + t;
                if (m[k] == 0.0) continue;
                const double rho = std::exp(double(b.logp[k]) - double(base[k]));
                out.ratio[k] = rho;
                if (cispo) {
                    const double what = std::min(rho, 1.0 + eps_high);
                    out.surrogate += w[i] * m[k] * (-what * A[i] * double(b.logp[k]));
                    dlogp[k] += S(w[i] * m[k] * (-what * A[i]));
                    continue;
                }
                double ds = 0.0;
                const double s = surrogate(rho, A[i], ds);
                out.surrogate += w[i] * m[k] * s;
                dlogp[k] += S(w[i] * m[k] * ds * rho);
            }
        }
        if (!has_ref) continue;
        for (size_t t = 0; t < T; ++t) {
            const size_t k = i * T + t;
            if (m[k] == 0.0) continue;
            const double d = double(b.ref_logp[k]) - double(b.logp[k]);
            const double kl = kl_kind == KlEstimator::k3 ? std::exp(d) - d - 1.0 : -d;
            const double dkl = kl_kind == KlEstimator::k3 ? 1.0 - std::exp(d) : 1.0;
            out.kl += w[i] * m[k] * kl;
            if (beta != 0.0) dlogp[k] += S(beta * w[i] * m[k] * dkl);
        }
    }
    return out;
}

// Masked token mean of k3 = exp(ref - logp) - (ref - logp) - 1 (the `kl` metric of GRPO).
template <class S>
double mean_k3(const LossBatch<S>& b, const std::vector<double>& m) {
    double sum = 0.0, cnt = 0.0;
    for (size_t k = 0; k < m.size(); ++k) {
        if (m[k] == 0.0) continue;
        const double d = double(b.ref_logp[k]) - double(b.logp[k]);
        sum += m[k] * (std::exp(d) - d - 1.0);
        cnt += m[k];
    }
    return sum / std::max(cnt, 1.0);
}

}  // namespace

// GRPO loss (SPEC §8.3). Effective mask m_it = mask_it, times (1 - truncated_i) with
// mask_truncated_completions (TRL: truncated completions are left out of the loss, not of the
// advantages). n_i = sum_t m_it. Token weights c_it = w_i m_it by grpo_loss_type:
//   grpo:    w_i = 1 / (N max(1, n_i))       per-sequence mean, then mean over sequences
//   bnpo:    w_i = 1 / max(1, sum_j n_j)     mean over the batch's active tokens
//   dr_grpo: w_i = 1 / (N max_completion_length)
//   dapo:    w_i = 1 / max(1, tokens of the whole accumulated step)   (TRL's default: the step's loss
//            is its token mean however it is split into micro-batches; = bnpo for one micro-batch)
//   cispo:   dapo's weights, with the cispo surrogate of clipped_surrogate (TRL normalises it so too)
//   sapo:    grpo's weights, with sapo's soft gate of clipped_surrogate (TRL normalises it so too)
//   L = sum_it c_it (s_it + beta k3_it)      (clipped_surrogate above; ratio against old_logp or,
//                                             with ratio_against: reference, against ref_logp)
// Metrics (TRL's definitions): kl = masked token mean of k3 (logged whenever ref_logp is given);
// clip_ratio_low = share with rho < 1 - eps_low and A < 0, clip_ratio_high = share with
// rho > 1 + eps_high and A > 0, clip_ratio_total = either; token level over active tokens,
// sequence level over all N sequences.
// Deviation from mlx-lm-lora (reference notes §3.4): its KL term beta (w e^{D} - D - 1) is replaced
// by the k3 estimator (its gradient at logp = ref is not 0), its "grpo" reduction (a token mean)
// by the per-sequence mean its name promises, and the ratio is taken against the rollout policy.
template <class S>
LossOutput<S> grpo_loss(const LossBatch<S>& b, std::span<const double> advantages, std::span<const uint8_t> truncated,
                        const GrpoOptions& o) {
    const bool against_ref = o.ratio_against == RatioAgainst::reference;
    check_batch(b, o.beta != 0.0 || against_ref);
    const size_t N = size_t(b.N), T = size_t(b.T);
    RF_CHECK(advantages.size() == N, "grpo_loss: one advantage per completion");
    RF_CHECK(truncated.empty() || truncated.size() == N, "grpo_loss: one truncation flag per completion");
    // the config's key table and validate() refuse these; here they are invariants of the caller
    RF_CHECK(o.epsilon >= 0.0 && o.epsilon < 1.0, "grpo_loss: epsilon outside [0, 1)");
    RF_CHECK(o.epsilon_high >= o.epsilon, "grpo_loss: epsilon_high < epsilon");
    if (o.loss_type == GrpoLossType::dr_grpo && o.max_completion_length < 1)
        throw InputError({}, 0, "max_completion_length", "must be >= 1 for grpo_loss_type dr_grpo");

    std::vector<double> m(N * T);
    std::vector<double> n(N, 0.0);
    double total = 0.0;
    for (size_t i = 0; i < N; ++i) {
        RF_CHECK(std::isfinite(advantages[i]), "grpo_loss: non-finite advantage");
        const bool drop = o.mask_truncated_completions && !truncated.empty() && truncated[i];
        for (size_t t = 0; t < T; ++t) {
            m[i * T + t] = drop ? 0.0 : double(b.mask[i * T + t]);
            n[i] += m[i * T + t];
        }
        total += n[i];
    }
    std::vector<double> w(N);
    for (size_t i = 0; i < N; ++i) {
        switch (o.loss_type) {
        case GrpoLossType::grpo:
        case GrpoLossType::sapo: w[i] = 1.0 / (double(N) * std::max(n[i], 1.0)); break;
        case GrpoLossType::bnpo: w[i] = 1.0 / std::max(total, 1.0); break;
        case GrpoLossType::dr_grpo: w[i] = 1.0 / (double(N) * double(o.max_completion_length)); break;
        case GrpoLossType::dapo:
        case GrpoLossType::cispo: w[i] = 1.0 / std::max(o.dapo_tokens > 0.0 ? o.dapo_tokens : total, 1.0); break;
        }
    }
    const std::span<const S> base = against_ref ? b.ref_logp : (b.old_logp.empty() ? b.logp : b.old_logp);
    const bool seq = o.importance_sampling_level == ImportanceSamplingLevel::sequence;

    LossOutput<S> out;
    out.dlogp.assign(N * T, S(0));
    const SurrogateTerms terms =
        clipped_surrogate(b, m, advantages, base, o.epsilon, o.epsilon_high, o.beta, KlEstimator::k3, seq, w, out.dlogp,
                          SurrogateKind{o.loss_type, o.sapo_temperature_pos, o.sapo_temperature_neg});
    out.loss = terms.surrogate + o.beta * terms.kl;

    double low = 0.0, high = 0.0, any = 0.0, count = 0.0;
    auto tally = [&](double rho, double a, double weight) {
        const bool l = rho < 1.0 - o.epsilon && a < 0.0, h = rho > 1.0 + o.epsilon_high && a > 0.0;
        low += weight * l, high += weight * h, any += weight * (l || h), count += weight;
    };
    for (size_t i = 0; i < N; ++i) {
        if (seq) tally(terms.ratio[i], advantages[i], 1.0);
        else
            for (size_t t = 0; t < T; ++t)
                if (m[i * T + t] != 0.0) tally(terms.ratio[i * T + t], advantages[i], m[i * T + t]);
    }
    count = std::max(count, 1.0);
    out.metrics = {{"loss", out.loss},
                   {"clip_ratio_low", low / count},
                   {"clip_ratio_high", high / count},
                   {"clip_ratio_total", any / count},
                   {"ntokens", total}};
    if (!b.ref_logp.empty()) out.metrics["kl"] = mean_k3(b, m);
    return out;
}

// PPO with a pairwise judge (SPEC §8.2, seed 001). Pair j = rows (2j chosen, 2j+1 rejected),
// P pairs. S_i = sum_t m_it logp_it; S^old from old_logp (the rollout), S^ref from ref_logp.
//   preference:  a_j = score_gap_j when the judge gave scores, else 1
//   logprob_gap: a_j = S^old_c - S^old_r, then (a - mean_j a) / (std_j a + 1e-8) when P >= 2
//                (population std; seed 001's A_norm; with P = 1 the raw gap: the backend's
//                normalised advantage is identically 0 there)
//   A_chosen = +a_j, A_rejected = -a_j; token weights c_it = m_it / (P max(1, n_i)), so
//   L = (1/P) sum_j [mean_t l_c + mean_t l_r],  l = s + beta kl  (clipped_surrogate, eps both sides,
//   kl_estimator k3 (default) or k1 = the seed's beta (logp - ref))
// Metrics: policy_loss = sum c s; kl_penalty = beta sum c kl; clip_fraction = share of active tokens
// (sequence level: of sequences) with |rho - 1| > eps (the backend's definition); ratios_mean;
// advantages_mean = mean_j a_j; accuracies = mean_j [S_c > S_r]; margins = mean_j (S_c - S_r);
// chosen_rewards / rejected_rewards = mean_j beta (S - S^ref) (the backend's implicit rewards).
template <class S>
LossOutput<S> ppo_loss(const LossBatch<S>& b, std::span<const double> score_gap, const PpoOptions& o) {
    const bool against_ref = o.ratio_against == RatioAgainst::reference;
    check_batch(b, o.beta != 0.0 || against_ref);
    const size_t N = size_t(b.N), T = size_t(b.T);
    RF_CHECK(N % 2 == 0, "ppo_loss: rows must be (chosen, rejected) pairs");
    const size_t P = N / 2;
    RF_CHECK(score_gap.empty() || score_gap.size() == P, "ppo_loss: one score gap per pair");
    RF_CHECK(o.epsilon >= 0.0 && o.epsilon < 1.0, "ppo_loss: epsilon outside [0, 1)");  // refused by validate()
    const bool has_ref = !b.ref_logp.empty();

    std::vector<double> m(N * T), n(N, 0.0), seq_lp(N, 0.0), seq_old(N, 0.0), seq_ref(N, 0.0);
    for (size_t k = 0; k < N * T; ++k) {
        const size_t i = k / T;
        m[k] = double(b.mask[k]);
        n[i] += m[k];
        seq_lp[i] += m[k] * double(b.logp[k]);
        seq_old[i] += m[k] * double(b.old_logp.empty() ? b.logp[k] : b.old_logp[k]);
        if (has_ref) seq_ref[i] += m[k] * double(b.ref_logp[k]);
    }
    std::vector<double> a(P, 1.0);
    if (o.advantage == PpoAdvantage::preference) {
        for (size_t j = 0; j < P && !score_gap.empty(); ++j)
            if (!std::isnan(score_gap[j])) a[j] = score_gap[j];
    } else {
        for (size_t j = 0; j < P; ++j) a[j] = seq_old[2 * j] - seq_old[2 * j + 1];
        if (P >= 2) {
            double mean = 0.0, var = 0.0;
            for (double x : a) mean += x;
            mean /= double(P);
            for (double x : a) var += (x - mean) * (x - mean);
            const double sd = std::sqrt(var / double(P));
            for (double& x : a) x = (x - mean) / (sd + 1e-8);
        }
    }
    std::vector<double> A(N), w(N);
    for (size_t j = 0; j < P; ++j) {
        RF_CHECK(std::isfinite(a[j]), "ppo_loss: non-finite advantage");
        A[2 * j] = a[j], A[2 * j + 1] = -a[j];
    }
    for (size_t i = 0; i < N; ++i) w[i] = 1.0 / (double(P) * std::max(n[i], 1.0));
    const std::span<const S> base = against_ref ? b.ref_logp : (b.old_logp.empty() ? b.logp : b.old_logp);
    const bool seq = o.importance_sampling_level == ImportanceSamplingLevel::sequence;

    LossOutput<S> out;
    out.dlogp.assign(N * T, S(0));
    const SurrogateTerms terms =
        clipped_surrogate(b, m, A, base, o.epsilon, o.epsilon, o.beta, o.kl_estimator, seq, w, out.dlogp);
    out.loss = terms.surrogate + o.beta * terms.kl;

    double clipped = 0.0, ratio_sum = 0.0, count = 0.0;
    for (size_t k = 0; k < terms.ratio.size(); ++k) {
        const double weight = seq ? 1.0 : m[k];
        if (weight == 0.0) continue;
        clipped += weight * (std::abs(terms.ratio[k] - 1.0) > o.epsilon);
        ratio_sum += weight * terms.ratio[k];
        count += weight;
    }
    count = std::max(count, 1.0);
    double adv = 0.0, acc = 0.0, margin = 0.0, chosen = 0.0, rejected = 0.0;
    for (size_t j = 0; j < P; ++j) {
        adv += a[j];
        acc += seq_lp[2 * j] > seq_lp[2 * j + 1];
        margin += seq_lp[2 * j] - seq_lp[2 * j + 1];
        chosen += o.beta * (seq_lp[2 * j] - seq_ref[2 * j]);
        rejected += o.beta * (seq_lp[2 * j + 1] - seq_ref[2 * j + 1]);
    }
    const double p = double(P);
    out.metrics = {{"loss", out.loss},
                   {"policy_loss", terms.surrogate},
                   {"kl_penalty", o.beta * terms.kl},
                   {"clip_fraction", clipped / count},
                   {"ratios_mean", ratio_sum / count},
                   {"advantages_mean", adv / p},
                   {"accuracies", acc / p},
                   {"margins", margin / p}};
    if (has_ref) out.metrics["chosen_rewards"] = chosen / p, out.metrics["rejected_rewards"] = rejected / p;
    return out;
}

template LossOutput<float> grpo_loss(const LossBatch<float>&, std::span<const double>, std::span<const uint8_t>,
                                     const GrpoOptions&);
template LossOutput<double> grpo_loss(const LossBatch<double>&, std::span<const double>, std::span<const uint8_t>,
                                      const GrpoOptions&);
template LossOutput<float> ppo_loss(const LossBatch<float>&, std::span<const double>, const PpoOptions&);
template LossOutput<double> ppo_loss(const LossBatch<double>&, std::span<const double>, const PpoOptions&);

}  // namespace rf
