// Memory bombs (issue 18 item 3): inputs built to exhaust memory are refused with a clear error and
// a bounded peak. (The 200 MB dataset line: test_dataset.cpp AHugeRowIsRefusedBeforeItIsParsed.)
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <string>

#include "config/run_config.h"
#include "core/error.h"
#include "text/tokenizer_json.h"

namespace {

long peak_kb() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

TEST(InputBombs, ATokenizerWithTenMillionMergesIsRefused) {
    std::string text = R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": [)";
    text.reserve(size_t(80) << 20);
    for (int i = 0; i < 10'000'000; ++i) text += i ? ",\"a b\"" : "\"a b\"";
    text += "]}}";
    long before = peak_kb();
    try {
        rf::hf::parse_tokenizer_json(text, "bomb/tokenizer.json");
        FAIL() << "10^7 merges were accepted";
    } catch (const rf::InputError& e) {
        EXPECT_EQ(e.file, "bomb/tokenizer.json");
        EXPECT_EQ(e.key, "model.merges");
        EXPECT_NE(e.message.find("more than 2000000"), std::string::npos) << e.what();
    }
    // 2M small pairs at most before the refusal (~130 MB), not 10M (~650 MB)
    EXPECT_LT(peak_kb() - before, 400 * 1024) << "peak grew by " << (peak_kb() - before) / 1024 << " MiB";
}

TEST(InputBombs, AMillionDeepYamlNestingIsAnError) {
    // yaml-cpp stops recursing (DeepRecursion); the config loader reports a syntax error, no crash
    rf::ParsedConfig p = rf::parse_run_config(std::string(1'000'000, '['), "deep.yaml");
    ASSERT_TRUE(rf::has_errors(p.issues));
}

}  // namespace
