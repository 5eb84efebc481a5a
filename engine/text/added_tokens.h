// Added tokens (tokenizer.json "added_tokens"): matched in the raw text before anything else, with
// leftmost-longest matching and the lstrip / rstrip / single_word options.
// reference: huggingface/tokenizers, tokenizers/src/tokenizer/added_vocabulary.rs
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace rf::hf {

struct AddedToken {
    int id = -1;
    std::string content;
    bool special = false, lstrip = false, rstrip = false, normalized = false, single_word = false;
};

// A stretch of input: either plain text (`id` < 0) or one matched added token.
struct Segment {
    std::string_view text;
    int id = -1;
};

class AddedTokenMatcher {
public:
    AddedTokenMatcher() = default;
    explicit AddedTokenMatcher(std::vector<AddedToken> tokens);
    // Splits `text` on the tokens. Plain segments are views into `text`.
    std::vector<Segment> split(std::string_view text) const;
    bool empty() const { return m_tokens.empty(); }

private:
    std::vector<AddedToken> m_tokens;
    std::vector<std::vector<int>> m_by_first_byte;  // token indices, longest first
};

}  // namespace rf::hf
