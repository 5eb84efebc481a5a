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

// The person on the chosen items (each answer reported at once, so it is saved even if the batch is
// cancelled later), the fallback on the rest in one batch. `ask` poses one question with the flag to
// poll; `accept` turns an answer into a verdict, false for a skip.
template <class Item, class Verdict, class Answer, class Ask, class Accept, class Fallback>
std::vector<Verdict> FallbackJudge::decide(const std::vector<Item>& items, Ask ask, Accept accept, Fallback fallback) {
    const int n = int(items.size());
    std::vector<Verdict> out(items.size());
    std::vector<size_t> rest;
    int count = 0;
    for (int i = 0; i < n; ++i) count += chosen_for_person(m_opt.seed, m_step, m_seen + i, m_opt.fraction) ? 1 : 0;
    for (int i = 0, asked = 0; i < n; ++i) {
        if (!ask_this(m_seen + i)) {
            rest.push_back(size_t(i));
            continue;
        }
        std::optional<Answer> a;
        const AskEnd end = ask_within(m_stop, m_opt.wait_seconds, [&](const std::atomic<bool>& flag) {
            a = ask(items[size_t(i)], asked, count, flag);
            return a.has_value();
        });
        ++asked;
        if (end == AskEnd::stopped) throw JudgeCancelled();
        if (end == AskEnd::timed_out) m_away = true;
        if (end == AskEnd::timed_out || !accept(*a, out[size_t(i)])) {
            out[size_t(i)] = Verdict{};
            rest.push_back(size_t(i));
            continue;
        }
        report(size_t(i), out[size_t(i)]);
    }
    m_seen += n;
    if (rest.empty()) return out;
    std::vector<Item> sub;
    for (size_t i : rest) sub.push_back(items[i]);
    std::vector<Verdict> fb = fallback(sub);
    RF_CHECK(fb.size() == sub.size(), "the fallback judge returned a wrong number of verdicts");
    for (size_t k = 0; k < rest.size(); ++k) {
        fb[k].by = m_fallback->name();
        out[rest[k]] = std::move(fb[k]);
    }
    return out;
}

std::vector<ScalarVerdict> FallbackJudge::score(const std::vector<JudgeItem>& items) {
    return decide<JudgeItem, ScalarVerdict, ScalarAnswer>(
        items,
        [this](const JudgeItem& it, int i, int n, const std::atomic<bool>& f) { return m_asker.ask_scalar(it, i, n, f); },
        [](const ScalarAnswer& a, ScalarVerdict& v) {
            if (a.skip) return false;
            RF_CHECK(a.score >= 0.0f && a.score <= 10.0f, "human score outside 0..10");
            v.score = a.score;
            char buf[32];
            std::snprintf(buf, sizeof buf, "%g", double(a.score));
            v.raw = buf;
            return true;
        },
        [this](const std::vector<JudgeItem>& sub) { return m_fallback->score(sub); });
}

std::vector<PairVerdict> FallbackJudge::compare(const std::vector<PairItem>& items) {
    return decide<PairItem, PairVerdict, Winner>(
        items,
        [this](const PairItem& it, int i, int n, const std::atomic<bool>& f) { return m_asker.ask_pair(it, i, n, f); },
        [](const Winner& w, PairVerdict& v) {
            if (w == Winner::skip) return false;
            v.winner = w;
            v.raw = to_string(w);
            return true;
        },
        [this](const std::vector<PairItem>& sub) { return m_fallback->compare(sub); });
}

}  // namespace rf
