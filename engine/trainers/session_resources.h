// What a Session opens before its first step: the policy (and a reference when one is needed), the
// optimizer and schedule, the reward functions and the judge; plus the adapter files of a run.
#pragma once
#include <string>

#include "trainers/session_impl.h"

namespace rf {

void open_model(Session::Impl& s);
void open_optimizer(Session::Impl& s);
void open_judge(Session::Impl& s);
// The local-model backend of the LLM judge (local_judge.cpp).
class ChatBackend;
std::unique_ptr<ChatBackend> make_local_judge_backend(Session::Impl& s, const std::string& judge);

// adapters.safetensors: the trainable tensors under trainable_layout() names (mlx-lm keys for
// LoRA/DoRA, HF names for full fine-tuning), float32, written atomically.
void save_adapter_weights(const Model& model, const std::string& path);
// Loads every trainable tensor from `path` (names and shapes must match the run's adapters).
void load_adapters(Model& model, const std::string& path);
// adapter_config.json as mlx-lm writes it, plus "fine_tune_type" (so mlx_lm.generate --adapter-path
// loads it) and what Reinforge needs to rebuild the adapters (keys, base model).
void write_adapter_config(const Model& model, const RunConfig& cfg, const std::string& path);

// Peak resident memory of this process (VmHWM) in GB.
double peak_memory_gb();

}  // namespace rf
