#include "text/added_tokens.h"

#include <algorithm>
#include <cctype>

#include "text/utf8.h"

namespace rf::hf {

namespace {

bool is_space(char32_t c) {
    return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool is_word_char(std::string_view s, size_t i) {  // ASCII approximation of Rust's char::is_alphanumeric + '_'
    if (i >= s.size()) return false;
    auto c = static_cast<unsigned char>(s[i]);
    return c >= 0x80 || std::isalnum(c) || c == '_';
}

// Start of the code point that ends right before byte `i`.
size_t prev_cp(std::string_view s, size_t i) {
    size_t j = i - 1;
    while (j > 0 && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) --j;
    return j;
}

}  // namespace

AddedTokenMatcher::AddedTokenMatcher(std::vector<AddedToken> tokens) : m_tokens(std::move(tokens)), m_by_first_byte(256) {
    for (int i = 0; i < int(m_tokens.size()); ++i)
        if (!m_tokens[size_t(i)].content.empty())
            m_by_first_byte[static_cast<unsigned char>(m_tokens[size_t(i)].content[0])].push_back(i);
    for (auto& v : m_by_first_byte)
        std::stable_sort(v.begin(), v.end(), [&](int a, int b) { return m_tokens[size_t(a)].content.size() > m_tokens[size_t(b)].content.size(); });
}

std::vector<Segment> AddedTokenMatcher::split(std::string_view text) const {
    std::vector<Segment> out;
    if (m_tokens.empty()) {
        if (!text.empty()) out.push_back({text, -1});
        return out;
    }
    size_t done = 0;  // end of the last emitted segment
    for (size_t i = 0; i < text.size();) {
        const auto& cands = m_by_first_byte[static_cast<unsigned char>(text[i])];
        const AddedToken* hit = nullptr;
        for (int c : cands) {
            const AddedToken& t = m_tokens[size_t(c)];
            if (text.compare(i, t.content.size(), t.content) != 0) continue;
            if (t.single_word) {
                bool left_ok = i == 0 || !is_word_char(text, prev_cp(text, i));
                bool right_ok = !is_word_char(text, i + t.content.size());
                if (!left_ok || !right_ok) continue;
            }
            hit = &t;
            break;  // longest first
        }
        if (!hit) { ++i; continue; }
        size_t b = i, e = i + hit->content.size();
        if (hit->lstrip) {
            while (b > done) {
                size_t p = prev_cp(text, b);
                char32_t cp;
                if (!utf8::decode(text, p, cp) || !is_space(cp)) break;
                b = p;
            }
        }
        if (hit->rstrip) {
            char32_t cp;
            size_t n;
            while (e < text.size() && (n = utf8::decode(text, e, cp)) && is_space(cp)) e += n;
        }
        if (b > done) out.push_back({text.substr(done, b - done), -1});
        out.push_back({text.substr(b, e - b), hit->id});
        done = e;
        i = e;
    }
    if (done < text.size()) out.push_back({text.substr(done), -1});
    return out;
}

}  // namespace rf::hf
