#include "cli_trend.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>

namespace rf::cli {

namespace {

std::string number(double v) {
    char buf[32];
    double a = std::fabs(v);
    std::snprintf(buf, sizeof buf, a != 0 && (a < 0.01 || a >= 1000) ? "%.2g" : "%.3g", v);
    return buf;
}

// The metrics a progress line shows, when the step has them, in this order: the reward, the share of
// exact answers (r1_accuracy_reward_func gives 2.0 for an exact answer, so its mean / 2), the
// accuracy of a judged step, KL. The other reward functions' means are in the eval lines and
// metrics.jsonl; an SFT step shows its loss.
constexpr const char* kMain[] = {"total_rewards_mean", "rewards", "r1_accuracy_reward_func_mean", "accuracies", "kl"};

bool is_main(const std::string& name) {
    return std::find_if(std::begin(kMain), std::end(kMain), [&](const char* k) { return name == k; }) != std::end(kMain);
}

int main_rank(const std::string& name) {
    for (int i = 0; i < int(std::size(kMain)); ++i)
        if (name == kMain[i]) return i;
    return int(std::size(kMain));
}

// r1_accuracy as a percentage of exact answers; the rest as numbers
std::string shown(const std::string& name, double v, bool delta) {
    if (name.ends_with("r1_accuracy_reward_func_mean")) {
        char buf[32];
        std::snprintf(buf, sizeof buf, delta ? "%+.0f pts" : "%.0f%%", 50.0 * v);
        return buf;
    }
    return delta ? (v >= 0 ? "+" : "") + number(v) : number(v);
}

}  // namespace

std::string TrendLine::short_name(const std::string& metric) {
    std::string s = metric;
    for (const char* prefix : {"val_", "test_", "r1_"})
        if (s.rfind(prefix, 0) == 0) s = s.substr(std::string(prefix).size());
    for (const char* suffix : {"_mean", "_reward_func", "_func"})
        if (s.size() > std::string(suffix).size() && s.ends_with(suffix)) s.resize(s.size() - std::string(suffix).size());
    if (s == "accuracy") return "exact";
    if (s == "total_rewards") return "reward";
    if (s == "rewards") return "reward";
    if (s == "accuracies") return "accuracy";
    return s;
}

void TrendLine::add(const StepMetrics& m) {
    bool any_main = false;  // SFT steps have none: their loss is shown
    for (const Metric& x : m) any_main |= is_main(x.name);
    for (const Metric& x : m) {
        bool shown = any_main ? is_main(x.name) : x.name == "loss";
        if (!shown || !std::isfinite(x.value)) continue;
        auto& h = m_history[x.name];
        if (h.empty() && std::find(m_order.begin(), m_order.end(), x.name) == m_order.end()) {
            m_order.push_back(x.name);
            std::stable_sort(m_order.begin(), m_order.end(), [](auto& a, auto& b) { return main_rank(a) < main_rank(b); });
        }
        h.push_back(x.value);
        while (int(h.size()) > 2 * m_window) h.pop_front();
    }
}

void TrendLine::add_eval(const StepMetrics& m) {
    for (const Metric& x : m) {
        if (x.name.rfind("val_", 0) != 0 || !std::isfinite(x.value)) continue;
        std::string base = x.name.substr(4);
        if (!is_main(base) && base != "loss") continue;
        if (base == "kl") continue;
        if (!m_eval.count(x.name)) {
            m_eval_order.push_back(x.name);
            std::stable_sort(m_eval_order.begin(), m_eval_order.end(), [](auto& a, auto& b) { return main_rank(a.substr(4)) < main_rank(b.substr(4)); });
        }
        m_eval[x.name] = x.value;
    }
}

std::string TrendLine::text() const {
    std::string out;
    for (const std::string& name : m_order) {
        const auto& h = m_history.at(name);
        if (h.empty()) continue;
        size_t n = h.size(), w = std::min<size_t>(n, size_t(m_window));
        double recent = 0, before = 0;
        for (size_t i = n - w; i < n; ++i) recent += h[i];
        recent /= double(w);
        std::string item = short_name(name) + " " + shown(name, recent, false);
        if (n >= 2 * size_t(m_window)) {  // a full window before the last one: the trend
            for (size_t i = n - 2 * w; i < n - w; ++i) before += h[i];
            before /= double(w);
            item += " (" + shown(name, recent - before, true) + ")";
        }
        out += (out.empty() ? "" : "  ") + item;
    }
    if (!m_eval_order.empty()) out += "  | val";
    for (const std::string& name : m_eval_order) out += " " + short_name(name) + " " + shown(name, m_eval.at(name), false);
    return out;
}

}  // namespace rf::cli
