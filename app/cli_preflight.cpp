// reinforge-cli preflight CONFIG.yaml [--set key=value …] [--groups K] [--json]
// reinforge-cli preflight CONFIG.yaml --completions FILE.jsonl [--json]
// The reward workbench (train/preflight.h): samples the run's first K groups from the starting model
// and shows what its rewards look like — per function a histogram, per group the totals and their
// variance, the predicted frac_reward_zero_std, truncation, one example per reward level and a
// verdict — before hours go into a run that cannot learn. With --completions it scores hand-written
// completions with the run's reward functions (a reward_functions_file included) instead.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <unistd.h>

#include "cli_command.h"
#include "cli_progress.h"
#include "config/run_config.h"
#include "core/error.h"
#include "train/preflight.h"
#include "train/session.h"

namespace {

using nlohmann::json;

std::string num(double v, int digits = 4) {
    if (std::isnan(v)) return "None";
    char b[48];
    std::snprintf(b, sizeof b, "%.*g", digits, v);
    return b;
}

// Significant digits that tell values `step` apart near magnitude `scale` (4 at least, 12 at most):
// a judge's scores can differ in the sixth digit and still be the group's whole signal.
int digits_for(double scale, double step) {
    if (!(step > 0) || !(std::fabs(scale) > 0)) return 4;
    return std::clamp(int(std::ceil(std::log10(std::fabs(scale) / step))) + 1, 4, 12);
}

json jnum(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

// One line, at most ~120 characters: the head and the tail of the text, newlines shown as \n.
std::string shorten(const std::string& text, size_t head = 90, size_t tail = 30) {
    std::string flat;
    for (char c : text) {  // one line on a terminal: newlines as \n, other control characters as ?
        if (c == '\n') flat += "\\n";
        else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) flat += '?';
        else flat += c;
    }
    if (flat.size() <= head + tail + 5) return flat;
    auto cut = [&](size_t at) {  // not inside a UTF-8 character
        while (at > 0 && at < flat.size() && (static_cast<unsigned char>(flat[at]) & 0xC0) == 0x80) --at;
        return at;
    };
    return flat.substr(0, cut(head)) + " … " + flat.substr(cut(flat.size() - tail));
}

std::string bar(int count, int most, int width = 30) {
    int n = most > 0 ? (count * width + most - 1) / most : 0;
    return std::string(size_t(n), '#') + std::string(size_t(width - n), ' ');
}

void print_functions(const rf::PreflightReport& r) {
    for (const rf::PreflightFunction& f : r.functions) {
        std::printf("  %s  (weight %s)  mean %s  non-zero %.0f%% (%d of %d)", f.name.c_str(), num(f.weight).c_str(),
                    num(f.mean).c_str(), 100.0 * f.nonzero_share,
                    int(std::lround(f.nonzero_share * f.scored)), f.scored);
        if (f.scored < r.completions - r.failed) std::printf("  %d not applicable", r.completions - r.failed - f.scored);
        std::printf("\n");
        int most = 0;
        for (auto& [v, n] : f.counts) most = std::max(most, n);
        for (int n : f.bins) most = std::max(most, n);
        for (auto& [v, n] : f.counts) std::printf("    %10s  %s %d\n", num(v).c_str(), bar(n, most).c_str(), n);
        std::vector<std::string> ranges;
        for (size_t b = 0; b < f.bins.size(); ++b) {
            double lo = f.lo + (f.hi - f.lo) * double(b) / double(f.bins.size());
            double hi = f.lo + (f.hi - f.lo) * double(b + 1) / double(f.bins.size());
            char range[64];  // snprintf, not operator+: GCC 12 warns (-Wrestrict) on the chained concatenation
            const int d = digits_for(std::max(std::fabs(f.lo), std::fabs(f.hi)), (f.hi - f.lo) / double(f.bins.size()));
            std::snprintf(range, sizeof range, "[%s, %s%c", num(lo, d).c_str(), num(hi, d).c_str(), b + 1 == f.bins.size() ? ']' : ')');
            ranges.push_back(range);
        }
        size_t width = 0;
        for (const auto& x : ranges) width = std::max(width, x.size());
        for (size_t b = 0; b < ranges.size(); ++b)
            std::printf("    %*s  %s %d\n", int(width), ranges[b].c_str(), bar(f.bins[b], most).c_str(), f.bins[b]);
    }
}

json functions_json(const rf::PreflightReport& r) {
    json fs = json::array();
    for (const rf::PreflightFunction& f : r.functions) {
        json j = {{"name", f.name}, {"weight", f.weight}, {"scored", f.scored}, {"mean", f.mean},
                  {"nonzero_share", f.nonzero_share}};
        if (!f.counts.empty() || f.bins.empty()) {
            json c = json::array();
            for (auto& [v, n] : f.counts) c.push_back({{"value", v}, {"count", n}});
            j["counts"] = c;
        } else {
            j["histogram"] = {{"lo", f.lo}, {"hi", f.hi}, {"bins", f.bins}};
        }
        fs.push_back(j);
    }
    return fs;
}

json rewards_json(const rf::PreflightReport& r, const rf::PreflightCompletion& c) {
    json rw = json::object();
    for (size_t k = 0; k < r.function_names.size() && k < c.rewards.size(); ++k) rw[r.function_names[k]] = jnum(c.rewards[k]);
    return rw;
}

void print_report(const rf::RunConfig& cfg, const rf::PreflightReport& r) {
    std::printf("preflight: %s, %zu groups of %d completions from the starting model, scored by %s\n", r.mode.c_str(),
                r.groups.size(), r.group_size, r.scorer.c_str());
    std::printf("  temperature %s, top_p %s, top_k %d, max_completion_length %d; %.1f s sampling, %.2f s scoring\n",
                num(cfg.temperature).c_str(), num(cfg.top_p).c_str(), cfg.top_k, cfg.max_completion_length,
                r.generate_seconds, r.score_seconds);
    std::printf("\nrewards over %d completions:\n", r.completions);
    print_functions(r);
    std::printf("\ngroups (total reward of each completion, variance):\n");
    for (size_t g = 0; g < r.groups.size(); ++g) {
        const rf::PreflightGroup& grp = r.groups[g];
        double lo = INFINITY, hi = -INFINITY;
        for (const auto& c : grp.completions)
            if (!c.failed) lo = std::min(lo, c.total), hi = std::max(hi, c.total);
        const int d = grp.signal ? digits_for(std::max(std::fabs(lo), std::fabs(hi)), hi - lo) : 4;
        std::string totals;
        for (const auto& c : grp.completions) {
            if (!totals.empty()) totals += ' ';
            totals += c.failed ? std::string("failed") : num(c.total, d);
        }
        std::printf("  %3zu  var %-9s %-9s [%s]  %s\n", g + 1, num(grp.variance).c_str(), grp.signal ? "signal" : "no signal",
                    totals.c_str(), shorten(grp.prompt, 50, 0).c_str());
    }
    std::printf("\nfrac_reward_zero_std: %.3f (%zu of %zu groups without variance)\n", r.frac_reward_zero_std,
                r.groups.size() - size_t(r.signal_groups), r.groups.size());
    std::printf("truncated: %.0f%% (%d of %d completions hit max_completion_length %d)\n", 100.0 * r.truncated_share,
                r.truncated, r.completions, r.max_completion_length);
    if (r.failed > 0) std::printf("failed verdicts: %d of %d\n", r.failed, r.completions);
    std::printf("\nexamples (one per total reward level):\n");
    for (const rf::PreflightExample& e : r.examples)
        std::printf("  total %-8s \"%s\"\n", num(e.total).c_str(), shorten(r.groups[e.group].completions[e.index].text).c_str());
    std::printf("\n");
    for (const std::string& line : r.verdict) std::printf("verdict: %s\n", line.c_str());
}

json report_json(const rf::RunConfig& cfg, const rf::PreflightReport& r) {
    json groups = json::array();
    for (const rf::PreflightGroup& grp : r.groups) {
        json cs = json::array(), totals = json::array();
        for (const rf::PreflightCompletion& c : grp.completions) {
            cs.push_back({{"completion", c.text}, {"rewards", rewards_json(r, c)}, {"total", c.total}, {"failed", c.failed},
                          {"truncated", c.truncated}, {"num_tokens", c.num_tokens}});
            totals.push_back(c.failed ? json(nullptr) : json(c.total));
        }
        groups.push_back({{"prompt", grp.prompt}, {"answer", grp.answer}, {"totals", totals}, {"mean", grp.mean},
                          {"variance", grp.variance}, {"signal", grp.signal}, {"completions", cs}});
    }
    json ex = json::array();
    for (const rf::PreflightExample& e : r.examples)
        ex.push_back({{"total", e.total}, {"group", e.group}, {"index", e.index},
                      {"completion", r.groups[e.group].completions[e.index].text}});
    json j = {{"mode", r.mode}, {"scorer", r.scorer}, {"group_size", r.group_size},
              {"sampling", {{"temperature", cfg.temperature}, {"top_p", cfg.top_p}, {"top_k", cfg.top_k},
                            {"min_p", cfg.min_p}, {"max_completion_length", cfg.max_completion_length}}},
              {"functions", functions_json(r)}, {"groups", groups}, {"signal_groups", r.signal_groups},
              {"frac_reward_zero_std", r.frac_reward_zero_std}, {"completions", r.completions},
              {"truncated", r.truncated}, {"truncated_share", r.truncated_share}, {"failed", r.failed},
              {"examples", ex}, {"verdict", r.verdict}, {"generate_seconds", r.generate_seconds},
              {"score_seconds", r.score_seconds}};
    if (!r.baseline.empty()) j["baseline"] = r.baseline;
    return j;
}

void print_rows(const std::string& file, const std::vector<rf::CompletionRow>& rows, const rf::PreflightReport& r) {
    std::printf("%zu completions from %s, scored by %s\n\n", rows.size(), file.c_str(), r.scorer.c_str());
    const auto& cs = r.groups.at(0).completions;
    for (size_t i = 0; i < cs.size(); ++i) {
        std::printf("row %zu: \"%s\"", i + 1, shorten(rows[i].completion, 60, 20).c_str());
        if (!rows[i].answer.empty()) std::printf("  (answer \"%s\")", shorten(rows[i].answer, 30, 0).c_str());
        std::printf("\n");
        for (size_t k = 0; k < r.function_names.size() && k < cs[i].rewards.size(); ++k)
            std::printf("  %-30s %s\n", r.function_names[k].c_str(), num(cs[i].rewards[k]).c_str());
        std::printf("  %-30s %s\n", "total", cs[i].failed ? "failed" : num(cs[i].total).c_str());
    }
    std::printf("\nover the %zu rows:\n", rows.size());
    print_functions(r);
}

json rows_json(const std::vector<rf::CompletionRow>& rows, const rf::PreflightReport& r) {
    json out = json::array();
    const auto& cs = r.groups.at(0).completions;
    for (size_t i = 0; i < cs.size(); ++i)
        out.push_back({{"prompt", rows[i].prompt}, {"completion", rows[i].completion}, {"answer", rows[i].answer},
                       {"rewards", rewards_json(r, cs[i])}, {"total", cs[i].total}, {"failed", cs[i].failed}});
    return {{"mode", r.mode}, {"scorer", r.scorer}, {"functions", functions_json(r)}, {"rows", out}};
}

int run_preflight(const std::vector<std::string>& args) {
    const std::vector<std::string> sets = rf::set_args(args);
    const std::string groups_arg = rf::cli::flag_value(args, "--groups", "8");
    const std::string completions = rf::cli::flag_value(args, "--completions");
    const bool as_json = rf::cli::has_flag(args, "--json");
    auto pos = rf::cli::positionals(args, {"--set", "--groups", "--completions"});
    if (pos.size() != 1)
        throw rf::InputError({}, 0, {}, "preflight needs one CONFIG.yaml",
                             "reinforge-cli preflight config.yaml [--set key=value …] [--groups K] [--json]");
    int groups = 0;
    size_t used = 0;
    try {
        groups = std::stoi(groups_arg, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != groups_arg.size() || groups < 1 || groups > 100000)
        throw rf::InputError({}, 0, "--groups", "expects a whole number from 1 to 100000, got '" + groups_arg + "'",
                             "e.g. --groups 8");
    std::vector<std::string> warnings;
    rf::RunConfig cfg = rf::load_config_with_overrides(pos[0], sets, &warnings);
    for (auto& w : warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
    rf::cli::LogPrinter log;
    if (!completions.empty()) {
        std::vector<rf::CompletionRow> rows = rf::read_completion_rows(completions);
        rf::PreflightReport r = rf::score_completions(cfg, rows, &log);
        if (as_json) std::printf("%s\n", rows_json(rows, r).dump(2).c_str());
        else print_rows(completions, rows, r);
        return 0;
    }
    rf::PreflightReport r = rf::preflight(cfg, groups, &log);
    if (as_json) std::printf("%s\n", report_json(cfg, r).dump(2).c_str());
    else print_report(cfg, r);
    return 0;
}

rf::cli::Register reg{"preflight", "sample a run's first groups and show its reward signal, without training",
                      "preflight CONFIG.yaml [--set key=value …] [--groups K] [--json]\n"
                      "       reinforge-cli preflight CONFIG.yaml --completions FILE.jsonl [--json]\n"
                      "  K groups (default 8) of group_size completions from the starting model, scored as the run\n"
                      "  would (reward functions, or the scalar judge; never a person): per-function histograms,\n"
                      "  per-group totals and variance, the predicted frac_reward_zero_std, truncation, examples,\n"
                      "  a verdict. --completions scores hand-written {\"prompt\", \"completion\", \"answer\"} lines.",
                      &run_preflight};

}  // namespace
