// reinforge-cli export-preferences RUN_DIR [--out FILE] [--all]
// Turns the human verdicts of a run (RUN_DIR/judgments.jsonl) into a DPO dataset, one
// {"prompt", "chosen", "rejected"} object per line (default RUN_DIR/preferences.jsonl): each pairwise
// verdict with a winner, and for scalar verdicts (0..10 scores) each prompt's best over its worst
// completion of a step. --all also takes the verdicts of the other judges (LLM, HTTP, rewards). Ties,
// skips and failed verdicts carry no preference and are left out. RUN_DIR may also be the
// judgments.jsonl file itself.
#include <cstdio>
#include <filesystem>

#include "cli_command.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "judge/preferences.h"

namespace {

int run_export_preferences(const std::vector<std::string>& args) {
    for (const auto& a : args)
        if (a.rfind("--", 0) == 0 && a != "--all" && a != "--out" && a.rfind("--out=", 0) != 0)
            throw rf::InputError({}, 0, a, "unknown option", "options: --out FILE, --all");
    auto pos = rf::cli::positionals(args, {"--out"});
    if (pos.size() != 1)
        throw rf::InputError({}, 0, "", "expects exactly one RUN_DIR", "reinforge-cli export-preferences runs/my-run");
    namespace fs = std::filesystem;
    const fs::path run = pos[0];
    const bool is_dir = fs::is_directory(run);
    const std::string judgments = is_dir ? (run / "judgments.jsonl").string() : run.string();
    if (!fs::exists(judgments))
        throw rf::InputError(judgments, 0, {}, "no judgments.jsonl here",
                             "give a run folder of a run with a judge (human verdicts are saved there as they are given)");
    const std::string out = rf::cli::flag_value(args, "--out", ((is_dir ? run : run.parent_path()) / "preferences.jsonl").string());
    const bool all = rf::cli::has_flag(args, "--all");

    rf::PreferenceExport ex = rf::collect_preferences(judgments, all);
    rf::write_file_atomic(out, rf::preferences_jsonl(ex.rows));
    std::fprintf(stderr, "wrote %zu preference pair%s to %s\n", ex.rows.size(), ex.rows.size() == 1 ? "" : "s", out.c_str());
    std::fprintf(stderr, "  %d verdicts read; %d pairwise from %s; %d ties/skips/failures left out", ex.lines,
                 ex.pairwise, all ? "all judges" : "the human judge", ex.undecided);
    if (ex.scalar)
        std::fprintf(stderr, "; %d scalar scores gave %d best-over-worst pair%s", ex.scalar, ex.scalar_pairs,
                     ex.scalar_pairs == 1 ? "" : "s");
    if (!all && ex.other_judges) std::fprintf(stderr, "; %d from other judges (add --all)", ex.other_judges);
    if (ex.repeated) std::fprintf(stderr, "; %d given again after a resume counted once", ex.repeated);
    std::fprintf(stderr, "\n");
    if (ex.truncated_tail) std::fprintf(stderr, "  note: the last line of %s was cut off and skipped\n", judgments.c_str());
    return 0;
}

rf::cli::Register reg{"export-preferences", "write a run's human verdicts as a DPO dataset (prompt, chosen, rejected)",
                      "export-preferences RUN_DIR [--out FILE] [--all]", &run_export_preferences};

}  // namespace
