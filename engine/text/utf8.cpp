#include "text/utf8.h"

namespace rf::utf8 {

namespace {

// How many bytes of a valid sequence start at s[i] (counting only bytes present), and whether the
// sequence is complete. Returns the number of bytes that form a valid prefix (0 for an invalid lead).
struct Probe {
    size_t valid = 0;   // bytes that are a valid (prefix of a) sequence
    size_t need = 0;    // total bytes the sequence needs (0: invalid lead byte)
};

Probe probe(std::string_view s, size_t i) {
    auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) return {1, 1};
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) need = 2;
    else if (b0 == 0xE0) { need = 3; lo = 0xA0; }
    else if ((b0 >= 0xE1 && b0 <= 0xEC) || b0 == 0xEE || b0 == 0xEF) need = 3;
    else if (b0 == 0xED) { need = 3; hi = 0x9F; }
    else if (b0 == 0xF0) { need = 4; lo = 0x90; }
    else if (b0 >= 0xF1 && b0 <= 0xF3) need = 4;
    else if (b0 == 0xF4) { need = 4; hi = 0x8F; }
    else return {0, 0};
    size_t k = 1;
    for (; k < need && i + k < s.size(); ++k) {
        auto b = static_cast<unsigned char>(s[i + k]);
        if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) break;
    }
    return {k, need};
}

}  // namespace

size_t decode(std::string_view s, size_t i, char32_t& cp) {
    if (i >= s.size()) return 0;
    Probe p = probe(s, i);
    if (p.need == 0 || p.valid != p.need) return 0;
    auto b0 = static_cast<unsigned char>(s[i]);
    if (p.need == 1) { cp = b0; return 1; }
    char32_t c = b0 & (0xFF >> (p.need + 1));
    for (size_t k = 1; k < p.need; ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    cp = c;
    return p.need;
}

void append(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

size_t complete_prefix(std::string_view s) {
    // Only the last (up to 3) bytes can be an incomplete sequence.
    size_t start = s.size() >= 3 ? s.size() - 3 : 0;
    for (size_t i = start; i < s.size(); ++i) {
        auto b = static_cast<unsigned char>(s[i]);
        if (b < 0xC0) continue;  // ASCII or continuation: not a lead byte
        Probe p = probe(s, i);
        if (p.need > 1 && p.valid == s.size() - i && p.valid < p.need) return i;
    }
    return s.size();
}

std::string repair(std::string_view s) {
    if (is_valid(s)) return std::string(s);
    std::string out;
    out.reserve(s.size() + 8);
    size_t i = 0;
    while (i < s.size()) {
        Probe p = probe(s, i);
        if (p.need != 0 && p.valid == p.need) {
            out.append(s.substr(i, p.need));
            i += p.need;
        } else {
            out += "\xEF\xBF\xBD";
            i += p.valid == 0 ? 1 : p.valid;
        }
    }
    return out;
}

bool is_valid(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        if (static_cast<unsigned char>(s[i]) < 0x80) { ++i; continue; }
        Probe p = probe(s, i);
        if (p.need == 0 || p.valid != p.need) return false;
        i += p.need;
    }
    return true;
}

size_t length(std::string_view s) {
    size_t n = 0, i = 0;
    while (i < s.size()) {
        Probe p = probe(s, i);
        i += (p.need != 0 && p.valid == p.need) ? p.need : (p.valid == 0 ? 1 : p.valid);
        ++n;
    }
    return n;
}

}  // namespace rf::utf8
