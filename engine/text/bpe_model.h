// The BPE model of a tokenizer.json: vocabulary, merges by rank, byte fallback, unknown token.
#pragma once
#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace rf::hf {

struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
using TokenMap = std::unordered_map<std::string, int, StringHash, std::equal_to<>>;

class BpeModel {
public:
    // `model` is tokenizer.json's "model" object without its vocab and merges, which come in
    // `vocab` (token, id) and `merges` (left, right) as tokenizer_json.h reads them; they are
    // consumed. `where` names the file for errors.
    void load(const nlohmann::json& model, std::vector<std::pair<std::string, long long>>& vocab,
              std::vector<std::pair<std::string, std::string>>& merges, const std::string& where);
    // Appends the ids of one pre-token (already byte-level mapped where the tokenizer does that).
    void tokenize(std::string_view word, std::vector<int>& out) const;
    int token_id(std::string_view token) const;
    // Vocabulary string of `id`, or nullptr when the model has no such id.
    const std::string* token(int id) const;
    int size() const { return int(m_id_to_token.size()); }

private:
    void merge_word(std::string_view word, std::vector<int>& out) const;

    TokenMap m_vocab;
    std::vector<std::string> m_id_to_token;
    // (left id << 32 | right id) -> (rank, merged id)
    std::unordered_map<uint64_t, std::pair<int, int>> m_merges;
    bool m_byte_fallback = false, m_ignore_merges = false, m_fuse_unk = false;
    int m_unk_id = -1;
    std::array<int, 256> m_byte_ids{};  // ids of "<0xXX>" when byte_fallback, -1 when missing
    std::string m_where;

    mutable std::mutex m_cache_mutex;
    mutable std::unordered_map<std::string, std::vector<int>, StringHash, std::equal_to<>> m_cache;
};

}  // namespace rf::hf
