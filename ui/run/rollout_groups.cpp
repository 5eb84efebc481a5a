#include "run/rollout_groups.h"

#include <cmath>
#include <limits>

namespace rf::ui {

bool RolloutIndex::withoutSignal(const RolloutRow& r) {
    if (!r.verdict.isEmpty() || !std::isfinite(r.reward)) return true;
    for (double v : r.function_rewards)
        if (!std::isfinite(v)) return true;
    return false;
}

void RolloutIndex::clear() {
    m_rows.clear();
    m_groups.clear();
    m_step_groups.clear();
    m_functions.clear();
}

void RolloutIndex::add(const QList<RolloutRow>& rows) {
    const int first = int(m_rows.size());
    m_rows.append(rows);
    if (m_rows.size() > m_max_rows) {
        // drop the oldest steps whole, then index everything again
        int drop = 0;
        while (m_rows.size() - drop > m_max_rows * 9 / 10 && drop < m_rows.size()) {
            const int step = m_rows[drop].step;
            while (drop < m_rows.size() && m_rows[drop].step == step) ++drop;
        }
        m_rows.remove(0, drop);
        rebuild();
        return;
    }
    for (int i = first; i < m_rows.size(); ++i) append(i);
}

void RolloutIndex::rebuild() {
    m_groups.clear();
    m_step_groups.clear();
    m_functions.clear();
    for (int i = 0; i < m_rows.size(); ++i) append(i);
}

void RolloutIndex::append(int i) {
    const RolloutRow& r = m_rows[i];
    for (auto it = r.function_rewards.constBegin(); it != r.function_rewards.constEnd(); ++it)
        if (!m_functions.contains(it.key())) m_functions.append(it.key());
    bool same = false;
    if (!m_groups.isEmpty()) {
        const RolloutGroup& last = m_groups.last();
        const RolloutRow& prev = m_rows[last.rows.last()];
        same = prev.step == r.step &&
               (r.group >= 0 ? prev.group == r.group : prev.group < 0 && prev.prompt == r.prompt);
    }
    if (!same) {
        RolloutGroup g;
        g.step = r.step;
        g.group = int(m_step_groups.value(r.step).size());
        m_step_groups[r.step].append(int(m_groups.size()));
        m_groups.append(g);
    }
    m_groups.last().rows.append(i);
    finish(m_groups.last());
}

void RolloutIndex::finish(RolloutGroup& g) const {
    double sum = 0, sq = 0;
    int n = 0;
    g.min = std::numeric_limits<double>::infinity();
    g.max = -g.min;
    g.truncated = g.failed = 0;
    for (int i : std::as_const(g.rows)) {
        const RolloutRow& r = m_rows[i];
        g.truncated += r.truncated ? 1 : 0;
        g.failed += withoutSignal(r) ? 1 : 0;
        if (!std::isfinite(r.reward)) continue;
        sum += r.reward;
        sq += r.reward * r.reward;
        ++n;
        g.min = std::min(g.min, r.reward);
        g.max = std::max(g.max, r.reward);
    }
    g.mean = n ? sum / n : std::nan("");
    g.std = n ? std::sqrt(std::max(0.0, sq / n - g.mean * g.mean)) : std::nan("");
    if (!n) g.min = g.max = std::nan("");
}

StepSummary RolloutIndex::summary(int step) const {
    StepSummary s;
    s.step = step;
    double sum = 0;
    int n = 0;
    s.worst = std::numeric_limits<double>::infinity();
    for (int gi : m_step_groups.value(step)) {
        const RolloutGroup& g = m_groups[gi];
        ++s.groups;
        s.completions += int(g.rows.size());
        for (int i : g.rows)
            if (std::isfinite(m_rows[i].reward)) {
                sum += m_rows[i].reward;
                ++n;
            }
        if (std::isfinite(g.mean)) s.worst = std::min(s.worst, g.mean);
        s.zero_variance += g.zeroVariance() ? 1 : 0;
        s.truncated += g.truncated > 0 ? 1 : 0;
        s.failed += g.failed > 0 ? 1 : 0;
    }
    s.mean = n ? sum / n : std::nan("");
    if (!std::isfinite(s.worst)) s.worst = std::nan("");
    return s;
}

int RolloutIndex::worstGroup(const GroupFilter& filter, int step) const {
    int best = -1;
    auto consider = [&](int gi) {
        const RolloutGroup& g = m_groups[gi];
        if (!filter.passes(g)) return;
        const double m = std::isfinite(g.mean) ? g.mean : std::numeric_limits<double>::infinity();
        if (best < 0 || m < (std::isfinite(m_groups[best].mean) ? m_groups[best].mean : std::numeric_limits<double>::infinity()))
            best = gi;
    };
    if (step >= 0) {
        for (int gi : m_step_groups.value(step)) consider(gi);
    } else {
        for (int gi = 0; gi < m_groups.size(); ++gi) consider(gi);
    }
    return best;
}

}  // namespace rf::ui
