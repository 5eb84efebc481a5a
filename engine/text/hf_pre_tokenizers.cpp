// tokenizer.json pre-tokenizers: Split (regex or string, the split behaviours), ByteLevel (with the
// GPT-2 byte-to-unicode map), Digits, Metaspace, Whitespace, WhitespaceSplit, Sequence.
// reference: huggingface/tokenizers, tokenizers/src/pre_tokenizers/*.rs
// Patterns are Oniguruma syntax in the files; PCRE2 (UTF + UCP) reads the ones models use the same
// way. Known difference: which exotic code points count as \s (e.g. U+0085, U+180E) can differ
// between Oniguruma, PCRE2 and JavaScript; the test texts avoid them.
#include <array>
#include <tuple>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "text/hf_components.h"
#include "text/regex.h"
#include "text/utf8.h"

namespace rf::hf {

namespace {

using nlohmann::json;

// GPT-2's pattern, used by ByteLevel when use_regex is true.
constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

enum class Behavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

Behavior parse_behavior(const std::string& s, const std::string& where) {
    if (s == "Removed") return Behavior::Removed;
    if (s == "Isolated") return Behavior::Isolated;
    if (s == "MergedWithPrevious") return Behavior::MergedWithPrevious;
    if (s == "MergedWithNext") return Behavior::MergedWithNext;
    if (s == "Contiguous") return Behavior::Contiguous;
    throw InputError(where, 0, "pre_tokenizer.behavior", "unknown split behavior '" + s + "'",
                     "one of Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous");
}

// Splits one piece given the match ranges, following tokenizers' NormalizedString::split.
void split_by_matches(const Piece& piece, const std::vector<std::pair<size_t, size_t>>& matches, bool invert,
                      Behavior behavior, std::vector<Piece>& out) {
    const std::string& s = piece.text;
    // (begin, end, is_match) covering the whole string
    std::vector<std::tuple<size_t, size_t, bool>> parts;
    size_t pos = 0;
    for (auto [b, e] : matches) {
        if (b > pos) parts.emplace_back(pos, b, invert);
        parts.emplace_back(b, e, !invert);
        pos = e;
    }
    if (pos < s.size()) parts.emplace_back(pos, s.size(), invert);

    std::vector<std::pair<size_t, size_t>> spans;
    switch (behavior) {
    case Behavior::Removed:
        for (auto [b, e, m] : parts) if (!m) spans.emplace_back(b, e);
        break;
    case Behavior::Isolated:
        for (auto [b, e, m] : parts) spans.emplace_back(b, e);
        break;
    case Behavior::MergedWithPrevious: {
        bool prev_match = false;
        for (auto [b, e, m] : parts) {
            if (m && !spans.empty() && !prev_match) spans.back().second = e;
            else spans.emplace_back(b, e);
            prev_match = m;
        }
        break;
    }
    case Behavior::MergedWithNext: {
        bool prev_match = false;
        for (auto [b, e, m] : parts) {
            if (!m && prev_match && !spans.empty()) spans.back().second = e;
            else spans.emplace_back(b, e);
            prev_match = m;
        }
        break;
    }
    case Behavior::Contiguous: {
        bool prev_match = false;
        for (auto [b, e, m] : parts) {
            if (m && prev_match && !spans.empty()) spans.back().second = e;
            else spans.emplace_back(b, e);
            prev_match = m;
        }
        break;
    }
    }
    bool first = true;
    for (auto [b, e] : spans) {
        if (e <= b) continue;
        out.push_back({s.substr(b, e - b), piece.at_start && first && b == 0});
        first = false;
    }
}

struct Split : PreTokenizer {
    std::unique_ptr<Regex> re;
    std::string literal;  // when the pattern is a String
    Behavior behavior = Behavior::Isolated;
    bool invert = false;
    void split(std::vector<Piece>& pieces) const override {
        std::vector<Piece> out;
        out.reserve(pieces.size() * 4);
        for (const Piece& p : pieces) {
            std::vector<std::pair<size_t, size_t>> m;
            if (re) {
                m = re->find_all(p.text);
            } else if (!literal.empty()) {
                for (size_t h = p.text.find(literal); h != std::string::npos; h = p.text.find(literal, h + literal.size()))
                    m.emplace_back(h, h + literal.size());
            }
            split_by_matches(p, m, invert, behavior, out);
        }
        pieces = std::move(out);
    }
};

struct ByteLevel : PreTokenizer {
    bool add_prefix_space = false;
    std::unique_ptr<Regex> re;  // set when use_regex
    void split(std::vector<Piece>& pieces) const override {
        std::vector<Piece> out;
        out.reserve(pieces.size());
        for (Piece p : pieces) {
            if (add_prefix_space && (p.text.empty() || p.text[0] != ' ')) p.text.insert(p.text.begin(), ' ');
            if (re) split_by_matches(p, re->find_all(p.text), false, Behavior::Isolated, out);
            else out.push_back(std::move(p));
        }
        const char32_t* table = byte_to_unicode();
        for (Piece& p : out) {
            std::string mapped;
            mapped.reserve(p.text.size() * 2);
            for (unsigned char c : p.text) utf8::append(mapped, table[c]);
            p.text = std::move(mapped);
        }
        pieces = std::move(out);
    }
};

struct RegexIsolate : PreTokenizer {  // Digits, Whitespace: isolate (or remove) what a pattern matches
    std::unique_ptr<Regex> re;
    Behavior behavior = Behavior::Isolated;
    bool invert = false;
    void split(std::vector<Piece>& pieces) const override {
        std::vector<Piece> out;
        for (const Piece& p : pieces) split_by_matches(p, re->find_all(p.text), invert, behavior, out);
        pieces = std::move(out);
    }
};

struct Metaspace : PreTokenizer {
    std::string replacement = "\xE2\x96\x81";  // U+2581
    std::string scheme = "always";               // always | first | never
    bool do_split = true;
    void split(std::vector<Piece>& pieces) const override {
        std::vector<Piece> out;
        for (Piece p : pieces) {
            std::string t;
            for (char c : p.text) { if (c == ' ') t += replacement; else t += c; }
            bool starts = t.compare(0, replacement.size(), replacement) == 0;
            if (!starts && (scheme == "always" || (scheme == "first" && p.at_start))) t = replacement + t;
            p.text = std::move(t);
            if (!do_split) { out.push_back(std::move(p)); continue; }
            std::vector<std::pair<size_t, size_t>> m;
            for (size_t h = p.text.find(replacement); h != std::string::npos; h = p.text.find(replacement, h + replacement.size()))
                m.emplace_back(h, h + replacement.size());
            split_by_matches(p, m, false, Behavior::MergedWithNext, out);
        }
        pieces = std::move(out);
    }
};

struct Sequence : PreTokenizer {
    std::vector<std::unique_ptr<PreTokenizer>> parts;
    void split(std::vector<Piece>& pieces) const override {
        for (auto& p : parts) p->split(pieces);
    }
};

}  // namespace

const char32_t* byte_to_unicode() {
    // reference: GPT-2 encoder.py bytes_to_unicode()
    static const auto table = [] {
        std::array<char32_t, 256> t{};
        int n = 0;
        for (int b = 0; b < 256; ++b) {
            bool keep = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            t[b] = keep ? char32_t(b) : char32_t(256 + n++);
        }
        return t;
    }();
    return table.data();
}

int unicode_to_byte(char32_t cp) {
    static const auto inverse = [] {
        std::array<int16_t, 324> inv;
        inv.fill(-1);
        const char32_t* t = byte_to_unicode();
        for (int b = 0; b < 256; ++b) inv[t[b]] = int16_t(b);
        return inv;
    }();
    return cp < inverse.size() ? inverse[cp] : -1;
}

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const json& j, const std::string& where) {
    if (j.is_null()) return nullptr;
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
        throw InputError(where, 0, "pre_tokenizer", "expected an object with a \"type\"");
    std::string type = j["type"];
    if (type == "Sequence") {
        auto s = std::make_unique<Sequence>();
        for (const json& part : j.at("pretokenizers")) {
            auto p = make_pre_tokenizer(part, where);
            if (p) s->parts.push_back(std::move(p));
        }
        return s;
    }
    if (type == "Split") {
        auto s = std::make_unique<Split>();
        const json& pat = j.at("pattern");
        if (pat.contains("Regex")) s->re = std::make_unique<Regex>(pat["Regex"].get<std::string>(), where);
        else s->literal = pat.at("String").get<std::string>();
        s->behavior = parse_behavior(j.at("behavior").get<std::string>(), where);
        s->invert = j.value("invert", false);
        return s;
    }
    if (type == "ByteLevel") {
        auto b = std::make_unique<ByteLevel>();
        b->add_prefix_space = j.value("add_prefix_space", true);
        if (j.value("use_regex", true)) b->re = std::make_unique<Regex>(kGpt2Pattern, where);
        return b;
    }
    if (type == "Digits") {
        auto d = std::make_unique<RegexIsolate>();
        d->re = std::make_unique<Regex>(j.value("individual_digits", false) ? R"(\p{N})" : R"(\p{N}+)", where);
        return d;
    }
    if (type == "Whitespace") {
        auto d = std::make_unique<RegexIsolate>();
        d->re = std::make_unique<Regex>(R"(\w+|[^\w\s]+)", where);
        d->invert = true;
        d->behavior = Behavior::Removed;
        return d;
    }
    if (type == "WhitespaceSplit") {
        auto d = std::make_unique<RegexIsolate>();
        d->re = std::make_unique<Regex>(R"(\s+)", where);
        d->behavior = Behavior::Removed;
        return d;
    }
    if (type == "Metaspace") {
        auto m = std::make_unique<Metaspace>();
        m->replacement = j.value("replacement", std::string("\xE2\x96\x81"));
        if (j.contains("prepend_scheme")) m->scheme = j["prepend_scheme"].get<std::string>();
        else m->scheme = j.value("add_prefix_space", true) ? "always" : "never";
        m->do_split = j.value("split", true);
        return m;
    }
    throw InputError(where, 0, "pre_tokenizer.type", "unsupported pre_tokenizer type '" + type + "'",
                     "supported: Sequence, Split, ByteLevel, Digits, Metaspace, Whitespace, WhitespaceSplit");
}

}  // namespace rf::hf
