#include "judge/human_reward.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "judge/ask_within.h"

namespace rf {


void HumanRewardScorer::begin_step(int step, bool ask) {
    m_step = step;
    m_ask = ask;
    m_away = false;
    m_groups = 0;
}

bool HumanRewardScorer::chosen(int step, int64_t group) const {
    return chosen_for_person(m_opt.seed, step, group, m_opt.fraction);
}

std::vector<float> HumanRewardScorer::operator()(const Strings& prompts, const Strings& completions,
                                                 const Strings& answers, const Strings& types) {
    const size_t n = completions.size();
    const size_t G = size_t(std::max(1, m_opt.group_size));
    std::vector<float> out(n, std::nanf(""));
    if (!m_ask) return out;
    RF_CHECK(n % G == 0, "the human reward got a batch that is not whole groups");
    std::vector<size_t> groups;
    for (size_t g = 0; g < n / G; ++g)
        if (chosen(m_step, m_groups + int64_t(g))) groups.push_back(g);
    m_groups += int64_t(n / G);
    const int count = int(groups.size() * G);
    int index = 0;
    for (size_t g : groups) {
        std::vector<float> scores(G, std::nanf(""));
        bool whole = true;
        for (size_t j = 0; j < G; ++j, ++index) {
            const size_t i = g * G + j;
            JudgeItem item{prompts[i], completions[i], answers[i], types.empty() ? std::string() : types[i]};
            ScalarVerdict v;
            if (m_away) {
                v.skipped = true, v.raw = "not asked: the person was away";
            } else {
                std::optional<ScalarAnswer> a;
                const AskEnd end = ask_within(m_stop, m_opt.wait_seconds, [&](const std::atomic<bool>& flag) {
                    a = m_asker.ask_scalar(item, index, count, flag);
                    return a.has_value();
                });
                if (end == AskEnd::stopped) throw JudgeCancelled();
                if (end == AskEnd::timed_out) {
                    m_away = true;
                    v.skipped = true, v.raw = "no answer within human_wait_seconds";
                } else if (a->skip) {
                    v.skipped = true, v.raw = "skip";
                } else {
                    RF_CHECK(a->score >= 0.0f && a->score <= 10.0f, "a human score outside 0..10");
                    v.score = a->score, v.raw = std::to_string(a->score);
                    scores[j] = a->score / 10.0f;
                }
            }
            whole = whole && !v.skipped;
            if (m_log) m_log->append(m_step, "train", "human", item, v);
        }
        if (whole)
            for (size_t j = 0; j < G; ++j) out[g * G + j] = scores[j];
    }
    return out;
}

}  // namespace rf
