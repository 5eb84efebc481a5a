#include "text/sp_tokenizer.h"

#include <sentencepiece_processor.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "text/utf8.h"

namespace rf {

using nlohmann::json;

SpTokenizer::SpTokenizer(const std::string& model_path, const std::string& config_json)
    : m_path(model_path), m_sp(std::make_unique<sentencepiece::SentencePieceProcessor>()) {
    auto st = m_sp->Load(model_path);
    if (!st.ok()) throw InputError(model_path, 0, {}, "cannot load SentencePiece model: " + st.ToString(), "is this a tokenizer.model file?");
    m_bos_id = m_sp->bos_id();
    m_sp_eos = m_sp->eos_id();
    std::vector<hf::AddedToken> specials;
    for (int id = 0; id < m_sp->GetPieceSize(); ++id) {
        if (!m_sp->IsControl(id) && !m_sp->IsUnknown(id)) continue;
        hf::AddedToken t;
        t.id = id;
        t.content = m_sp->IdToPiece(id);
        t.special = true;
        if (!t.content.empty()) specials.push_back(t);
    }
    if (!config_json.empty()) {
        json c = json::parse(config_json, nullptr, false);
        if (c.is_object()) {
            if (c.contains("add_bos_token") && c["add_bos_token"].is_boolean()) m_add_bos = c["add_bos_token"];
            if (c.contains("add_eos_token") && c["add_eos_token"].is_boolean()) m_add_eos = c["add_eos_token"];
            if (c.contains("added_tokens_decoder") && c["added_tokens_decoder"].is_object()) {
                for (auto it = c["added_tokens_decoder"].begin(); it != c["added_tokens_decoder"].end(); ++it) {
                    const json& v = it.value();
                    if (!v.is_object() || !v.contains("content") || !v["content"].is_string()) continue;
                    hf::AddedToken t;
                    t.id = std::atoi(it.key().c_str());
                    t.content = v["content"];
                    t.special = v.value("special", true);
                    t.lstrip = v.value("lstrip", false);
                    t.rstrip = v.value("rstrip", false);
                    if (t.content.empty() || t.id < 0 || t.id > 10'000'000) continue;
                    bool known = false;
                    for (auto& s : specials) known = known || s.id == t.id;
                    if (known) continue;
                    if (t.id >= m_sp->GetPieceSize()) m_extra.push_back(t);
                    specials.push_back(t);
                }
            }
        }
    }
    m_matcher = hf::AddedTokenMatcher(specials);
    auto pieces = m_sp->EncodeAsPieces("a");
    m_dummy_prefix = !pieces.empty() && pieces[0].rfind("\xE2\x96\x81", 0) == 0;
}

SpTokenizer::~SpTokenizer() = default;

int SpTokenizer::vocab_size() const {
    int n = m_sp->GetPieceSize();
    for (auto& t : m_extra) n = std::max(n, t.id + 1);
    return n;
}

std::vector<int> SpTokenizer::encode(std::string_view text, bool add_special) const {
    std::string repaired;
    if (!utf8::is_valid(text)) {
        repaired = utf8::repair(text);
        text = repaired;
    }
    std::vector<int> out;
    if (add_special && m_add_bos && m_bos_id >= 0) out.push_back(m_bos_id);
    for (const hf::Segment& seg : m_matcher.split(text)) {
        if (seg.id >= 0) { out.push_back(seg.id); continue; }
        std::vector<int> ids;
        auto st = m_sp->Encode(std::string(seg.text), &ids);
        if (!st.ok()) throw InputError(m_path, 0, {}, "SentencePiece failed to encode: " + st.ToString());
        out.insert(out.end(), ids.begin(), ids.end());
    }
    if (add_special && m_add_eos && m_sp_eos >= 0) out.push_back(m_sp_eos);
    return out;
}

// SentencePiece's decoding, kept byte-exact so partial characters can be streamed:
//   "▁" -> " ", byte pieces "<0xXX>" -> that byte, the unknown piece -> " ⁇ ", control pieces
//   dropped (or written as their text when skip_special is false); the dummy-prefix space of the
//   first piece is removed.
// reference: sentencepiece/src/sentencepiece_processor.cc, SentencePieceProcessor::Decode
std::string SpTokenizer::decode_bytes(std::span<const int> ids, bool skip_special) const {
    std::string out;
    bool first = true;
    for (int id : ids) {
        if (id < 0 || id >= vocab_size())
            throw InputError(m_path, 0, "id", "token id " + std::to_string(id) + " is out of range",
                             "the vocabulary has " + std::to_string(vocab_size()) + " ids");
        if (id >= m_sp->GetPieceSize()) {
            for (auto& t : m_extra) if (t.id == id && !(skip_special && t.special)) out += t.content;
            continue;
        }
        if (m_sp->IsControl(id)) {
            if (!skip_special) out += m_sp->IdToPiece(id);
            continue;
        }
        if (m_sp->IsUnknown(id)) {
            if (skip_special) continue;
            out += " \xE2\x81\x87 ";
            first = false;
            continue;
        }
        const std::string& piece = m_sp->IdToPiece(id);
        if (m_sp->IsByte(id)) {
            out += char(std::stoi(piece.substr(3, 2), nullptr, 16));
            first = false;
            continue;
        }
        size_t pos = 0;
        if (first && m_dummy_prefix && piece.rfind("\xE2\x96\x81", 0) == 0) pos = 3;
        for (size_t h; (h = piece.find("\xE2\x96\x81", pos)) != std::string::npos; pos = h + 3) out.append(piece, pos, h - pos) += ' ';
        out.append(piece, pos, std::string::npos);
        first = false;
    }
    return out;
}

std::string SpTokenizer::sp_decode(const std::vector<int>& ids) const { return m_sp->DecodeIds(ids); }

std::string SpTokenizer::token_text(int id) const {
    if (id < 0 || id >= vocab_size()) return {};
    if (id >= m_sp->GetPieceSize()) {
        for (auto& t : m_extra) if (t.id == id) return t.content;
        return {};
    }
    return m_sp->IdToPiece(id);
}

int SpTokenizer::token_id(std::string_view token) const {
    for (auto& t : m_extra) if (t.content == token) return t.id;
    int id = m_sp->PieceToId(std::string(token));
    // PieceToId returns unk_id for unknown pieces
    if (id == m_sp->unk_id() && token != m_sp->IdToPiece(id)) return -1;
    return id;
}

bool SpTokenizer::is_special(int id) const {
    if (id < 0 || id >= vocab_size()) return false;
    if (id >= m_sp->GetPieceSize()) {
        for (auto& t : m_extra) if (t.id == id) return t.special;
        return false;
    }
    return m_sp->IsControl(id) || m_sp->IsUnknown(id);
}

}  // namespace rf
