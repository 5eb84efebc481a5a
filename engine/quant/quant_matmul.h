// Matmuls on quantized weights, computed from the packed words (never a float copy of W):
//   forward   y (M,N)  = x (M,K) . W^T        (y overwritten, or added to when accumulate)
//   backward  dx (M,K) += dy (M,N) . W        (the input gradient through a frozen W; W gets none)
// Small M (decode: M <= 16, in passes of 8 rows of x): each row of W is unpacked once, in registers
// (AVX-512; quant_gemv.cpp), and dotted with every row of x, the scale applied once per group and
// the bias through precomputed group sums of x; rows of W split over the WorkerPool. Large M (prefill, training): a
// tile of W rows is dequantized into a scratch buffer (O(N K) work against O(M N K)) and multiplied
// by OpenBLAS sgemm, tile after tile, so the float copy never exceeds one tile.
#pragma once

#include "quant/quant_matrix.h"

namespace rf {

class WorkerPool;

// Dequantized row r, columns [k0, k1) (multiples of 32), into out (the fast decoders).
void dequantize_row_range(const QuantizedMatrix& q, int r, int k0, int k1, float* out);

// pool == nullptr runs on the calling thread.
void quant_matmul(float* y, const float* x, const QuantizedMatrix& W, int M, bool accumulate, WorkerPool* pool = nullptr);
void quant_matmul_dx(float* dx, const float* dy, const QuantizedMatrix& W, int M, WorkerPool* pool = nullptr);

// Naive twins: dequantize W (scalar code), then plain loops with double sums.
void quant_matmul_naive(float* y, const float* x, const QuantizedMatrix& W, int M, bool accumulate);
void quant_matmul_dx_naive(float* dx, const float* dy, const QuantizedMatrix& W, int M);

}  // namespace rf
