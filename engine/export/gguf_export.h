// A Model as a GGUF file for llama.cpp, Ollama and LM Studio (architectures llama, qwen2, qwen3).
//
// Metadata (general.*, {arch}.*) and tensor names are those llama.cpp's convert_hf_to_gguf.py writes:
//   model.embed_tokens.weight -> token_embd.weight        model.norm.weight -> output_norm.weight
//   lm_head.weight -> output.weight (absent when tied)    layers.N.input_layernorm -> blk.N.attn_norm
//   self_attn.{q,k,v,o}_proj -> attn_{q,k,v,output}       self_attn.{q,k}_norm -> attn_{q,k}_norm
//   post_attention_layernorm -> ffn_norm                   mlp.{gate,up,down}_proj -> ffn_{gate,up,down}
//   llama3 rope scaling -> rope_freqs.weight (one factor per frequency)
// 1-D tensors stay F32; matrices are F32, F16 or Q8_0 (a matrix whose rows are not a multiple of 32
// falls back to F16, as the converter does).
// reference: ggml-org/llama.cpp convert_hf_to_gguf.py (LlamaModel, Qwen2Model, Qwen3Model),
//            gguf-py/gguf/constants.py, tensor_mapping.py; ../shared/reference/engine-formats-and-limits.md §2.3
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "export/gguf_writer.h"
#include "model/model.h"

namespace rf {

enum class GgufQuant { f32, f16, q8_0 };
const char* to_string(GgufQuant q);                                         // "f32" | "f16" | "q8_0"
GgufQuant gguf_quant_from_string(const std::string& s, const std::string& where);  // InputError when unknown

// llama.cpp runs the llama architecture with RoPE on consecutive pairs (LLAMA_ROPE_TYPE_NORM), HF on
// the two halves of each head (rotate_half, NEOX). The converter therefore permutes the rows of
// q_proj (n_head heads) and k_proj (n_kv_head heads) within each head of size hd:
//   w.reshape(n_head, 2, hd/2, in).swapaxes(1, 2).reshape(out, in)
// i.e. output row h*hd + 2j + i takes input row h*hd + i*hd/2 + j  (i in {0,1}, j < hd/2).
// qwen2/qwen3 run NEOX rope: no permutation.  reference: convert_hf_to_gguf.py LlamaModel.permute
std::vector<int32_t> llama_qk_row_perm(int n_head, int head_dim);

// llama3 rope scaling as llama.cpp's per-frequency divisors: factor_i = inv_freq_base_i / inv_freq_i,
// with inv_freq_base_i = theta^(-2i/hd) and inv_freq the model's (scaled) frequencies.
std::vector<float> llama3_rope_factors(const Model& m);

// The writer with every key and tensor (tensor data points into `m`, which must outlive it).
// `tokenizer_dir` empty: no tokenizer.* keys (llama.cpp cannot run such a file; tests only).
GgufWriter build_gguf(Model& m, const std::string& tokenizer_dir, GgufQuant quant, const std::string& name,
                      std::vector<std::string>* notes);

struct GgufExportResult {
    std::string path;
    uint64_t bytes = 0;
    size_t tensors = 0;
    std::vector<std::string> notes;  // fallbacks and warnings worth printing
};
// build_gguf + write (atomically; the folder of out_path is created when absent).
GgufExportResult export_gguf(Model& m, const std::string& tokenizer_dir, GgufQuant quant, const std::string& name,
                             const std::string& out_path);

// Where an LM Studio export goes: <models>/reinforge/<name>/<name>-<QUANT>.gguf, with <models> the first
// existing of lmstudio_model_dirs() (~/.lmstudio/models first). InputError naming the folders looked in
// when none exists, or when `name` is not a plain folder name.
std::string lm_studio_gguf_path(const std::string& name, GgufQuant quant);

}  // namespace rf
