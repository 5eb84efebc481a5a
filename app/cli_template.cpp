// reinforge-cli template DIR [--system S] [--user U] [--no-generation-prompt]
//                            [--enable-thinking true|false] [--date YYYY-MM-DD] [--ids]
// Prints exactly the prompt the trainer feeds the model: the model's chat template rendered for
// [system?, user] with the generation prompt (no newline is added). --ids prints the token ids of
// that prompt instead. strftime_now uses today's date unless --date pins one.
#include <cstdio>

#include "cli_command.h"
#include "io/hub_client.h"
#include "core/error.h"
#include "io/hf_cache.h"
#include "text/chat_template.h"
#include "text/tokenizer.h"

namespace {

int run_template(const std::vector<std::string>& args) {
    auto pos = rf::cli::positionals(args, {"--system", "--user", "--enable-thinking", "--date"});
    if (pos.size() != 1)
        throw rf::InputError({}, 0, "template", "expected one model folder",
                             "reinforge-cli template DIR [--system S] [--user U] [--no-generation-prompt] [--enable-thinking true|false]");
    std::string dir = rf::ensure_model(pos[0]);
    rf::ChatTemplate tpl = rf::ChatTemplate::from_dir(dir);
    if (!tpl.note().empty()) std::fprintf(stderr, "note: %s\n", tpl.note().c_str());
    std::vector<rf::Message> conv;
    std::string system = rf::cli::flag_value(args, "--system");
    if (!system.empty()) conv.push_back({"system", system});
    conv.push_back({"user", rf::cli::flag_value(args, "--user", "Hello!")});
    std::optional<bool> thinking;
    std::string t = rf::cli::flag_value(args, "--enable-thinking");
    if (t == "true") thinking = true;
    else if (t == "false") thinking = false;
    else if (!t.empty()) throw rf::InputError({}, 0, "--enable-thinking", "expected true or false, got '" + t + "'");
    if (thinking && !tpl.reads_enable_thinking())
        std::fprintf(stderr, "note: this template does not read enable_thinking; the flag changes nothing\n");
    std::string date = rf::cli::flag_value(args, "--date");
    if (!date.empty()) {
        rf::TemplateDate d;
        if (std::sscanf(date.c_str(), "%d-%d-%d", &d.year, &d.month, &d.day) != 3 || d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31)
            throw rf::InputError({}, 0, "--date", "expected YYYY-MM-DD, got '" + date + "'");
        tpl.set_date(d);
    }
    std::string prompt = tpl.render(conv, !rf::cli::has_flag(args, "--no-generation-prompt"), thinking);
    if (rf::cli::has_flag(args, "--ids")) {
        auto tok = rf::load_tokenizer(dir);
        std::string line;
        for (int id : tok->encode(prompt)) line += (line.empty() ? "" : " ") + std::to_string(id);
        std::printf("%s\n", line.c_str());
        return 0;
    }
    std::fwrite(prompt.data(), 1, prompt.size(), stdout);
    return 0;
}

rf::cli::Register reg{"template", "print the chat-templated prompt the trainer feeds the model",
                      "template DIR [--system S] [--user U] [--no-generation-prompt] [--enable-thinking true|false] "
                      "[--date YYYY-MM-DD] [--ids]",
                      &run_template};

}  // namespace
