// Byte-pair encoding by merge rank.
//   Start from one symbol per character (or per byte token "<0xXX>" when the character is not in the
//   vocabulary and byte_fallback is on; else the unknown token, fused when fuse_unk). Repeatedly
//   merge the adjacent pair with the lowest rank (leftmost on ties) whose merge is in the table,
//   until no ranked pair is left. With ignore_merges, a word that is itself in the vocabulary is
//   emitted as that one token.
// reference: huggingface/tokenizers, tokenizers/src/models/bpe/{model,word}.rs
#include "text/bpe_model.h"

#include <queue>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "text/utf8.h"

namespace rf::hf {

using nlohmann::json;

void BpeModel::load(const json& model, std::vector<std::pair<std::string, long long>>& vocab,
                    std::vector<std::pair<std::string, std::string>>& merges, const std::string& where) {
    m_where = where;
    std::string type = model.value("type", std::string("BPE"));
    if (type != "BPE")
        throw InputError(where, 0, "model.type", "unsupported tokenizer model '" + type + "'",
                         "only BPE tokenizer.json files are supported (WordPiece/Unigram are not)");
    for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
        if (model.contains(key) && model[key].is_string() && !model[key].get<std::string>().empty())
            throw InputError(where, 0, std::string("model.") + key, "unsupported non-empty BPE " + std::string(key));
    }
    if (model.contains("dropout") && model["dropout"].is_number() && model["dropout"].get<double>() > 0)
        throw InputError(where, 0, "model.dropout", "BPE dropout is not supported at inference", "set it to null");
    m_vocab.reserve(vocab.size());
    long long max_id = -1;
    for (auto& [tok, id] : vocab) {
        if (id < 0 || id > 10'000'000) throw InputError(where, 0, "model.vocab", "token id out of range: " + std::to_string(id));
        max_id = std::max(max_id, id);
        m_vocab.emplace(std::move(tok), int(id));
    }
    vocab.clear();
    m_id_to_token.assign(size_t(max_id + 1), std::string());
    for (auto& [tok, id] : m_vocab) m_id_to_token[size_t(id)] = tok;

    m_merges.reserve(merges.size());
    std::string joined;
    for (size_t rank = 0; rank < merges.size(); ++rank) {
        const auto& [a, b] = merges[rank];
        joined.assign(a).append(b);
        int ia = token_id(a), ib = token_id(b), im = token_id(joined);
        if (ia < 0 || ib < 0 || im < 0)
            throw InputError(where, 0, "model.merges[" + std::to_string(rank) + "]",
                             "merge '" + a + " " + b + "' uses a token missing from the vocabulary");
        m_merges.emplace((uint64_t(uint32_t(ia)) << 32) | uint32_t(ib), std::make_pair(int(rank), im));
    }
    merges.clear();
    m_byte_fallback = model.value("byte_fallback", false);
    m_ignore_merges = model.value("ignore_merges", false);
    m_fuse_unk = model.value("fuse_unk", false);
    if (model.contains("unk_token") && model["unk_token"].is_string()) m_unk_id = token_id(model["unk_token"].get<std::string>());
    static const char* hex = "0123456789ABCDEF";
    for (int b = 0; b < 256; ++b) {
        std::string t = std::string("<0x") + hex[b >> 4] + hex[b & 15] + ">";
        m_byte_ids[size_t(b)] = token_id(t);
    }
}

int BpeModel::token_id(std::string_view token) const {
    auto it = m_vocab.find(token);
    return it == m_vocab.end() ? -1 : it->second;
}

const std::string* BpeModel::token(int id) const {
    if (id < 0 || size_t(id) >= m_id_to_token.size()) return nullptr;
    return &m_id_to_token[size_t(id)];
}

void BpeModel::tokenize(std::string_view word, std::vector<int>& out) const {
    if (word.empty()) return;
    if (m_ignore_merges) {
        int id = token_id(word);
        if (id >= 0) { out.push_back(id); return; }
    }
    constexpr size_t kCacheWordLimit = 256;
    constexpr size_t kCacheCapacity = 100'000;
    if (word.size() <= kCacheWordLimit) {
        {
            std::lock_guard lock(m_cache_mutex);
            auto it = m_cache.find(word);
            if (it != m_cache.end()) { out.insert(out.end(), it->second.begin(), it->second.end()); return; }
        }
        std::vector<int> ids;
        merge_word(word, ids);
        out.insert(out.end(), ids.begin(), ids.end());
        std::lock_guard lock(m_cache_mutex);
        if (m_cache.size() >= kCacheCapacity) m_cache.clear();
        m_cache.emplace(std::string(word), std::move(ids));
        return;
    }
    merge_word(word, out);
}

void BpeModel::merge_word(std::string_view word, std::vector<int>& out) const {
    struct Symbol { int id; int prev; int next; bool alive; };
    std::vector<Symbol> sym;
    sym.reserve(word.size());
    bool prev_unk = false;
    auto push = [&](int id) {
        int n = int(sym.size());
        sym.push_back({id, n - 1, -1, true});
        if (n > 0) sym[size_t(n - 1)].next = n;
    };
    for (size_t i = 0; i < word.size();) {
        char32_t cp;
        size_t n = utf8::decode(word, i, cp);
        if (n == 0) n = 1;  // input is repaired before; defensive
        std::string_view ch = word.substr(i, n);
        i += n;
        int id = token_id(ch);
        if (id >= 0) { push(id); prev_unk = false; continue; }
        if (m_byte_fallback) {
            bool all = true;
            for (unsigned char c : ch) all = all && m_byte_ids[c] >= 0;
            if (all) {
                for (unsigned char c : ch) push(m_byte_ids[c]);
                prev_unk = false;
                continue;
            }
        }
        if (m_unk_id < 0)
            throw InputError(m_where, 0, "model.unk_token",
                             "the character '" + std::string(ch) + "' is not in the vocabulary and the model has no unk_token");
        if (!(m_fuse_unk && prev_unk)) push(m_unk_id);
        prev_unk = true;
    }

    struct Cand { int rank; int pos; int new_id; };
    auto later = [](const Cand& a, const Cand& b) { return a.rank != b.rank ? a.rank > b.rank : a.pos > b.pos; };
    std::priority_queue<Cand, std::vector<Cand>, decltype(later)> queue(later);
    auto lookup = [&](int a, int b) -> const std::pair<int, int>* {
        auto it = m_merges.find((uint64_t(uint32_t(a)) << 32) | uint32_t(b));
        return it == m_merges.end() ? nullptr : &it->second;
    };
    for (size_t i = 0; i + 1 < sym.size(); ++i)
        if (auto* m = lookup(sym[i].id, sym[i + 1].id)) queue.push({m->first, int(i), m->second});
    while (!queue.empty()) {
        Cand top = queue.top();
        queue.pop();
        Symbol& left = sym[size_t(top.pos)];
        if (!left.alive || left.next < 0) continue;
        Symbol& right = sym[size_t(left.next)];
        auto* m = lookup(left.id, right.id);
        if (!m || m->second != top.new_id) continue;  // stale entry
        left.id = top.new_id;
        right.alive = false;
        left.next = right.next;
        if (right.next >= 0) sym[size_t(right.next)].prev = top.pos;
        if (left.prev >= 0)
            if (auto* p = lookup(sym[size_t(left.prev)].id, left.id)) queue.push({p->first, left.prev, p->second});
        if (left.next >= 0)
            if (auto* p = lookup(left.id, sym[size_t(left.next)].id)) queue.push({p->first, top.pos, p->second});
    }
    for (int i = sym.empty() ? -1 : 0; i >= 0; i = sym[size_t(i)].next) out.push_back(sym[size_t(i)].id);
}

}  // namespace rf::hf
