// Reading and writing quantized linears in MLX's checkpoint layout (mlx-community models):
//   P.weight  U32 [out, in * bits / 32]
//   P.scales  [out, in / group_size]: the model dtype (F32/F16/BF16) for affine, U8 (E8M0) for mxfp4
//   P.biases  same shape and dtype as P.scales; affine only
// A module P is quantized iff P.scales is present (mlx-lm's loading predicate); its spec is the
// config.json `quantization` entry for P, else the defaults (quant/quant_config.h).
#pragma once
#include <string>
#include <vector>

#include "io/safetensors.h"
#include "quant/quant_config.h"
#include "quant/quant_matrix.h"

namespace rf {

// From the three tensors (biases nullptr for mxfp4). Validates dtypes and shapes against the spec
// and refuses E8M0 byte 255 (NaN); errors name `file` and the tensor.
QuantizedMatrix quantized_from_tensors(const TensorInfo& weight, const TensorInfo& scales, const TensorInfo* biases,
                                       const QuantSpec& spec, const std::string& file);

// True when `<module>.scales` exists in the store.
bool is_quantized_module(const WeightStore& ws, const std::string& module);
// Loads `<module>.weight/.scales/.biases`. Throws InputError when the config has no spec for it.
QuantizedMatrix load_quantized(const WeightStore& ws, const QuantizationConfig& qc, const std::string& module);

// Reads tensor `name` as float32 whatever its storage: a quantized module's "<module>.weight" is
// dequantized (its logical shape [out, in] is checked against expected_shape), anything else goes to
// WeightStore::read_f32. Lets a float model loader open MLX-quantized checkpoints.
void read_f32_dequantized(const WeightStore& ws, const QuantizationConfig& qc, const std::string& name, float* dst,
                          const std::vector<int64_t>& expected_shape);

// The tensors that write `q` as module `module` (scales/biases in `scale_dtype`: F32, F16 or BF16;
// mxfp4 always U8). They point into `q`, which must outlive the write_safetensors call.
std::vector<TensorToWrite> mlx_tensors(const QuantizedMatrix& q, const std::string& module, DType scale_dtype);

}  // namespace rf
