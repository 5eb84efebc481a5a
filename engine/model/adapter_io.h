// Adapter files as mlx-lm writes and reads them (see reference/mlx-lora-studio-and-mlx-lm-lora.md §5):
//   adapters.safetensors   the trainable tensors by trainable_layout() name, float32:
//                          model.layers.{i}.self_attn.q_proj.lora_a [in,R], .lora_b [R,out], DoRA .m [out];
//                          full fine-tuning: the HF tensor names
//   adapter_config.json    {"fine_tune_type", "lora_parameters": {"dropout", "keys", "rank", "scale",
//                          "use_dora"}, "num_layers"} with keys sorted and indent 4 (mlx-lm's save_config).
// "fine_tune_type" makes mlx_lm.generate --adapter-path rebuild DoRA/full correctly, and "keys" is always
// written because mlx-lm would otherwise adapt only q_proj and v_proj. Writes are atomic.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "model/model.h"

namespace rf {

// Every tensor of m.trainable_layout() into `path` (e.g. adapters.safetensors or 0000100_adapters.safetensors).
void save_adapter_weights(Model& m, const std::string& path);
// Copies the tensors of `path` into m.params(). Every layout tensor must be present with its shape and no
// other tensor may be (InputError naming the file and the tensor).
void load_adapter_weights(Model& m, const std::string& path);

// The adapter_config.json text; `extra` top-level keys (e.g. "model") are merged in.
std::string adapter_config_json(const AdapterSpec& spec, const nlohmann::json& extra = nlohmann::json::object());
// Parses adapter_config.json. Absent "fine_tune_type": "lora", or "dora" when lora_parameters.use_dora is
// true (mlx-lm-lora writes only that). Absent "keys": AdapterSpec::keys stays empty (see load_adapters).
AdapterSpec parse_adapter_config(const std::string& text, const std::string& file_for_errors);

// dir/adapters.safetensors + dir/adapter_config.json (dir is created when absent).
void save_adapters(Model& m, const std::string& dir, const nlohmann::json& extra = nlohmann::json::object());
// Reads dir/adapter_config.json, sets up the adapters (set_finetune) and loads dir/adapters.safetensors.
// A config without "keys" takes the adapted modules from the tensor names in the file.
void load_adapters(Model& m, const std::string& dir);

}  // namespace rf
