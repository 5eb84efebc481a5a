// Memory bombs (issue 18 item 3): inputs built to exhaust memory are refused with a clear error and
// a bounded peak. (The 200 MB dataset line: test_dataset.cpp AHugeRowIsRefusedBeforeItIsParsed; a
// reward function printing 1 GiB: test_reward_worker.cpp PrintingAGigabyteKeepsMemoryBounded.)
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/run_config.h"
#include "core/error.h"
#include "data/dataset.h"
#include "text/chat_template.h"
#include "text/tokenizer_json.h"

namespace {

// VmHWM after a reset (/proc/self/clear_refs), so an earlier test's peak cannot hide this one's.
void reset_peak() { std::ofstream("/proc/self/clear_refs") << "5"; }
long hwm_kb() {
    std::ifstream f("/proc/self/status");
    for (std::string line; std::getline(f, line);)
        if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
    return 0;
}

TEST(InputBombs, ATokenizerWithTenMillionMergesIsRefused) {
    std::string text = R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": [)";
    text.reserve(size_t(80) << 20);
    for (int i = 0; i < 10'000'000; ++i) text += i ? ",\"a b\"" : "\"a b\"";
    text += "]}}";
    reset_peak();
    const long before = hwm_kb();
    try {
        rf::hf::parse_tokenizer_json(text, "bomb/tokenizer.json");
        FAIL() << "10^7 merges were accepted";
    } catch (const rf::InputError& e) {
        EXPECT_EQ(e.file, "bomb/tokenizer.json");
        EXPECT_EQ(e.key, "model.merges");
        EXPECT_NE(e.message.find("more than 2000000"), std::string::npos) << e.what();
    }
    // 2M small pairs at most before the refusal (~130 MB), not 10M (~650 MB)
    EXPECT_LT(hwm_kb() - before, 400 * 1024) << "peak grew by " << (hwm_kb() - before) / 1024 << " MiB";
}

TEST(InputBombs, AMillionDeepJsonRowIsAnError) {
    // 10^6 nested arrays as a message's content (chat data) and 10^6 nested objects as a prompt: 2 MB
    // and 7 MB rows, under the 16 MiB row limit, so they are parsed (nlohmann's parser keeps its own
    // stack, no recursion) and refused by the row's shape, never walked recursively.
    const int d = 1'000'000;
    const std::string dir = ::testing::TempDir() + "rf_deep_json_" + std::to_string(::getpid());
    std::filesystem::create_directories(dir);
    const std::string chat = dir + "/chat.jsonl", prompts = dir + "/prompts.jsonl";
    std::ofstream(chat) << "{\"messages\": [{\"role\": \"user\", \"content\": " << std::string(d, '[') << std::string(d, ']')
                        << "}, {\"role\": \"assistant\", \"content\": \"x\"}]}\n";
    {
        std::ofstream f(prompts);
        f << "{\"prompt\": ";
        for (int i = 1; i < d; ++i) f << "{\"a\": ";
        f << 1 << std::string(d - 1, '}') << ", \"answer\": \"1\"}\n";
    }
    reset_peak();
    const long before = hwm_kb();
    for (const auto& [file, kind] : {std::pair{chat, rf::DatasetKind::sft}, std::pair{prompts, rf::DatasetKind::grpo}}) {
        SCOPED_TRACE(file);
        try {
            rf::open_dataset(file, {}, kind);
            ADD_FAILURE() << "accepted";
        } catch (const rf::InputError& e) {
            EXPECT_EQ(e.file, file);
            EXPECT_EQ(e.line, 1);
        }
    }
    EXPECT_LT(hwm_kb() - before, 400 * 1024) << "peak grew by " << (hwm_kb() - before) / 1024 << " MiB";
    std::printf("peak grew by %ld MiB\n", (hwm_kb() - before) / 1024);
    std::filesystem::remove_all(dir);
}

TEST(InputBombs, AJinjaLoopThatWouldRenderGigabytesIsCapped) {
    // 10^6 iterations of 100 KB: 100 GB of prompt. The 64 MiB output limit ends it.
    rf::ChatTemplate t = rf::ChatTemplate::from_string("{% for i in range(1000000) %}{{ 'x' * 100000 }}{% endfor %}", "bomb.jinja");
    reset_peak();
    const long before = hwm_kb();
    try {
        t.render({{"user", "hi"}}, true);
        FAIL() << "rendered";
    } catch (const rf::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("64 MiB limit"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("bomb.jinja"), std::string::npos) << e.what();
    }
    // Measured 320 MiB: the output string at its 64 MiB cap grown by doubling (128 MiB capacity, the
    // 64 MiB it was copied from) and range(1000000)'s list of 10^6 values (~100 MiB).
    EXPECT_LT(hwm_kb() - before, 448 * 1024) << "peak grew by " << (hwm_kb() - before) / 1024 << " MiB";
}

TEST(InputBombs, AMillionDeepYamlNestingIsAnError) {
    // 10^6 '[' (1 MB): over the 256 KiB a run config may have, refused before yaml-cpp, which took
    // ~230 bytes per '[' (227 MiB); 200,000 '[' (under the cap) are parsed: yaml-cpp stops recursing
    // (DeepRecursion) and the loader reports a syntax error, within ~50 MiB.
    for (size_t depth : {size_t(1'000'000), size_t(200'000)}) {
        const std::string text(depth, '[');
        reset_peak();
        const long before = hwm_kb();
        rf::ParsedConfig p = rf::parse_run_config(text, "deep.yaml");
        ASSERT_TRUE(rf::has_errors(p.issues));
        if (depth > rf::kMaxRunConfigBytes)
            EXPECT_NE(p.issues[0].message.find("more than the 256 KiB a run config may have"), std::string::npos) << p.issues[0].message;
        EXPECT_LT(hwm_kb() - before, (depth > rf::kMaxRunConfigBytes ? 8 : 80) * 1024)
            << depth << ": peak grew by " << (hwm_kb() - before) / 1024 << " MiB";
    }
}

}  // namespace
