// tokenizer.json: HfTokenizer either loads (and then encodes and decodes a short text with special
// tokens, and decodes every id) or throws InputError. The streaming parser (parse_tokenizer_json) runs
// first on its own: it throws InputError for malformed JSON or vocab/merges.
#pragma once
#include "core/error.h"
#include "text/hf_tokenizer.h"
#include "text/tokenizer_json.h"
#include "fuzz_util.h"

namespace rf_fuzz {

inline void tokenizer_json(const uint8_t* data, size_t size) {
    std::string text = text_of(data, size);
    try {
        (void)rf::hf::parse_tokenizer_json(text, "fuzz/tokenizer.json");
    } catch (const rf::InputError&) {
    }
    try {
        rf::hf::HfTokenizer tok(write_scratch("tokenizer.json", text));
        std::vector<int> ids = tok.encode("Hello, wörld! 123  <|im_end|>\n\tx", true);
        (void)tok.decode(ids, false);
        (void)tok.decode(ids, true);
        std::vector<int> all;
        for (int i = 0; i < std::min(tok.vocab_size(), 512); ++i) all.push_back(i);
        (void)tok.decode_bytes(all, false);
    } catch (const rf::InputError&) {
    }
}

}  // namespace rf_fuzz
