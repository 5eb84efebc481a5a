#include "judge/human_reward.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "core/error.h"

namespace rf {

namespace {

uint64_t mix(uint64_t x) {  // splitmix64's finaliser
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

}  // namespace

void HumanRewardScorer::begin_step(int step, bool ask) {
    m_step = step;
    m_ask = ask;
    m_away = false;
    m_groups = 0;
}

bool HumanRewardScorer::chosen(int step, int64_t group) const {
    if (m_opt.fraction >= 1.0) return true;
    if (m_opt.fraction <= 0.0) return false;
    uint64_t h = mix(mix(mix(m_opt.seed) ^ uint64_t(step)) ^ uint64_t(group));
    return double(h >> 11) * 0x1.0p-53 < m_opt.fraction;
}

// One question with the run's stop flag and, when human_wait_seconds > 0, a deadline: a watcher
// raises the flag the asker polls when either comes.
std::optional<ScalarAnswer> HumanRewardScorer::ask(const JudgeItem& item, int index, int count, bool& timed_out) {
    timed_out = false;
    if (m_opt.wait_seconds <= 0) return m_asker.ask_scalar(item, index, count, m_stop);
    std::atomic<bool> raise{false}, done{false}, late{false};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(m_opt.wait_seconds);
    std::thread watcher([&] {
        while (!done.load()) {
            if (m_stop.load()) break;
            if (std::chrono::steady_clock::now() >= deadline) {
                late = true;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        raise = true;
    });
    std::optional<ScalarAnswer> a = m_asker.ask_scalar(item, index, count, raise);
    done = true;
    watcher.join();
    timed_out = !a && late.load() && !m_stop.load();
    return a;
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
                bool timed_out = false;
                std::optional<ScalarAnswer> a = ask(item, index, count, timed_out);
                if (!a && !timed_out) throw JudgeCancelled();
                if (timed_out) {
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
