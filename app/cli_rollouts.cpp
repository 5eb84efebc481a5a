// reinforge-cli rollouts RUN_DIR [--step N|last] [--worst K] [--filter no-variance|truncated|no-signal] [--json]
// A step's groups from rollouts.jsonl, worst first (the lowest mean total), each with its prompt and
// answer and every completion's total, advantage, per-function rewards and truncation: the CLI's way
// to the worst group of any step (the GUI's Rollouts tab). Without --step: the steps, one line each
// (mean total, worst group's mean, groups with no variance / a truncated completion).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli_command.h"
#include "core/error.h"

namespace {

using nlohmann::json;

const char* kUsage =
    "rollouts RUN_DIR [--step N|last] [--worst K] [--filter no-variance|truncated|no-signal] [--json]\n"
    "  without --step: one line per step (mean total, worst group, groups with no variance / truncated)\n"
    "  --step      a step's groups, worst first (lowest mean total); --worst K: only the K worst\n"
    "  --filter    only groups whose totals are all equal (no-variance), that hold a truncated\n"
    "              completion, or a verdict without signal (no-signal: failed, skipped, tie)";

struct Group {
    int step = 0, index = 0;
    std::vector<json> rows;
    double mean = 0, spread = 0;
    bool truncated = false, no_signal = false;
};

std::vector<Group> read_groups(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw rf::InputError(path, 0, {}, "cannot read rollouts.jsonl", "give a run folder of an online run (GRPO, REINFORCE, RLOO, PPO)");
    std::map<std::pair<int, int>, Group> by;
    std::string line;
    for (int no = 1; std::getline(in, line); ++no) {
        json j = json::parse(line, nullptr, false);
        if (!j.is_object()) continue;  // a torn last line (a kill mid-write)
        const int step = j.value("step", 0), group = j.value("group", 0);
        Group& g = by[{step, group}];
        g.step = step, g.index = group;
        g.rows.push_back(std::move(j));
    }
    std::vector<Group> out;
    for (auto& [key, g] : by) {
        double lo = 1e300, hi = -1e300, sum = 0;
        for (const json& r : g.rows) {
            const double t = r.value("reward", 0.0);
            sum += t, lo = std::min(lo, t), hi = std::max(hi, t);
            g.truncated = g.truncated || r.value("truncated", false);
            g.no_signal = g.no_signal || (r.contains("verdict") && r["verdict"].is_string());
        }
        g.mean = sum / double(g.rows.size());
        g.spread = hi - lo;
        out.push_back(std::move(g));
    }
    return out;
}

bool keep(const Group& g, const std::string& filter) {
    if (filter.empty()) return true;
    if (filter == "no-variance") return g.rows.size() > 1 && g.spread < 1e-8;
    if (filter == "truncated") return g.truncated;
    if (filter == "no-signal") return g.no_signal;
    throw rf::InputError({}, 0, "--filter", "unknown filter '" + filter + "'", "no-variance, truncated or no-signal");
}

void print_steps(const std::vector<Group>& groups) {
    std::map<int, std::vector<const Group*>> steps;
    for (const Group& g : groups) steps[g.step].push_back(&g);
    std::printf("%6s %8s %8s %8s %10s %10s\n", "step", "groups", "mean", "worst", "no var.", "truncated");
    for (const auto& [step, gs] : steps) {
        double sum = 0, n = 0, worst = 1e300;
        int flat = 0, cut = 0;
        for (const Group* g : gs) {
            for (const json& r : g->rows) sum += r.value("reward", 0.0), n += 1;
            worst = std::min(worst, g->mean);
            flat += g->rows.size() > 1 && g->spread < 1e-8 ? 1 : 0;
            cut += g->truncated ? 1 : 0;
        }
        std::printf("%6d %8zu %8.3g %8.3g %10d %10d\n", step, gs.size(), sum / n, worst, flat, cut);
    }
}

void print_group(const Group& g) {
    const json& first = g.rows.front();
    std::printf("\nstep %d · group %d · mean %.3g · spread %.3g%s\n  prompt: %s\n  answer: %s\n", g.step, g.index, g.mean,
                g.spread, g.truncated ? " · truncated" : "", rf::cli::one_line(first.value("prompt", ""), 200).c_str(),
                rf::cli::one_line(first.value("answer", ""), 80).c_str());
    std::vector<const json*> rows;
    for (const json& r : g.rows) rows.push_back(&r);
    std::stable_sort(rows.begin(), rows.end(), [](const json* a, const json* b) { return a->value("reward", 0.0) < b->value("reward", 0.0); });
    for (const json* r : rows) {
        std::string fns;
        if (r->contains("rewards") && (*r)["rewards"].is_object())
            for (const auto& [name, v] : (*r)["rewards"].items()) {
                std::string shortname = name.rfind("r1_", 0) == 0 ? name.substr(3) : name;
                if (shortname.size() > 12 && shortname.compare(shortname.size() - 12, 12, "_reward_func") == 0) shortname.resize(shortname.size() - 12);
                char b[96];
                if (v.is_number()) std::snprintf(b, sizeof b, "%s %.3g", shortname.c_str(), v.get<double>());
                else std::snprintf(b, sizeof b, "%s —", shortname.c_str());
                if (!fns.empty()) fns += ' ';
                fns += b;
            }
        std::printf("  total %6.3g  adv %7.3g%s%s  [%s]\n    %s\n", r->value("reward", 0.0), r->value("advantage", 0.0),
                    r->value("truncated", false) ? "  (cut)" : "",
                    r->contains("verdict") && (*r)["verdict"].is_string() ? ("  verdict " + (*r)["verdict"].get<std::string>()).c_str() : "",
                    fns.c_str(), rf::cli::one_line(r->value("completion", ""), 240).c_str());
    }
}

int run_rollouts(const std::vector<std::string>& args) {
    const std::vector<std::string> value_flags = {"--step", "--worst", "--filter"};
    for (const auto& a : args) {
        if (a.rfind("--", 0) != 0 || a == "--json") continue;
        bool known = false;
        for (const auto& f : value_flags) known = known || a == f || a.rfind(f + "=", 0) == 0;
        if (!known) throw rf::InputError({}, 0, a, "unknown option", kUsage);
    }
    auto pos = rf::cli::positionals(args, value_flags);
    if (pos.size() != 1) throw rf::InputError({}, 0, "", "expects exactly one RUN_DIR", kUsage);
    std::vector<Group> groups = read_groups(pos[0] + "/rollouts.jsonl");
    if (groups.empty()) throw rf::InputError(pos[0] + "/rollouts.jsonl", 0, {}, "no rollouts yet", "the run writes them after each step");
    const std::string filter = rf::cli::flag_value(args, "--filter");
    const std::string step_arg = rf::cli::flag_value(args, "--step");
    if (step_arg.empty()) {
        std::vector<Group> kept;
        for (Group& g : groups)
            if (keep(g, filter)) kept.push_back(std::move(g));
        print_steps(kept);
        return 0;
    }
    int step = 0;
    if (step_arg == "last") {
        for (const Group& g : groups) step = std::max(step, g.step);
    } else {
        try {
            step = std::stoi(step_arg);
        } catch (const std::logic_error&) {
            throw rf::InputError({}, 0, "--step", "expects a step number or 'last'", kUsage);
        }
    }
    std::vector<const Group*> chosen;
    for (const Group& g : groups)
        if (g.step == step && keep(g, filter)) chosen.push_back(&g);
    std::stable_sort(chosen.begin(), chosen.end(), [](const Group* a, const Group* b) { return a->mean < b->mean; });
    const std::string worst = rf::cli::flag_value(args, "--worst");
    if (!worst.empty()) chosen.resize(std::min(chosen.size(), size_t(std::max(0, std::atoi(worst.c_str())))));
    if (rf::cli::has_flag(args, "--json")) {
        json out = json::array();
        for (const Group* g : chosen) out.push_back({{"step", g->step}, {"group", g->index}, {"mean", g->mean}, {"spread", g->spread}, {"completions", g->rows}});
        std::printf("%s\n", out.dump(2, ' ', false, json::error_handler_t::replace).c_str());
        return 0;
    }
    if (chosen.empty()) std::printf("step %d: no group%s\n", step, filter.empty() ? "" : " matches the filter");
    for (const Group* g : chosen) print_group(*g);
    return 0;
}

rf::cli::Register reg{"rollouts", "a step's groups from rollouts.jsonl, worst first (or one line per step)", kUsage,
                      &run_rollouts};

}  // namespace
