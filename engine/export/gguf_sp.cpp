// The SentencePiece side of the GGUF tokenizer (gguf_vocab.h): the pieces and the dummy-prefix flag
// read straight from tokenizer.model's protobuf, and the rule that turns the embedded default's lone
// leading "▁" into the BOS llama.cpp adds (docs/export.md, "SentencePiece prompts in llama.cpp").
#include <cstdint>
#include <cstring>
#include <exception>
#include <optional>

#include "core/atomic_file.h"
#include "core/error.h"
#include "export/gguf_vocab.h"
#include "text/chat_template.h"
#include "text/tokenizer.h"

namespace rf {

namespace {

// ---- a bounds-checked protobuf reader (wire format: varint keys, types 0/1/2/5) ------------------
struct Pb {
    const uint8_t* p;
    const uint8_t* end;
    const std::string& file;
    [[noreturn]] void bad(const std::string& what) const {
        throw InputError(file, 0, {}, "malformed SentencePiece model: " + what,
                         "the file is damaged or not a tokenizer.model; re-download it");
    }
    uint64_t varint() {
        uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p >= end) bad("truncated varint");
            uint8_t b = *p++;
            v |= uint64_t(b & 0x7f) << shift;
            if (!(b & 0x80)) return v;
        }
        bad("varint longer than 10 bytes");
    }
    Pb sub() {
        uint64_t n = varint();
        if (n > uint64_t(end - p)) bad("length past the end of the file");
        Pb s{p, p + n, file};
        p += n;
        return s;
    }
    void skip(uint32_t wire) {
        switch (wire) {
            case 0: varint(); return;
            case 1: if (end - p < 8) bad("truncated fixed64"); p += 8; return;
            case 2: sub(); return;
            case 5: if (end - p < 4) bad("truncated fixed32"); p += 4; return;
            default: bad("unknown wire type " + std::to_string(wire));
        }
    }
};

}  // namespace

std::vector<SpPiece> read_sp_pieces(const std::string& path) {
    const std::string bytes = read_file(path);
    Pb top{reinterpret_cast<const uint8_t*>(bytes.data()), reinterpret_cast<const uint8_t*>(bytes.data()) + bytes.size(),
           path};
    std::vector<SpPiece> out;
    while (top.p < top.end) {
        const uint64_t key = top.varint();
        const uint32_t field = uint32_t(key >> 3), wire = uint32_t(key & 7);
        if (field != 1 || wire != 2) {
            top.skip(wire);
            continue;
        }
        Pb m = top.sub();
        SpPiece sp;
        while (m.p < m.end) {
            const uint64_t k = m.varint();
            const uint32_t f = uint32_t(k >> 3), w = uint32_t(k & 7);
            if (f == 1 && w == 2) {
                Pb s = m.sub();
                sp.piece.assign(reinterpret_cast<const char*>(s.p), size_t(s.end - s.p));
            } else if (f == 2 && w == 5) {
                if (m.end - m.p < 4) m.bad("truncated score");
                std::memcpy(&sp.score, m.p, 4);
                m.p += 4;
            } else if (f == 3 && w == 0) {
                const uint64_t t = m.varint();
                if (t < 1 || t > 6) m.bad("piece type " + std::to_string(t) + " out of range 1..6");
                sp.type = int32_t(t);
            } else {
                m.skip(w);
            }
        }
        out.push_back(std::move(sp));
    }
    if (out.empty()) throw InputError(path, 0, {}, "no pieces in the SentencePiece model", "the file is damaged or empty");
    return out;
}

bool read_sp_add_dummy_prefix(const std::string& path) {
    const std::string bytes = read_file(path);
    Pb top{reinterpret_cast<const uint8_t*>(bytes.data()), reinterpret_cast<const uint8_t*>(bytes.data()) + bytes.size(),
           path};
    bool add = true;  // proto2 default
    while (top.p < top.end) {
        const uint64_t key = top.varint();
        const uint32_t field = uint32_t(key >> 3), wire = uint32_t(key & 7);
        if (field != 3 || wire != 2) {
            top.skip(wire);
            continue;
        }
        Pb n = top.sub();  // NormalizerSpec; a later occurrence overrides (protobuf merge rule)
        while (n.p < n.end) {
            const uint64_t k = n.varint();
            if (uint32_t(k >> 3) == 3 && uint32_t(k & 7) == 0) add = n.varint() != 0;
            else n.skip(uint32_t(k & 7));
        }
    }
    return add;
}

// The id of the lone "▁" that starts every chat prompt of a SentencePiece model, or -1.
// Reinforge encodes "▁" + prompt as one SentencePiece text (text/sp_tokenizer.cpp): when the prompt
// starts with a user-defined piece (<|im_start|>), the dummy prefix cannot merge with it and stays a
// token of its own, and no "▁" follows the user-defined pieces inside the prompt. llama.cpp instead
// splits at those pieces and (add_space_prefix) puts a "▁" after each. Checked on rendered prompts
// (system + user + generation prompt; and a multi-turn one): each must start with that "▁" followed
// by a user-defined piece, with no control piece after it (Reinforge starts a new SentencePiece
// text, with its own "▁", after a control piece; llama.cpp without add_space_prefix would not).
int sp_dummy_prefix_start(const Tokenizer& tok, const std::vector<SpPiece>& pieces, const std::string& dir) {
    std::vector<std::string> prompts;
    try {
        ChatTemplate t = ChatTemplate::from_dir(dir);
        prompts.push_back(t.render({{"system", "You are a helpful assistant."}, {"user", "What is 7 + 8?"}}, true, std::nullopt));
        prompts.push_back(t.render({{"user", "Hi"}, {"assistant", "Hello there."}, {"user", "2 * 3?"}}, true, std::nullopt));
    } catch (const std::exception&) {
        return -1;  // no template, or one that cannot render these conversations
    }
    int lone = -1;
    for (const std::string& p : prompts) {
        const std::vector<int> ids = tok.encode(p, false);
        if (ids.size() < 2 || ids[0] >= int(pieces.size()) || ids[1] >= int(pieces.size())) return -1;
        if (pieces[ids[0]].piece != "\xE2\x96\x81" || pieces[ids[1]].type != int32_t(GgufTokenType::user_defined)) return -1;
        if (lone >= 0 && lone != ids[0]) return -1;
        lone = ids[0];
        for (size_t i = 1; i < ids.size(); ++i)
            if (ids[i] >= int(pieces.size()) || pieces[ids[i]].type == int32_t(GgufTokenType::control)) return -1;
    }
    return lone;
}

}  // namespace rf
