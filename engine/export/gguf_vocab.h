// The tokenizer.* metadata of a GGUF file, as llama.cpp's convert_hf_to_gguf.py writes it:
//   byte-level BPE (tokenizer.json: Qwen2/3, Llama 3, SmolLM)
//     tokenizer.ggml.model "gpt2", .pre (llama.cpp's pre-tokenizer name), .tokens, .token_type, .merges
//   SentencePiece (tokenizer.model: Llama 2, TinyLlama, the embedded default) and SentencePiece-style
//   BPE tokenizer.json (Metaspace + byte_fallback)
//     tokenizer.ggml.model "llama", .pre "default", .tokens, .scores, .token_type
// plus bos/eos/unknown/padding ids, add_bos_token/add_eos_token, tokenizer.ggml.add_space_prefix
// (SentencePiece) and tokenizer.chat_template.
//
// SentencePiece's dummy prefix (docs/export.md, "SentencePiece prompts in llama.cpp"): Reinforge
// encodes a prompt as SentencePiece does, one "▁" before the whole text, user-defined pieces
// (<|im_start|>) inline; llama.cpp splits the text at every user-defined/control piece and, with
// add_space_prefix, puts a "▁" before each piece of text that follows one. When the model's chat
// prompts start with a user-defined piece (the embedded default), every prompt the model was trained
// on starts with a lone "▁" token and has none after its special pieces; the export then writes
// add_space_prefix = false and that "▁" as the BOS token that llama.cpp adds (add_bos_token = true),
// so llama.cpp's ids for a chat prompt are Reinforge's.
// The vocabulary is padded to the model's vocab_size with "[PAD{id}]" tokens of type UNUSED, since
// llama.cpp requires one token per row of token_embd.
// reference: ggml-org/llama.cpp convert_hf_to_gguf.py (get_vocab_base, _set_vocab_sentencepiece),
//            gguf-py/gguf/constants.py (TokenType), src/llama-vocab.cpp (pre-tokenizer names)
#pragma once
#include <string>
#include <vector>

#include "export/gguf_writer.h"

namespace rf {

// GGUF token types (the same numbers as SentencePiece's ModelProto.SentencePiece.Type).
enum class GgufTokenType : int32_t { normal = 1, unknown = 2, control = 3, user_defined = 4, unused = 5, byte = 6 };

// One piece of a SentencePiece tokenizer.model, read straight from its protobuf.
struct SpPiece {
    std::string piece;
    float score = 0.0f;
    int32_t type = 1;  // GgufTokenType numbering
};
// Parses the ModelProto's `repeated SentencePiece pieces = 1` (piece = 1, score = 2, type = 3).
// Throws InputError naming the file on a malformed protobuf.
std::vector<SpPiece> read_sp_pieces(const std::string& path);
// NormalizerSpec.add_dummy_prefix (ModelProto field 3, NormalizerSpec field 3; default true): whether
// SentencePiece puts a "▁" before the text it encodes.
bool read_sp_add_dummy_prefix(const std::string& path);

class Tokenizer;
// The id of the lone "▁" that starts every chat prompt of the SentencePiece model in `dir` (its
// `pieces`, its tokenizer `tok`), or -1 when its prompts do not all start so (gguf_sp.cpp).
int sp_dummy_prefix_start(const Tokenizer& tok, const std::vector<SpPiece>& pieces, const std::string& dir);

// llama.cpp's name for a byte-level BPE pre-tokenizer ("qwen2", "llama-bpe", "smollm", "gpt2"), from
// the model type and tokenizer.json's pre_tokenizer; "" when it is not one llama.cpp knows.
std::string gguf_bpe_pre_name(const std::string& tokenizer_json_text, const std::string& model_type);

// Adds every tokenizer.* key for the tokenizer in `dir` to `w`. `n_vocab` = the model's vocab_size.
// Things worth telling the user (an unknown pre-tokenizer, derived scores) are appended to `notes`.
// Throws InputError when the folder has no usable tokenizer or it has more tokens than n_vocab.
void add_gguf_tokenizer(GgufWriter& w, const std::string& dir, const std::string& model_type, int n_vocab,
                        std::vector<std::string>* notes);

}  // namespace rf
