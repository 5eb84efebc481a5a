// tokenizer.json decoders: ByteLevel, Replace, ByteFallback, Fuse, Strip, Metaspace, Sequence.
// reference: huggingface/tokenizers, tokenizers/src/decoders/*.rs
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "text/hf_components.h"
#include "text/utf8.h"

namespace rf::hf {

namespace {

using nlohmann::json;

struct ByteLevelDecoder : Decoder {
    // Each token's code points map back to bytes; a token with a code point outside the table
    // (an added token such as "你好") contributes its own UTF-8 bytes. All bytes then form one string.
    void decode_chain(std::vector<std::string>& tokens, bool raw) const override {
        std::string bytes;
        for (const std::string& t : tokens) {
            size_t mark = bytes.size();
            bool ok = true;
            for (size_t i = 0; i < t.size();) {
                char32_t cp;
                size_t n = utf8::decode(t, i, cp);
                int b = n ? unicode_to_byte(cp) : -1;
                if (b < 0) { ok = false; break; }
                bytes += char(b);
                i += n;
            }
            if (!ok) { bytes.resize(mark); bytes += t; }
        }
        tokens.assign(1, raw ? std::move(bytes) : utf8::repair(bytes));
    }
};

struct Replace : Decoder {
    std::string from, to;
    void decode_chain(std::vector<std::string>& tokens, bool) const override {
        if (from.empty()) return;
        for (std::string& t : tokens) {
            std::string out;
            size_t pos = 0;
            for (size_t h; (h = t.find(from, pos)) != std::string::npos; pos = h + from.size()) out.append(t, pos, h - pos).append(to);
            out.append(t, pos, std::string::npos);
            t = std::move(out);
        }
    }
};

// "<0xE4>" -> 0xE4, else -1
int byte_token(const std::string& t) {
    if (t.size() != 6 || t.compare(0, 3, "<0x") != 0 || t[5] != '>') return -1;
    auto hex = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
    int h = hex(t[3]), l = hex(t[4]);
    return h < 0 || l < 0 ? -1 : h * 16 + l;
}

struct ByteFallback : Decoder {
    // A run of <0xXX> tokens becomes its bytes when they are valid UTF-8, else one U+FFFD per byte.
    void decode_chain(std::vector<std::string>& tokens, bool raw) const override {
        std::vector<std::string> out;
        std::string run;
        size_t run_len = 0;
        auto flush = [&] {
            if (run_len == 0) return;
            if (raw || utf8::is_valid(run)) out.push_back(run);
            else for (size_t i = 0; i < run_len; ++i) out.push_back("\xEF\xBF\xBD");
            run.clear();
            run_len = 0;
        };
        for (std::string& t : tokens) {
            int b = byte_token(t);
            if (b >= 0) { run += char(b); ++run_len; continue; }
            flush();
            out.push_back(std::move(t));
        }
        flush();
        tokens = std::move(out);
    }
};

struct Fuse : Decoder {
    void decode_chain(std::vector<std::string>& tokens, bool) const override {
        std::string all;
        for (auto& t : tokens) all += t;
        tokens.assign(1, std::move(all));
    }
};

struct Strip : Decoder {
    std::string content;  // one character
    size_t start = 0, stop = 0;
    void decode_chain(std::vector<std::string>& tokens, bool) const override {
        if (content.empty()) return;
        for (std::string& t : tokens) {
            size_t b = 0, e = t.size();
            for (size_t k = 0; k < start && t.compare(b, content.size(), content) == 0 && b < e; ++k) b += content.size();
            for (size_t k = 0; k < stop && e >= b + content.size() && t.compare(e - content.size(), content.size(), content) == 0; ++k)
                e -= content.size();
            t = t.substr(b, e - b);
        }
    }
};

struct MetaspaceDecoder : Decoder {
    std::string replacement = "\xE2\x96\x81";
    bool prepend = true;  // prepend_scheme != never: the first token's leading replacement is dropped
    void decode_chain(std::vector<std::string>& tokens, bool) const override {
        for (size_t i = 0; i < tokens.size(); ++i) {
            std::string& t = tokens[i];
            std::string out;
            size_t pos = 0;
            if (i == 0 && prepend && t.compare(0, replacement.size(), replacement) == 0) pos = replacement.size();
            for (size_t h; (h = t.find(replacement, pos)) != std::string::npos; pos = h + replacement.size()) out.append(t, pos, h - pos) += ' ';
            out.append(t, pos, std::string::npos);
            t = std::move(out);
        }
    }
};

struct Sequence : Decoder {
    std::vector<std::unique_ptr<Decoder>> parts;
    void decode_chain(std::vector<std::string>& tokens, bool raw) const override {
        for (auto& p : parts) p->decode_chain(tokens, raw);
    }
};

}  // namespace

std::unique_ptr<Decoder> make_decoder(const json& j, const std::string& where) {
    if (j.is_null()) return nullptr;
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
        throw InputError(where, 0, "decoder", "expected an object with a \"type\"");
    std::string type = j["type"];
    if (type == "ByteLevel") return std::make_unique<ByteLevelDecoder>();
    if (type == "Replace") {
        const json& pat = j.at("pattern");
        if (!pat.contains("String"))
            throw InputError(where, 0, "decoder.pattern", "unsupported Replace decoder with a Regex pattern", "only String patterns are supported");
        auto d = std::make_unique<Replace>();
        d->from = pat["String"].get<std::string>();
        d->to = j.at("content").get<std::string>();
        return d;
    }
    if (type == "ByteFallback") return std::make_unique<ByteFallback>();
    if (type == "Fuse") return std::make_unique<Fuse>();
    if (type == "Strip") {
        auto d = std::make_unique<Strip>();
        d->content = j.at("content").get<std::string>();
        d->start = j.value("start", 0);
        d->stop = j.value("stop", 0);
        return d;
    }
    if (type == "Metaspace") {
        auto d = std::make_unique<MetaspaceDecoder>();
        d->replacement = j.value("replacement", std::string("\xE2\x96\x81"));
        if (j.contains("prepend_scheme")) d->prepend = j["prepend_scheme"].get<std::string>() != "never";
        else d->prepend = j.value("add_prefix_space", true);
        return d;
    }
    if (type == "Sequence") {
        auto s = std::make_unique<Sequence>();
        for (const json& part : j.at("decoders")) {
            auto p = make_decoder(part, where);
            if (p) s->parts.push_back(std::move(p));
        }
        return s;
    }
    throw InputError(where, 0, "decoder.type", "unsupported decoder type '" + type + "'",
                     "supported: ByteLevel, Replace, ByteFallback, Fuse, Strip, Metaspace, Sequence");
}

}  // namespace rf::hf
