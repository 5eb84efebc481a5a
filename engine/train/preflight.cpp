// Pre-flight: the first groups of a run, sampled and scored by the training's own code paths
// (train/online.h sample() and grpo_score(), judge/judge_runner.h judge_scalar()), then summarized.
#include "train/preflight.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/error.h"
#include "model/adapter_io.h"
#include "train/online.h"
#include "train/session_impl.h"
#include "train/session_resources.h"

namespace rf {

namespace {

std::string percent(double share) {
    char b[16];
    std::snprintf(b, sizeof b, "%.0f%%", 100.0 * share);
    return b;
}

int key_line(const RunConfig& c, const std::string& key) {
    auto it = c.origin.lines.find(key);
    return it == c.origin.lines.end() ? 0 : it->second;
}

bool group_relative(const std::string& baseline) { return baseline == "rloo" || baseline == "per_prompt_mean"; }

}  // namespace

// ---- summary (pure) ---------------------------------------------------------------------------

// Per group, over the completions with a reward: mu = mean R, var = mean (R - mu)^2 (ddof 0); a group
// carries signal when sqrt(var) >= 1e-8, the complement of rl/advantages.cpp's zero-std rule, so
// frac_reward_zero_std here is the metric step 1 would log.
void summarize(PreflightReport& r) {
    r.completions = r.truncated = r.failed = r.signal_groups = 0;
    std::vector<double> all_totals;
    for (PreflightGroup& g : r.groups) {
        std::vector<double> t;
        for (const PreflightCompletion& c : g.completions) {
            ++r.completions;
            r.truncated += c.truncated ? 1 : 0;
            if (c.failed) ++r.failed;
            else t.push_back(c.total);
        }
        double sum = 0.0, sq = 0.0;
        for (double x : t) sum += x;
        g.mean = t.empty() ? 0.0 : sum / double(t.size());
        for (double x : t) sq += (x - g.mean) * (x - g.mean);
        g.variance = t.empty() ? 0.0 : sq / double(t.size());
        g.signal = t.size() >= 2 && std::sqrt(g.variance) >= 1e-8;
        r.signal_groups += g.signal ? 1 : 0;
        all_totals.insert(all_totals.end(), t.begin(), t.end());
    }
    const int G = int(r.groups.size());
    r.frac_reward_zero_std = G ? double(G - r.signal_groups) / G : 0.0;
    r.truncated_share = r.completions ? double(r.truncated) / r.completions : 0.0;

    // per function: value counts when it takes few values, else a 10-bin histogram
    r.functions.clear();
    for (size_t k = 0; k < r.function_names.size(); ++k) {
        PreflightFunction f;
        f.name = r.function_names[k];
        f.weight = k < r.weights.size() ? r.weights[k] : 1.0;
        std::vector<double> v;
        for (const PreflightGroup& g : r.groups)
            for (const PreflightCompletion& c : g.completions)
                if (!c.failed && k < c.rewards.size() && !std::isnan(c.rewards[k])) v.push_back(c.rewards[k]);
        f.scored = int(v.size());
        double sum = 0.0;
        int nonzero = 0;
        for (double x : v) sum += x, nonzero += x != 0.0 ? 1 : 0;
        f.mean = v.empty() ? 0.0 : sum / double(v.size());
        f.nonzero_share = v.empty() ? 0.0 : double(nonzero) / double(v.size());
        std::map<double, int> distinct;
        for (double x : v) ++distinct[x];
        if (distinct.size() <= 8) {
            f.counts.assign(distinct.begin(), distinct.end());
        } else {
            f.lo = distinct.begin()->first;
            f.hi = distinct.rbegin()->first;
            f.bins.assign(10, 0);
            for (double x : v) f.bins[std::min(9, int((x - f.lo) / (f.hi - f.lo) * 10.0))] += 1;
        }
        r.functions.push_back(std::move(f));
    }

    // one example per distinct total (levels within 1e-6 are one); at most 8, spread from lowest to highest
    std::map<long long, PreflightExample> levels;
    for (int g = 0; g < G; ++g)
        for (int i = 0; i < int(r.groups[g].completions.size()); ++i) {
            const PreflightCompletion& c = r.groups[g].completions[i];
            if (c.failed) continue;
            levels.try_emplace(std::llround(c.total * 1e6), PreflightExample{c.total, g, i});
        }
    std::vector<PreflightExample> all;
    for (auto& [key, e] : levels) all.push_back(e);
    r.examples.clear();
    const size_t n = all.size(), keep = std::min<size_t>(n, 8);
    for (size_t j = 0; j < keep; ++j) r.examples.push_back(all[keep == 1 ? 0 : j * (n - 1) / (keep - 1)]);

    // the verdict
    r.verdict.clear();
    if (G == 0) {
        r.verdict.push_back("no group was sampled");
        return;
    }
    const bool batch_varies = all_totals.size() >= 2 &&
                              *std::max_element(all_totals.begin(), all_totals.end()) -
                                      *std::min_element(all_totals.begin(), all_totals.end()) > 1e-8;
    if (r.signal_groups > 0) {
        r.verdict.push_back(std::to_string(r.signal_groups) + " of " + std::to_string(G) + " groups (" +
                            percent(double(r.signal_groups) / G) + ") carry signal");
    } else if (!r.baseline.empty() && !group_relative(r.baseline) && batch_varies) {
        r.verdict.push_back("no group has variance, but the rewards differ between prompts: with baseline " + r.baseline +
                            " the run learns from those differences only");
    } else {
        r.verdict.push_back(
            "no group has variance: the run cannot learn — raise temperature or group_size, or use finer rewards");
    }
    if (r.failed > 0)
        r.verdict.push_back(std::to_string(r.failed) + " of " + std::to_string(r.completions) +
                            " judge verdicts failed (no reward): check the judge's replies");
    if (r.truncated_share > 0.5)
        r.verdict.push_back(percent(r.truncated_share) + " of completions are truncated: raise max_completion_length");
}

// ---- sampling and scoring -----------------------------------------------------------------------

namespace {

// Refuses what preflight cannot preview: no scalar reward (SFT, PPO) or a person as the judge.
void check_scorable(const RunConfig& c, bool sampling) {
    if (c.train_mode == TrainMode::sft || (sampling && c.train_mode == TrainMode::ppo))
        throw InputError(c.origin.file, key_line(c, "train_mode"), "train_mode",
                         "preflight previews the rewards of grpo, rlhf_reinforce and rloo runs, not " +
                             std::string(enum_name(c.train_mode)),
                         c.train_mode == TrainMode::ppo ? "PPO's signal is its pairwise verdicts; --completions scores "
                                                          "rows with its reward functions or judge"
                                                        : "SFT has no rewards");
    if (c.train_mode != TrainMode::grpo && judge_kind(c.judge) == JudgeKind::human)
        throw InputError(c.origin.file, key_line(c, "judge"), "judge",
                         "preflight is automatic, but judge: human would ask a person for every completion",
                         "preview with judge: rewards, a judge model or an endpoint (--set judge=rewards), or "
                         "train and watch the first steps");
}

// The run's state without its run folder: cfg, observer, a stop flag of its own.
void init_impl(Session::Impl& s, const RunConfig& cfg, RunObserver* observer) {
    s.cfg = cfg;
    s.observer = observer;
    s.control = &s.own_control;
    s.comm = &s.own_comm;  // one process: preflight samples on this rank only
    s.ask_people = false;  // a `human` reward is not asked (NaN): preflight is automatic
}

// Scores `items` with the run's reward functions and/or judge into `out` (one per item, in order).
// GRPO's samples go through grpo_score instead (preflight()); this serves the judge modes and
// --completions.
void score_items(Session::Impl& s, const std::vector<JudgeItem>& items, std::vector<PreflightCompletion>& out) {
    const RunConfig& c = s.cfg;
    // the judge modes' scalar is the judge's verdict, as in reinforce_step (judge: rewards is the weighted
    // sum of the same functions); the reward functions add their breakdown
    const bool use_judge = c.train_mode != TrainMode::grpo && s.judge;
    if (s.rewards) {
        std::vector<std::string> ps, cs, as, ts;
        for (const JudgeItem& it : items) {
            ps.push_back(it.prompt);
            cs.push_back(it.completion);
            as.push_back(it.answer);
            ts.push_back(it.type);
        }
        RewardBatch rb = s.rewards->score(ps, cs, as, ts);
        for (size_t i = 0; i < items.size(); ++i) {
            for (size_t k = 0; k < rb.names.size(); ++k) out[i].rewards.push_back(rb.per_function[k][i]);
            out[i].total = rb.total[i];
        }
    }
    if (use_judge) {
        JudgeContext ctx{1, "preflight", nullptr, nullptr};  // verdicts are not saved: there is no run folder
        std::vector<ScalarVerdict> v = judge_scalar(*s.judge, items, ctx);
        for (size_t i = 0; i < items.size(); ++i) {
            out[i].failed = v[i].failed || v[i].skipped;
            out[i].total = v[i].score;
            if (judge_kind(c.judge) != JudgeKind::rewards)
                out[i].rewards.push_back(out[i].failed ? std::nan("") : double(v[i].score));
        }
    }
}

void name_scorer(const Session::Impl& s, PreflightReport& r) {
    const RunConfig& c = s.cfg;
    r.mode = enum_name(c.train_mode);
    r.group_size = c.group_size;
    r.max_completion_length = c.max_completion_length;
    if (c.train_mode != TrainMode::grpo) r.baseline = enum_name(c.baseline);
    if (s.rewards) {
        r.function_names = s.rewards->names();
        r.weights = s.rewards->weights();
    }
    if (c.train_mode != TrainMode::grpo && s.judge && judge_kind(c.judge) != JudgeKind::rewards) {
        r.function_names.push_back("judge");
        r.weights.push_back(1.0);
        r.scorer = "judge " + c.judge;
    } else {
        r.scorer = c.train_mode == TrainMode::grpo ? "reward functions" : "judge rewards (weighted reward sum)";
    }
}

}  // namespace

PreflightReport preflight(const RunConfig& cfg, int groups, RunObserver* observer) {
    check_scorable(cfg, true);
    if (groups < 1) throw InputError({}, 0, "--groups", "must be at least 1, got " + std::to_string(groups));
    Session::Impl s;
    init_impl(s, cfg, observer);
    s.open_resources(false);
    if (!cfg.resume_adapter_file.empty())
        load_adapter_weights(*s.policy, resolve_relative(cfg.resume_adapter_file, cfg.origin.file));
    PreflightReport r;
    name_scorer(s, r);
    Policy pol = s.policy_view();
    const StepInputs in = s.step_inputs();
    const int G = cfg.group_size, bs = std::max(1, cfg.batch_size);
    // micro-batches of batch_size prompts in the training order, as draw_micro_batches hands them out
    for (int done = 0; done < groups;) {
        const int n = std::min(bs, groups - done);
        std::vector<const RlPrompt*> prompts;
        for (size_t i : s.next_batch(size_t(n))) prompts.push_back(&s.train.prompts[i]);
        Rollouts ro = sample(pol, in, prompts, G);
        r.generate_seconds += ro.generate_seconds;
        auto t0 = std::chrono::steady_clock::now();
        std::vector<PreflightCompletion> scored(size_t(n) * G);
        if (cfg.train_mode == TrainMode::grpo) {
            RewardBatch rb;
            GroupAdvantages adv = grpo_score(*s.rewards, cfg, ro, rb);
            for (size_t i = 0; i < scored.size(); ++i) {
                for (size_t k = 0; k < rb.names.size(); ++k) scored[i].rewards.push_back(rb.per_function[k][i]);
                scored[i].total = adv.total_rewards[i];
            }
        } else {
            std::vector<JudgeItem> items;
            for (int p = 0; p < n; ++p)
                for (int g = 0; g < G; ++g)
                    items.push_back({prompts[p]->prompt, ro.groups[p][g].text, prompts[p]->answer, prompts[p]->type});
            score_items(s, items, scored);
        }
        r.score_seconds += seconds_since(t0);
        for (int p = 0; p < n; ++p) {
            PreflightGroup grp;
            grp.prompt = prompts[p]->prompt;
            grp.answer = prompts[p]->answer;
            for (int g = 0; g < G; ++g) {
                PreflightCompletion c = std::move(scored[size_t(p) * G + g]);
                const Completion& sc = ro.groups[p][g];
                c.text = sc.text;
                c.truncated = sc.truncated;
                c.num_tokens = int(sc.ids.size());
                grp.completions.push_back(std::move(c));
            }
            r.groups.push_back(std::move(grp));
        }
        done += n;
    }
    summarize(r);
    return r;
}

std::vector<CompletionRow> read_completion_rows(const std::string& path) {
    std::ifstream f(path);
    if (!f) throw InputError(path, 0, "--completions", "cannot read the file", "one JSON object per line: {\"prompt\", \"completion\", \"answer\"}");
    std::vector<CompletionRow> rows;
    std::string line;
    const std::string hint = "each line: {\"prompt\": \"…\", \"completion\": \"…\", \"answer\": \"…\"}";
    for (int no = 1; std::getline(f, line); ++no) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_object()) throw InputError(path, no, {}, "not a JSON object", hint);
        auto text = [&](const char* key, bool required) -> std::string {
            if (!j.contains(key) || j[key].is_null()) {
                if (required) throw InputError(path, no, key, std::string("missing \"") + key + "\"", hint);
                return {};
            }
            if (j[key].is_string()) return j[key].get<std::string>();
            if (j[key].is_number()) return j[key].dump();  // "answer": 7 reads as "7"
            throw InputError(path, no, key, std::string("\"") + key + "\" must be a string", hint);
        };
        rows.push_back({text("prompt", false), text("completion", true), text("answer", false), text("type", false)});
    }
    if (rows.empty()) throw InputError(path, 0, "--completions", "the file has no rows", hint);
    return rows;
}

PreflightReport score_completions(const RunConfig& cfg, const std::vector<CompletionRow>& rows, RunObserver* observer) {
    check_scorable(cfg, false);
    Session::Impl s;
    init_impl(s, cfg, observer);
    open_judge(s);  // the reward functions (the Python worker with reward_functions_file) and judge; no model
    PreflightReport r;
    name_scorer(s, r);
    std::vector<JudgeItem> items;
    for (const CompletionRow& row : rows) items.push_back({row.prompt, row.completion, row.answer, row.type});
    PreflightGroup grp;
    grp.completions.resize(rows.size());
    auto t0 = std::chrono::steady_clock::now();
    score_items(s, items, grp.completions);
    r.score_seconds = seconds_since(t0);
    for (size_t i = 0; i < rows.size(); ++i) grp.completions[i].text = rows[i].completion;
    r.groups.push_back(std::move(grp));
    summarize(r);
    r.examples.clear();  // one hand-written group: no sampling verdict to give
    r.verdict.clear();
    return r;
}

}  // namespace rf
