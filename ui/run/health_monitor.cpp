#include "run/health_monitor.h"

#include <QObject>
#include <cmath>
#include <vector>

namespace rf::ui {

namespace {

// First key of `keys` present in `row` (the modes name their reward / KL differently).
const double* findAny(const MetricsRow& row, std::initializer_list<const char*> keys) {
    for (const char* k : keys) {
        auto it = row.values.constFind(QString::fromLatin1(k));
        if (it != row.values.constEnd()) return &it.value();
    }
    return nullptr;
}

// Least-squares change of y over the window: slope * (n - 1).
double trendChange(const std::vector<double>& y) {
    const double n = double(y.size());
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (size_t i = 0; i < y.size(); ++i) {
        sx += double(i);
        sy += y[i];
        sxx += double(i) * double(i);
        sxy += double(i) * y[i];
    }
    const double den = n * sxx - sx * sx;
    if (den <= 0) return 0.0;
    return (n * sxy - sx * sy) / den * (n - 1);
}

double stddev(const std::vector<double>& y) {
    double mean = 0;
    for (double v : y) mean += v;
    mean /= double(y.size());
    double var = 0;
    for (double v : y) var += (v - mean) * (v - mean);
    return std::sqrt(var / double(y.size()));
}

}  // namespace

void HealthMonitor::add(const MetricsRow& row) {
    bool training = false;
    for (auto it = row.values.constBegin(); it != row.values.constEnd(); ++it)
        if (!it.key().startsWith(QLatin1String("val_"))) training = true;
    if (!training) return;
    m_rows.push_back(row);
    while (int(m_rows.size()) > kWindow) m_rows.pop_front();
}

void HealthMonitor::clear() { m_rows.clear(); }

QList<HealthWarning> HealthMonitor::warnings() const {
    QList<HealthWarning> out;
    if (m_rows.empty()) return out;
    const MetricsRow& last = m_rows.back();

    if (const double* loss = findAny(last, {"loss", "grad_norm"}); loss && !std::isfinite(*loss)) {
        out.append({"nonfinite", QObject::tr("Loss or gradient norm is NaN/Inf: lower the learning rate; the last "
                                             "good checkpoint is kept.")});
    }
    {
        double sum = 0;
        int n = 0;
        for (auto it = m_rows.rbegin(); it != m_rows.rend() && n < 5; ++it)
            if (const double* v = findAny(*it, {"frac_reward_zero_std"})) sum += *v, ++n;
        if (n > 0 && sum / n >= 0.8)
            out.append({"no_signal", QObject::tr("%1% of groups give all completions the same reward: no learning "
                                                 "signal. Raise temperature or group size, or use finer rewards.")
                                         .arg(qRound(100 * sum / n))});
    }
    if (const double* clip = findAny(last, {"clip_fraction", "clip_ratio_total"}); clip && *clip > 0.3) {
        out.append({"clipping", QObject::tr("%1% of tokens are clipped: the policy moves too far per step. Lower "
                                            "the learning rate or num_iterations.")
                                    .arg(qRound(100 * *clip))});
    }
    if (m_rows.size() >= 10) {
        std::vector<double> kl, reward;
        for (const MetricsRow& r : m_rows) {
            const double* k = findAny(r, {"kl", "kl_penalty"});
            const double* w = findAny(r, {"total_rewards_mean", "rewards", "chosen_rewards"});
            if (k && w && std::isfinite(*k) && std::isfinite(*w)) kl.push_back(*k), reward.push_back(*w);
        }
        if (kl.size() >= 10) {
            double kl_max = 0;
            for (double v : kl) kl_max = std::max(kl_max, std::abs(v));
            const double d_kl = trendChange(kl);
            const double d_reward = trendChange(reward);
            if (d_kl > std::max(1e-3, 0.25 * kl_max) && std::abs(d_reward) < 0.5 * stddev(reward) + 1e-3)
                out.append({"kl_drift", QObject::tr("KL keeps rising while the reward stays flat: the policy drifts "
                                                    "without improving. Raise beta or lower the learning rate.")});
        }
    }
    if (const double* hit = findAny(last, {"hit_max_tokens_ratio"}); hit && *hit >= 0.999) {
        out.append({"truncated", QObject::tr("Every completion hits max_completion_length: raise it, or the "
                                             "rewards only ever see truncated answers.")});
    }
    if (const double* failures = findAny(last, {"judge_failures"}); failures && *failures > 0) {
        out.append({"judge", QObject::tr("The judge failed %1 time(s) in the last step; failed verdicts are "
                                         "skipped.")
                                 .arg(*failures)});
    }
    return out;
}

}  // namespace rf::ui
