// A linear layer (optionally with a LoRA / DoRA adapter) whose frozen base weight W (out,in) is held
// packed (rf::QuantizedMatrix, QLoRA style). Same math as ops/lora.h, with every product against W
// computed on the packed words (quant/quant_matmul.h) and W receiving no gradient:
//   forward  z = x W^T + s (dropout(x) A) B;   LoRA: y = z + b;   DoRA: y = (m/n) z + b  (n detached)
//   backward dx += dz W (quant_matmul_dx) + (du A^T) * keep;  dA, dB, dm as in ops/lora.cpp
// Without an adapter (A == nullptr): y = x W^T + b and dx += dy W.
// The products against W run on bf16 tiles of W when W.bf16_products is set (compute_dtype bfloat16
// on a packed base) and M > 16; see packed_matmul in quant_linear.cpp.
#pragma once
#include <vector>

#include "quant/quant_matrix.h"

namespace rf {

class WorkerPool;

// x, xd (M,in); W packed (out,in); bias (out) or nullptr; A (in,R), B (R,out) or nullptr (no adapter);
// m, n (out) for DoRA (else nullptr). Out: y (M,out); u (M,R) = xd A and, for DoRA, z (M,out).
void qlora_forward(float* y, float* u, float* z, const float* x, const float* xd, const QuantizedMatrix& W,
                   const float* bias, const float* A, const float* B, const float* m, const float* n, float scale,
                   int M, int R, WorkerPool* pool);

// Accumulates dx (M,in), dA (in,R), dB (R,out), dm (out); each may be nullptr to skip it.
// keep (M,in): the dropout scale per element or nullptr. work: scratch, resized as needed.
void qlora_backward(float* dx, float* dA, float* dB, float* dm, const float* dy, const float* xd, const float* keep,
                    const QuantizedMatrix& W, const float* A, const float* B, const float* m, const float* n,
                    const float* u, const float* z, float scale, int M, int R, std::vector<float>& work,
                    WorkerPool* pool);

// DoRA's detached row norms n_j = ||W_j + s (A B)^T_j|| with W packed (see ops/lora.h dora_row_norms;
// W A is computed as (A^T W^T)^T by one quantized matmul). w_sq (out): ||W_j||^2 of the dequantized rows.
void qdora_row_norms(float* n, const QuantizedMatrix& W, const double* w_sq, const float* A, const float* B,
                     float scale, int R, std::vector<float>& work, WorkerPool* pool);

// ||W_j||^2 of each dequantized row, in double (DoRA's w_sq and its m initialisation).
std::vector<double> quant_row_sq_norms(const QuantizedMatrix& W);

}  // namespace rf
