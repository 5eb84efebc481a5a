// reinforge-cli: the headless front end. Dispatches to the registered subcommands.
#include <algorithm>
#include <cstdio>
#include <exception>

#include "cli_command.h"
#include "io/hub_client.h"
#include "core/error.h"
#include "core/fp_mode.h"
#include "dist/comm.h"

namespace rf::cli {

std::vector<Command>& registry() {
    static std::vector<Command> commands;
    return commands;
}

bool has_flag(const std::vector<std::string>& args, const std::string& flag) {
    return std::find(args.begin(), args.end(), flag) != args.end();
}

std::string flag_value(const std::vector<std::string>& args, const std::string& flag, const std::string& fallback) {
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == flag) {
            if (i + 1 >= args.size()) throw InputError({}, 0, flag, "expects a value", "write " + flag + " VALUE");
            return args[i + 1];
        }
        if (args[i].rfind(flag + "=", 0) == 0) return args[i].substr(flag.size() + 1);
    }
    return fallback;
}

std::vector<std::string> positionals(const std::vector<std::string>& args, const std::vector<std::string>& value_flags) {
    std::vector<std::string> out;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a.rfind("--", 0) == 0) {
            if (a.find('=') == std::string::npos &&
                std::find(value_flags.begin(), value_flags.end(), a) != value_flags.end())
                ++i;
            continue;
        }
        out.push_back(a);
    }
    return out;
}

std::vector<std::string> split_list(const std::string& s) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos <= s.size()) {
        size_t c = s.find(',', pos);
        std::string item = s.substr(pos, c == std::string::npos ? std::string::npos : c - pos);
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (!item.empty()) out.push_back(item);
        if (c == std::string::npos) break;
        pos = c + 1;
    }
    return out;
}

std::string one_line(std::string s, size_t max) {
    for (char& c : s)
        if (c == '\n' || c == '\t' || c == '\r') c = ' ';
    if (s.size() > max) s = s.substr(0, max) + "…";
    return s;
}

}  // namespace rf::cli

static void print_usage() {
    std::fprintf(stderr, "usage: reinforge-cli [--version] COMMAND [ARGS]\n\ncommands:\n");
    auto cmds = rf::cli::registry();
    std::sort(cmds.begin(), cmds.end(), [](auto& a, auto& b) { return a.name < b.name; });
    for (auto& c : cmds) std::fprintf(stderr, "  %-20s %s\n", c.name.c_str(), c.summary.c_str());
}

int main(int argc, char** argv) {
    rf::share_cores_among_local_ranks();  // mpirun -np N on one machine: N ranks share its cores
    rf::init_math_threads(argv);
    if (argc < 2) {
        print_usage();
        return 2;
    }
    std::string cmd = argv[1];
    if (cmd == "--version" || cmd == "version") {
        std::printf("reinforge-cli %s\n", REINFORGE_VERSION);
        return 0;
    }
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
        print_usage();
        return 0;
    }
    for (auto& c : rf::cli::registry()) {
        if (c.name != cmd) continue;
        std::vector<std::string> args(argv + 2, argv + argc);
        if (rf::cli::has_flag(args, "--help")) {
            std::fprintf(stderr, "usage: reinforge-cli %s\n", c.usage.c_str());
            return 0;
        }
        try {
            return c.fn(args);
        } catch (const rf::InputError& e) {
            std::fprintf(stderr, "error: %s\n", e.what());
            return 2;
        } catch (const rf::HubCancelled& e) {
            std::fprintf(stderr, "\ncancelled: %s (run the command again to resume the download)\n", e.what());
            return 130;
        } catch (const std::exception& e) {
            std::fprintf(stderr, "failure: %s\n", e.what());
            return 1;
        }
    }
    std::fprintf(stderr, "error: unknown command '%s'\n", cmd.c_str());
    print_usage();
    return 2;
}
