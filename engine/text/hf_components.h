// The pipeline stages of a Hugging Face tokenizer.json, each built from its JSON object:
//   normalizer -> pre_tokenizer -> model (bpe_model.h) -> post_processor;  decoder for the way back.
// Only the types real byte-level / byte-fallback BPE tokenizers use are supported; any other
// "type" is an InputError naming it (never a silently different tokenization).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace rf::hf {

// One piece of text on its way through the pre-tokenizers. `at_start`: the piece begins at offset 0
// of the original input (Metaspace's prepend_scheme "first" needs it).
struct Piece {
    std::string text;
    bool at_start = false;
};

struct Normalizer {
    virtual ~Normalizer() = default;
    virtual std::string normalize(std::string s) const = 0;
};

struct PreTokenizer {
    virtual ~PreTokenizer() = default;
    // Replaces `pieces` with their splits (and, for ByteLevel, their byte-to-unicode mapping).
    virtual void split(std::vector<Piece>& pieces) const = 0;
};

struct Decoder {
    virtual ~Decoder() = default;
    // Hugging Face's decode_chain: token strings in, strings out (concatenated by the caller).
    // `raw`: keep bytes as they are (no U+FFFD), for streaming.
    virtual void decode_chain(std::vector<std::string>& tokens, bool raw) const = 0;
};

// `where` names the file for error messages. A JSON null gives nullptr (no stage).
std::unique_ptr<Normalizer> make_normalizer(const nlohmann::json& j, const std::string& where);
std::unique_ptr<PreTokenizer> make_pre_tokenizer(const nlohmann::json& j, const std::string& where);
std::unique_ptr<Decoder> make_decoder(const nlohmann::json& j, const std::string& where);

// GPT-2's byte-to-unicode table: byte b is written as code point byte_to_unicode()[b].
const char32_t* byte_to_unicode();
// Inverse: code point -> byte, or -1 when the code point is not one of the 256.
int unicode_to_byte(char32_t cp);

}  // namespace rf::hf
