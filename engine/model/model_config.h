// The architecture of a decoder-only LM, read from a Hugging Face `config.json`
// (model_type llama | qwen2 | qwen3). See ../shared/reference/engine-formats-and-limits.md §1.
#pragma once
#include <string>
#include <vector>

#include "ops/rope.h"

namespace rf {

struct ModelConfig {
    std::string model_type = "llama";  // llama | qwen2 | qwen3
    int hidden_size = 0;               // C
    int intermediate_size = 0;         // I
    int num_hidden_layers = 0;         // L
    int num_attention_heads = 0;       // NH
    int num_key_value_heads = 0;       // KVH
    int head_dim = 0;                  // HS (config value, else hidden_size / num_attention_heads)
    int vocab_size = 0;                // V
    int max_position_embeddings = 2048;
    float rms_norm_eps = 1e-6f;
    float rope_theta = 10000.0f;
    RopeScaling rope_scaling;
    bool tie_word_embeddings = false;
    bool attention_bias = false;  // q/k/v bias (always true for qwen2)
    bool mlp_bias = false;
    bool qk_norm = false;         // qwen3: per-head RMSNorm of q and k before RoPE
    int bos_token_id = -1;
    std::vector<int> eos_token_ids;
    int pad_token_id = -1;
    std::string torch_dtype;      // as written in the file ("bfloat16", "float32", ...)

    // Reads `<dir>/config.json` (and `generation_config.json` for extra eos ids when present).
    // Throws InputError naming the file and key; an unsupported model_type lists the supported ones.
    static ModelConfig from_dir(const std::string& dir);
    static ModelConfig from_json_text(const std::string& text, const std::string& file_for_errors);
    // The config.json text HF transformers would load for this config (used by fuse/export and tests).
    std::string to_json_text() const;
};

}  // namespace rf
