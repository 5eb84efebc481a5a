// Row-major GEMM for the ops: C (M,N) = alpha * op(A) * op(B) + beta * C, op(X) = X or X^T.
// float runs on OpenBLAS cblas_sgemm, double on cblas_dgemm (the double path exists so every op can be
// checked against finite differences in double precision with the same code as the float path).
// gemm_naive is the plain-loop twin used by tests and bench/ to validate the BLAS path; a process-wide
// switch (set_naive_gemm) routes every gemm() call through it.
#pragma once
#include <functional>

namespace rf {

// A (M,K) or, when trans_a, stored (K,M); B (K,N) or, when trans_b, stored (N,K); C (M,N).
// lda/ldb/ldc are row strides in elements (>= the stored row length).
template <class S>
void gemm(bool trans_a, bool trans_b, int M, int N, int K, S alpha, const S* A, int lda, const S* B, int ldb, S beta,
          S* C, int ldc);

template <class S>
void gemm_naive(bool trans_a, bool trans_b, int M, int N, int K, S alpha, const S* A, int lda, const S* B, int ldb,
                S beta, S* C, int ldc);

// For ops that split their own work (attention over heads, the LoRA factors over rows): runs
// fn(share, n_shares) on WorkerPool::global() with OpenBLAS held to one thread, so that each share's
// gemm_serial() runs on its own core. With multiply_adds < 2^21 (the whole region's work) it calls
// fn(0, 1) on this thread instead: waking a worker costs more than it gives back there.
void parallel_gemm_region(double multiply_adds, const std::function<void(int share, int n_shares)>& fn);
// gemm() on the calling thread only (never a bf16 twin); for the shares of parallel_gemm_region.
template <class S>
void gemm_serial(bool trans_a, bool trans_b, int M, int N, int K, S alpha, const S* A, int lda, const S* B, int ldb,
                 S beta, S* C, int ldc);

// Routes every gemm() through gemm_naive (tests and bench validation only; not thread-safe to flip
// while another thread computes).
void set_naive_gemm(bool on);
bool naive_gemm();

}  // namespace rf
