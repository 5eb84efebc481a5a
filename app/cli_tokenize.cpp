// reinforge-cli tokenize DIR TEXT [--special] [--tokens]
// Prints the token ids of TEXT on one line, separated by spaces, as the trainer encodes it (no
// BOS/EOS unless --special, which adds what the model's post-processor adds). --tokens adds a
// second line: the token strings as a JSON array. TEXT "-" reads standard input.
#include <cstdio>
#include <iostream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "cli_command.h"
#include "io/hub_client.h"
#include "core/error.h"
#include "io/hf_cache.h"
#include "text/tokenizer.h"

namespace {

int run_tokenize(const std::vector<std::string>& args) {
    auto pos = rf::cli::positionals(args, {});
    if (pos.size() != 2)
        throw rf::InputError({}, 0, "tokenize", "expected a model folder and a text",
                             "reinforge-cli tokenize DIR \"text\" [--special] [--tokens]");
    std::string text = pos[1];
    if (text == "-") text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    auto tok = rf::load_tokenizer(rf::ensure_model(pos[0]));
    std::vector<int> ids = tok->encode(text, rf::cli::has_flag(args, "--special"));
    std::string line;
    for (size_t i = 0; i < ids.size(); ++i) line += (i ? " " : "") + std::to_string(ids[i]);
    std::printf("%s\n", line.c_str());
    if (rf::cli::has_flag(args, "--tokens")) {
        nlohmann::json t = nlohmann::json::array();
        for (int id : ids) t.push_back(tok->token_text(id));
        std::printf("%s\n", t.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    }
    return 0;
}

rf::cli::Register reg{"tokenize", "print the token ids of a text (the model's tokenizer)",
                      "tokenize DIR \"text\" [--special] [--tokens]   (DIR: model folder or HF id; text - = stdin)",
                      &run_tokenize};

}  // namespace
