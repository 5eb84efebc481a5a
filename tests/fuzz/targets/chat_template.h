// Chat templates (Jinja) and tokenizer_config.json: a template either renders a small conversation or
// throws InputError (syntax errors, raise_exception, unsupported filters, and the interpreter's limits
// on steps, output and value sizes: text/jinja/jinja.h). Byte 0 picks the form: even = the rest is
// the template source (ChatTemplate::from_string), odd = the rest is a tokenizer_config.json read
// through ChatTemplate::from_dir (bos/eos tokens, a string or a list of named templates).
#pragma once
#include <filesystem>

#include "core/error.h"
#include "text/chat_template.h"
#include "fuzz_util.h"

namespace rf_fuzz {

inline void chat_template(const uint8_t* data, size_t size) {
    if (size < 1) return;
    const uint8_t mode = data[0];
    std::string text = text_of(data + 1, size - 1);
    try {
        std::optional<rf::ChatTemplate> t;
        if (mode & 1) {
            std::string dir = scratch_dir() + "/model";
            std::filesystem::create_directories(dir);
            write_scratch("model/tokenizer_config.json", text);
            t = rf::ChatTemplate::from_dir(dir);
        } else {
            t = rf::ChatTemplate::from_string(text, "fuzz.jinja", "<s>", "</s>");
        }
        t->set_date(rf::TemplateDate{});
        std::vector<rf::Message> msgs = {{"system", "Be brief."}, {"user", "What is 2+2?"}, {"assistant", "4"}, {"user", "Why?"}};
        (void)t->render(msgs, mode & 2, std::nullopt);
        (void)t->render(msgs, true, (mode & 4) != 0);
        (void)t->reads_enable_thinking();
    } catch (const rf::InputError&) {
    }
}

}  // namespace rf_fuzz
