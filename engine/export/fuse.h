// Fuse: fold a run's LoRA / DoRA adapters (or its fully fine-tuned weights) into the base model, and
// the loading side shared by `reinforge-cli fuse` and `reinforge-cli export`.
//
//   LoRA:  W' = W + s (A B)^T                                  (A [in,R], B [R,out], mlx-lm layout)
//   DoRA:  W' = m / ||W + s (A B)^T||_row * (W + s (A B)^T)    (mlx-lm fuse())
//   full:  W' = the trained tensor itself
//
// A run folder (written by trainers/Session) holds config.yaml (`model:` = the base folder or HF id,
// optional `adapter_path:` and `lm_studio_name:`) and <run>/adapters/{adapter_config.json,
// adapters.safetensors}. Nothing in the run folder is ever deleted or overwritten by a fuse.
#pragma once
#include <memory>
#include <string>

#include "io/safetensors.h"
#include "model/model.h"

namespace rf {

// What a path given to fuse/export names.
struct ExportSource {
    std::unique_ptr<Model> model;  // base weights with the run's adapters loaded (or a plain model)
    std::string model_dir;         // the base model folder (config.json, tokenizer files, dtype)
    std::string run_dir;           // empty for a plain model folder
    std::string adapter_dir;       // folder of adapter_config.json + adapters.safetensors (run only)
    std::string lm_studio_name;    // config.yaml's lm_studio_name (run only; may be empty)
    std::string name;              // a display name: the run or model folder's name
};

// `path` is a run folder (config.yaml and/or adapters/adapter_config.json), an adapter folder
// (adapter_config.json with a "model" key) or a model folder (config.json). The base model is found
// from adapter_config.json's "model", else config.yaml's `model:` (a folder, relative to the working
// directory or the run folder, or an HF id in the local cache). Throws InputError naming what is
// missing. `checkpoint` (optional): an adapter file to load instead of adapters.safetensors, e.g.
// 0000100_adapters.safetensors (a name inside the adapter folder, or a path).
ExportSource open_export_source(const std::string& path, const std::string& checkpoint = {});

// Folds every adapter into the base weights of `m`, in place, one matrix at a time (no second copy
// of the model). Afterwards the adapters are rebuilt as identities (LoRA B = 0, DoRA m = ||W'||_row),
// so a forward with or without adapters gives the fused model. Full fine-tuning and no fine-tuning:
// nothing to do.
void fuse_adapters(Model& m);

// The dtype of the base's weight files (BF16, F16 or F32; F32 when the folder holds none of them).
DType base_weight_dtype(const std::string& model_dir);

struct FuseOptions {
    std::string out_dir;           // empty: <run>/fused
    DType dtype = DType::F32;
    bool dtype_from_base = true;   // true: the base's dtype (base_weight_dtype), ignoring `dtype`
    std::string checkpoint;        // see open_export_source
};
// open_export_source + fuse_adapters + save_hf_folder. Returns the folder written.
std::string fuse_run(const std::string& run_dir, const FuseOptions& opt);

}  // namespace rf
