// ModelConfig from config.json: published configs of each family (values expected from the table in
// shared/reference/engine-formats-and-limits.md §1.1), the variants transformers accepts (null kv
// heads, eos lists, rope_parameters, `type` vs `rope_type`), the refusals, and the to_json round trip.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "model/model_config.h"

namespace fs = std::filesystem;

namespace {

std::string configs_dir(const std::string& name) { return std::string(REINFORGE_FIXTURES) + "/io/configs/" + name; }

rf::InputError error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const rf::InputError& e) {
        return e;
    }
    ADD_FAILURE() << "expected an InputError";
    return rf::InputError("(none)");
}

// A minimal valid config with one key replaced or added (`extra` is raw JSON members).
std::string config_with(const std::string& model_type, const std::string& extra = {}) {
    return R"({"model_type": ")" + model_type + R"(", "hidden_size": 64, "intermediate_size": 128,
  "num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 100)" + (extra.empty() ? "" : ",\n  " + extra) + "}";
}

void expect_same(const rf::ModelConfig& a, const rf::ModelConfig& b) {
    EXPECT_EQ(a.model_type, b.model_type);
    EXPECT_EQ(a.hidden_size, b.hidden_size);
    EXPECT_EQ(a.intermediate_size, b.intermediate_size);
    EXPECT_EQ(a.num_hidden_layers, b.num_hidden_layers);
    EXPECT_EQ(a.num_attention_heads, b.num_attention_heads);
    EXPECT_EQ(a.num_key_value_heads, b.num_key_value_heads);
    EXPECT_EQ(a.head_dim, b.head_dim);
    EXPECT_EQ(a.vocab_size, b.vocab_size);
    EXPECT_EQ(a.max_position_embeddings, b.max_position_embeddings);
    EXPECT_EQ(a.rms_norm_eps, b.rms_norm_eps);
    EXPECT_EQ(a.rope_theta, b.rope_theta);
    EXPECT_EQ(a.rope_scaling.rope_type, b.rope_scaling.rope_type);
    EXPECT_EQ(a.rope_scaling.factor, b.rope_scaling.factor);
    EXPECT_EQ(a.rope_scaling.low_freq_factor, b.rope_scaling.low_freq_factor);
    EXPECT_EQ(a.rope_scaling.high_freq_factor, b.rope_scaling.high_freq_factor);
    EXPECT_EQ(a.rope_scaling.original_max_position_embeddings, b.rope_scaling.original_max_position_embeddings);
    EXPECT_EQ(a.tie_word_embeddings, b.tie_word_embeddings);
    EXPECT_EQ(a.attention_bias, b.attention_bias);
    EXPECT_EQ(a.mlp_bias, b.mlp_bias);
    EXPECT_EQ(a.qk_norm, b.qk_norm);
    EXPECT_EQ(a.bos_token_id, b.bos_token_id);
    EXPECT_EQ(a.eos_token_ids, b.eos_token_ids);
    EXPECT_EQ(a.pad_token_id, b.pad_token_id);
    EXPECT_EQ(a.torch_dtype, b.torch_dtype);
}

}  // namespace

struct PublishedRow {
    const char* dir;
    const char* type;
    int H, I, L, NH, KVH, HS, V;
    float theta, eps;
    bool tied, attn_bias, qk_norm;
};

TEST(ModelConfig, PublishedConfigs) {
    const PublishedRow rows[] = {
        {"qwen3-0.6b", "qwen3", 1024, 3072, 28, 16, 8, 128, 151936, 1e6f, 1e-6f, true, false, true},
        {"qwen2.5-0.5b", "qwen2", 896, 4864, 24, 14, 2, 64, 151936, 1e6f, 1e-6f, true, true, false},
        {"smollm2-135m", "llama", 576, 1536, 30, 9, 3, 64, 49152, 1e5f, 1e-5f, true, false, false},
        {"tinyllama-1.1b", "llama", 2048, 5632, 22, 32, 4, 64, 32000, 1e4f, 1e-5f, false, false, false},
        {"llama-3.2-1b", "llama", 2048, 8192, 16, 32, 8, 64, 128256, 5e5f, 1e-5f, true, false, false},
    };
    for (const PublishedRow& r : rows) {
        SCOPED_TRACE(r.dir);
        rf::ModelConfig c = rf::ModelConfig::from_dir(configs_dir(r.dir));
        EXPECT_EQ(c.model_type, r.type);
        EXPECT_EQ(c.hidden_size, r.H);
        EXPECT_EQ(c.intermediate_size, r.I);
        EXPECT_EQ(c.num_hidden_layers, r.L);
        EXPECT_EQ(c.num_attention_heads, r.NH);
        EXPECT_EQ(c.num_key_value_heads, r.KVH);
        EXPECT_EQ(c.head_dim, r.HS);
        EXPECT_EQ(c.vocab_size, r.V);
        EXPECT_EQ(c.rope_theta, r.theta);
        EXPECT_EQ(c.rms_norm_eps, r.eps);
        EXPECT_EQ(c.tie_word_embeddings, r.tied);
        EXPECT_EQ(c.attention_bias, r.attn_bias);
        EXPECT_EQ(c.qk_norm, r.qk_norm);
        EXPECT_FALSE(c.mlp_bias);
        EXPECT_EQ(c.torch_dtype, "bfloat16");
        // to_json_text is read back to the same config
        expect_same(rf::ModelConfig::from_json_text(c.to_json_text(), "roundtrip"), c);
    }
    rf::ModelConfig q3 = rf::ModelConfig::from_dir(configs_dir("qwen3-0.6b"));
    EXPECT_EQ(q3.eos_token_ids, (std::vector<int>{151645, 151643}));  // config + generation_config
    EXPECT_EQ(q3.bos_token_id, 151643);
    EXPECT_EQ(q3.rope_scaling.rope_type, "default");
    rf::ModelConfig l3 = rf::ModelConfig::from_dir(configs_dir("llama-3.2-1b"));
    EXPECT_EQ(l3.rope_scaling.rope_type, "llama3");
    EXPECT_EQ(l3.rope_scaling.factor, 32.0f);
    EXPECT_EQ(l3.rope_scaling.low_freq_factor, 1.0f);
    EXPECT_EQ(l3.rope_scaling.high_freq_factor, 4.0f);
    EXPECT_EQ(l3.rope_scaling.original_max_position_embeddings, 8192);
    EXPECT_EQ(l3.max_position_embeddings, 131072);
    EXPECT_EQ(l3.eos_token_ids, (std::vector<int>{128001}));
}

TEST(ModelConfig, VariantsTransformersAccepts) {
    using rf::ModelConfig;
    // num_key_value_heads null or absent -> heads; head_dim absent -> hidden / heads (llama, qwen2)
    EXPECT_EQ(ModelConfig::from_json_text(config_with("llama", R"("num_key_value_heads": null)"), "c").num_key_value_heads, 4);
    EXPECT_EQ(ModelConfig::from_json_text(config_with("qwen2"), "c").num_key_value_heads, 4);
    EXPECT_EQ(ModelConfig::from_json_text(config_with("qwen2"), "c").head_dim, 16);
    // Qwen3Config's head_dim default is 128 (not hidden / heads)
    EXPECT_EQ(ModelConfig::from_json_text(config_with("qwen3"), "c").head_dim, 128);
    EXPECT_EQ(ModelConfig::from_json_text(config_with("qwen3", R"("head_dim": 32)"), "c").head_dim, 32);
    // qwen2 always has q/k/v bias, whatever the file says
    EXPECT_TRUE(ModelConfig::from_json_text(config_with("qwen2", R"("attention_bias": false)"), "c").attention_bias);
    EXPECT_TRUE(ModelConfig::from_json_text(config_with("llama", R"("attention_bias": true, "mlp_bias": true)"), "c").mlp_bias);
    // eos as a list; pad -1 means none
    auto c = ModelConfig::from_json_text(config_with("llama", R"("eos_token_id": [7, 9], "pad_token_id": -1, "bos_token_id": null)"), "c");
    EXPECT_EQ(c.eos_token_ids, (std::vector<int>{7, 9}));
    EXPECT_EQ(c.pad_token_id, -1);
    EXPECT_EQ(c.bos_token_id, -1);
    // transformers v5: rope_parameters and `dtype`
    c = ModelConfig::from_json_text(config_with("qwen3", R"("rope_parameters": {"rope_type": "default", "rope_theta": 1000000.0}, "dtype": "bfloat16")"), "c");
    EXPECT_EQ(c.rope_theta, 1e6f);
    EXPECT_EQ(c.torch_dtype, "bfloat16");
    c = ModelConfig::from_json_text(config_with("llama", R"("rope_parameters": {"rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192})"), "c");
    EXPECT_EQ(c.rope_scaling.rope_type, "llama3");
    EXPECT_EQ(c.rope_scaling.factor, 8.0f);
    EXPECT_EQ(c.rope_theta, 5e5f);
    // older `type` spelling
    c = ModelConfig::from_json_text(config_with("llama", R"("rope_scaling": {"type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192})"), "c");
    EXPECT_EQ(c.rope_scaling.rope_type, "llama3");
    // defaults of LlamaConfig when keys are absent
    c = ModelConfig::from_json_text(config_with("llama"), "c");
    EXPECT_EQ(c.rope_theta, 10000.0f);
    EXPECT_EQ(c.rms_norm_eps, 1e-6f);
    EXPECT_FALSE(c.tie_word_embeddings);
    EXPECT_TRUE(c.eos_token_ids.empty());
    // sliding window fields present but off are fine (every Qwen2.5 config has them)
    EXPECT_NO_THROW(ModelConfig::from_json_text(config_with("qwen2", R"("use_sliding_window": false, "sliding_window": 32768, "layer_types": ["full_attention", "full_attention"])"), "c"));
}

TEST(ModelConfig, RefusalsNameFileAndKey) {
    using rf::ModelConfig;
    auto e = error_of([] { ModelConfig::from_json_text(config_with("gemma"), "m/config.json"); });
    EXPECT_EQ(e.file, "m/config.json");
    EXPECT_EQ(e.key, "model_type");
    EXPECT_EQ(e.line, 1);
    EXPECT_NE(std::string(e.what()).find("llama, qwen2, qwen3"), std::string::npos) << e.what();

    e = error_of([] { ModelConfig::from_json_text(config_with("qwen2", R"("use_sliding_window": true)"), "x.json"); });
    EXPECT_EQ(e.key, "use_sliding_window");
    EXPECT_EQ(e.line, 3);
    e = error_of([] { ModelConfig::from_json_text(config_with("qwen3", R"("layer_types": ["full_attention", "sliding_attention"])"), "x.json"); });
    EXPECT_EQ(e.key, "layer_types");
    e = error_of([] { ModelConfig::from_json_text(config_with("llama", R"("rope_scaling": {"rope_type": "yarn", "factor": 4.0})"), "x.json"); });
    EXPECT_EQ(e.key, "rope_scaling");
    EXPECT_NE(std::string(e.what()).find("default, llama3"), std::string::npos) << e.what();
    e = error_of([] { ModelConfig::from_json_text(config_with("llama", R"("rope_scaling": {"rope_type": "llama3", "factor": 8.0})"), "x.json"); });
    EXPECT_EQ(e.key, "rope_scaling.low_freq_factor");
    e = error_of([] { ModelConfig::from_json_text(config_with("llama", R"("num_key_value_heads": 3)"), "x.json"); });
    EXPECT_EQ(e.key, "num_key_value_heads");
    e = error_of([] { ModelConfig::from_json_text(R"({"model_type": "llama", "hidden_size": 64})", "x.json"); });
    EXPECT_EQ(e.key, "intermediate_size");
    e = error_of([] { ModelConfig::from_json_text(config_with("llama", R"("head_dim": "64")"), "x.json"); });
    EXPECT_EQ(e.key, "head_dim");
    e = error_of([] { ModelConfig::from_json_text(config_with("llama", R"("hidden_act": "gelu")"), "x.json"); });
    EXPECT_EQ(e.key, "hidden_act");
    e = error_of([] { ModelConfig::from_json_text(config_with("llama", R"("eos_token_id": [1, "x"])"), "x.json"); });
    EXPECT_EQ(e.key, "eos_token_id");
    e = error_of([] { ModelConfig::from_json_text("{\n  \"model_type\": \"llama\",\n  oops\n}", "bad.json"); });
    EXPECT_EQ(e.file, "bad.json");
    EXPECT_EQ(e.line, 3);
    e = error_of([] { ModelConfig::from_json_text(config_with("llama", R"("rope_theta": 9e728)"), "big.json"); });  // fuzzer finding
    EXPECT_EQ(e.file, "big.json");
    e = error_of([] { ModelConfig::from_json_text("[1]", "arr.json"); });
    EXPECT_EQ(e.file, "arr.json");

    fs::path d = fs::temp_directory_path() / ("rf_test_modelcfg_" + std::to_string(::getpid()));
    fs::create_directories(d);
    e = error_of([&] { ModelConfig::from_dir(d.string()); });
    EXPECT_NE(e.file.find("config.json"), std::string::npos);
    rf::write_file_atomic((d / "config.json").string(), config_with("llama"));
    rf::write_file_atomic((d / "generation_config.json").string(), R"({"eos_token_id": "two"})");
    e = error_of([&] { ModelConfig::from_dir(d.string()); });
    EXPECT_NE(e.file.find("generation_config.json"), std::string::npos);
    EXPECT_EQ(e.key, "eos_token_id");
    fs::remove_all(d);
}
