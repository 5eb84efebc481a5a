// reinforge-cli list-rewards [--file REWARDS.py] [--python PYTHON] [--json]
// The built-in reward functions (the defaults, in order) and, with --file, the names a
// reward_functions_file registers (run in the python3 reward worker, as a training run would).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli_command.h"
#include "core/error.h"
#include "rewards/python_worker.h"
#include "rewards/reward_registry.h"
#include "rewards/reward_set.h"

namespace {

int run_list_rewards(const std::vector<std::string>& args) {
    for (const auto& a : args)
        if (a.rfind("--", 0) == 0 && a != "--json" && a != "--file" && a.rfind("--file=", 0) != 0 && a != "--python" &&
            a.rfind("--python=", 0) != 0)
            throw rf::InputError({}, 0, a, "unknown option", "options: --file REWARDS.py, --python PYTHON, --json");
    auto pos = rf::cli::positionals(args, {"--file", "--python"});
    if (!pos.empty()) throw rf::InputError({}, 0, pos[0], "unexpected argument", "use --file REWARDS.py");
    const std::string file = rf::cli::flag_value(args, "--file");
    rf::PythonWorkerOptions opts;
    opts.python = rf::cli::flag_value(args, "--python", "python3");
    std::vector<std::string> registered;
    if (!file.empty()) {
        rf::PythonRewardWorker worker(file, opts);
        registered = worker.registered();
    }
    const auto& builtins = rf::builtin_rewards();
    auto is_builtin = [&](const std::string& n) {
        for (const auto& b : builtins)
            if (n == b.name) return true;
        return false;
    };
    if (rf::cli::has_flag(args, "--json")) {
        nlohmann::json j;
        j["builtin"] = nlohmann::json::array();
        for (const auto& b : builtins) j["builtin"].push_back({{"name", b.name}, {"summary", b.summary}});
        j["defaults"] = rf::default_reward_function_names();
        j["person"] = rf::kHumanRewardName;
        if (!file.empty()) {
            j["file"] = file;
            j["registered"] = registered;
        }
        std::printf("%s\n", j.dump(2).c_str());
        return 0;
    }
    std::printf("Built-in reward functions (reward_functions empty = all five, in this order):\n");
    for (const auto& b : builtins) std::printf("  %-30s %s\n", b.name, b.summary);
    std::printf("\nA person (asked in the judging dialog or the terminal):\n  %-30s %s\n", rf::kHumanRewardName,
                "your 0-10 score / 10, for human_fraction of the groups (docs/judges-and-rewards.md)");
    if (!file.empty()) {
        std::printf("\nRegistered by %s:\n", file.c_str());
        if (registered.empty()) std::printf("  (none: the file registers no function with @register_reward_function)\n");
        for (const auto& n : registered)
            std::printf("  %s%s\n", n.c_str(), is_builtin(n) ? "   (replaces the built-in function of this name)" : "");
    }
    return 0;
}

rf::cli::Register reg{"list-rewards", "list the reward functions (built in, and those a reward file registers)",
                      "list-rewards [--file REWARDS.py] [--python PYTHON] [--json]", &run_list_rewards};

}  // namespace
