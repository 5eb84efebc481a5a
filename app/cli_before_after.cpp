// reinforge-cli before-after RUN_DIR [--sources LIST] [--prompts N] [--temperature T] [--max-tokens N]
//                                    [--list] [--json]
// The same prompts answered by the base model and a run's saved weights, side by side, each with the
// run's reward total (train/before_after.h). Works on a finished run and on one in progress.
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli_command.h"
#include "cli_progress.h"
#include "core/error.h"
#include "train/before_after.h"

namespace {

const char* kUsage =
    "before-after RUN_DIR [--sources LIST] [--prompts N] [--temperature T] [--max-tokens N] [--list] [--json]\n"
    "  --sources   comma-separated: base, latest, best, a checkpoint's step (50), or all\n"
    "              (default: base, best when the run kept one, latest)\n"
    "  --prompts   the first N prompts of the validation split (else of the training split); default 4\n"
    "  --temperature  0 = greedy (default), else sampled with the same seeds for every source\n"
    "  --max-tokens   default: the run's max_completion_length\n"
    "  --list      print the sources the run offers and exit";

std::vector<rf::AnswerSource> choose(const std::vector<rf::AnswerSource>& offered, const std::string& list) {
    if (list.empty()) {
        std::vector<rf::AnswerSource> out;
        for (const auto& s : offered)
            if (s.label == "base" || s.label == "best" || s.label == "latest") out.push_back(s);
        return out;
    }
    if (list == "all") return offered;
    std::vector<rf::AnswerSource> out;
    for (const std::string& want : rf::cli::split_list(list)) {
        const std::string label = want.find_first_not_of("0123456789") == std::string::npos ? "step " + std::to_string(std::stoll(want)) : want;
        bool found = false;
        for (const auto& s : offered)
            if (s.label == label) out.push_back(s), found = true;
        if (!found) {
            std::string have;
            for (const auto& s : offered) have += (have.empty() ? "" : ", ") + s.label;
            throw rf::InputError({}, 0, "--sources", "the run has no '" + want + "'", "it has: " + have);
        }
    }
    return out;
}

std::string reward_text(double r) {
    if (std::isnan(r)) return "—";
    char b[32];
    std::snprintf(b, sizeof b, "%.3g", r);
    return b;
}

int run_before_after(const std::vector<std::string>& args) {
    const std::vector<std::string> value_flags = {"--sources", "--prompts", "--temperature", "--max-tokens"};
    for (const auto& a : args) {
        if (a.rfind("--", 0) != 0 || a == "--list" || a == "--json") continue;
        bool known = false;
        for (const auto& f : value_flags) known = known || a == f || a.rfind(f + "=", 0) == 0;
        if (!known) throw rf::InputError({}, 0, a, "unknown option", kUsage);
    }
    auto pos = rf::cli::positionals(args, value_flags);
    if (pos.size() != 1) throw rf::InputError({}, 0, "", "expects exactly one RUN_DIR", kUsage);
    const std::string run = pos[0];
    const std::vector<rf::AnswerSource> offered = rf::answer_sources(run);
    if (rf::cli::has_flag(args, "--list")) {
        for (const auto& s : offered) std::printf("%-10s %s\n", s.label.c_str(), s.adapter_file.empty() ? "(the base model, adapters off)" : s.adapter_file.c_str());
        return 0;
    }
    rf::BeforeAfterOptions o;
    try {
        o.prompts = std::stoi(rf::cli::flag_value(args, "--prompts", "4"));
        o.temperature = std::stod(rf::cli::flag_value(args, "--temperature", "0"));
        o.max_tokens = std::stoi(rf::cli::flag_value(args, "--max-tokens", "0"));
    } catch (const std::logic_error&) {
        throw rf::InputError({}, 0, "--prompts/--temperature/--max-tokens", "expects a number", kUsage);
    }
    const std::vector<rf::AnswerSource> sources = choose(offered, rf::cli::flag_value(args, "--sources"));
    rf::cli::LogPrinter log;
    const rf::BeforeAfter ba = rf::before_after(run, sources, o, &log);

    if (rf::cli::has_flag(args, "--json")) {
        nlohmann::json j;
        j["split"] = ba.split;
        j["sources"] = ba.labels;
        j["mean_reward"] = nlohmann::json::array();
        for (double m : ba.mean_reward) j["mean_reward"].push_back(std::isnan(m) ? nlohmann::json(nullptr) : nlohmann::json(m));
        j["rows"] = nlohmann::json::array();
        for (const auto& r : ba.rows) {
            nlohmann::json row = {{"prompt", r.prompt}, {"answer", r.answer}, {"answers", nlohmann::json::array()}};
            for (const auto& c : r.cells)
                row["answers"].push_back({{"text", c.text},
                                          {"reward", std::isnan(c.reward) ? nlohmann::json(nullptr) : nlohmann::json(c.reward)},
                                          {"truncated", c.truncated}});
            j["rows"].push_back(row);
        }
        std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
        return 0;
    }
    std::printf("Before / after on %zu prompt%s of the %s split (%s)\n", ba.rows.size(), ba.rows.size() == 1 ? "" : "s",
                ba.split == "valid" ? "validation" : "training", o.temperature == 0 ? "greedy" : "sampled, same seeds");
    std::printf("%-14s", "");
    for (const auto& l : ba.labels) std::printf(" %12s", l.c_str());
    std::printf("\n%-14s", ba.scored ? "mean reward" : "(no reward)");
    for (double m : ba.mean_reward) std::printf(" %12s", reward_text(m).c_str());
    std::printf("\n");
    for (size_t p = 0; p < ba.rows.size(); ++p) {
        const auto& r = ba.rows[p];
        std::printf("\n[%zu] %s%s\n", p + 1, rf::cli::one_line(r.prompt, 160).c_str(),
                    r.answer.empty() ? "" : ("  (answer: " + rf::cli::one_line(r.answer, 40) + ")").c_str());
        for (size_t k = 0; k < r.cells.size(); ++k)
            std::printf("  %-10s %7s%s  %s\n", ba.labels[k].c_str(), reward_text(r.cells[k].reward).c_str(),
                        r.cells[k].truncated ? " (cut)" : "", rf::cli::one_line(r.cells[k].text, 200).c_str());
    }
    return 0;
}

rf::cli::Register reg{"before-after", "the same prompts answered by the base and a run's checkpoints, side by side",
                      kUsage, &run_before_after};

}  // namespace
