// reinforge-cli config-doc: prints docs/config.md (generated from the RunConfig key table).
#include <cstdio>

#include "cli_command.h"
#include "config/run_config.h"
#include "core/error.h"

namespace {

int run_config_doc(const std::vector<std::string>& args) {
    if (!args.empty()) throw rf::InputError({}, 0, args[0], "config-doc takes no arguments");
    std::fputs(rf::config_doc_markdown().c_str(), stdout);
    return 0;
}

rf::cli::Register reg{"config-doc", "print the run-config reference (docs/config.md) as Markdown", "config-doc",
                      &run_config_doc};

}  // namespace
