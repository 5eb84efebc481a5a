#include "rewards/py_str.h"

#include "core/error.h"

namespace rf::py {
namespace {

bool in_ranges(char32_t cp, const CodePointRange* r, size_t n) {
    size_t lo = 0, hi = n;  // binary search over sorted, disjoint ranges
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < r[mid].lo)
            hi = mid;
        else if (cp > r[mid].hi)
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

}  // namespace

// UTF-8 well-formed sequences (Unicode Table 3-7); the second byte's range depends on the first.
size_t decode_one(std::string_view s, size_t pos, char32_t* cp) {
    RF_CHECK(pos < s.size());
    const unsigned char b0 = static_cast<unsigned char>(s[pos]);
    if (b0 < 0x80) {
        *cp = b0;
        return 1;
    }
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    char32_t value;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 1, value = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 2, value = b0 & 0x0F;
        if (b0 == 0xE0) lo = 0xA0;
        if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 3, value = b0 & 0x07;
        if (b0 == 0xF0) lo = 0x90;
        if (b0 == 0xF4) hi = 0x8F;
    } else {
        *cp = 0xFFFD;  // 0x80..0xC1, 0xF5..0xFF never start a sequence
        return 1;
    }
    size_t i = 1;
    for (; i <= need; ++i) {
        if (pos + i >= s.size()) break;
        unsigned char b = static_cast<unsigned char>(s[pos + i]);
        if (b < lo || b > hi) break;
        lo = 0x80, hi = 0xBF;
        value = (value << 6) | (b & 0x3F);
    }
    if (i <= need) {
        *cp = 0xFFFD;  // the maximal subpart: the lead byte and the valid continuation bytes seen
        return i;
    }
    *cp = value;
    return need + 1;
}

// ASCII fast path: \t \n \v \f \r, the separators 0x1C..0x1F and ' ' (the table's first two ranges).
static inline bool ascii_space(unsigned char b) { return (b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x20); }

bool is_space(char32_t cp) { return cp < 0x80 ? ascii_space((unsigned char)cp) : in_ranges(cp, kSpaceRanges, kSpaceRanges_count); }
bool is_digit(char32_t cp) { return cp < 0x80 ? (cp >= '0' && cp <= '9') : in_ranges(cp, kDigitRanges, kDigitRanges_count); }

std::string_view strip(std::string_view s) {
    size_t begin = 0;
    while (begin < s.size()) {
        char32_t cp;
        size_t n = decode_one(s, begin, &cp);
        if (!is_space(cp)) break;
        begin += n;
    }
    // Scan forward, remembering where the trailing run of spaces starts (UTF-8 cannot be decoded
    // backwards reliably when it is invalid).
    size_t end = begin, pos = begin;
    while (pos < s.size()) {
        const unsigned char b = static_cast<unsigned char>(s[pos]);
        if (b < 0x80) {  // ASCII: no decoding needed
            ++pos;
            if (!ascii_space(b)) end = pos;
            continue;
        }
        char32_t cp;
        size_t n = decode_one(s, pos, &cp);
        pos += n;
        if (!is_space(cp)) end = pos;
    }
    return s.substr(begin, end - begin);
}

bool isdigit(std::string_view s) {
    if (s.empty()) return false;
    for (size_t pos = 0; pos < s.size();) {
        char32_t cp;
        pos += decode_one(s, pos, &cp);
        if (!is_digit(cp)) return false;
    }
    return true;
}

size_t len(std::string_view s) {
    size_t n = 0;
    for (size_t pos = 0; pos < s.size(); ++n) {
        if (static_cast<unsigned char>(s[pos]) < 0x80) {
            ++pos;
            continue;
        }
        char32_t cp;
        pos += decode_one(s, pos, &cp);
    }
    return n;
}

size_t count(std::string_view s, std::string_view sub) {
    RF_CHECK(!sub.empty());
    size_t n = 0;
    for (size_t pos = s.find(sub); pos != std::string_view::npos; pos = s.find(sub, pos + sub.size())) ++n;
    return n;
}

std::string_view split_last(std::string_view s, std::string_view sep) {
    RF_CHECK(!sep.empty());
    // Left to right like str.split, so a separator that overlaps itself ("aa" in "aaa") splits as in Python.
    size_t start = 0;
    for (size_t pos = s.find(sep); pos != std::string_view::npos; pos = s.find(sep, start)) start = pos + sep.size();
    return s.substr(start);
}

std::string_view split_first(std::string_view s, std::string_view sep) {
    RF_CHECK(!sep.empty());
    size_t pos = s.find(sep);
    return pos == std::string_view::npos ? s : s.substr(0, pos);
}

}  // namespace rf::py
