// Linear layers in the Hugging Face [out, in] weight layout (nn.Linear): the forward is an NT GEMM,
// dX an NN GEMM and dW a TN GEMM, all on OpenBLAS (see gemm.h; gemm_naive is the reference twin).
#pragma once

namespace rf {

// out (M,N) = inp (M,K) . weight (N,K)^T + bias (N)   (bias may be nullptr)
template <class S>
void matmul_forward(S* out, const S* inp, const S* weight, const S* bias, int M, int N, int K);
// dinp (M,K) += dout (M,N) . weight (N,K)        (skipped when dinp is nullptr)
// dweight (N,K) += dout^T . inp                  (skipped when dweight is nullptr)
// dbias (N) += sum over rows of dout             (skipped when dbias is nullptr)
template <class S>
void matmul_backward(S* dinp, S* dweight, S* dbias, const S* dout, const S* inp, const S* weight, int M, int N, int K);

}  // namespace rf
