// Internal to engine/quant: the int8-activation decode GEMV behind quant_matmul_int8
// (quant_gemv_int8.cpp; see quant_matmul.h for the arithmetic).
#pragma once
#include <cstdint>
#include <vector>

#include "quant/quant_matrix.h"

namespace rf {

constexpr int kInt8Block = 32;  // columns of x per int8 scale d

// The rows of x quantized once per pass: x ~ d_b * xq per block b of 32 columns,
//   d_b = max_{k in b} |x_k| / 127,  xq_k = rint(x_k / d_b) in [-127, 127]  (d_b = 0: xq = 0).
// `xq` / `d` are in natural order (the naive twin); `xk`, `dl`, `corr` in the kernel's order: per
// chunk of `chunk` columns (4-bit: 128 = [the 4 blocks' 16 even columns][their 16 odd columns], the
// order the nibbles unpack in; 8-bit: 64, natural), K padded with zeros to whole chunks; dl and corr
// hold for each of the 16 int32 lanes of vpdpbusd the d of the block the lane sums (mxfp4: d / 2,
// the LUT below is doubled) and, for mxfp4, -12 * the sum of the xq the lane meets (the LUT is offset
// by +12 to be unsigned).
struct Int8Input {
    int MB = 0, K = 0, Kp = 0, chunk = 0, G = 0;
    std::vector<int8_t> xq;     // (MB, K)
    std::vector<float> d;       // (MB, K / 32)
    std::vector<int8_t> xk;     // (MB, Kp)
    std::vector<float> dl;      // (MB, Kp / chunk, 16)
    std::vector<int32_t> corr;  // (MB, Kp / chunk, 16), mxfp4 only
    std::vector<float> xsum;    // (MB, G): group sums of the quantized x, sum_b d_b sum xq (affine bias term)
};

// Affine 4/8-bit and mxfp4 (the formats the int8 kernel takes).
bool int8_format(const QuantizedMatrix& W);
Int8Input prepare_int8(const float* x, int MB, const QuantizedMatrix& W);
// y[m, n] (= or +=) for rows n in [n0, n1), m < MB (y has row stride W.rows). Needs int8_cpu().
void quant_gemv_int8_rows(float* y, const Int8Input& in, const QuantizedMatrix& W, bool accumulate, long n0, long n1);
// AVX-512 F/BW/VL + VNNI on this CPU (checked at run time; the kernel is compiled for it either way).
bool int8_cpu();

}  // namespace rf
