// A SentencePiece tokenizer.model (Llama 2, TinyLlama, the embedded default) through libsentencepiece.
// Control pieces ("<s>", "</s>"), the unknown piece and tokenizer_config.json's added tokens written
// in the text are matched first (as transformers' slow tokenizer does); each stretch between them is
// encoded by SentencePiece.
#pragma once
#include <memory>

#include "text/added_tokens.h"
#include "text/tokenizer.h"

namespace sentencepiece { class SentencePieceProcessor; }

namespace rf {

class SpTokenizer final : public Tokenizer {
public:
    // `config`: the parsed tokenizer_config.json text (may be empty) for add_bos_token/add_eos_token.
    SpTokenizer(const std::string& model_path, const std::string& config_json);
    ~SpTokenizer() override;

    std::vector<int> encode(std::string_view text, bool add_special = false) const override;
    std::string decode_bytes(std::span<const int> ids, bool skip_special = false) const override;
    std::string token_text(int id) const override;
    int token_id(std::string_view token) const override;
    int vocab_size() const override;
    bool is_special(int id) const override;
    std::string kind() const override { return "sentencepiece"; }
    // SentencePiece's own decode (control pieces dropped), for cross-checks in tests.
    std::string sp_decode(const std::vector<int>& ids) const;

private:
    std::string m_path;
    std::unique_ptr<sentencepiece::SentencePieceProcessor> m_sp;
    hf::AddedTokenMatcher m_matcher;
    std::vector<hf::AddedToken> m_extra;  // added tokens beyond the model's pieces
    bool m_add_bos = true, m_add_eos = false, m_dummy_prefix = true;
    int m_sp_eos = -1;
};

}  // namespace rf
