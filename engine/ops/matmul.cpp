#include "ops/matmul.h"

#include "ops/gemm.h"

namespace rf {

// y = x W^T + b
// gradient: dx += dy W;  dW += dy^T x;  db += sum_m dy
// reference: https://pytorch.org/docs/stable/generated/torch.nn.Linear.html
template <class S>
void matmul_forward(S* out, const S* inp, const S* weight, const S* bias, int M, int N, int K) {
    gemm<S>(false, true, M, N, K, S(1), inp, K, weight, K, S(0), out, N);
    if (!bias) return;
    for (int m = 0; m < M; ++m) {
        S* o = out + (long)m * N;
        for (int n = 0; n < N; ++n) o[n] += bias[n];
    }
}

template <class S>
void matmul_backward(S* dinp, S* dweight, S* dbias, const S* dout, const S* inp, const S* weight, int M, int N, int K) {
    if (dinp) gemm<S>(false, false, M, K, N, S(1), dout, N, weight, K, S(1), dinp, K);
    if (dweight) gemm<S>(true, false, N, K, M, S(1), dout, N, inp, K, S(1), dweight, K);
    if (dbias)
        for (int m = 0; m < M; ++m) {
            const S* g = dout + (long)m * N;
            for (int n = 0; n < N; ++n) dbias[n] += g[n];
        }
}

template void matmul_forward<float>(float*, const float*, const float*, const float*, int, int, int);
template void matmul_forward<double>(double*, const double*, const double*, const double*, int, int, int);
template void matmul_backward<float>(float*, float*, float*, const float*, const float*, const float*, int, int, int);
template void matmul_backward<double>(double*, double*, double*, const double*, const double*, const double*, int, int,
                                      int);

}  // namespace rf
