// Reads a tokenizer.json without building a JSON tree for its two big parts: model.vocab (150k+
// entries) and model.merges (150k-280k) are streamed into plain vectors by a SAX handler; the rest
// (normalizer, pre_tokenizer, decoder, added_tokens, ...) becomes an ordinary nlohmann::json with
// model.vocab and model.merges set to null. About twice as fast as a full DOM parse.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace rf::hf {

struct TokenizerJson {
    nlohmann::json rest;
    std::vector<std::pair<std::string, long long>> vocab;  // in file order
    std::vector<std::pair<std::string, std::string>> merges;  // "a b" strings split at the first space, or pairs
    bool has_vocab = false, has_merges = false;
};

// Throws InputError naming `path` on malformed JSON or a malformed vocab/merges entry.
TokenizerJson parse_tokenizer_json(const std::string& text, const std::string& path);

}  // namespace rf::hf
