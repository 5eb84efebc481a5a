// config.json -> ModelConfig, following transformers' LlamaConfig / Qwen2Config / Qwen3Config
// (defaults from those classes where a key is optional; the sizes are required, since a real
// checkpoint always writes them and guessing 4096 would only move the error to the weights).
// reference: huggingface/transformers src/transformers/models/{llama,qwen2,qwen3}/configuration_*.py,
//            modeling_rope_utils.py (rope_scaling / rope_parameters, llama3).
#include "model/model_config.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"

namespace rf {

namespace {

using nlohmann::json;

constexpr const char* kSupported = "llama, qwen2, qwen3";

// Line of the first `"key"` in the text (0 when absent): errors point at it.
int line_of_key(const std::string& text, const std::string& key) {
    size_t at = text.find("\"" + key + "\"");
    if (at == std::string::npos) return 0;
    int line = 1;
    for (size_t i = 0; i < at; ++i) line += text[i] == '\n';
    return line;
}

struct Reader {
    const json& j;
    const std::string& text;
    const std::string& file;

    [[noreturn]] void fail(const std::string& key, const std::string& msg, const std::string& hint = {}) const {
        throw InputError(file, line_of_key(text, key), key, msg, hint);
    }
    bool has(const char* key) const {
        auto it = j.find(key);
        return it != j.end() && !it->is_null();
    }
    int positive_int(const char* key, bool required, int fallback = 0) const {
        if (!has(key)) {
            if (required) fail(key, "missing (a positive integer is required)", "is this a Hugging Face config.json?");
            return fallback;
        }
        const json& v = j.at(key);
        if (!v.is_number_integer() || v.get<int64_t>() <= 0 || v.get<int64_t>() > std::numeric_limits<int>::max())
            fail(key, "expected a positive integer, got " + v.dump());
        return int(v.get<int64_t>());
    }
    float number(const json& v, const std::string& key) const {
        if (!v.is_number()) fail(key, "expected a number, got " + v.dump());
        double d = v.get<double>();
        if (!std::isfinite(d)) fail(key, "expected a finite number");
        return float(d);
    }
    float number(const char* key, float fallback) const { return has(key) ? number(j.at(key), key) : fallback; }
    bool boolean(const char* key, bool fallback) const {
        if (!has(key)) return fallback;
        if (!j.at(key).is_boolean()) fail(key, "expected true or false, got " + j.at(key).dump());
        return j.at(key).get<bool>();
    }
    int token_id(const json& v, const std::string& key) const {
        if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > std::numeric_limits<int>::max())
            fail(key, "expected a token id (non-negative integer), got " + v.dump());
        return int(v.get<int64_t>());
    }
    // int, list of ints, or null
    std::vector<int> token_ids(const char* key) const {
        std::vector<int> r;
        if (!has(key)) return r;
        const json& v = j.at(key);
        if (v.is_array())
            for (const json& e : v) r.push_back(token_id(e, key));
        else
            r.push_back(token_id(v, key));
        return r;
    }
};

// A float written with the fewest digits that read back to the same float ("1e-06", not
// "9.999999974752427e-07").
double short_double(float f) {
    char buf[32];
    auto res = std::to_chars(buf, buf + sizeof buf, f);
    return std::stod(std::string(buf, res.ptr));
}

json parse_object(const std::string& text, const std::string& file) {
    try {
        json j = json::parse(text);
        if (!j.is_object()) throw InputError(file, 1, {}, "expected a JSON object", "is this a Hugging Face config.json?");
        return j;
    } catch (const json::parse_error& e) {
        int line = 1;
        for (size_t i = 0; i < e.byte && i < text.size(); ++i) line += text[i] == '\n';
        throw InputError(file, line, {}, "invalid JSON (byte " + std::to_string(e.byte) + ")", "the file is damaged");
    } catch (const json::exception& e) {  // e.g. out_of_range 406: a number too large for a double (found by fuzzing)
        throw InputError(file, 0, {}, std::string("invalid JSON: ") + e.what(), "the file is damaged");
    }
}

// rope_scaling (v4) or rope_parameters (v5): {"rope_type" | "type": ..., factor, ...}
void read_rope(const Reader& r, ModelConfig& c) {
    const json* params = nullptr;
    std::string key;
    if (r.has("rope_parameters")) {
        params = &r.j.at("rope_parameters");
        key = "rope_parameters";
        if (!params->is_object()) r.fail(key, "expected an object");
    }
    c.rope_theta = r.number("rope_theta", 10000.0f);
    if (params && params->contains("rope_theta") && !r.has("rope_theta")) c.rope_theta = r.number(params->at("rope_theta"), "rope_parameters.rope_theta");
    if (!(c.rope_theta > 0)) r.fail("rope_theta", "must be positive");
    if (r.has("rope_scaling")) {
        params = &r.j.at("rope_scaling");
        key = "rope_scaling";
        if (!params->is_object()) r.fail(key, "expected an object or null");
    }
    if (r.has("partial_rotary_factor") && r.number("partial_rotary_factor", 1.0f) != 1.0f)
        r.fail("partial_rotary_factor", "partial rotary embeddings are not supported (only 1.0)");
    if (!params) return;
    std::string type = "default";
    for (const char* k : {"rope_type", "type"}) {
        auto it = params->find(k);
        if (it != params->end() && !it->is_null()) {
            if (!it->is_string()) r.fail(key + "." + k, "expected a string");
            type = it->get<std::string>();
            break;
        }
    }
    if (type == "default") return;
    if (type != "llama3") r.fail(key, "rope type '" + type + "' is not supported", "supported: default, llama3");
    RopeScaling& s = c.rope_scaling;
    s.rope_type = "llama3";
    auto need = [&](const char* k) -> const json& {
        auto it = params->find(k);
        if (it == params->end() || it->is_null()) r.fail(key + "." + k, "required for llama3 rope scaling");
        return *it;
    };
    s.factor = r.number(need("factor"), key + ".factor");
    s.low_freq_factor = r.number(need("low_freq_factor"), key + ".low_freq_factor");
    s.high_freq_factor = r.number(need("high_freq_factor"), key + ".high_freq_factor");
    const json& omp = need("original_max_position_embeddings");
    if (!omp.is_number_integer() || omp.get<int64_t>() <= 0 || omp.get<int64_t>() > std::numeric_limits<int>::max())
        r.fail(key + ".original_max_position_embeddings", "expected a positive integer");
    s.original_max_position_embeddings = int(omp.get<int64_t>());
    if (!(s.factor >= 1.0f)) r.fail(key + ".factor", "must be >= 1");
    if (!(s.high_freq_factor > s.low_freq_factor) || !(s.low_freq_factor > 0))
        r.fail(key + ".high_freq_factor", "must be greater than low_freq_factor (> 0)");
}

}  // namespace

ModelConfig ModelConfig::from_json_text(const std::string& text, const std::string& file) {
    json j = parse_object(text, file);
    Reader r{j, text, file};
    ModelConfig c;
    if (!r.has("model_type") || !j.at("model_type").is_string())
        r.fail("model_type", "missing (expected one of: " + std::string(kSupported) + ")", "is this a Hugging Face config.json?");
    c.model_type = j.at("model_type").get<std::string>();
    if (c.model_type != "llama" && c.model_type != "qwen2" && c.model_type != "qwen3")
        r.fail("model_type", "unsupported model_type '" + c.model_type + "'", std::string("supported: ") + kSupported);

    c.hidden_size = r.positive_int("hidden_size", true);
    c.intermediate_size = r.positive_int("intermediate_size", true);
    c.num_hidden_layers = r.positive_int("num_hidden_layers", true);
    c.num_attention_heads = r.positive_int("num_attention_heads", true);
    c.vocab_size = r.positive_int("vocab_size", true);
    c.num_key_value_heads = r.positive_int("num_key_value_heads", false, c.num_attention_heads);  // null/absent -> heads
    if (c.num_attention_heads % c.num_key_value_heads != 0)
        r.fail("num_key_value_heads", std::to_string(c.num_key_value_heads) + " does not divide num_attention_heads " + std::to_string(c.num_attention_heads));
    // head_dim: the config's value; else Qwen3Config's default 128; else hidden / heads.
    if (r.has("head_dim")) {
        c.head_dim = r.positive_int("head_dim", true);
    } else if (c.model_type == "qwen3") {
        c.head_dim = 128;
    } else {
        if (c.hidden_size % c.num_attention_heads != 0)
            r.fail("hidden_size", "not divisible by num_attention_heads and no head_dim given");
        c.head_dim = c.hidden_size / c.num_attention_heads;
    }
    if (c.head_dim % 2 != 0) r.fail("head_dim", "must be even (RoPE rotates pairs)");
    c.max_position_embeddings = r.positive_int("max_position_embeddings", false, c.max_position_embeddings);
    c.rms_norm_eps = r.number("rms_norm_eps", 1e-6f);
    if (!(c.rms_norm_eps > 0)) r.fail("rms_norm_eps", "must be positive");
    if (r.has("hidden_act") && j.at("hidden_act") != "silu")
        r.fail("hidden_act", "activation " + j.at("hidden_act").dump() + " is not supported", "supported: silu");
    read_rope(r, c);

    c.tie_word_embeddings = r.boolean("tie_word_embeddings", false);
    c.attention_bias = r.boolean("attention_bias", false);
    c.mlp_bias = r.boolean("mlp_bias", false);
    if (c.model_type == "qwen2") c.attention_bias = true;  // Qwen2Attention hard-codes bias=True on q/k/v
    if (c.model_type != "llama") c.mlp_bias = false;       // Qwen MLPs have no bias
    c.qk_norm = c.model_type == "qwen3";

    if (r.boolean("use_sliding_window", false))
        r.fail("use_sliding_window", "sliding-window attention is not supported", "every layer must use full attention");
    if (r.has("layer_types")) {
        const json& lt = j.at("layer_types");
        if (!lt.is_array()) r.fail("layer_types", "expected a list");
        for (const json& t : lt)
            if (t != "full_attention") r.fail("layer_types", "layer type " + t.dump() + " is not supported", "every layer must be full_attention");
    }

    auto bos = r.token_ids("bos_token_id");
    if (bos.size() > 1) r.fail("bos_token_id", "expected a single token id");
    if (!bos.empty()) c.bos_token_id = bos[0];
    c.eos_token_ids = r.token_ids("eos_token_id");
    if (r.has("pad_token_id")) {  // some old conversions write -1 for "none"
        const json& p = j.at("pad_token_id");
        if (!(p.is_number_integer() && p.get<int64_t>() < 0)) c.pad_token_id = r.token_id(p, "pad_token_id");
    }
    for (const char* k : {"torch_dtype", "dtype"})
        if (r.has(k) && j.at(k).is_string()) {
            c.torch_dtype = j.at(k).get<std::string>();
            break;
        }
    return c;
}

ModelConfig ModelConfig::from_dir(const std::string& dir) {
    namespace fs = std::filesystem;
    const std::string path = (fs::path(dir) / "config.json").string();
    std::error_code ec;
    if (!fs::exists(path, ec)) throw InputError(path, 0, {}, "not found", "a model folder needs config.json (Hugging Face layout)");
    ModelConfig c = from_json_text(read_file(path), path);
    const std::string gen = (fs::path(dir) / "generation_config.json").string();
    if (fs::exists(gen, ec)) {
        std::string text = read_file(gen);
        json g = parse_object(text, gen);
        Reader r{g, text, gen};
        for (int id : r.token_ids("eos_token_id"))
            if (std::find(c.eos_token_ids.begin(), c.eos_token_ids.end(), id) == c.eos_token_ids.end()) c.eos_token_ids.push_back(id);
        if (c.bos_token_id < 0) {
            auto bos = r.token_ids("bos_token_id");
            if (!bos.empty()) c.bos_token_id = bos[0];
        }
    }
    return c;
}

std::string ModelConfig::to_json_text() const {
    nlohmann::ordered_json j;
    const char* arch = model_type == "qwen2" ? "Qwen2ForCausalLM" : model_type == "qwen3" ? "Qwen3ForCausalLM" : "LlamaForCausalLM";
    j["architectures"] = {arch};
    j["model_type"] = model_type;
    j["hidden_size"] = hidden_size;
    j["intermediate_size"] = intermediate_size;
    j["num_hidden_layers"] = num_hidden_layers;
    j["num_attention_heads"] = num_attention_heads;
    j["num_key_value_heads"] = num_key_value_heads;
    j["head_dim"] = head_dim;
    j["vocab_size"] = vocab_size;
    j["max_position_embeddings"] = max_position_embeddings;
    j["hidden_act"] = "silu";
    j["rms_norm_eps"] = short_double(rms_norm_eps);
    j["rope_theta"] = short_double(rope_theta);
    if (rope_scaling.rope_type == "llama3")
        j["rope_scaling"] = {{"rope_type", "llama3"},
                             {"factor", short_double(rope_scaling.factor)},
                             {"low_freq_factor", short_double(rope_scaling.low_freq_factor)},
                             {"high_freq_factor", short_double(rope_scaling.high_freq_factor)},
                             {"original_max_position_embeddings", rope_scaling.original_max_position_embeddings}};
    else
        j["rope_scaling"] = nullptr;
    j["tie_word_embeddings"] = tie_word_embeddings;
    if (model_type != "qwen2") j["attention_bias"] = attention_bias;
    if (model_type == "llama") j["mlp_bias"] = mlp_bias;
    if (model_type != "llama") j["use_sliding_window"] = false;
    j["attention_dropout"] = 0.0;
    j["initializer_range"] = 0.02;
    j["use_cache"] = true;
    j["bos_token_id"] = bos_token_id >= 0 ? nlohmann::ordered_json(bos_token_id) : nlohmann::ordered_json(nullptr);
    if (eos_token_ids.empty())
        j["eos_token_id"] = nullptr;
    else if (eos_token_ids.size() == 1)
        j["eos_token_id"] = eos_token_ids[0];
    else
        j["eos_token_id"] = eos_token_ids;
    if (pad_token_id >= 0) j["pad_token_id"] = pad_token_id;
    if (!torch_dtype.empty()) j["torch_dtype"] = torch_dtype;
    return j.dump(2) + "\n";
}

}  // namespace rf
