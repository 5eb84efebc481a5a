// LoRA and DoRA linear layers as mlx-lm computes them (mlx_lm/tuner/lora.py, dora.py):
//   LoRA: y = x W^T + b + s * (dropout(x) A) B          A (in,R), B (R,out), no division by rank
//   DoRA: y = (m / n) * (x W^T + s * (dropout(x) A) B) + b,  n = ||W + s (A B)^T||_row, detached
// The dropout is applied by the caller: it passes xd = x * keep (keep = mask / (1 - p), or xd = x
// and keep = nullptr without dropout).
#pragma once
#include <vector>

namespace rf {

// x, xd (M,in); W (out,in); bias (out) or nullptr; A (in,R); B (R,out).
// DoRA when m (out) is given, with n (out) from dora_row_norms (held fixed: the norm is detached).
// Out: y (M,out); u (M,R) = xd A (saved); z (M,out) = x W^T + s u B (saved, DoRA only; nullptr for LoRA).
template <class S>
void lora_forward(S* y, S* u, S* z, const S* x, const S* xd, const S* W, const S* bias, const S* A, const S* B,
                  const S* m, const S* n, S scale, int M, int in, int out, int R);
// Accumulates (each output may be nullptr to skip it): dx (M,in), dA (in,R), dB (R,out), dm (out),
// dW (out,in) and dbias (out) (full fine-tuning of the base; not used with adapters in practice).
// keep (M,in): the dropout scale per element, or nullptr. work: scratch, resized as needed.
template <class S>
void lora_backward(S* dx, S* dA, S* dB, S* dm, S* dW, S* dbias, const S* dy, const S* x, const S* xd, const S* keep,
                   const S* W, const S* A, const S* B, const S* m, const S* n, const S* u, const S* z, S scale, int M,
                   int in, int out, int R, std::vector<S>& work);

// n (out) = ||W_j + s (A B)^T_j|| for each output row j, without forming the (out,in) matrix:
//   n_j^2 = ||W_j||^2 + 2 s sum_k B_kj (W A)_jk + s^2 B_:j^T (A^T A) B_:j
// w_sq (out): ||W_j||^2 precomputed in double (nullptr: computed here).
template <class S>
void dora_row_norms(S* n, const S* W, const double* w_sq, const S* A, const S* B, S scale, int out, int in, int R,
                    std::vector<S>& work);

}  // namespace rf
