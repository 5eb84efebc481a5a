// Health warnings of a running training (SPEC §12), computed from the stream of step metrics. The
// CLI prints them, the GUI shows them; the thresholds are stated in docs/gui.md.
//
//   nonfinite   loss or grad_norm is NaN/Inf.
//   no_signal   mean frac_reward_zero_std of the last 5 reports >= 0.8: most groups give every
//               completion the same reward, so GRPO advantages are 0 and nothing is learned.
//   clipping    clip_fraction or clip_ratio_total of the last report > 0.3: the update moves the
//               policy too far per step (learning rate, num_iterations, epsilon).
//   kl_drift    over a full window of 20 reports (KL always rises from 0 at the start of a run) the
//               least-squares trend of KL rises by more than max(1e-3, 25 % of the largest |KL|),
//               significantly (the slope's t statistic > 4: per-step KL is spiky),
//               while the reward's trend changes by less than half the reward's standard deviation
//               over that window (+1e-3). Held against a recorded healthy run of the GRPO preset.
//   truncated   hit_max_tokens_ratio of the last report >= 0.999: every completion hits
//               max_completion_length.
//   judge       judge_failures (a running total) grew since the previous report.
#pragma once
#include <deque>
#include <string>
#include <vector>

#include "rl/metrics.h"

namespace rf {

struct HealthWarning {
    std::string id;    // nonfinite, no_signal, clipping, kl_drift, truncated, judge
    std::string text;  // one sentence saying what is wrong and what to change
};

class HealthMonitor {
public:
    static constexpr int kWindow = 20;

    void add(const StepMetrics& row);  // rows with only validation (`val_`) metrics are ignored
    void clear() { m_rows.clear(); }
    std::vector<HealthWarning> warnings() const;

private:
    std::deque<StepMetrics> m_rows;  // the last kWindow training reports
};

}  // namespace rf
