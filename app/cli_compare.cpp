// reinforge-cli compare RUN_DIR RUN_DIR… [--metrics a,b,…] [--all-keys] [--json]
// Two or more runs side by side: the config keys that differ (config.yaml, config/run_config_diff.h)
// and, per metric, each run's value at the start and at the end — for training metrics the mean of
// the first and of the last 10 reported steps, for validation metrics the first and last evaluation
// and the best one with its step. Default metrics: the held-out and training accuracy, the held-out
// and training reward, KL. The GUI's Compare tab draws the same.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli_command.h"
#include "config/run_config_diff.h"
#include "core/error.h"

namespace {

using nlohmann::json;

const char* kUsage =
    "compare RUN_DIR RUN_DIR… [--metrics a,b,…] [--all-keys] [--json]\n"
    "  --metrics   names as metrics.jsonl writes them (val_ prefix for evaluations); default: the\n"
    "              accuracy function's mean (val_ and training), val_rewards / the total reward, kl\n"
    "  --all-keys  list the keys that are equal too";

struct Series {
    std::vector<std::pair<int, double>> points;  // (step, value)
};

struct Run {
    std::string dir, name;
    std::map<std::string, Series> metrics;
};

Run read_run(const std::string& dir) {
    namespace fs = std::filesystem;
    Run r;
    r.dir = dir;
    r.name = fs::path(dir).filename().string();
    if (r.name.empty()) r.name = fs::path(dir).parent_path().filename().string();
    std::ifstream in(dir + "/metrics.jsonl");
    if (!in) throw rf::InputError(dir, 0, {}, "no metrics.jsonl here", "give run folders that `reinforge-cli train` wrote");
    std::string line;
    while (std::getline(in, line)) {
        json j = json::parse(line, nullptr, false);
        if (!j.is_object()) continue;  // a torn last line
        const int step = j.value("step", 0);
        const std::string phase = j.value("phase", "train");
        if (phase != "train" && phase != "val") continue;
        for (const auto& [k, v] : j.items())
            if (v.is_number() && k != "step") r.metrics[k].points.push_back({step, v.get<double>()});
    }
    return r;
}

std::vector<std::string> default_metrics(const std::vector<Run>& runs) {
    std::vector<std::string> names;
    auto add = [&](const std::string& n) {
        if (std::find(names.begin(), names.end(), n) != names.end()) return;
        for (const Run& r : runs)
            if (r.metrics.count(n)) return names.push_back(n);
    };
    for (const Run& r : runs)
        for (const auto& [k, s] : r.metrics)
            if (k.find("accuracy") != std::string::npos && k.size() > 5 && k.compare(k.size() - 5, 5, "_mean") == 0) add(k);
    for (const char* n : {"val_rewards", "total_rewards_mean", "rewards", "margins", "kl", "val_loss", "loss"}) add(n);
    return names;
}

std::string num(double v) {
    if (std::isnan(v)) return "—";
    char b[32];
    std::snprintf(b, sizeof b, "%.4g", v);
    return b;
}

double mean_of(const std::vector<std::pair<int, double>>& p, size_t b, size_t e) {
    double s = 0;
    for (size_t i = b; i < e; ++i) s += p[i].second;
    return e > b ? s / double(e - b) : std::nan("");
}

// "start → end" of one metric in one run, with the best evaluation for val_ metrics.
std::string summary(const std::string& name, const Series* s) {
    if (!s || s->points.empty()) return "—";
    const auto& p = s->points;
    if (name.rfind("val_", 0) == 0) {
        const bool lower = name.find("loss") != std::string::npos || name.find("kl") != std::string::npos;
        auto best = std::max_element(p.begin(), p.end(), [&](auto a, auto b) { return lower ? a.second > b.second : a.second < b.second; });
        return num(p.front().second) + " → " + num(p.back().second) + " (best " + num(best->second) + " at " + std::to_string(best->first) + ")";
    }
    const size_t n = std::min<size_t>(10, p.size());
    return num(mean_of(p, 0, n)) + " → " + num(mean_of(p, p.size() - n, p.size()));
}

int run_compare(const std::vector<std::string>& args) {
    for (const auto& a : args)
        if (a.rfind("--", 0) == 0 && a != "--all-keys" && a != "--json" && a != "--metrics" && a.rfind("--metrics=", 0) != 0)
            throw rf::InputError({}, 0, a, "unknown option", kUsage);
    auto dirs = rf::cli::positionals(args, {"--metrics"});
    if (dirs.size() < 2) throw rf::InputError({}, 0, "", "expects two or more RUN_DIRs", kUsage);
    std::vector<Run> runs;
    std::vector<rf::RunConfig> configs;
    for (const std::string& d : dirs) {
        if (!std::filesystem::is_regular_file(d + "/config.yaml"))
            throw rf::InputError(d, 0, {}, "not a run folder: config.yaml is missing", "give run folders that `reinforge-cli train` wrote");
        configs.push_back(rf::load_run_config(d + "/config.yaml"));
        runs.push_back(read_run(d));
    }
    std::vector<std::string> metrics = rf::cli::split_list(rf::cli::flag_value(args, "--metrics"));
    if (metrics.empty()) metrics = default_metrics(runs);
    const std::vector<rf::ConfigDiffRow> diff = rf::config_diff(configs, rf::cli::has_flag(args, "--all-keys"));
    if (rf::cli::has_flag(args, "--json")) {
        json j;
        for (const Run& r : runs) j["runs"].push_back(r.dir);
        j["config"] = json::array();
        for (const auto& row : diff) j["config"].push_back({{"key", row.key}, {"values", row.values}, {"differs", row.differs}});
        for (const std::string& m : metrics)
            for (const Run& r : runs) {
                auto it = r.metrics.find(m);
                json pts = json::array();
                if (it != r.metrics.end())
                    for (auto [s, v] : it->second.points) pts.push_back({s, v});
                j["metrics"][m].push_back(pts);
            }
        std::printf("%s\n", j.dump(2).c_str());
        return 0;
    }
    // two folders of the same name (runs/a/run, runs/b/run): name them with their parent folder
    std::map<std::string, int> seen;
    for (const Run& r : runs) ++seen[r.name];
    for (Run& r : runs)
        if (seen[r.name] > 1)
            r.name = std::filesystem::path(r.dir).lexically_normal().parent_path().filename().string() + "/" + r.name;
    size_t w = 10;
    for (const Run& r : runs) w = std::max(w, r.name.size());
    for (const auto& row : diff)
        for (const std::string& v : row.values) w = std::max(w, std::min<size_t>(v.size(), 48));
    std::printf("What changed (config.yaml):\n  %-28s", "key");
    for (const Run& r : runs) std::printf("  %-*s", int(w), r.name.c_str());
    std::printf("\n");
    for (const auto& row : diff) {
        std::printf("  %-28s", row.key.c_str());
        for (const std::string& v : row.values) std::printf("  %-*s", int(w), v.size() > 48 ? (v.substr(0, 47) + "…").c_str() : v.c_str());
        std::printf("%s\n", row.differs ? "" : "   (equal)");
    }
    if (diff.empty()) std::printf("  (no key differs)\n");
    std::printf("\nMetrics (training: mean of the first 10 steps → of the last 10; val_: first → last evaluation, best):\n");
    for (const std::string& m : metrics) {
        std::printf("  %s\n", m.c_str());
        for (const Run& r : runs) {
            auto it = r.metrics.find(m);
            std::printf("    %-*s  %s\n", int(w), r.name.c_str(), summary(m, it == r.metrics.end() ? nullptr : &it->second).c_str());
        }
    }
    return 0;
}

rf::cli::Register reg{"compare", "runs side by side: the config keys that differ and each run's metrics, start to end",
                      kUsage, &run_compare};

}  // namespace
