// Hostile chat templates (SPEC §15): random token soup must either render or give an InputError —
// never another exception, a crash or a hang. Seeded, so a failure reproduces.
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/rng.h"
#include "text/chat_template.h"

TEST(ChatTemplateFuzz, RandomTemplatesRenderOrFailCleanly) {
    static const char* frags[] = {
        "{%", "%}", "{%-", "-%}", "{{", "}}", "{{-", "-}}", "{#", "#}", " if ", " elif ", " else ", " endif ", " for ",
        " in ", " endfor ", " set ", " = ", "messages", "message", ".content", ".role", "[0]", "[-1]", "[1:]", "[::-1]",
        "(", ")", "[", "]", "{", "}", ",", ":", "'a'", "\"b\\n\"", "'", "\"", "|", "trim", "length", "tojson", "upper",
        " ~ ", " + ", " - ", " * ", " / ", " // ", " % ", " ** ", " == ", " != ", " < ", " and ", " or ", " not ", " is ",
        " defined", " none", " string", "loop.index0", "loop.last", "ns", "namespace(x=1)", "ns.x", "range(3)", "1", "2.5",
        "true", "raise_exception('boom')", "strftime_now('%Y')", ".split('a')", ".strip()", ".startswith('x')", "\n", " ",
        "text", "<|im_start|>", "add_generation_prompt", "enable_thinking", "break", "continue", "macro", "endmacro",
        "x if y else z", "dict(a=1)", ".get('role')", ".items()", "\\", "\xFF", "é"};
    const size_t n = sizeof frags / sizeof *frags;
    rf::Rng rng(1234);
    int rendered = 0, rejected = 0;
    for (int iter = 0; iter < 4000; ++iter) {
        std::string src;
        int len = 1 + int(rng.below(24));
        for (int k = 0; k < len; ++k) src += frags[rng.below(uint32_t(n))];
        try {
            rf::ChatTemplate t = rf::ChatTemplate::from_string(src, "fuzz.jinja");
            t.set_date(rf::TemplateDate{});
            t.render({{"system", "S"}, {"user", "U"}}, rng.below(2) == 1, std::optional<bool>(rng.below(2) == 1));
            ++rendered;
        } catch (const rf::InputError&) {
            ++rejected;
        } catch (const std::exception& e) {
            ADD_FAILURE() << "template " << src << " threw a non-input error: " << e.what();
        }
    }
    EXPECT_GT(rendered, 100);  // the generator does produce valid templates
    EXPECT_GT(rejected, 100);
}
