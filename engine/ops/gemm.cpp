#include "ops/gemm.h"

#include <cblas.h>

#include "core/error.h"
#include "core/worker_pool.h"
#include "ops/gemm_bf16.h"

namespace rf {

namespace {
bool g_naive = false;

// OpenBLAS wakes its other threads for every call. Below ~2M multiply-adds that hand-off costs more
// than the second core gives back, and when the other core is busy it costs far more: a 100-step
// SFT of a C=32 model took 54 s wall with 2 BLAS threads and 4.5 s with 1 on the loaded 2-core build
// machine (same CPU time, 0.3 s). So small products run on one thread, large ones on all.
int threads_for(double multiply_adds) {
    static const int all = openblas_get_num_threads();
    return multiply_adds < double(1 << 21) ? 1 : all;
}
void use_threads_for(double multiply_adds) {
    static int current = openblas_get_num_threads();
    int want = threads_for(multiply_adds);
    if (want != current) {
        openblas_set_num_threads(want);
        current = want;
    }
}
}  // namespace

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
    if (const uint16_t* B16 = find_bf16_twin(B, ldb))  // a frozen weight with a bf16 twin (gemm_bf16.h)
        if (gemm_bf16(trans_a, trans_b, M, N, K, alpha, A, lda, B16, ldb, beta, C, ldc,
                      threads_for(double(M) * double(N) * double(K))))
            return;
    use_threads_for(double(M) * double(N) * double(K));
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

void parallel_gemm_region(double multiply_adds, const std::function<void(int, int)>& fn) {
    WorkerPool& pool = WorkerPool::global();
    if (multiply_adds < double(1 << 21) || pool.size() == 1 || WorkerPool::in_region()) return fn(0, 1);
    use_threads_for(0);  // OpenBLAS on one thread while the shares call it side by side
    pool.run(fn);
}

template <>
void gemm_serial<float>(bool trans_a, bool trans_b, int M, int N, int K, float alpha, const float* A, int lda,
                        const float* B, int ldb, float beta, float* C, int ldc) {
    if (M == 0 || N == 0) return;
    if (g_naive) return gemm_naive<float>(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, M, N, K, alpha,
                A, lda, B, ldb, beta, C, ldc);
}

template <>
void gemm_serial<double>(bool trans_a, bool trans_b, int M, int N, int K, double alpha, const double* A, int lda,
                         const double* B, int ldb, double beta, double* C, int ldc) {
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
