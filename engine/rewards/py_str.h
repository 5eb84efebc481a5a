// The few Python `str` semantics the r1_* reward functions depend on, on UTF-8 bytes.
//
// How far the port goes (docs: the reward functions see what Python would see):
//   - Text is decoded as CPython's bytes.decode("utf-8", "replace") does: each maximal invalid
//     subsequence (Unicode §3.9 "maximal subpart") counts as one U+FFFD. Valid UTF-8 is the normal
//     case; the rule only matters for len() of text with a token cut inside a character.
//   - isspace()/isdigit() use tables generated from CPython's own str.isspace()/str.isdigit()
//     (tests/reference/gen_py_unicode_tables.py; Unicode 14), so "\u3000 42\u00a0" strips to "42"
//     and "²" or "٣" are digits, exactly as in Python.
//   - Searching for ASCII markers ("<answer>", "</think>") on bytes equals searching code points:
//     an ASCII byte is never part of a multi-byte sequence nor of an invalid subsequence.
#pragma once
#include <cstddef>
#include <string_view>

namespace rf::py {

struct CodePointRange {
    char32_t lo, hi;  // inclusive
};
extern const CodePointRange kDigitRanges[];
extern const size_t kDigitRanges_count;
extern const CodePointRange kSpaceRanges[];
extern const size_t kSpaceRanges_count;

// Decodes the code point at s[pos] (pos < s.size()); returns the number of bytes it spans.
// Invalid input yields U+FFFD spanning the maximal subpart (at least one byte).
size_t decode_one(std::string_view s, size_t pos, char32_t* cp);

bool is_space(char32_t cp);  // str.isspace() of a one-character string
bool is_digit(char32_t cp);  // str.isdigit() of a one-character string

std::string_view strip(std::string_view s);  // str.strip() with no argument
bool isdigit(std::string_view s);            // str.isdigit(): non-empty and every character a digit
size_t len(std::string_view s);              // len(str): code points
size_t count(std::string_view s, std::string_view sub);  // str.count(sub), sub non-empty: non-overlapping
// s.split(sep)[-1] and s.split(sep)[0] (sep non-empty).
std::string_view split_last(std::string_view s, std::string_view sep);
std::string_view split_first(std::string_view s, std::string_view sep);

}  // namespace rf::py
