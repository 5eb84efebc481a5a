// Internal to engine/quant: the small-M kernels behind quant_matmul (quant_gemv.cpp).
#pragma once
#include <vector>

#include "quant/quant_matrix.h"

namespace rf {

constexpr int kGemvMaxRows = 8;  // rows of x per pass over W

// What every row of W is dotted with, prepared once per pass: the MB rows of x, each group's sum
// of x (the affine bias term b * sum(x) is added per group), and for 4-bit codes x reordered per
// 32-column chunk as [the 16 even columns, the 16 odd columns] (the order the nibbles unpack in).
struct GemvInput {
    const float* x = nullptr;   // (MB, K)
    int MB = 0, K = 0;
    std::vector<float> xsum;    // (MB, K / group_size)
    std::vector<float> xperm;   // (MB, K), 4-bit only
};
GemvInput prepare_gemv(const float* x, int MB, const QuantizedMatrix& W);

// y[m, n] (= or +=) W[n, :] . x[m, :] for rows n in [n0, n1), m < MB (y has row stride W.rows).
void quant_gemv_rows(float* y, const GemvInput& in, const QuantizedMatrix& W, bool accumulate, long n0, long n1);

// Element-by-element decoder (any platform; also the reference for the fast ones).
void decode_generic(const QuantizedMatrix& q, int r, int k0, int k1, float* out);

}  // namespace rf
