// A weight matrix W [rows = N (out), cols = K (in)] stored quantized in MLX's packed layout, and
// quantize / dequantize in MLX's exact arithmetic (reference: ml-explore/mlx mlx/ops.cpp
// affine_quantize, fp_quantize; mlx/backend/cpu/quantized.cpp; shared/reference/
// mlx-lora-studio-and-mlx-lm-lora.md §6).
//
// Packing: each row's codes form one little-endian bit stream, element 0 in the least significant
// bits, cut into uint32 words: [rows, cols * bits / 32]. For 2/4/8 bits a word holds 32/bits whole
// codes; for 3/5/6 bits codes straddle bytes (6-bit: 4 codes per 3 bytes, 16 per 3 words).
//
// Affine (bits 2..8, group 32/64/128), per group g of `group_size` consecutive columns of a row:
//   w_hat = s_g * q + b_g,  q in [0, 2^bits - 1]
// quantize (MLX): s = max((max - min) / (2^bits - 1), 1e-7), negated unless |min| > |max|;
//   edge = |min| > |max| ? min : max; q0 = rint(edge / s); if q0 != 0: s = edge / q0, b = edge
//   (the larger-magnitude extreme is exact), else b = 0; q = clamp(rint((w - b) / s), 0, 2^bits - 1).
//   Scales may be negative. Error: |s| / 2 where (w - b) / s falls inside [0, 2^bits - 1]; the other
//   extreme can fall up to about one step outside (s was stretched to make the edge exact) and is
//   clamped, so the worst case is about |s|.
//
// MXFP4 (OCP microscaling, group 32, no biases): q is an E2M1 code (LUT below, bit 3 = sign), the
// scale an E8M0 byte e: w_hat = 2^(e - 127) * LUT[q].
// quantize (MLX): e = round(log2(max|w| / 6)) (0 when max|w| = 0) + 127, clamped to [0, 254];
//   q = the E2M1 code nearest to w / 2^(e-127), ties to the even code (mlx to_fp4_e2m1).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "io/safetensors.h"
#include "quant/quant_config.h"

namespace rf {

extern const float kFp4E2M1[16];  // {0, .5, 1, 1.5, 2, 3, 4, 6, -0, -.5, -1, -1.5, -2, -3, -4, -6}

struct QuantizedMatrix {
    QuantSpec spec;
    int rows = 0;                  // N
    int cols = 0;                  // K (a multiple of spec.group_size)
    std::vector<uint32_t> words;   // [rows, words_per_row()]
    std::vector<float> scales;     // [rows, groups_per_row()]: affine s_g; mxfp4 2^(e-127)
    std::vector<float> biases;     // [rows, groups_per_row()]: affine b_g; empty for mxfp4
    std::vector<uint8_t> e8m0;     // [rows, groups_per_row()]: mxfp4 scale bytes (as stored); empty for affine
    // Affine only, when every scale and bias is exactly a bfloat16 (quantized with BF16 scales, or
    // loaded from a bf16 MLX folder): their upper halves, [rows, groups_per_row()] each. The int8
    // decode kernel reads these instead of the floats (half the bytes); empty otherwise.
    std::vector<uint16_t> scales_bf16, biases_bf16;
    // Set by Model::set_bf16_compute: the training / prefill products on this matrix dequantize tiles
    // to bf16 and run on the bf16 units (model/quant_linear.cpp), as a float base's bf16 twins do.
    bool bf16_products = false;

    int words_per_row() const { return cols / 32 * spec.bits; }
    int groups_per_row() const { return cols / spec.group_size; }
    // Bytes held in memory: packed words + scales (+ biases) (+ their bf16 copies).
    size_t bytes() const {
        return words.size() * 4 + scales.size() * 4 + biases.size() * 4 + (scales_bf16.size() + biases_bf16.size()) * 2;
    }
    // Bytes one product reads: the words and the float scales (+ biases), or with `int8` (the int8
    // decode kernel) their bf16 copies when there are any.
    size_t read_bytes(bool int8) const {
        const bool b16 = int8 && !scales_bf16.empty();
        return words.size() * 4 + (scales.size() + biases.size()) * (b16 ? 2 : 4);
    }
};

// Fills scales_bf16 / biases_bf16 when q is affine and every scale and bias is exactly a bfloat16.
void attach_bf16_scales(QuantizedMatrix& q);

// Quantizes W [rows, cols] (float32, row-major). `scale_dtype` F32, BF16 or F16: the scales and
// biases are rounded to it after the codes are computed, as MLX stores them in the weight's dtype
// (quantize a BF16 model with BF16 to get MLX's bytes). Throws InputError when cols is not a
// multiple of the group size or the spec is unsupported.
QuantizedMatrix quantize(const float* W, int rows, int cols, const QuantSpec& spec, DType scale_dtype = DType::F32);

// Code of element k of row r (tests and the naive twins).
uint32_t quant_code(const QuantizedMatrix& q, int r, int k);
// W_hat rows [r0, r1) into out [(r1 - r0), cols].
void dequantize_rows(const QuantizedMatrix& q, int r0, int r1, float* out);
inline void dequantize(const QuantizedMatrix& q, float* out) { dequantize_rows(q, 0, q.rows, out); }

// The element-wise bound of |w - dequantize(quantize(w))| for element k of row r given its original
// value (affine: |s| * max(1/2, clamp distance); mxfp4: half the E2M1 gap at |w|/scale, or the clipping beyond
// 6 * scale), before any rounding of the scales. For tests.
float quant_error_bound(const QuantizedMatrix& q, int r, int k, float w);

}  // namespace rf
