// A tokenizer.json (Hugging Face tokenizers) tokenizer: added tokens -> normalizer -> pre-tokenizer
// -> BPE -> post-processor, and the decoder chain back.
#pragma once
#include <memory>

#include "text/added_tokens.h"
#include "text/bpe_model.h"
#include "text/hf_components.h"
#include "text/tokenizer.h"

namespace rf::hf {

class HfTokenizer final : public Tokenizer {
public:
    // Throws InputError naming `path` for malformed or unsupported files.
    explicit HfTokenizer(const std::string& path);

    std::vector<int> encode(std::string_view text, bool add_special = false) const override;
    std::string decode(std::span<const int> ids, bool skip_special = false) const override;
    std::string decode_bytes(std::span<const int> ids, bool skip_special = false) const override;
    std::string token_text(int id) const override;
    int token_id(std::string_view token) const override;
    int vocab_size() const override { return m_vocab_size; }
    bool is_special(int id) const override;
    std::string kind() const override { return "hf-bpe"; }

private:
    std::string decode_impl(std::span<const int> ids, bool skip_special, bool raw) const;
    void encode_text(std::string_view text, bool at_start, std::vector<int>& out) const;

    std::string m_path;
    BpeModel m_model;
    std::unique_ptr<Normalizer> m_normalizer;
    std::unique_ptr<PreTokenizer> m_pre_tokenizer;
    std::unique_ptr<Decoder> m_decoder;
    std::vector<AddedToken> m_added;              // all added tokens
    std::vector<int> m_added_index;               // id -> index in m_added, or -1
    AddedTokenMatcher m_raw_matcher;              // normalized == false
    AddedTokenMatcher m_normalized_matcher;       // normalized == true
    std::vector<int> m_prefix_ids, m_suffix_ids;  // what the post-processor adds around one sequence
    int m_vocab_size = 0;
};

}  // namespace rf::hf
