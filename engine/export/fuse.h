// Fuse: fold a run's LoRA / DoRA adapters (or its fully fine-tuned weights) into the base model, and
// the loading side shared by `reinforge-cli fuse` and `reinforge-cli export`.
//
//   LoRA:  W' = W + s (A B)^T                                  (A [in,R], B [R,out], mlx-lm layout)
//   DoRA:  W' = m / ||W + s (A B)^T||_row * (W + s (A B)^T)    (mlx-lm fuse())
//   full:  W' = the trained tensor itself
//
// A run folder (written by train/Session) holds config.yaml (`model:` = the base folder or HF id,
// optional `adapter_path:` and `lm_studio_name:`) and <run>/adapters/{adapter_config.json,
// adapters.safetensors}. Nothing in the run folder is ever deleted or overwritten by a fuse.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "io/safetensors.h"
#include "model/model.h"
#include "quant/quant_config.h"

namespace rf {

// What a path given to fuse/export names.
struct ExportSource {
    std::unique_ptr<Model> model;  // base weights with the run's adapters loaded (or a plain model)
    std::string model_dir;         // the base model folder (config.json, tokenizer files, dtype)
    std::string run_dir;           // empty for a plain model folder
    std::string adapter_dir;       // folder of adapter_config.json + adapters.safetensors (run only)
    std::string lm_studio_name;    // config.yaml's lm_studio_name (run only; may be empty)
    std::string name;              // a display name: the run or model folder's name
    // A run trained on a packed base (config.yaml `quantization` on a float checkpoint, or an
    // MLX-quantized base folder): the spec of each block projection it trained against packed (index
    // l * kNumProj + p; nullopt = float), empty for a float base. `model` then holds those
    // projections DEQUANTIZED — the weights the adapters were trained on, not the checkpoint's
    // original floats — so fusing folds the adapters into them.
    std::vector<std::optional<QuantSpec>> packed;
    bool fuse_dequantize = true;   // config.yaml's fuse_dequantize (run only)
    std::string best_note;         // AdapterChoice::best: "val_rewards 0.5 at step 40" (from best.json)
};

// Which weights of a run: `latest` = adapters.safetensors (or --checkpoint's file), `best` = the
// weights keep_best kept, best_adapters.safetensors beside it (the run's best.json says which).
enum class AdapterChoice { latest, best };
// "latest" | "best"; anything else throws InputError naming `flag`.
AdapterChoice adapter_choice_from_string(const std::string& s, const std::string& flag);

// `path` is a run folder (config.yaml and/or adapters/adapter_config.json), an adapter folder
// (adapter_config.json with a "model" key) or a model folder (config.json). The base model is found
// from adapter_config.json's "model", else config.yaml's `model:` (a folder, relative to the working
// directory or the run folder, or an HF id in the local cache). Throws InputError naming what is
// missing. `checkpoint` (optional): an adapter file to load instead of adapters.safetensors, e.g.
// 0000100_adapters.safetensors (a name inside the adapter folder, or a path). `adapters` best: the
// run's best_adapters.safetensors; InputError when the run has no best.json (or that file), or
// together with `checkpoint`.
ExportSource open_export_source(const std::string& path, const std::string& checkpoint = {},
                                AdapterChoice adapters = AdapterChoice::latest);

// Folds every adapter into the base weights of `m`, in place, one matrix at a time (no second copy
// of the model). Afterwards the adapters are rebuilt as identities (LoRA B = 0, DoRA m = ||W'||_row),
// so a forward with or without adapters gives the fused model. Full fine-tuning and no fine-tuning:
// nothing to do.
void fuse_adapters(Model& m);

// The dtype of the base's weight files (BF16, F16 or F32; F32 when the folder holds none of them).
DType base_weight_dtype(const std::string& model_dir);

// An MLX-format quantized folder (what mlx-lm's fuse writes without --dequantize): every projection
// with a spec in `packed` re-quantized from m's (fused) float weights with that spec, scales and
// biases in `dtype` (quant/mlx_weights.h layout), every other tensor as float `dtype`; config.json
// the source's with a `quantization` (= `quantization_config`) block {group_size, bits, mode} plus
// per-module entries where a projection's spec differs; tokenizer files copied. Returns the files.
std::vector<std::string> save_mlx_quantized_folder(Model& m, const std::vector<std::optional<QuantSpec>>& packed,
                                                   const std::string& source_dir, const std::string& out_dir, DType dtype);

struct FuseOptions {
    std::string out_dir;           // empty: <run>/fused (<run>/fused-best with AdapterChoice::best)
    DType dtype = DType::F32;
    bool dtype_from_base = true;   // true: the base's dtype (base_weight_dtype), ignoring `dtype`
    std::string checkpoint;        // see open_export_source
    AdapterChoice adapters = AdapterChoice::latest;  // see open_export_source
    // For a run on a packed base: true writes the fused weights dequantized (an HF float folder),
    // false re-quantizes them (save_mlx_quantized_folder). Unset: the run's fuse_dequantize.
    std::optional<bool> dequantize;
};
// open_export_source + fuse_adapters + save_hf_folder (or, for a packed base with dequantize false,
// save_mlx_quantized_folder). Returns the folder written.
std::string fuse_run(const std::string& run_dir, const FuseOptions& opt);

}  // namespace rf
