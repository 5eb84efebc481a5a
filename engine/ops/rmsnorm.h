// RMSNorm as Hugging Face transformers computes it (LlamaRMSNorm / Qwen2RMSNorm / Qwen3RMSNorm):
// the mean of squares plus eps inside the rsqrt, the weight multiplied after (not Gemma's 1 + w).
// Also used per head (C = HS) for Qwen3's q_norm / k_norm.
#pragma once

namespace rf {

// inp, out (N,C); weight (C); rstd (N) is saved for the backward. out may not alias inp.
template <class S>
void rmsnorm_forward(S* out, S* rstd, const S* inp, const S* weight, long N, int C, float eps);
// dinp (N,C) += ..., dweight (C) += ... (either may be nullptr to skip it); dout (N,C).
template <class S>
void rmsnorm_backward(S* dinp, S* dweight, const S* dout, const S* inp, const S* weight, const S* rstd, long N, int C);

}  // namespace rf
