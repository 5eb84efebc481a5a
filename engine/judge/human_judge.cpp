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
        if (stop_.load()) throw JudgeCancelled();
        std::optional<ScalarAnswer> a = asker_.ask_scalar(items[size_t(i)], i, n, stop_);
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
        if (stop_.load()) throw JudgeCancelled();
        std::optional<Winner> w = asker_.ask_pair(items[size_t(i)], i, n, stop_);
        if (!w) throw JudgeCancelled();
        PairVerdict v;
        v.winner = *w;
        v.raw = to_string(*w);
        report(size_t(i), v);
        out.push_back(std::move(v));
    }
    return out;
}

ScriptedAsker::ScriptedAsker(std::vector<Answer> answers) : answers_(answers.begin(), answers.end()) {}

void ScriptedAsker::push(Answer a) {
    std::lock_guard<std::mutex> lock(mu_);
    answers_.push_back(a);
}

std::vector<std::vector<std::string>> ScriptedAsker::shown() const {
    std::lock_guard<std::mutex> lock(mu_);
    return shown_;
}

int ScriptedAsker::asked() const {
    std::lock_guard<std::mutex> lock(mu_);
    return int(shown_.size());
}

std::optional<ScriptedAsker::Answer> ScriptedAsker::next(const std::atomic<bool>& stop) {
    for (;;) {
        {
            std::lock_guard<std::mutex> lock(mu_);
            if (!answers_.empty()) {
                Answer a = answers_.front();
                answers_.pop_front();
                return a;
            }
        }
        if (stop.load()) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

std::optional<Winner> ScriptedAsker::ask_pair(const PairItem& item, int, int, const std::atomic<bool>& stop) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        shown_.push_back({item.completions[0], item.completions[1]});
    }
    std::optional<Answer> a = next(stop);
    if (!a) return std::nullopt;
    return a->winner;
}

std::optional<ScalarAnswer> ScriptedAsker::ask_scalar(const JudgeItem& item, int, int, const std::atomic<bool>& stop) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        shown_.push_back({item.completion});
    }
    std::optional<Answer> a = next(stop);
    if (!a) return std::nullopt;
    return a->scalar;
}

}  // namespace rf
