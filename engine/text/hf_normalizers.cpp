// tokenizer.json normalizers: NFC/NFD/NFKC/NFKD (ICU), Lowercase, Prepend, Replace, Strip, Sequence.
// reference: huggingface/tokenizers, tokenizers/src/normalizers/*.rs
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "text/hf_components.h"
#include "text/regex.h"

namespace rf::hf {

namespace {

using nlohmann::json;

struct UnicodeNormalizer : Normalizer {
    const icu::Normalizer2* norm = nullptr;
    std::string name;
    UnicodeNormalizer(const std::string& type, const std::string& where) : name(type) {
        UErrorCode st = U_ZERO_ERROR;
        if (type == "NFC") norm = icu::Normalizer2::getNFCInstance(st);
        else if (type == "NFD") norm = icu::Normalizer2::getNFDInstance(st);
        else if (type == "NFKC") norm = icu::Normalizer2::getNFKCInstance(st);
        else norm = icu::Normalizer2::getNFKDInstance(st);
        if (U_FAILURE(st) || !norm) throw InputError(where, 0, "normalizer", "ICU has no " + type + " normalizer");
    }
    std::string normalize(std::string s) const override {
        // Fast path: ASCII is invariant under every normalization form.
        bool ascii = true;
        for (unsigned char c : s) if (c >= 0x80) { ascii = false; break; }
        if (ascii) return s;
        UErrorCode st = U_ZERO_ERROR;
        icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
        if (norm->isNormalized(u, st) && U_SUCCESS(st)) return s;
        st = U_ZERO_ERROR;
        icu::UnicodeString out = norm->normalize(u, st);
        RF_CHECK(U_SUCCESS(st), "ICU normalization failed");
        std::string r;
        out.toUTF8String(r);
        return r;
    }
};

struct Lowercase : Normalizer {
    std::string normalize(std::string s) const override {
        icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
        u.toLower(icu::Locale::getRoot());
        std::string r;
        u.toUTF8String(r);
        return r;
    }
};

struct Prepend : Normalizer {
    std::string prefix;
    // Rust: prepends only to a non-empty string
    std::string normalize(std::string s) const override { return s.empty() ? s : prefix + s; }
};

struct ReplaceString : Normalizer {
    std::string from, to;
    std::string normalize(std::string s) const override {
        if (from.empty()) return s;
        std::string out;
        size_t pos = 0;
        for (size_t hit; (hit = s.find(from, pos)) != std::string::npos; pos = hit + from.size())
            out.append(s, pos, hit - pos).append(to);
        out.append(s, pos, std::string::npos);
        return out;
    }
};

struct ReplaceRegex : Normalizer {
    std::unique_ptr<Regex> re;
    std::string to;
    std::string normalize(std::string s) const override {
        std::string out;
        size_t pos = 0;
        for (auto [b, e] : re->find_all(s)) {
            out.append(s, pos, b - pos).append(to);
            pos = e;
        }
        out.append(s, pos, std::string::npos);
        return out;
    }
};

bool is_ws(char32_t c) {
    return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
           c == 0x3000;
}

struct Strip : Normalizer {
    bool left = true, right = true;
    std::string normalize(std::string s) const override {
        icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
        int32_t b = 0, e = u.length();
        while (left && b < e && is_ws(u.char32At(b))) b = u.moveIndex32(b, 1);
        while (right && e > b && is_ws(u.char32At(u.moveIndex32(e, -1)))) e = u.moveIndex32(e, -1);
        std::string r;
        u.tempSubStringBetween(b, e).toUTF8String(r);
        return r;
    }
};

struct Sequence : Normalizer {
    std::vector<std::unique_ptr<Normalizer>> parts;
    std::string normalize(std::string s) const override {
        for (auto& p : parts) s = p->normalize(std::move(s));
        return s;
    }
};

}  // namespace

std::unique_ptr<Normalizer> make_normalizer(const json& j, const std::string& where) {
    if (j.is_null()) return nullptr;
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
        throw InputError(where, 0, "normalizer", "expected an object with a \"type\"");
    std::string type = j["type"];
    if (type == "NFC" || type == "NFD" || type == "NFKC" || type == "NFKD")
        return std::make_unique<UnicodeNormalizer>(type, where);
    if (type == "Lowercase") return std::make_unique<Lowercase>();
    if (type == "Prepend") {
        auto n = std::make_unique<Prepend>();
        n->prefix = j.at("prepend").get<std::string>();
        return n;
    }
    if (type == "Replace") {
        const json& pat = j.at("pattern");
        std::string to = j.at("content").get<std::string>();
        if (pat.contains("String")) {
            auto n = std::make_unique<ReplaceString>();
            n->from = pat["String"].get<std::string>();
            n->to = to;
            return n;
        }
        auto n = std::make_unique<ReplaceRegex>();
        n->re = std::make_unique<Regex>(pat.at("Regex").get<std::string>(), where);
        n->to = to;
        return n;
    }
    if (type == "Strip") {
        auto n = std::make_unique<Strip>();
        n->left = j.value("strip_left", true);
        n->right = j.value("strip_right", true);
        return n;
    }
    if (type == "Sequence") {
        auto n = std::make_unique<Sequence>();
        for (const json& part : j.at("normalizers")) {
            auto p = make_normalizer(part, where);
            if (p) n->parts.push_back(std::move(p));
        }
        return n;
    }
    throw InputError(where, 0, "normalizer.type", "unsupported normalizer type '" + type + "'",
                     "supported: NFC, NFD, NFKC, NFKD, Lowercase, Prepend, Replace, Strip, Sequence");
}

}  // namespace rf::hf
