// SentencePiece tokenizer.model through libsentencepiece, against Debian's spm_encode/spm_decode on
// a tiny BPE model with byte fallback trained by tests/reference/gen_sentencepiece_fixture.sh.
#include <gtest/gtest.h>

#include <filesystem>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "text/sp_tokenizer.h"
#include "text/tokenizer.h"
#include "text/utf8.h"

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string fixture_dir() { return std::string(REINFORGE_FIXTURES) + "/text/sentencepiece"; }

const json& expected() {
    static const json j = json::parse(rf::read_file(fixture_dir() + "/expected.json"));
    return j;
}

// A model folder as Llama 2 / TinyLlama ship it: tokenizer.model + tokenizer_config.json.
std::string model_dir() {
    static const std::string dir = [] {
        fs::path d = fs::temp_directory_path() / ("rf_sp_" + std::to_string(::getpid()));
        fs::create_directories(d);
        fs::copy_file(fixture_dir() + "/tokenizer.model", d / "tokenizer.model", fs::copy_options::overwrite_existing);
        rf::write_file_atomic((d / "tokenizer_config.json").string(),
                              R"({"add_bos_token": true, "add_eos_token": false, "bos_token": "<s>", "eos_token": "</s>"})");
        return d.string();
    }();
    return dir;
}

std::string show(const std::vector<int>& ids) {
    std::string s;
    for (int id : ids) s += std::to_string(id) + " ";
    return s;
}

TEST(SentencePiece, IdsPiecesAndDecodeMatchSpmTools) {
    auto tok = rf::load_tokenizer(model_dir());
    EXPECT_EQ(tok->kind(), "sentencepiece");
    int n = 0, skipped = 0;
    for (const json& c : expected()["cases"]) {
        std::string text = c["text"];
        // spm_encode reads "<s>" / "</s>" / "<unk>" in text as characters; we match them as the
        // special ids, as transformers does (checked in SpecialTokensBosEos).
        if (text.find("<s>") != std::string::npos || text.find("<unk>") != std::string::npos) { ++skipped; continue; }
        auto ids = tok->encode(text);
        EXPECT_EQ(show(ids), show(c["ids"].get<std::vector<int>>())) << text;
        std::vector<std::string> pieces;
        for (int id : ids) pieces.push_back(tok->token_text(id));
        EXPECT_EQ(pieces, c["pieces"].get<std::vector<std::string>>()) << text;
        auto ref = c["ids"].get<std::vector<int>>();
        EXPECT_EQ(tok->decode(ref), c["decode"].get<std::string>()) << text;
        ++n;
    }
    EXPECT_GE(n, 17);
    EXPECT_EQ(skipped, 1);
}

TEST(SentencePiece, SpecialTokensBosEos) {
    auto tok = rf::load_tokenizer(model_dir());
    EXPECT_EQ(tok->bos_id(), 1);
    ASSERT_EQ(tok->eos_ids().size(), 1u);
    EXPECT_EQ(tok->eos_ids()[0], 2);
    EXPECT_TRUE(tok->is_special(1));
    EXPECT_TRUE(tok->is_special(2));
    auto plain = tok->encode("What is 3 plus 4?");
    auto with = tok->encode("What is 3 plus 4?", true);
    ASSERT_EQ(with.size(), plain.size() + 1);
    EXPECT_EQ(with[0], 1);
    // "</s>" written in a rendered chat template is the EOS id, not the characters
    auto ids = tok->encode("Hi</s>");
    EXPECT_EQ(ids.back(), 2);
    EXPECT_EQ(tok->decode(ids), "Hi</s>");
    EXPECT_EQ(tok->decode(ids, true), "Hi");
}

// Our byte-exact decode agrees with SentencePiece's own (which drops control pieces) on the
// fixture's ids, so streaming can rely on it.
TEST(SentencePiece, ByteDecodeAgreesWithLibrary) {
    auto tok = rf::load_tokenizer(model_dir());
    auto* sp = dynamic_cast<rf::SpTokenizer*>(tok.get());
    ASSERT_NE(sp, nullptr);
    for (const json& c : expected()["cases"]) {
        auto ids = c["ids"].get<std::vector<int>>();
        EXPECT_EQ(tok->decode(ids, true), sp->sp_decode(ids)) << c["text"];
    }
}

TEST(SentencePiece, StreamingHoldsBackPartialCharacters) {
    auto tok = rf::load_tokenizer(model_dir());
    for (const json& c : expected()["cases"]) {
        auto ids = c["ids"].get<std::vector<int>>();
        rf::StreamDecoder sd(*tok);
        std::string all;
        for (int id : ids) {
            std::string piece = sd.push(id);
            EXPECT_TRUE(rf::utf8::is_valid(piece));
            EXPECT_EQ(piece.find("\xEF\xBF\xBD"), std::string::npos) << c["text"];
            all += piece;
        }
        all += sd.flush();
        EXPECT_EQ(all, c["decode"].get<std::string>());
    }
}

TEST(SentencePiece, BadModelFileIsAnInputError) {
    fs::path d = fs::temp_directory_path() / "rf_sp_bad";
    fs::create_directories(d);
    rf::write_file_atomic((d / "tokenizer.model").string(), "definitely not a protobuf");
    try {
        rf::load_tokenizer(d.string());
        FAIL() << "expected InputError";
    } catch (const rf::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("tokenizer.model"), std::string::npos) << e.what();
    }
    fs::remove_all(d);
}

}  // namespace
