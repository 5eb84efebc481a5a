#include "judge/preferences.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"

namespace rf {

using nlohmann::json;

namespace {

// The scalar verdicts of one prompt in one step (a GRPO group, or a REINFORCE prompt's samples).
struct ScoredGroup {
    PreferenceRow best;  // prompt, judge, step, after_resume_point; chosen/rejected filled at the end
    std::vector<std::string> completions;
    std::vector<double> scores;
};

template <class Bad>
void add_scalar(const json& j, const Bad& bad, std::vector<ScoredGroup>& groups) {
    if (!j.contains("prompt") || !j["prompt"].is_string()) throw bad("prompt", "missing \"prompt\"");
    const json& c = j.value("completions", json());
    if (!c.is_array() || c.size() != 1 || !c[0].is_string()) throw bad("completions", "a scalar verdict needs one completion");
    const json& v = j.value("verdict", json());
    if (!v.is_object()) throw bad("verdict", "missing verdict");
    if (v.value("skipped", false) || v.value("failed", false)) return;
    if (!v.contains("score") || !v["score"].is_number()) throw bad("verdict", "missing verdict.score");
    PreferenceRow key;
    key.prompt = j["prompt"];
    key.judge = j["judge"];
    key.step = j.value("step", 0);
    key.after_resume_point = j.value("after_resume_point", false);
    auto same = [&](const ScoredGroup& g) {
        return g.best.step == key.step && g.best.prompt == key.prompt && g.best.judge == key.judge &&
               g.best.after_resume_point == key.after_resume_point;
    };
    auto it = std::find_if(groups.begin(), groups.end(), same);
    if (it == groups.end()) it = groups.insert(groups.end(), ScoredGroup{key, {}, {}});
    it->completions.push_back(c[0]);
    it->scores.push_back(v["score"].get<double>());
}

}  // namespace

PreferenceExport collect_preferences(const std::string& judgments_path, bool all_judges) {
    const std::string text = read_file(judgments_path);
    PreferenceExport out;
    std::vector<ScoredGroup> groups;
    size_t pos = 0;
    int lineno = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        const bool last = nl == std::string::npos;
        std::string line = text.substr(pos, last ? std::string::npos : nl - pos);
        pos = last ? text.size() : nl + 1;
        ++lineno;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        json j = json::parse(line, nullptr, false);
        if (j.is_discarded()) {
            if (last) {  // append_line writes "...}\n": a line without its '\n' was cut off
                out.truncated_tail = true;
                break;
            }
            throw InputError(judgments_path, lineno, {}, "not a JSON object",
                             "judgments.jsonl holds one verdict per line, as Reinforge writes it");
        }
        ++out.lines;
        auto bad = [&](const std::string& key, const std::string& what) {
            return InputError(judgments_path, lineno, key, what, "judgments.jsonl holds one verdict per line, as Reinforge writes it");
        };
        if (!j.is_object() || !j.contains("kind") || !j["kind"].is_string()) throw bad("kind", "missing \"kind\"");
        if (j["kind"] != "pairwise" && j["kind"] != "scalar") continue;
        if (!j.contains("judge") || !j["judge"].is_string()) throw bad("judge", "missing \"judge\"");
        if (!all_judges && j["judge"] != "human") {
            ++out.other_judges;
            continue;
        }
        if (j["kind"] == "scalar") {
            add_scalar(j, bad, groups);
            ++out.scalar;
            continue;
        }
        ++out.pairwise;
        if (!j.contains("prompt") || !j["prompt"].is_string()) throw bad("prompt", "missing \"prompt\"");
        const json& c = j.value("completions", json());
        if (!c.is_array() || c.size() != 2 || !c[0].is_string() || !c[1].is_string())
            throw bad("completions", "a pairwise verdict needs two completions");
        const json& v = j.value("verdict", json());
        if (!v.is_object() || !v.contains("winner") || !v["winner"].is_string()) throw bad("verdict", "missing verdict.winner");
        const std::string winner = v["winner"];
        if (winner != "0" && winner != "1") {
            if (winner != "tie" && winner != "skip") throw bad("verdict", "unknown winner '" + winner + "'");
            ++out.undecided;
            continue;
        }
        if (v.value("failed", false)) {
            ++out.undecided;
            continue;
        }
        const int w = winner == "1" ? 1 : 0;
        PreferenceRow r;
        r.prompt = j["prompt"];
        r.chosen = c[w];
        r.rejected = c[1 - w];
        r.judge = j["judge"];
        r.step = j.value("step", 0);
        r.after_resume_point = j.value("after_resume_point", false);
        out.rows.push_back(std::move(r));
    }
    for (ScoredGroup& g : groups) {
        if (g.scores.size() < 2) continue;
        auto [lo, hi] = std::minmax_element(g.scores.begin(), g.scores.end());  // first lowest, first highest
        if (*hi <= *lo) continue;
        g.best.chosen = g.completions[size_t(hi - g.scores.begin())];
        g.best.rejected = g.completions[size_t(lo - g.scores.begin())];
        out.rows.push_back(std::move(g.best));
        ++out.scalar_pairs;
    }
    // one verdict per comparison across a resume: a marked verdict yields to a later one
    auto key = [](const PreferenceRow& r) {
        return r.prompt + '\0' + std::min(r.chosen, r.rejected) + '\0' + std::max(r.chosen, r.rejected);
    };
    std::set<std::string> later;
    std::vector<PreferenceRow> kept;
    for (auto it = out.rows.rbegin(); it != out.rows.rend(); ++it) {
        std::string k = key(*it);
        if (it->after_resume_point && later.count(k)) {
            ++out.repeated;
            continue;
        }
        later.insert(k);
        kept.push_back(std::move(*it));
    }
    out.rows.assign(std::make_move_iterator(kept.rbegin()), std::make_move_iterator(kept.rend()));
    return out;
}

std::string preferences_jsonl(const std::vector<PreferenceRow>& rows) {
    std::string out;
    for (const PreferenceRow& r : rows) {
        nlohmann::ordered_json j = {{"prompt", r.prompt}, {"chosen", r.chosen}, {"rejected", r.rejected}};
        out += j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
        out += '\n';
    }
    return out;
}

}  // namespace rf
