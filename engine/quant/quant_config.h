// Which modules of a checkpoint are quantized, and how: the `quantization` block of an MLX
// checkpoint's config.json (duplicated as `quantization_config`), e.g.
//   "quantization": {"group_size": 64, "bits": 4, "mode": "affine",
//                    "model.layers.0.mlp.down_proj": {"group_size": 64, "bits": 8},
//                    "model.embed_tokens": false}
// Legacy HF configs with `quantization_config: {"quant_method": "mxfp4"}` mean {32, 4, mxfp4}.
// reference: ml-explore/mlx-lm mlx_lm/utils.py (load_model, quantize_model); shared/reference/
// mlx-lora-studio-and-mlx-lm-lora.md §6.
#pragma once
#include <map>
#include <optional>
#include <string>

namespace rf {

enum class QuantMode { affine, mxfp4 };
const char* to_string(QuantMode);

struct QuantSpec {
    int bits = 4;         // affine: 2, 3, 4, 5, 6, 8; mxfp4: 4
    int group_size = 64;  // affine: 32, 64, 128; mxfp4: 32
    QuantMode mode = QuantMode::affine;
    bool operator==(const QuantSpec&) const = default;
};
// Throws InputError naming `where` unless the combination is one MLX defines and we support.
void validate_quant_spec(const QuantSpec& s, const std::string& file, const std::string& where);
// "affine 4-bit, group 64" / "mxfp4 (group 32)"
std::string describe(const QuantSpec& s);

struct QuantizationConfig {
    bool present = false;  // false: the checkpoint is not quantized
    QuantSpec defaults;
    // Per-module entries keyed by module path ("model.layers.0.mlp.down_proj"); nullopt = kept in float.
    std::map<std::string, std::optional<QuantSpec>> overrides;

    // The spec of a module path: its override, else the defaults (nullopt when not quantized).
    std::optional<QuantSpec> spec_for(const std::string& module_path) const;

    // Reads the `quantization` / `quantization_config` keys of a config.json text. Absent -> present
    // false. Unsupported methods (gptq, awq, bitsandbytes, ...) or modes are InputErrors naming the key.
    static QuantizationConfig from_config_json(const std::string& text, const std::string& file);
    static QuantizationConfig from_dir(const std::string& dir);  // <dir>/config.json
};

}  // namespace rf
