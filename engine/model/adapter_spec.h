// What to fine-tune: the setting `train_type` and the adapter shape (lora_parameters, num_layers).
// The run config (config/run_config.h) reads these very types from YAML.
#pragma once
#include <string>
#include <vector>

#include "core/enum_names.h"

namespace rf {

enum class FineTuneType { lora, dora, full };  // YAML train_type, adapter_config.json fine_tune_type
inline constexpr EnumName<FineTuneType> kFineTuneTypeNames[] = {
    {FineTuneType::lora, "lora"}, {FineTuneType::dora, "dora"}, {FineTuneType::full, "full"}};
constexpr std::span<const EnumName<FineTuneType>> enum_names(FineTuneType) { return kFineTuneTypeNames; }
const char* to_string(FineTuneType);
// "lora" | "dora" | "full"; anything else is an InputError naming `where`.
FineTuneType fine_tune_type_from_string(const std::string& s, const std::string& where = {});

// What to train (YAML: train_type, lora_parameters {rank, scale, dropout, keys}, num_layers).
struct AdapterSpec {
    FineTuneType type = FineTuneType::lora;
    int rank = 8;
    float scale = 20.0f;  // mlx-lm: y = W x + scale * (dropout(x) A) B, no division by rank
    float dropout = 0.0f;
    int num_layers = -1;            // the last N blocks; -1 = all (N > L also means all, as in mlx-lm)
    std::vector<std::string> keys;  // module names ("self_attn.q_proj", "mlp.down_proj"); empty = all seven
};

}  // namespace rf
