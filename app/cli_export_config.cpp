// reinforge-cli export-config RUN.yaml --to trl|verl|openrlhf [--out FILE] [--set key=value …]
// Writes the launch configuration of a Reinforge run for TRL (a YAML for `trl grpo --config`), verl
// (`python3 -m verl.trainer.main_ppo` with Hydra overrides) or OpenRLHF (`python3 -m
// openrlhf.cli.train_ppo_ray` with flags): to FILE, or to stdout. The settings the tool cannot express
// go to stderr, each with its Reinforge key and value. The mapping is engine/export/peer_config.cpp;
// the table and the caveats are in docs/scale-out.md.
#include <cstdio>

#include "cli_command.h"
#include "config/run_config.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "export/peer_config.h"

namespace {

int run_export_config(const std::vector<std::string>& args) {
    for (const auto& a : args)
        if (a.rfind("--", 0) == 0 && a != "--to" && a.rfind("--to=", 0) != 0 && a != "--out" && a.rfind("--out=", 0) != 0 &&
            a != "--set" && a.rfind("--set=", 0) != 0)
            throw rf::InputError({}, 0, a, "unknown option", "options: --to trl|verl|openrlhf, --out FILE, --set key=value");
    auto pos = rf::cli::positionals(args, {"--to", "--out", "--set"});
    if (pos.size() != 1)
        throw rf::InputError({}, 0, "", "expects exactly one RUN.yaml", "reinforge-cli export-config run.yaml --to trl");
    const std::string to = rf::cli::flag_value(args, "--to");
    if (to.empty()) throw rf::InputError({}, 0, "--to", "is required", "--to trl, --to verl or --to openrlhf");
    auto target = rf::enum_from_name<rf::PeerTarget>(to);
    if (!target) throw rf::InputError({}, 0, "--to", "unknown target '" + to + "'", "one of: trl, verl, openrlhf");

    std::vector<std::string> warnings;
    rf::RunConfig cfg = rf::load_config_with_overrides(pos[0], rf::set_args(args), &warnings);
    for (const auto& w : warnings) std::fprintf(stderr, "%s\n", w.c_str());
    rf::PeerExport e = rf::export_peer_config(cfg, *target, pos[0]);

    const std::string out = rf::cli::flag_value(args, "--out");
    if (out.empty()) {
        std::fwrite(e.text.data(), 1, e.text.size(), stdout);
    } else {
        rf::write_file_atomic(out, e.text);
        std::fprintf(stderr, "wrote %s\n", out.c_str());
        std::string launch = e.launch;
        if (*target == rf::PeerTarget::trl) {
            for (size_t p; (p = launch.find("FILE")) != std::string::npos;) launch.replace(p, 4, out);
        } else {
            launch = "bash " + out;
        }
        std::printf("%s\n", launch.c_str());
    }
    std::fprintf(stderr, "%s", rf::format_gaps(e).c_str());
    return 0;
}

rf::cli::Register reg{"export-config", "write a run's launch configuration for TRL, verl or OpenRLHF (docs/scale-out.md)",
                      "export-config RUN.yaml --to trl|verl|openrlhf [--out FILE] [--set key=value ...]", &run_export_config};

}  // namespace
