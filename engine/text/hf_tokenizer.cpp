#include "text/hf_tokenizer.h"

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "text/tokenizer_json.h"
#include "text/utf8.h"

namespace rf::hf {

using nlohmann::json;

namespace {

// A token id: an integer in [0, 10^7] (a float such as 1.8e20 would be an undefined cast to int).
int read_id(const json& v, const std::string& where, const std::string& key) {
    if (!v.is_number_integer() || (v.is_number_unsigned() ? v.get<uint64_t>() > 10'000'000u
                                                          : v.get<int64_t>() < 0 || v.get<int64_t>() > 10'000'000))
        throw InputError(where, 0, key, "token id " + v.dump() + " is not an integer in 0..10000000");
    return int(v.get<int64_t>());
}

// The ids a post-processor adds before and after a single sequence.
void read_post_processor(const json& pp, const std::string& where, std::vector<int>& prefix, std::vector<int>& suffix) {
    if (pp.is_null()) return;
    std::string type = pp.at("type").get<std::string>();
    if (type == "ByteLevel") return;  // only touches offsets
    if (type == "Sequence") {
        for (const json& p : pp.at("processors")) read_post_processor(p, where, prefix, suffix);
        return;
    }
    if (type == "TemplateProcessing") {
        bool seen_sequence = false;
        for (const json& item : pp.at("single")) {
            if (item.contains("Sequence")) { seen_sequence = true; continue; }
            std::string name = item.at("SpecialToken").at("id").get<std::string>();
            const json& st = pp.at("special_tokens").at(name);
            for (const json& id : st.at("ids")) (seen_sequence ? suffix : prefix).push_back(read_id(id, where, "post_processor"));
        }
        return;
    }
    if (type == "RobertaProcessing" || type == "BertProcessing") {
        prefix.push_back(read_id(pp.at("cls").at(1), where, "post_processor.cls"));
        suffix.push_back(read_id(pp.at("sep").at(1), where, "post_processor.sep"));
        return;
    }
    throw InputError(where, 0, "post_processor.type", "unsupported post_processor type '" + type + "'",
                     "supported: ByteLevel, TemplateProcessing, RobertaProcessing, BertProcessing, Sequence");
}

}  // namespace

HfTokenizer::HfTokenizer(const std::string& path) : m_path(path) {
    TokenizerJson parsed;
    try {
        parsed = parse_tokenizer_json(read_file(path), path);
    } catch (const json::exception& e) {
        throw InputError(path, 0, {}, std::string("not valid JSON: ") + e.what(), "is the download complete?");
    }
    const json& j = parsed.rest;
    try {
        if (!j.is_object() || !j.contains("model") || !j["model"].is_object())
            throw InputError(path, 0, "model", "no \"model\" object", "is this a Hugging Face tokenizer.json?");
        if (!parsed.has_vocab) throw InputError(path, 0, "model.vocab", "missing (expected an object {token: id})");
        if (!parsed.has_merges) throw InputError(path, 0, "model.merges", "missing (expected a list)");
        m_model.load(j["model"], parsed.vocab, parsed.merges, path);
        m_normalizer = make_normalizer(j.value("normalizer", json()), path);
        m_pre_tokenizer = make_pre_tokenizer(j.value("pre_tokenizer", json()), path);
        m_decoder = make_decoder(j.value("decoder", json()), path);
        int max_id = m_model.size() - 1;
        std::vector<AddedToken> raw, normalized;
        if (j.contains("added_tokens") && j["added_tokens"].is_array()) {
            for (const json& a : j["added_tokens"]) {
                AddedToken t;
                t.id = read_id(a.at("id"), path, "added_tokens");
                t.content = a.at("content").get<std::string>();
                t.special = a.value("special", false);
                t.lstrip = a.value("lstrip", false);
                t.rstrip = a.value("rstrip", false);
                t.normalized = a.value("normalized", !t.special);
                t.single_word = a.value("single_word", false);
                if (t.id < 0 || t.id > 10'000'000) throw InputError(path, 0, "added_tokens", "token id out of range: " + std::to_string(t.id));
                if (!utf8::is_valid(t.content)) throw InputError(path, 0, "added_tokens", "token content is not UTF-8");
                max_id = std::max(max_id, t.id);
                m_added.push_back(t);
                // A normalized token is matched in normalized text only when there is a normalizer.
                (t.normalized && m_normalizer ? normalized : raw).push_back(t);
            }
        }
        m_vocab_size = max_id + 1;
        m_added_index.assign(size_t(m_vocab_size), -1);
        for (int i = 0; i < int(m_added.size()); ++i) m_added_index[size_t(m_added[size_t(i)].id)] = i;
        m_raw_matcher = AddedTokenMatcher(std::move(raw));
        m_normalized_matcher = AddedTokenMatcher(std::move(normalized));
        read_post_processor(j.value("post_processor", json()), path, m_prefix_ids, m_suffix_ids);
        for (int id : m_prefix_ids) if (id < 0 || id >= m_vocab_size) throw InputError(path, 0, "post_processor", "special token id out of range");
        for (int id : m_suffix_ids) if (id < 0 || id >= m_vocab_size) throw InputError(path, 0, "post_processor", "special token id out of range");
    } catch (const json::exception& e) {
        throw InputError(path, 0, {}, std::string("unexpected structure: ") + e.what(), "is this a Hugging Face tokenizer.json?");
    }
}

void HfTokenizer::encode_text(std::string_view text, bool at_start, std::vector<int>& out) const {
    std::string norm = m_normalizer ? m_normalizer->normalize(std::string(text)) : std::string(text);
    for (const Segment& seg : m_normalized_matcher.split(norm)) {
        if (seg.id >= 0) { out.push_back(seg.id); continue; }
        std::vector<Piece> pieces{{std::string(seg.text), at_start && seg.text.data() == norm.data()}};
        if (m_pre_tokenizer) m_pre_tokenizer->split(pieces);
        for (const Piece& p : pieces) m_model.tokenize(p.text, out);
    }
}

std::vector<int> HfTokenizer::encode(std::string_view text, bool add_special) const {
    std::string repaired;
    if (!utf8::is_valid(text)) {
        repaired = utf8::repair(text);
        text = repaired;
    }
    std::vector<int> out;
    if (add_special) out = m_prefix_ids;
    for (const Segment& seg : m_raw_matcher.split(text)) {
        if (seg.id >= 0) out.push_back(seg.id);
        else encode_text(seg.text, seg.text.data() == text.data(), out);
    }
    if (add_special) out.insert(out.end(), m_suffix_ids.begin(), m_suffix_ids.end());
    return out;
}

std::string HfTokenizer::decode_impl(std::span<const int> ids, bool skip_special, bool raw) const {
    std::vector<std::string> tokens;
    tokens.reserve(ids.size());
    for (int id : ids) {
        if (id < 0 || id >= m_vocab_size)
            throw InputError(m_path, 0, "id", "token id " + std::to_string(id) + " is out of range",
                             "the vocabulary has " + std::to_string(m_vocab_size) + " ids");
        int ai = m_added_index[size_t(id)];
        if (ai >= 0) {
            if (skip_special && m_added[size_t(ai)].special) continue;
            tokens.push_back(m_added[size_t(ai)].content);
            continue;
        }
        const std::string* t = m_model.token(id);
        if (!t || t->empty()) throw InputError(m_path, 0, "id", "token id " + std::to_string(id) + " has no vocabulary entry");
        tokens.push_back(*t);
    }
    if (m_decoder) {
        m_decoder->decode_chain(tokens, raw);
        std::string out;
        for (auto& t : tokens) out += t;
        return out;
    }
    std::string out;  // tokenizers' default: tokens joined by spaces
    for (size_t i = 0; i < tokens.size(); ++i) out += (i ? " " : "") + tokens[i];
    return out;
}

std::string HfTokenizer::decode(std::span<const int> ids, bool skip_special) const {
    return utf8::repair(decode_impl(ids, skip_special, false));
}

std::string HfTokenizer::decode_bytes(std::span<const int> ids, bool skip_special) const {
    return decode_impl(ids, skip_special, true);
}

std::string HfTokenizer::token_text(int id) const {
    if (id < 0 || id >= m_vocab_size) return {};
    int ai = m_added_index[size_t(id)];
    if (ai >= 0) return m_added[size_t(ai)].content;
    const std::string* t = m_model.token(id);
    return t ? *t : std::string();
}

int HfTokenizer::token_id(std::string_view token) const {
    for (const AddedToken& t : m_added) if (t.content == token) return t.id;
    return m_model.token_id(token);
}

bool HfTokenizer::is_special(int id) const {
    if (id < 0 || id >= m_vocab_size) return false;
    int ai = m_added_index[size_t(id)];
    return ai >= 0 && m_added[size_t(ai)].special;
}

}  // namespace rf::hf
