#include "rl/health.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>

namespace rf {

namespace {

// First key of `keys` present in `row` (the modes name their reward / KL differently).
const double* find_any(const StepMetrics& row, std::initializer_list<const char*> keys) {
    for (const char* k : keys)
        for (const Metric& m : row)
            if (m.name == k) return &m.value;
    return nullptr;
}

// Least-squares fit of y over the window: the change slope * (n - 1), and the slope's t statistic
// (slope / its standard error; large only when the rise stands out of the noise around the line).
struct Trend {
    double change = 0.0;
    double t = 0.0;
};
Trend trend(const std::vector<double>& y) {
    const double n = double(y.size());
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (size_t i = 0; i < y.size(); ++i) {
        sx += double(i);
        sy += y[i];
        sxx += double(i) * double(i);
        sxy += double(i) * y[i];
    }
    const double den = n * sxx - sx * sx;
    if (den <= 0 || n < 3) return {};
    const double slope = (n * sxy - sx * sy) / den, icept = (sy - slope * sx) / n;
    double rss = 0;
    for (size_t i = 0; i < y.size(); ++i) {
        const double r = y[i] - (icept + slope * double(i));
        rss += r * r;
    }
    const double se = std::sqrt(rss / (n - 2) / (sxx - sx * sx / n));
    return {slope * (n - 1), se > 0 ? slope / se : (slope > 0 ? 1e300 : slope < 0 ? -1e300 : 0.0)};
}

double trend_change(const std::vector<double>& y) {
    return trend(y).change;
}

double stddev(const std::vector<double>& y) {
    double mean = 0;
    for (double v : y) mean += v;
    mean /= double(y.size());
    double var = 0;
    for (double v : y) var += (v - mean) * (v - mean);
    return std::sqrt(var / double(y.size()));
}

std::string percent(double x) {
    return std::to_string(int(std::lround(100 * x))) + "%";
}

}  // namespace

void HealthMonitor::add(const StepMetrics& row) {
    bool training = false;
    for (const Metric& m : row)
        if (m.name.rfind("val_", 0) != 0) training = true;
    if (!training) return;
    m_rows.push_back(row);
    while (int(m_rows.size()) > kWindow) m_rows.pop_front();
}

std::vector<HealthWarning> HealthMonitor::warnings() const {
    std::vector<HealthWarning> out;
    if (m_rows.empty()) return out;
    const StepMetrics& last = m_rows.back();

    if (const double* loss = find_any(last, {"loss", "grad_norm"}); loss && !std::isfinite(*loss))
        out.push_back({"nonfinite", "Loss or gradient norm is NaN/Inf: lower the learning rate; the last good "
                                    "checkpoint is kept."});
    {
        double sum = 0;
        int n = 0;
        for (auto it = m_rows.rbegin(); it != m_rows.rend() && n < 5; ++it)
            if (const double* v = find_any(*it, {"frac_reward_zero_std"})) sum += *v, ++n;
        if (n > 0 && sum / n >= 0.8)
            out.push_back({"no_signal", percent(sum / n) + " of groups give all completions the same reward: no "
                                                           "learning signal. Raise temperature or group size, or use "
                                                           "finer rewards."});
    }
    if (const double* clip = find_any(last, {"clip_fraction", "clip_ratio_total"}); clip && *clip > 0.3)
        out.push_back({"clipping", percent(*clip) + " of tokens are clipped: the policy moves too far per step. "
                                                    "Lower the learning rate or num_iterations."});
    if (m_rows.size() >= size_t(kWindow)) {  // a full window: KL always rises from 0 at the start
        std::vector<double> kl, reward;
        for (const StepMetrics& r : m_rows) {
            const double* k = find_any(r, {"kl", "kl_penalty"});
            const double* w = find_any(r, {"total_rewards_mean", "rewards", "chosen_rewards"});
            if (k && w && std::isfinite(*k) && std::isfinite(*w)) kl.push_back(*k), reward.push_back(*w);
        }
        if (kl.size() >= size_t(kWindow)) {
            double kl_max = 0;
            for (double v : kl) kl_max = std::max(kl_max, std::abs(v));
            const Trend t_kl = trend(kl);
            const double d_reward = trend_change(reward);
            // a rise that stands out of KL's own noise (t > 4): per-step KL is spiky, and a healthy
            // run's noise alone often made the least-squares change large
            if (t_kl.change > std::max(1e-3, 0.25 * kl_max) && t_kl.t > 4.0 &&
                std::abs(d_reward) < 0.5 * stddev(reward) + 1e-3)
                out.push_back({"kl_drift", "KL keeps rising while the reward stays flat: the policy drifts without "
                                           "improving. Raise beta or lower the learning rate."});
        }
    }
    if (const double* hit = find_any(last, {"hit_max_tokens_ratio"}); hit && *hit >= 0.999)
        out.push_back({"truncated", "Every completion hits max_completion_length: raise it, or the rewards only ever "
                                    "see truncated answers."});
    // judge_failures is a running total: warn when it grew since the previous report
    const double* failures = find_any(last, {"judge_failures"});
    const double* before = m_rows.size() >= 2 ? find_any(m_rows[m_rows.size() - 2], {"judge_failures"}) : nullptr;
    if (failures && *failures > (before ? *before : 0.0)) {
        char n[32];
        std::snprintf(n, sizeof n, "%g", *failures - (before ? *before : 0.0));
        out.push_back({"judge", "The judge failed " + std::string(n) + " time(s) in the last step; failed verdicts are "
                                                                       "skipped."});
    }
    return out;
}

}  // namespace rf
