// load_tokenizer (which file, BOS/EOS from the configs) and StreamDecoder.
#include "text/tokenizer.h"

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "text/hf_tokenizer.h"
#include "text/sp_tokenizer.h"
#include "text/utf8.h"

namespace rf {

namespace fs = std::filesystem;
using nlohmann::json;

std::string Tokenizer::decode(std::span<const int> ids, bool skip_special) const {
    return utf8::repair(decode_bytes(ids, skip_special));
}

bool Tokenizer::is_eos(int id) const { return std::find(m_eos_ids.begin(), m_eos_ids.end(), id) != m_eos_ids.end(); }

namespace {

json read_json_if_present(const fs::path& p) {
    if (!fs::exists(p)) return json();
    json j = json::parse(read_file(p.string()), nullptr, false);
    if (j.is_discarded()) throw InputError(p.string(), 0, {}, "not valid JSON");
    return j;
}

// tokenizer_config.json writes special tokens as "text" or {"content": "text", ...}.
std::string token_string(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
    return {};
}

void add_ids(const json& v, int vocab, std::vector<int>& out) {
    auto add = [&](const json& x) {
        if (!x.is_number_integer()) return;
        int id = x.get<int>();
        if (id >= 0 && id < vocab && std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
    };
    if (v.is_array()) for (const json& x : v) add(x);
    else add(v);
}

}  // namespace

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& dir) {
    fs::path d(dir);
    if (!fs::is_directory(d))
        throw InputError(dir, 0, {}, "tokenizer folder not found", "pass a model folder holding tokenizer.json or tokenizer.model");
    fs::path tj = d / "tokenizer.json", tm = d / "tokenizer.model", tc = d / "tokenizer_config.json";
    json config = read_json_if_present(tc);
    std::unique_ptr<Tokenizer> tok;
    if (fs::exists(tj)) {
        tok = std::make_unique<hf::HfTokenizer>(tj.string());
        tok->m_bos_id = -1;
    } else if (fs::exists(tm)) {
        tok = std::make_unique<SpTokenizer>(tm.string(), fs::exists(tc) ? read_file(tc.string()) : std::string());
    } else {
        throw InputError(dir, 0, {}, "no tokenizer.json or tokenizer.model in this folder",
                         "copy the tokenizer files of the model into it");
    }
    tok->m_dir = dir;
    int vocab = tok->vocab_size();
    if (config.is_object()) {
        if (config.contains("bos_token")) {
            std::string s = token_string(config["bos_token"]);
            if (!s.empty()) tok->m_bos_id = tok->token_id(s);
        }
        if (config.contains("eos_token")) {
            std::string s = token_string(config["eos_token"]);
            int id = s.empty() ? -1 : tok->token_id(s);
            if (id >= 0) tok->m_eos_ids.push_back(id);
        }
    }
    for (const char* f : {"config.json", "generation_config.json"}) {
        json c = read_json_if_present(d / f);
        if (c.is_object() && c.contains("eos_token_id")) add_ids(c["eos_token_id"], vocab, tok->m_eos_ids);
    }
    if (tok->m_eos_ids.empty() && tok->kind() == "sentencepiece") {
        int id = tok->token_id("</s>");
        if (id >= 0) tok->m_eos_ids.push_back(id);
    }
    return tok;
}

// StreamDecoder: decode the window of ids since `m_ids` began and emit the bytes beyond what was
// already emitted, up to the last complete UTF-8 character. Once everything is emitted and the
// window holds more than a few ids, it restarts at the last id (decoders such as SentencePiece's
// treat the first token of a window specially, so one id of context is kept).
std::string StreamDecoder::push(int id) {
    if (id < 0 || id >= m_tok->vocab_size()) return {};  // a model's padding row past the tokenizer: no text
    m_ids.push_back(id);
    std::string raw = m_tok->decode_bytes(m_ids, m_skip);
    std::string out;
    size_t complete = utf8::complete_prefix(raw);
    if (complete > m_emitted) out = utf8::repair(std::string_view(raw).substr(m_emitted, complete - m_emitted));
    m_emitted = std::max(m_emitted, complete);
    if (complete == raw.size() && m_ids.size() > 4) {
        int last = m_ids.back();
        m_ids.assign(1, last);
        m_emitted = m_tok->decode_bytes(m_ids, m_skip).size();
    }
    m_text += out;
    return out;
}

std::string StreamDecoder::flush() {
    std::string out;
    if (!m_ids.empty()) {
        std::string raw = m_tok->decode_bytes(m_ids, m_skip);
        if (raw.size() > m_emitted) out = utf8::repair(std::string_view(raw).substr(m_emitted));
    }
    m_ids.clear();
    m_emitted = 0;
    m_text += out;
    return out;
}

void StreamDecoder::reset() {
    m_ids.clear();
    m_emitted = 0;
    m_text.clear();
}

}  // namespace rf
