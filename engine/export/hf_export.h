// A standard Hugging Face model folder from a Model's base weights:
//   config.json        the source's config.json with torch_dtype set to the written dtype (and any
//                      quantization block dropped), or ModelConfig::to_json_text() when there is none
//   model.safetensors  every base tensor under its HF name (base_layout order), F32 / BF16 / F16,
//                      header metadata {"format": "pt"}
//   tokenizer files    copied from the source when present (kTokenizerFiles)
// Every file is written atomically; nothing else in the folder is touched.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/safetensors.h"
#include "model/model.h"

namespace rf {

// The files copied next to the weights when the source folder has them.
extern const std::vector<std::string> kTokenizerFiles;

// Writes the folder (created when absent). `source_dir` is where config.json and the tokenizer come
// from (may be empty: then config.json is generated and no tokenizer is copied). Refuses to write
// into `source_dir` itself (that would overwrite the base model). Returns the files written.
std::vector<std::string> save_hf_folder(Model& m, const std::string& source_dir, const std::string& out_dir, DType dtype);

// Copies the tokenizer files of `src` into `dst`; returns the names copied.
std::vector<std::string> copy_tokenizer_files(const std::string& src, const std::string& dst);

// "f32" | "bf16" | "f16" (also "float32", "bfloat16", "float16") -> DType; InputError naming `where`.
DType weight_dtype_from_string(const std::string& s, const std::string& where);
// The config.json spelling of a dtype: "float32", "bfloat16", "float16".
const char* torch_dtype_name(DType d);
// config.json for an output folder written from `m` with weights in `dtype`: the source folder's
// config.json (keys this engine does not model survive), else one generated from m.config().
nlohmann::ordered_json output_config_json(const Model& m, const std::string& source_dir, DType dtype);

}  // namespace rf
