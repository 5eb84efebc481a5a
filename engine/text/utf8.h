// UTF-8 helpers for the tokenizers: decode/encode code points, repair (U+FFFD for invalid bytes),
// and the complete-prefix length used when streaming.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace rf::utf8 {

// Decodes one code point at s[i]. Returns its length in bytes (1..4), or 0 when the bytes at i are
// not a complete, valid sequence (then `cp` is unspecified).
size_t decode(std::string_view s, size_t i, char32_t& cp);
// Appends the UTF-8 encoding of `cp`.
void append(std::string& out, char32_t cp);
// Length of the longest valid-or-invalid prefix that a later byte cannot change: everything except
// a trailing sequence that is a valid *beginning* of a character still missing bytes.
size_t complete_prefix(std::string_view s);
// Replaces every maximal invalid subpart with U+FFFD (Unicode's "substitution of maximal subparts",
// as Rust's String::from_utf8_lossy and the WHATWG TextDecoder do). Valid input is returned unchanged.
std::string repair(std::string_view s);
bool is_valid(std::string_view s);
// Number of code points (invalid bytes count one each).
size_t length(std::string_view s);

}  // namespace rf::utf8
