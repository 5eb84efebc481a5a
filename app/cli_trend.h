// The CLI's progress line shows what a run is learning, not one noisy number: the run's main
// metrics — the reward, the share of exact answers (r1_accuracy), a judged step's accuracy, KL; the
// loss for SFT — each as the mean over the last `window` steps with its change against the `window`
// steps before ("reward 2.45 (+0.31)  exact 62% (+8 pts)"), and the latest held-out values.
#pragma once
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "rl/metrics.h"

namespace rf::cli {

class TrendLine {
public:
    explicit TrendLine(int window) : m_window(window < 2 ? 2 : window) {}
    void add(const StepMetrics& m);       // a training step
    void add_eval(const StepMetrics& m);  // an evaluation (names with val_ / test_)
    // "reward 2.45 (+0.31)  exact 62% (+8 pts)  kl 0.012  | val reward 2.36 exact 44%"; "" before any step.
    std::string text() const;
    // The short name of a metric: total_rewards_mean -> reward, r1_accuracy_reward_func_mean -> exact.
    static std::string short_name(const std::string& metric);

private:
    int m_window;
    std::vector<std::string> m_order;                     // main metrics, in first-seen order
    std::map<std::string, std::deque<double>> m_history;  // the last 2 windows of each
    std::map<std::string, double> m_eval;                 // latest val_ means
    std::vector<std::string> m_eval_order;
};

}  // namespace rf::cli
