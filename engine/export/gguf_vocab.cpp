#include "export/gguf_vocab.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "text/tokenizer.h"

namespace rf {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {


// obj[key] when it is a string, else "" (never throws on a wrong type).
std::string jstr(const json& obj, const char* key) {
    if (!obj.is_object()) return {};
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

bool jbool(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_boolean() && it->get<bool>();
}

json read_json_file(const std::string& path) {
    try {
        return json::parse(read_file(path));
    } catch (const json::exception& e) {
        throw InputError(path, 0, {}, std::string("invalid JSON: ") + e.what(), "the file is damaged; re-download it");
    }
}

std::string token_content(const json& v) {  // "<pad>" or {"content": "<pad>", ...}
    if (v.is_string()) return v.get<std::string>();
    if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
    return {};
}

std::string chat_template_source(const std::string& dir, const json& tcfg) {
    if (tcfg.is_object() && tcfg.contains("chat_template")) {
        const json& t = tcfg["chat_template"];
        if (t.is_string()) return t.get<std::string>();
        if (t.is_array())
            for (const json& e : t)
                if (e.is_object() && jstr(e, "name") == "default" && e.contains("template") && e["template"].is_string())
                    return e["template"].get<std::string>();
    }
    if (fs::exists(dir + "/chat_template.jinja")) return read_file(dir + "/chat_template.jinja");
    return {};
}

// The regex of the first Split pre-tokenizer ("" when none); sets *digits for a Digits pre-tokenizer.
void scan_pre_tokenizer(const json& pt, std::string* regex, bool* digits, bool* byte_level) {
    if (!pt.is_object()) return;
    const std::string type = jstr(pt, "type");
    if (type == "Sequence" && pt.contains("pretokenizers") && pt["pretokenizers"].is_array()) {
        for (const json& e : pt["pretokenizers"]) scan_pre_tokenizer(e, regex, digits, byte_level);
    } else if (type == "Split" && regex->empty() && pt.contains("pattern") && pt["pattern"].is_object()) {
        *regex = jstr(pt["pattern"], "Regex");
    } else if (type == "Digits") {
        *digits = true;
    } else if (type == "ByteLevel") {
        *byte_level = true;
    }
}

constexpr const char* kQwen2Regex =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
constexpr const char* kLlama3Regex =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

struct Vocab {
    std::vector<std::string> tokens;
    std::vector<int32_t> types;
    std::vector<float> scores;  // SentencePiece-style only
    void pad_to(int n_vocab) {
        for (int i = int(tokens.size()); i < n_vocab; ++i) {
            tokens.push_back("[PAD" + std::to_string(i) + "]");
            types.push_back(int32_t(GgufTokenType::unused));
            scores.push_back(-1000.0f);
        }
    }
    void set(int id, std::string text, GgufTokenType type, float score = 0.0f) {
        if (id >= int(tokens.size())) {
            for (int i = int(tokens.size()); i < id; ++i) {
                tokens.push_back("[PAD" + std::to_string(i) + "]");
                types.push_back(int32_t(GgufTokenType::unused));
                scores.push_back(-1000.0f);
            }
            tokens.push_back({});
            types.push_back(0);
            scores.push_back(0.0f);
        }
        tokens[id] = std::move(text);
        types[id] = int32_t(type);
        scores[id] = score;
    }
};

bool is_byte_piece(const std::string& t) {  // "<0x0A>"
    return t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>' && std::isxdigit((unsigned char)t[3]) &&
           std::isxdigit((unsigned char)t[4]);
}


}  // namespace


std::string gguf_bpe_pre_name(const std::string& text, const std::string& model_type) {
    json j = json::parse(text, nullptr, false);
    std::string regex;
    bool digits = false, byte_level = false;
    if (j.is_object() && j.contains("pre_tokenizer")) scan_pre_tokenizer(j["pre_tokenizer"], &regex, &digits, &byte_level);
    if (regex == kQwen2Regex) return "qwen2";
    if (regex == kLlama3Regex) return "llama-bpe";
    if (regex.empty() && digits && byte_level) return "smollm";  // Digits(individual) + ByteLevel(use_regex)
    if (regex.empty() && !digits && byte_level) return "gpt2";
    if (model_type == "qwen2" || model_type == "qwen3") return "qwen2";
    return {};
}

void add_gguf_tokenizer(GgufWriter& w, const std::string& dir, const std::string& model_type, int n_vocab,
                        std::vector<std::string>* notes) {
    const std::string tj_path = dir + "/tokenizer.json", sp_path = dir + "/tokenizer.model";
    const std::string tc_path = dir + "/tokenizer_config.json";
    const bool has_sp = fs::exists(sp_path), has_tj = fs::exists(tj_path);
    if (!has_sp && !has_tj)
        throw InputError(dir, 0, "tokenizer", "no tokenizer.json or tokenizer.model in the model folder",
                         "a GGUF file needs the tokenizer; copy the tokenizer files into the folder");
    const json tcfg = fs::exists(tc_path) ? read_json_file(tc_path) : json::object();
    auto tok = load_tokenizer(dir);

    Vocab v;
    std::string ggml_model, pre = "default";
    std::vector<std::string> merges;
    std::string json_text;
    json tj;
    std::vector<SpPiece> sp_pieces;
    bool add_space_prefix = true;
    if (has_tj) {
        json_text = read_file(tj_path);
        tj = json::parse(json_text, nullptr, false);
        if (tj.is_discarded() || !tj.is_object())
            throw InputError(tj_path, 0, {}, "invalid JSON", "the file is damaged; re-download it");
    }
    const json* model = has_tj && tj.contains("model") && tj["model"].is_object() ? &tj["model"] : nullptr;
    bool byte_level = false;
    if (model) {
        std::string regex;
        bool digits = false;
        if (tj.contains("pre_tokenizer")) scan_pre_tokenizer(tj["pre_tokenizer"], &regex, &digits, &byte_level);
        if (tj.contains("decoder") && tj["decoder"].is_object() && jstr(tj["decoder"], "type") == "ByteLevel")
            byte_level = true;
    }

    if (has_tj && byte_level) {
        // ---- byte-level BPE ("gpt2") ------------------------------------------------------------
        if (!model || jstr(*model, "type") != "BPE" || !model->contains("vocab") || !(*model)["vocab"].is_object())
            throw InputError(tj_path, 0, "model.type", "only BPE tokenizer.json files can be exported to GGUF",
                             "use a model with a byte-level BPE or SentencePiece tokenizer");
        ggml_model = "gpt2";
        for (auto& [text, id] : (*model)["vocab"].items()) {
            if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() >= n_vocab)
                throw InputError(tj_path, 0, text, "token id " + id.dump() + " is outside the model's vocab_size " +
                                                       std::to_string(n_vocab),
                                 "the tokenizer does not belong to this model");
            v.set(id.get<int>(), text, GgufTokenType::normal);
        }
        if (model->contains("merges") && (*model)["merges"].is_array()) {
            for (const json& m : (*model)["merges"]) {
                if (m.is_string()) merges.push_back(m.get<std::string>());
                else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string())
                    merges.push_back(m[0].get<std::string>() + " " + m[1].get<std::string>());
                else throw InputError(tj_path, 0, "model.merges", "a merge must be \"a b\" or [\"a\", \"b\"]");
            }
        }
        pre = gguf_bpe_pre_name(json_text, model_type);
        if (pre.empty()) {
            pre = "default";
            if (notes) notes->push_back("the pre-tokenizer of " + tj_path +
                                        " is not one llama.cpp knows by name; wrote tokenizer.ggml.pre = \"default\" "
                                        "(llama.cpp may split text differently from the original tokenizer)");
        }
    } else if (has_sp) {
        // ---- SentencePiece tokenizer.model ("llama") --------------------------------------------
        ggml_model = "llama";
        std::vector<SpPiece> pieces = read_sp_pieces(sp_path);
        add_space_prefix = read_sp_add_dummy_prefix(sp_path);
        if (int(pieces.size()) > n_vocab)
            throw InputError(sp_path, 0, {}, std::to_string(pieces.size()) + " pieces but the model's vocab_size is " +
                                                 std::to_string(n_vocab),
                             "the tokenizer does not belong to this model");
        for (size_t i = 0; i < pieces.size(); ++i)
            v.set(int(i), pieces[i].piece, GgufTokenType(pieces[i].type), pieces[i].score);
        sp_pieces = std::move(pieces);
    } else if (model && jstr(*model, "type") == "BPE" && model->contains("vocab") && (*model)["vocab"].is_object()) {
        // ---- SentencePiece-style BPE in tokenizer.json (Metaspace, byte_fallback) ----------------
        // SentencePiece BPE orders the vocabulary by merge rank, so score = -id keeps the merge order.
        ggml_model = "llama";
        for (auto& [text, id] : (*model)["vocab"].items()) {
            if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() >= n_vocab)
                throw InputError(tj_path, 0, text, "token id " + id.dump() + " is outside the model's vocab_size " +
                                                       std::to_string(n_vocab),
                                 "the tokenizer does not belong to this model");
            const int i = id.get<int>();
            const bool byte = is_byte_piece(text);
            v.set(i, text, byte ? GgufTokenType::byte : GgufTokenType::normal, byte ? 0.0f : -float(i));
        }
        if (notes) notes->push_back("SentencePiece scores derived from the vocabulary order of " + tj_path);
    } else {
        throw InputError(tj_path, 0, "model", "this tokenizer.json cannot be exported to GGUF",
                         "only byte-level BPE and SentencePiece tokenizers are supported");
    }

    // Added tokens: special -> CONTROL, others -> USER_DEFINED (convert_hf_to_gguf.py).
    auto add_token = [&](int id, const std::string& content, bool special) {
        if (id < 0 || id >= n_vocab)
            throw InputError(dir, 0, content, "added token id " + std::to_string(id) +
                                                  " is outside the model's vocab_size " + std::to_string(n_vocab),
                             "the tokenizer does not belong to this model");
        if (ggml_model == "llama" && id < int(v.tokens.size()) && v.types[id] != int32_t(GgufTokenType::unused) &&
            v.tokens[id] == content && v.types[id] != int32_t(GgufTokenType::normal))
            return;  // the SentencePiece model already says what this piece is
        const bool looks_special = content.size() > 4 && content.rfind("<|", 0) == 0 &&
                                   content.compare(content.size() - 2, 2, "|>") == 0;
        const float score = id < int(v.scores.size()) ? v.scores[id] : 0.0f;
        if (ggml_model == "llama" && model && jstr(*model, "unk_token") == content)
            return v.set(id, content, GgufTokenType::unknown, score);
        v.set(id, content, special || looks_special ? GgufTokenType::control : GgufTokenType::user_defined, score);
    };
    if (has_tj && tj.contains("added_tokens") && tj["added_tokens"].is_array()) {
        for (const json& a : tj["added_tokens"])
            if (a.is_object() && a.contains("id") && a["id"].is_number_integer() && a.contains("content") &&
                a["content"].is_string())
                add_token(int(std::clamp<int64_t>(a["id"].get<int64_t>(), -1, INT32_MAX)), a["content"].get<std::string>(),
                          jbool(a, "special"));
    } else if (tcfg.contains("added_tokens_decoder") && tcfg["added_tokens_decoder"].is_object()) {
        for (auto& [key, a] : tcfg["added_tokens_decoder"].items()) {
            char* end = nullptr;
            long id = std::strtol(key.c_str(), &end, 10);
            if (end == key.c_str() || *end || !a.is_object()) continue;
            add_token(int(std::clamp<long>(id, -1, INT32_MAX)), token_content(a), jbool(a, "special"));
        }
    }
    v.pad_to(n_vocab);

    w.add_string("tokenizer.ggml.model", ggml_model);
    w.add_string("tokenizer.ggml.pre", pre);
    w.add_strings("tokenizer.ggml.tokens", v.tokens);
    if (ggml_model == "llama") w.add_f32s("tokenizer.ggml.scores", v.scores);
    w.add_i32s("tokenizer.ggml.token_type", v.types);
    if (ggml_model == "gpt2") w.add_strings("tokenizer.ggml.merges", merges);

    // What the tokenizer adds around a text (its post-processor / add_bos_token), as observed.
    const std::vector<int> plain = tok->encode("a", false), added = tok->encode("a", true);
    bool add_bos = added.size() > plain.size() && tok->bos_id() >= 0 && added.front() == tok->bos_id();
    const bool add_eos = added.size() > plain.size() && !tok->eos_ids().empty() && tok->is_eos(added.back());
    const std::string tpl = chat_template_source(dir, tcfg);
    int bos_id = tok->bos_id();
    if (!sp_pieces.empty() && add_space_prefix && !add_bos) {
        const int lone = sp_dummy_prefix_start(*tok, sp_pieces, dir);
        if (lone >= 0) {
            bos_id = lone;
            add_bos = true;
            add_space_prefix = false;
            if (notes) notes->push_back("the model's chat prompts start with SentencePiece's lone \"\xE2\x96\x81\" (id " +
                                        std::to_string(lone) + "); written as the BOS token llama.cpp adds, with "
                                        "add_space_prefix = false, so llama.cpp tokenizes chat prompts as training did");
        }
    }
    if (bos_id >= 0) w.add_u32("tokenizer.ggml.bos_token_id", uint32_t(bos_id));
    if (!tok->eos_ids().empty()) w.add_u32("tokenizer.ggml.eos_token_id", uint32_t(tok->eos_ids()[0]));
    for (size_t i = 0; i < v.types.size(); ++i)
        if (v.types[i] == int32_t(GgufTokenType::unknown)) {
            w.add_u32("tokenizer.ggml.unknown_token_id", uint32_t(i));
            break;
        }
    if (tcfg.contains("pad_token")) {
        const std::string pad = token_content(tcfg["pad_token"]);
        const int id = pad.empty() ? -1 : tok->token_id(pad);
        if (id >= 0) w.add_u32("tokenizer.ggml.padding_token_id", uint32_t(id));
    }
    w.add_bool("tokenizer.ggml.add_bos_token", add_bos);
    w.add_bool("tokenizer.ggml.add_eos_token", add_eos);
    if (ggml_model == "llama") w.add_bool("tokenizer.ggml.add_space_prefix", add_space_prefix);
    if (!tpl.empty()) w.add_string("tokenizer.chat_template", tpl);
}

}  // namespace rf
