#include "judge/rewards_judge.h"

#include <cstdio>

namespace rf {
namespace {

// "r1_accuracy_reward_func=2 r1_count_xml=0.5" for verdict.raw (None shows as "none").
std::string breakdown(const RewardBatch& b, size_t i) {
    std::string s;
    for (size_t k = 0; k < b.names.size(); ++k) {
        char buf[48];
        float v = b.per_function[k][i];
        if (v != v)
            std::snprintf(buf, sizeof buf, "none");
        else
            std::snprintf(buf, sizeof buf, "%g", double(v));
        s += (s.empty() ? "" : " ") + b.names[k] + "=" + buf;
    }
    return s;
}

}  // namespace

std::vector<ScalarVerdict> RewardsJudge::score(const std::vector<JudgeItem>& items) {
    Strings prompts, completions, answers, types;
    bool any_type = false;
    for (const JudgeItem& it : items) {
        prompts.push_back(it.prompt);
        completions.push_back(it.completion);
        answers.push_back(it.answer);
        types.push_back(it.type);
        any_type = any_type || !it.type.empty();
    }
    if (!any_type) types.clear();
    m_last = m_rewards->score(prompts, completions, answers, types);
    std::vector<ScalarVerdict> out(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
        out[i].score = m_last.total[i];
        out[i].raw = breakdown(m_last, i);
    }
    return out;
}

std::vector<PairVerdict> RewardsJudge::compare(const std::vector<PairItem>& items) {
    Strings prompts, completions, answers, types;
    bool any_type = false;
    for (const PairItem& it : items) {
        for (int k = 0; k < 2; ++k) {
            prompts.push_back(it.prompt);
            completions.push_back(it.completions[size_t(k)]);
            answers.push_back(it.answer);
            types.push_back(it.type);
        }
        any_type = any_type || !it.type.empty();
    }
    if (!any_type) types.clear();
    m_last = m_rewards->score(prompts, completions, answers, types);
    std::vector<PairVerdict> out(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
        const float a = m_last.total[2 * i], b = m_last.total[2 * i + 1];
        PairVerdict& v = out[i];
        v.scores = std::array<float, 2>{a, b};
        v.winner = a > b ? Winner::first : b > a ? Winner::second : Winner::tie;
        v.raw = "A: " + breakdown(m_last, 2 * i) + " | B: " + breakdown(m_last, 2 * i + 1);
    }
    return out;
}

}  // namespace rf
