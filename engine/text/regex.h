// PCRE2 (UTF + UCP + JIT) for the tokenizers' split patterns, which use \p{L}, \p{N} and look-ahead
// (std::regex has neither). Subjects must be valid UTF-8 (the callers repair input first).
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rf {

class Regex {
public:
    // Throws InputError naming `where` (e.g. "tokenizer.json: pre_tokenizer.pattern") when the
    // pattern does not compile.
    Regex(const std::string& pattern, const std::string& where);
    ~Regex();
    Regex(const Regex&) = delete;
    Regex& operator=(const Regex&) = delete;

    // All non-overlapping matches as [begin, end) byte ranges, left to right. An empty match
    // advances by one code point (as Rust's regex find_iter does).
    std::vector<std::pair<size_t, size_t>> find_all(std::string_view subject) const;
    // The first match's capture group 1 (the whole match when the pattern has no group); false when
    // nothing matches.
    bool first_capture(std::string_view subject, std::string& out) const;
    const std::string& pattern() const { return m_pattern; }

private:
    std::string m_pattern;
    void* m_code = nullptr;  // pcre2_code*
};

}  // namespace rf
