#include "ops/gemm.h"

#include <cblas.h>

#include "core/error.h"

namespace rf {

namespace {
bool g_naive = false;
}

void set_naive_gemm(bool on) {
    g_naive = on;
}
bool naive_gemm() {
    return g_naive;
}

// C = alpha * op(A) op(B) + beta * C, accumulated in the scalar type (double for the double twin).
// beta == 0 overwrites C (NaN in C does not propagate), as BLAS does.
template <class S>
void gemm_naive(bool trans_a, bool trans_b, int M, int N, int K, S alpha, const S* A, int lda, const S* B, int ldb,
                S beta, S* C, int ldc) {
    for (int i = 0; i < M; ++i) {
        for (int j = 0; j < N; ++j) {
            S acc = 0;
            for (int k = 0; k < K; ++k) {
                S a = trans_a ? A[(long)k * lda + i] : A[(long)i * lda + k];
                S b = trans_b ? B[(long)j * ldb + k] : B[(long)k * ldb + j];
                acc += a * b;
            }
            S& c = C[(long)i * ldc + j];
            c = beta == S(0) ? alpha * acc : alpha * acc + beta * c;
        }
    }
}

template <>
void gemm<float>(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
                 int ldb, float beta, float* C, int ldc) {
    RF_CHECK(M >= 0 && N >= 0 && K >= 0, "gemm: negative size");
    if (M == 0 || N == 0) return;
    if (g_naive) return gemm_naive<float>(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, M, N, K, alpha,
                A, lda, B, ldb, beta, C, ldc);
}

template <>
void gemm<double>(bool trans_a, bool trans_b, int M, int N, int K, double alpha, const double* A, int lda,
                  const double* B, int ldb, double beta, double* C, int ldc) {
    RF_CHECK(M >= 0 && N >= 0 && K >= 0, "gemm: negative size");
    if (M == 0 || N == 0) return;
    if (g_naive) return gemm_naive<double>(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, M, N, K, alpha,
                A, lda, B, ldb, beta, C, ldc);
}

template void gemm_naive<float>(bool, bool, int, int, int, float, const float*, int, const float*, int, float, float*,
                                int);
template void gemm_naive<double>(bool, bool, int, int, int, double, const double*, int, const double*, int, double,
                                 double*, int);

}  // namespace rf
