// When a completion ends, and its text as it grows.
//
// A completion stops at the first of:
//   - an EOS / end-of-turn id (`eos_ids`: config.json + generation_config.json eos ids, plus the
//     tokenizer's end-of-turn tokens such as <|im_end|> / <|eot_id|>). The id is kept in the
//     completion (it is trained on, as in TRL's completion mask) but adds no text;
//   - a stop string (e.g. "</answer>") appearing in the decoded completion text, also when it spans
//     several tokens. The ids keep the token that completed it; the text is cut right after it;
//   - `max_completion_length` sampled ids (then `truncated` is set).
#pragma once
#include <functional>
#include <string>
#include <vector>

namespace rf {

struct StopCriteria {
    std::vector<int> eos_ids;
    std::vector<std::string> stop_strings;
    int max_completion_length = 512;
    bool is_eos(int id) const;
};

// Token ids -> UTF-8 text for a whole id list, special tokens skipped (what the reward functions see;
// HF `tokenizer.decode(ids, skip_special_tokens=True)`).
using DetokenizeFn = std::function<std::string(const std::vector<int>& ids)>;

// Incremental detokenizer (the prefix/read-offset scheme of Hugging Face's text-generation-inference
// and tokenizers' DecodeStream): after each token it decodes a short window and emits only text that
// can no longer change, i.e. never half a UTF-8 character (text ending in U+FFFD is held back) and
// with SentencePiece's leading-space rule applied to the window the same way as to the whole text.
class IncrementalText {
public:
    explicit IncrementalText(const DetokenizeFn& detok) : m_detok(&detok) {}
    // Appends a token and returns the newly final text (often empty for byte pieces).
    std::string push(int id);
    // All final text so far.
    const std::string& text() const { return m_text; }
    const std::vector<int>& ids() const { return m_ids; }

private:
    std::string decode_range(size_t begin, size_t end) const;
    const DetokenizeFn* m_detok;
    std::vector<int> m_ids;
    size_t m_prefix = 0, m_read = 0;
    std::string m_text;
};

// Finds the earliest stop string in a text that only grows. `feed` is called with the whole text
// after each growth and only rescans the tail that can hold a new match (the new bytes plus the
// longest stop string's length - 1 before them).
class StopStringMatcher {
public:
    explicit StopStringMatcher(std::vector<std::string> stops);
    // Byte offset just past the earliest stop string in `text`, or std::string::npos.
    size_t feed(const std::string& text);
    bool empty() const { return m_stops.empty(); }

private:
    std::vector<std::string> m_stops;
    size_t m_max_len = 0;
    size_t m_scanned = 0;
};

// Earliest end of any stop string in `text` (byte offset just past it), or npos.
size_t find_stop_end(const std::string& text, const std::vector<std::string>& stops, size_t from = 0);

}  // namespace rf
