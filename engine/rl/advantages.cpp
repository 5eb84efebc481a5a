#include "rl/advantages.h"

#include <cmath>
#include <utility>

#include "core/error.h"

namespace rf {

namespace {

double mean_of(std::span<const double> x) {
    double s = 0.0;
    for (double v : x) s += v;
    return x.empty() ? 0.0 : s / double(x.size());
}

// Population standard deviation (ddof 0), as mx.std / numpy default.
double std_of(std::span<const double> x) {
    if (x.empty()) return 0.0;
    const double m = mean_of(x);
    double s = 0.0;
    for (double v : x) s += (v - m) * (v - m);
    return std::sqrt(s / double(x.size()));
}

void check_groups(size_t n, int group_size, const char* who) {
    if (group_size < 1) throw InputError({}, 0, "group_size", "must be at least 1, got " + std::to_string(group_size));
    RF_CHECK(n % size_t(group_size) == 0, std::string(who) + ": batch is not a whole number of groups");
}

}  // namespace

RunningMeanBaseline RunningMeanBaseline::from_json(const nlohmann::json& j) {
    if (!j.is_object() || !j.contains("value") || !j.contains("count") || !j["value"].is_number() ||
        !j["count"].is_number_integer() || j["count"].get<int64_t>() < 0 || !std::isfinite(j["value"].get<double>()))
        throw InputError({}, 0, "running_mean_baseline", "expected {value: <number>, count: <integer >= 0>}, got " + j.dump(),
                         "the run's state file is damaged; resume from an earlier checkpoint");
    return {j["value"].get<double>(), j["count"].get<int64_t>()};
}

// Baselines for REINFORCE (seed 003 §3.2; NeMo-Aligner RLOO, seed 002), on per-sequence values r:
//   none             b_i = 0
//   batch_mean       b_i = (1/N) sum_j r_j
//   per_prompt_mean  b_i = (1/G) sum_{j in g(i)} r_j
//   rloo             b_i = (1/(G-1)) sum_{j in g(i), j != i} r_j      (leave-one-out)
//   running_mean     b_i = v (state; the batch mean when empty), then v <- d v + (1 - d) mean_j r_j
// All are constants for the gradient (computed from detached values).
std::vector<double> reinforce_baselines(std::span<const double> r, Baseline baseline, int group_size, double decay,
                                        RunningMeanBaseline* running) {
    const size_t n = r.size();
    std::vector<double> b(n, 0.0);
    const double batch_mean = mean_of(r);
    switch (baseline) {
    case Baseline::none: break;
    case Baseline::batch_mean: std::fill(b.begin(), b.end(), batch_mean); break;
    case Baseline::per_prompt_mean:
    case Baseline::rloo: {
        check_groups(n, group_size, "reinforce_baselines");
        if (baseline == Baseline::rloo && group_size < 2)
            throw InputError({}, 0, "group_size", "the rloo baseline needs group_size >= 2, got " + std::to_string(group_size),
                             "sample at least 2 completions per prompt (train_mode rloo uses 4)");
        const size_t G = size_t(group_size);
        for (size_t g0 = 0; g0 < n; g0 += G) {
            double sum = 0.0;
            for (size_t j = g0; j < g0 + G; ++j) sum += r[j];
            for (size_t i = g0; i < g0 + G; ++i)
                b[i] = baseline == Baseline::rloo ? (sum - r[i]) / double(G - 1) : sum / double(G);
        }
        break;
    }
    case Baseline::running_mean: {
        RF_CHECK(running != nullptr, "running_mean baseline without its state");
        if (!(decay >= 0.0 && decay <= 1.0))
            throw InputError({}, 0, "running_mean_decay", "must be in [0, 1], got " + std::to_string(decay));
        const double v = running->count > 0 ? running->value : batch_mean;
        std::fill(b.begin(), b.end(), v);
        running->value = running->count > 0 ? decay * running->value + (1.0 - decay) * batch_mean : batch_mean;
        running->count += 1;
        break;
    }
    }
    return b;
}

// GRPO group-relative advantages (seed 004; DeepSeekMath eq. for outcome supervision; TRL
// GRPOTrainer scale_rewards):
//   R_i = sum_k w_k r_ki                         (a NaN r_ki — function not applicable — counts 0)
//   mu_g = mean_{j in g} R_j,  s_g = std_{j in g} R_j   (advantage_std: population, ddof 0, as
//                                                        mlx-lm-lora, default; unbiased, ddof 1, as TRL)
//   group: A_i = (R_i - mu_g(i)) / (s_g(i) + 1e-4)
//   batch: A_i = (R_i - mu_g(i)) / (std_j R_j + 1e-4)
//   none:  A_i =  R_i - mu_g(i)                                           (Dr. GRPO)
// frac_reward_zero_std = share of groups with s_g < 1e-8 (no learning signal; TRL's isclose).
GroupAdvantages grpo_advantages(std::span<const double> fn_rewards, std::span<const std::string> fn_names,
                                std::span<const double> weights, int group_size, ScaleRewards scale,
                                AdvantageStd std_kind) {
    // population std -> unbiased: times sqrt(n / (n - 1)) (n >= 2: group_size >= 2 in GRPO)
    auto scale_std = [&](double population, size_t n) {
        return std_kind == AdvantageStd::unbiased && n > 1 ? population * std::sqrt(double(n) / double(n - 1)) : population;
    };
    const size_t K = fn_names.size();
    if (weights.size() != K)
        throw InputError({}, 0, "reward_weights",
                         std::to_string(weights.size()) + " weights for " + std::to_string(K) + " reward functions",
                         "give one weight per reward function, or none for all 1.0");
    RF_CHECK(K > 0, "grpo_advantages: no reward functions");
    RF_CHECK(fn_rewards.size() % K == 0, "grpo_advantages: reward table is not K x N");
    const size_t N = fn_rewards.size() / K;
    RF_CHECK(N > 0, "grpo_advantages: empty batch");
    check_groups(N, group_size, "grpo_advantages");
    const size_t G = size_t(group_size);

    GroupAdvantages out;
    out.total_rewards.assign(N, 0.0);
    for (size_t k = 0; k < K; ++k) {
        std::vector<double> present;
        for (size_t i = 0; i < N; ++i) {
            const double v = fn_rewards[k * N + i];
            if (std::isnan(v)) continue;
            RF_CHECK(std::isfinite(v), "grpo_advantages: infinite reward from " + fn_names[k]);
            out.total_rewards[i] += weights[k] * v;
            present.push_back(v);
        }
        out.metrics[fn_names[k] + "_mean"] = mean_of(present);
        out.metrics[fn_names[k] + "_std"] = std_of(present);
        out.metrics[fn_names[k] + "_coverage"] = double(present.size()) / double(N);
    }

    const std::span<const double> R(out.total_rewards);
    const double batch_std = std_of(R);
    out.advantages.assign(N, 0.0);
    double sum_group_mean = 0.0, sum_group_std = 0.0;
    size_t zero_std_groups = 0;
    for (size_t g0 = 0; g0 < N; g0 += G) {
        const std::span<const double> grp = R.subspan(g0, G);
        const double mu = mean_of(grp), sd = std_of(grp);
        sum_group_mean += mu;
        sum_group_std += sd;
        if (sd < 1e-8) ++zero_std_groups;
        const double denom = scale == ScaleRewards::group   ? scale_std(sd, G) + 1e-4
                             : scale == ScaleRewards::batch ? scale_std(batch_std, N) + 1e-4
                                                            : 1.0;
        for (size_t i = g0; i < g0 + G; ++i) out.advantages[i] = (R[i] - mu) / denom;
    }
    const double groups = double(N / G);
    out.metrics["total_rewards_mean"] = mean_of(R);
    out.metrics["total_rewards_std"] = batch_std;
    out.metrics["grouped_rewards_mean"] = sum_group_mean / groups;
    out.metrics["grouped_rewards_std"] = sum_group_std / groups;
    out.metrics["frac_reward_zero_std"] = double(zero_std_groups) / groups;
    return out;
}

}  // namespace rf
