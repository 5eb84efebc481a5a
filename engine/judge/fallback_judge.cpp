#include "judge/fallback_judge.h"

#include <cstdio>

#include "core/error.h"
#include "judge/ask_within.h"

namespace rf {

void FallbackJudge::begin_step(int step) {
    m_step = step;
    m_seen = 0;
    m_away = false;
}

bool FallbackJudge::ask_this(int64_t index) const {
    return !m_away && chosen_for_person(m_opt.seed, m_step, index, m_opt.fraction);
}

std::vector<ScalarVerdict> FallbackJudge::score(const std::vector<JudgeItem>& items) {
    const int n = int(items.size());
    std::vector<ScalarVerdict> out(items.size());
    std::vector<size_t> rest;
    int count = 0;
    for (int i = 0; i < n; ++i) count += chosen_for_person(m_opt.seed, m_step, m_seen + i, m_opt.fraction) ? 1 : 0;
    for (int i = 0, asked = 0; i < n; ++i) {
        if (!ask_this(m_seen + i)) {
            rest.push_back(size_t(i));
            continue;
        }
        std::optional<ScalarAnswer> a;
        const AskEnd end = ask_within(m_stop, m_opt.wait_seconds, [&](const std::atomic<bool>& flag) {
            a = m_asker.ask_scalar(items[size_t(i)], asked, count, flag);
            return a.has_value();
        });
        ++asked;
        if (end == AskEnd::stopped) throw JudgeCancelled();
        if (end == AskEnd::timed_out) m_away = true;
        if (end == AskEnd::timed_out || a->skip) {
            rest.push_back(size_t(i));
            continue;
        }
        RF_CHECK(a->score >= 0.0f && a->score <= 10.0f, "human score outside 0..10");
        ScalarVerdict& v = out[size_t(i)];
        v.score = a->score;
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", double(a->score));
        v.raw = buf;
        report(size_t(i), v);
    }
    m_seen += n;
    if (rest.empty()) return out;
    std::vector<JudgeItem> sub;
    for (size_t i : rest) sub.push_back(items[i]);
    std::vector<ScalarVerdict> fb = m_fallback->score(sub);
    RF_CHECK(fb.size() == sub.size(), "the fallback judge returned a wrong number of verdicts");
    for (size_t k = 0; k < rest.size(); ++k) {
        fb[k].by = m_fallback->name();
        out[rest[k]] = std::move(fb[k]);
    }
    return out;
}

std::vector<PairVerdict> FallbackJudge::compare(const std::vector<PairItem>& items) {
    const int n = int(items.size());
    std::vector<PairVerdict> out(items.size());
    std::vector<size_t> rest;
    int count = 0;
    for (int i = 0; i < n; ++i) count += chosen_for_person(m_opt.seed, m_step, m_seen + i, m_opt.fraction) ? 1 : 0;
    for (int i = 0, asked = 0; i < n; ++i) {
        if (!ask_this(m_seen + i)) {
            rest.push_back(size_t(i));
            continue;
        }
        std::optional<Winner> w;
        const AskEnd end = ask_within(m_stop, m_opt.wait_seconds, [&](const std::atomic<bool>& flag) {
            w = m_asker.ask_pair(items[size_t(i)], asked, count, flag);
            return w.has_value();
        });
        ++asked;
        if (end == AskEnd::stopped) throw JudgeCancelled();
        if (end == AskEnd::timed_out) m_away = true;
        if (end == AskEnd::timed_out || *w == Winner::skip) {
            rest.push_back(size_t(i));
            continue;
        }
        PairVerdict& v = out[size_t(i)];
        v.winner = *w;
        v.raw = to_string(*w);
        report(size_t(i), v);
    }
    m_seen += n;
    if (rest.empty()) return out;
    std::vector<PairItem> sub;
    for (size_t i : rest) sub.push_back(items[i]);
    std::vector<PairVerdict> fb = m_fallback->compare(sub);
    RF_CHECK(fb.size() == sub.size(), "the fallback judge returned a wrong number of verdicts");
    for (size_t k = 0; k < rest.size(); ++k) {
        fb[k].by = m_fallback->name();
        out[rest[k]] = std::move(fb[k]);
    }
    return out;
}

}  // namespace rf
