// reinforge-cli validate CONFIG.yaml [--set key=value …] [--resolved]
// Prints "ok" and the warnings (exit 0), or every error and warning (exit 2). --resolved also prints
// the resolved config (every value, as `train` would run it) as YAML on stdout.
#include <cstdio>

#include "cli_command.h"
#include "config/run_config.h"
#include "core/atomic_file.h"
#include "core/error.h"

namespace {

int run_validate(const std::vector<std::string>& args) {
    auto pos = rf::cli::positionals(args, {"--set"});
    if (pos.size() != 1) throw rf::InputError({}, 0, "", "expects exactly one CONFIG.yaml", "reinforge-cli validate run.yaml");
    const std::string& path = pos[0];
    for (const auto& a : args)
        if (a.rfind("--", 0) == 0 && a != "--set" && a.rfind("--set=", 0) != 0 && a != "--resolved")
            throw rf::InputError({}, 0, a, "unknown option", "options: --set key=value, --resolved");
    rf::ParsedConfig parsed = rf::parse_run_config(rf::read_file(path), path, rf::set_args(args));
    for (auto& issue : rf::check_files(parsed.config)) parsed.issues.push_back(std::move(issue));
    bool errors = rf::has_errors(parsed.issues);
    for (const auto& issue : parsed.issues)
        std::fprintf(errors ? stderr : stdout, "%s\n", issue.to_string(path).c_str());
    if (errors) {
        size_t n = 0;
        for (const auto& i : parsed.issues) n += i.severity == rf::Severity::error;
        std::fprintf(stderr, "%s: %zu error%s\n", path.c_str(), n, n == 1 ? "" : "s");
        return 2;
    }
    std::printf("ok\n");
    if (rf::cli::has_flag(args, "--resolved")) std::printf("%s", rf::to_yaml(parsed.config).c_str());
    return 0;
}

rf::cli::Register reg{"validate", "check a run config (keys, types, ranges, combinations)",
                      "validate CONFIG.yaml [--set key=value ...] [--resolved]", &run_validate};

}  // namespace
