#include "judge/judge_runner.h"

#include <ctime>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/atomic_file.h"
#include "core/error.h"

namespace rf {
namespace {

using json = nlohmann::ordered_json;  // keys in the order written: step, phase, kind, …

std::string utc_now() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// Completions may hold invalid UTF-8 (a token cut inside a character): replaced by U+FFFD, never a throw.
std::string dump_line(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json header(int step, const std::string& phase, const char* kind, const std::string& judge, const std::string& prompt) {
    json j;
    j["step"] = step;
    j["phase"] = phase;
    j["kind"] = kind;
    j["judge"] = judge;
    j["prompt"] = prompt;
    return j;
}

// Restores the judge's callbacks on every exit path.
struct CallbackGuard {
    Judge& judge;
    ~CallbackGuard() {
        judge.on_scalar_verdict = nullptr;
        judge.on_pair_verdict = nullptr;
    }
};

void count(JudgeStats* s, bool failed, bool skipped, bool tie) {
    if (!s) return;
    ++s->verdicts;
    if (failed) ++s->failures;
    if (skipped) ++s->skipped;
    if (tie) ++s->ties;
}

}  // namespace

void JudgmentLog::write(const std::string& line) const {
    if (m_path.empty()) m_held.push_back(line);
    else append_line(m_path, line);
}

void JudgmentLog::append_lines(const std::vector<std::string>& lines) const {
    for (const std::string& line : lines) write(line);
}

void JudgmentLog::append(int step, const std::string& phase, const std::string& judge, const JudgeItem& item,
                         const ScalarVerdict& v) const {
    json j = header(step, phase, "scalar", judge, item.prompt);
    j["completions"] = json::array({item.completion});
    j["answer"] = item.answer;
    j["verdict"] = {{"score", v.score}, {"skipped", v.skipped}, {"failed", v.failed}, {"raw", v.raw}};
    j["time"] = utc_now();
    write(dump_line(j));
}

void JudgmentLog::append(int step, const std::string& phase, const std::string& judge, const PairItem& item,
                         const PairVerdict& v) const {
    json j = header(step, phase, "pairwise", judge, item.prompt);
    j["completions"] = json::array({item.completions[0], item.completions[1]});
    j["answer"] = item.answer;
    json verdict = {{"winner", to_string(v.winner)}, {"swapped", v.swapped}, {"failed", v.failed}, {"raw", v.raw}};
    if (v.scores) verdict["scores"] = json::array({(*v.scores)[0], (*v.scores)[1]});
    j["verdict"] = std::move(verdict);
    j["time"] = utc_now();
    write(dump_line(j));
}

PairVerdict swap_verdict(PairVerdict v) {
    if (v.winner == Winner::first)
        v.winner = Winner::second;
    else if (v.winner == Winner::second)
        v.winner = Winner::first;
    if (v.scores) std::swap((*v.scores)[0], (*v.scores)[1]);
    v.swapped = !v.swapped;
    return v;
}

std::vector<ScalarVerdict> judge_scalar(Judge& judge, const std::vector<JudgeItem>& items, const JudgeContext& ctx) {
    std::vector<bool> saved(items.size(), false);
    const std::string name = judge.name();
    auto save = [&](size_t i, const ScalarVerdict& v) {
        RF_CHECK(i < items.size(), "judge reported a verdict index out of range");
        if (saved[i]) return;
        saved[i] = true;
        count(ctx.stats, v.failed, v.skipped, false);
        if (ctx.log) ctx.log->append(ctx.step, ctx.phase, v.by.empty() ? name : v.by, items[i], v);
    };
    std::vector<ScalarVerdict> out;
    {
        CallbackGuard guard{judge};
        judge.on_scalar_verdict = save;
        out = judge.score(items);
    }
    RF_CHECK(out.size() == items.size(), "judge returned " + std::to_string(out.size()) + " verdicts for " +
                                             std::to_string(items.size()) + " items");
    for (size_t i = 0; i < out.size(); ++i) save(i, out[i]);
    return out;
}

std::vector<PairVerdict> judge_pairs(Judge& judge, const std::vector<PairItem>& items, Rng& rng, const JudgeContext& ctx) {
    std::vector<bool> swapped(items.size()), saved(items.size(), false);
    std::vector<PairItem> shown = items;
    for (size_t i = 0; i < items.size(); ++i) {
        swapped[i] = rng.below(2) == 1;
        if (swapped[i]) std::swap(shown[i].completions[0], shown[i].completions[1]);
    }
    const std::string name = judge.name();
    // `v` is relative to the order the judge saw; the log and the caller get the caller's order.
    auto unswap = [&](size_t i, const PairVerdict& v) { return swapped[i] ? swap_verdict(v) : v; };
    auto save = [&](size_t i, const PairVerdict& v) {
        RF_CHECK(i < items.size(), "judge reported a verdict index out of range");
        if (saved[i]) return;
        saved[i] = true;
        count(ctx.stats, v.failed, v.winner == Winner::skip && !v.failed, v.winner == Winner::tie);
        if (ctx.log) ctx.log->append(ctx.step, ctx.phase, v.by.empty() ? name : v.by, items[i], unswap(i, v));
    };
    std::vector<PairVerdict> out;
    {
        CallbackGuard guard{judge};
        judge.on_pair_verdict = save;
        out = judge.compare(shown);
    }
    RF_CHECK(out.size() == items.size(), "judge returned " + std::to_string(out.size()) + " verdicts for " +
                                             std::to_string(items.size()) + " pairs");
    for (size_t i = 0; i < out.size(); ++i) {
        save(i, out[i]);
        out[i] = unswap(i, out[i]);
    }
    return out;
}

}  // namespace rf
