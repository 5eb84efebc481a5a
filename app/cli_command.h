// reinforge-cli subcommands register themselves here: one file per command (cli_<name>.cpp), each with
//   static rf::cli::Register reg{"name", "one-line summary", "usage", &run_fn};
// Exit codes: 0 ok, 2 bad input (rf::InputError), 1 failure.
#pragma once
#include <string>
#include <vector>

namespace rf::cli {

using CommandFn = int (*)(const std::vector<std::string>& args);

struct Command {
    std::string name, summary, usage;
    CommandFn fn;
};

std::vector<Command>& registry();

struct Register {
    Register(std::string name, std::string summary, std::string usage, CommandFn fn) {
        registry().push_back({std::move(name), std::move(summary), std::move(usage), fn});
    }
};

// Small helpers for argument parsing shared by the commands.
bool has_flag(const std::vector<std::string>& args, const std::string& flag);
// Value of `--flag VALUE` (or `--flag=VALUE`); `fallback` when absent. Throws InputError when the value is missing.
std::string flag_value(const std::vector<std::string>& args, const std::string& flag, const std::string& fallback = {});
// Arguments that are not flags nor flag values. `value_flags` lists flags that take a value.
std::vector<std::string> positionals(const std::vector<std::string>& args, const std::vector<std::string>& value_flags);
// "a, b,c" -> {"a", "b", "c"} (items trimmed, empty ones dropped).
std::vector<std::string> split_list(const std::string& s);
// Text for one terminal line: newlines and tabs as spaces, cut to `max` bytes with "…".
std::string one_line(std::string s, size_t max);

}  // namespace rf::cli
