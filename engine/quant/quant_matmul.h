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

// Decode only, approximate (DecodeOptions::int8_activations): for M <= 16 and affine 4/8-bit or
// mxfp4 W on a CPU with AVX-512 VNNI, x is quantized to int8 per 32 columns (x ~ d xq, d = max|x| /
// 127) and the codes are dotted with xq in int8 (quant_gemv_int8.cpp); the error is x's rounding,
// |x - d xq| <= d / 2 per element (measured in tests/engine/test_quant.cpp). Anything else (other
// widths, larger M, no VNNI) runs quant_matmul, exactly.
void quant_matmul_int8(float* y, const float* x, const QuantizedMatrix& W, int M, bool accumulate, WorkerPool* pool = nullptr);
// Products of one x with n matrices of the same K (decode: q/k/v, gate/up): ys[j] (M, Ws[j]->rows) =
// x . Ws[j]^T, for M <= 16 in a single pass over the worker pool (one synchronisation instead of n);
// int8: quant_matmul_int8's arithmetic, else quant_matmul's. Larger M: one call each.
void quant_matmul_same_x(float* const* ys, const QuantizedMatrix* const* Ws, int n, const float* x, int M, bool int8,
                         WorkerPool* pool = nullptr);
// Whether quant_matmul_int8 takes the int8 kernel for W at small M on this CPU.
bool quant_int8_active(const QuantizedMatrix& W);

// Naive twins: dequantize W (scalar code), then plain loops with double sums.
void quant_matmul_naive(float* y, const float* x, const QuantizedMatrix& W, int M, bool accumulate);
void quant_matmul_dx_naive(float* dx, const float* dy, const QuantizedMatrix& W, int M);
// quant_matmul_int8's arithmetic in scalar code (x quantized the same way, double sums), any CPU.
void quant_matmul_int8_naive(float* y, const float* x, const QuantizedMatrix& W, int M, bool accumulate);

}  // namespace rf
