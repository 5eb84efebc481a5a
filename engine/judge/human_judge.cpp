#include "judge/human_judge.h"

#include <chrono>
#include <cstdio>
#include <thread>

#include "core/error.h"

namespace rf {

std::vector<ScalarVerdict> HumanJudge::score(const std::vector<JudgeItem>& items) {
    std::vector<ScalarVerdict> out;
    out.reserve(items.size());
    const int n = int(items.size());
    for (int i = 0; i < n; ++i) {
        if (m_stop.load()) throw JudgeCancelled();
        std::optional<ScalarAnswer> a = m_asker.ask_scalar(items[size_t(i)], i, n, m_stop);
        if (!a) throw JudgeCancelled();
        ScalarVerdict v;
        if (a->skip) {
            v.skipped = true;
            v.raw = "skip";
        } else {
            RF_CHECK(a->score >= 0.0f && a->score <= 10.0f, "human score outside 0..10");
            v.score = a->score;
            char buf[32];
            std::snprintf(buf, sizeof buf, "%g", double(a->score));
            v.raw = buf;
        }
        report(size_t(i), v);
        out.push_back(std::move(v));
    }
    return out;
}

std::vector<PairVerdict> HumanJudge::compare(const std::vector<PairItem>& items) {
    std::vector<PairVerdict> out;
    out.reserve(items.size());
    const int n = int(items.size());
    for (int i = 0; i < n; ++i) {
        if (m_stop.load()) throw JudgeCancelled();
        std::optional<Winner> w = m_asker.ask_pair(items[size_t(i)], i, n, m_stop);
        if (!w) throw JudgeCancelled();
        PairVerdict v;
        v.winner = *w;
        v.raw = to_string(*w);
        report(size_t(i), v);
        out.push_back(std::move(v));
    }
    return out;
}

ScriptedAsker::ScriptedAsker(std::vector<Answer> answers) : m_answers(answers.begin(), answers.end()) {}

void ScriptedAsker::push(Answer a) {
    std::lock_guard<std::mutex> lock(m_mu);
    m_answers.push_back(a);
}

std::vector<std::vector<std::string>> ScriptedAsker::shown() const {
    std::lock_guard<std::mutex> lock(m_mu);
    return m_shown;
}

int ScriptedAsker::asked() const {
    std::lock_guard<std::mutex> lock(m_mu);
    return int(m_shown.size());
}

std::optional<ScriptedAsker::Answer> ScriptedAsker::next(const std::atomic<bool>& stop) {
    for (;;) {
        {
            std::lock_guard<std::mutex> lock(m_mu);
            if (!m_answers.empty()) {
                Answer a = m_answers.front();
                m_answers.pop_front();
                return a;
            }
        }
        if (stop.load()) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

std::optional<Winner> ScriptedAsker::ask_pair(const PairItem& item, int, int, const std::atomic<bool>& stop) {
    {
        std::lock_guard<std::mutex> lock(m_mu);
        m_shown.push_back({item.completions[0], item.completions[1]});
    }
    std::optional<Answer> a = next(stop);
    if (!a) return std::nullopt;
    return a->winner;
}

std::optional<ScalarAnswer> ScriptedAsker::ask_scalar(const JudgeItem& item, int, int, const std::atomic<bool>& stop) {
    {
        std::lock_guard<std::mutex> lock(m_mu);
        m_shown.push_back({item.completion});
    }
    std::optional<Answer> a = next(stop);
    if (!a) return std::nullopt;
    return a->scalar;
}

}  // namespace rf
