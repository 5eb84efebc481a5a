// Small-M decode matmuls (see decode_matmul.h).
#include "ops/decode_matmul.h"

#include <algorithm>
#include <cstring>

#include "core/cpu_features.h"
#include "core/error.h"
#include "core/worker_pool.h"
#include "io/safetensors.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace rf {

// Round to nearest even. With AVX512-BF16 16 at a time (vcvtneps2bf16: the same rounding; it flushes
// float32 denormals, |w| < 1.2e-38, to a signed zero), on the worker pool: a full-fine-tuning refresh
// converts every weight.
void Bf16Matrix::assign(const float* w, int n, int k) {
    N = n;
    K = k;
    const size_t total = size_t(n) * size_t(k);
    data.resize(total);
    uint16_t* out = data.data();
    WorkerPool::global().parallel_for(long(total), 1 << 16, [&](long b, long e) {
        long i = b;
#if defined(__AVX512BF16__)
        for (; i + 16 <= e; i += 16) {
            __m256bh h = _mm512_cvtneps_pbh(_mm512_loadu_ps(w + i));
            std::memcpy(out + i, &h, 32);
        }
#endif
        for (; i < e; ++i) out[i] = f32_to_bf16(w[i]);
    });
}

namespace {

constexpr int kMaxM = 8;  // rows of x per pass over W
constexpr size_t kMinParallelMacs = size_t(1) << 19;

#if defined(__AVX512F__)
// How far ahead in W the rows are prefetched. Decode streams W from DRAM in short rows (2 KB at K
// 1024, bf16); with 2 FMAs per weight and row of x the hardware prefetcher alone left the loads
// waiting on memory: bench_decode_dot, 1.19 GB of bf16 per pass, 2 threads, without -> with (16 KB):
// M 1 62.7 -> 51 ms, M 2 71 -> 55.5, M 4 89.5 -> 62-67, M 8 112.6 -> 76-78 (8 KB within 3 %, 64 KB
// 5-9 % slower). The same distance as the packed kernels' (quant_gemv*.cpp).
constexpr size_t kPrefetchBytes = 16384;

// 16 weights of row `w` at column k as float32 (bf16: widen and shift into the high half).
template <bool BF16>
inline __m512 load_w(const void* w, long k, __mmask16 mask) {
    if constexpr (BF16) {
        __m256i h = _mm256_maskz_loadu_epi16(mask, static_cast<const uint16_t*>(w) + k);
        return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
    } else {
        return _mm512_maskz_loadu_ps(mask, static_cast<const float*>(w) + k);
    }
}

// y[m][n0..n0+R) for MB rows of x: acc[m][r] += x[m][k:k+16] * w[n0+r][k:k+16], reduced at the end.
template <int MB, int R, bool BF16>
void block_kernel(float* y, int ldy, const float* x, int K, const void* w, long n0, const float* bias,
                  bool accumulate) {
    const size_t esz = BF16 ? 2 : 4;
    const char* wrow[R];
    for (int r = 0; r < R; ++r) wrow[r] = static_cast<const char*>(w) + size_t(n0 + r) * size_t(K) * esz;
    __m512 acc[MB][R];
#pragma GCC unroll 8
    for (int m = 0; m < MB; ++m)
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) acc[m][r] = _mm512_setzero_ps();
    // One loop, the last step masked, and every loop over m and r fully unrolled: otherwise GCC keeps
    // acc[][] in memory and stores each accumulator on every step (seen in the assembly: 16 spills
    // per step at MB=8, 2-3x slower).
    const size_t row_bytes = size_t(K) * esz, pf = std::max<size_t>(R, kPrefetchBytes / row_bytes) * row_bytes;
    for (long k = 0; k < K; k += 16) {
        const __mmask16 mask = K - k >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (K - k)) - 1u);
        __m512 wv[R];
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) {
            // the same columns of the rows ~kPrefetchBytes ahead (prefetches never fault)
            _mm_prefetch(wrow[r] + pf + size_t(k) * esz, _MM_HINT_T0);
            wv[r] = load_w<BF16>(wrow[r], k, mask);
        }
#pragma GCC unroll 8
        for (int m = 0; m < MB; ++m) {
            __m512 xv = _mm512_maskz_loadu_ps(mask, x + size_t(m) * size_t(K) + k);
#pragma GCC unroll 8
            for (int r = 0; r < R; ++r) acc[m][r] = _mm512_fmadd_ps(xv, wv[r], acc[m][r]);
        }
    }
#pragma GCC unroll 8
    for (int m = 0; m < MB; ++m)
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) {
            float v = _mm512_reduce_add_ps(acc[m][r]);
            if (bias) v += bias[n0 + r];
            float& out = y[size_t(m) * size_t(ldy) + size_t(n0 + r)];
            out = accumulate ? out + v : v;
        }
}
#else
template <int MB, int R, bool BF16>
void block_kernel(float* y, int ldy, const float* x, int K, const void* w, long n0, const float* bias,
                  bool accumulate) {
    for (int r = 0; r < R; ++r) {
        float acc[MB] = {};
        for (int kk = 0; kk < K; ++kk) {
            float wv;
            if constexpr (BF16) {
                uint32_t u = uint32_t(static_cast<const uint16_t*>(w)[size_t(n0 + r) * K + kk]) << 16;
                std::memcpy(&wv, &u, 4);
            } else {
                wv = static_cast<const float*>(w)[size_t(n0 + r) * K + kk];
            }
            for (int m = 0; m < MB; ++m) acc[m] += x[size_t(m) * K + kk] * wv;
        }
        for (int m = 0; m < MB; ++m) {
            float v = acc[m] + (bias ? bias[n0 + r] : 0.0f);
            float& out = y[size_t(m) * size_t(ldy) + size_t(n0 + r)];
            out = accumulate ? out + v : v;
        }
    }
}
#endif

// Rows [n_begin, n_end) for MB rows of x: blocks of R rows, then single rows.
template <int MB, bool BF16>
void rows(float* y, int ldy, const float* x, int K, const void* w, long n_begin, long n_end, const float* bias,
          bool accumulate) {
    constexpr int R = MB == 1 ? 8 : MB == 2 ? 6 : MB <= 4 ? 4 : 3;
    long n = n_begin;
    for (; n + R <= n_end; n += R) block_kernel<MB, R, BF16>(y, ldy, x, K, w, n, bias, accumulate);
    for (; n < n_end; ++n) block_kernel<MB, 1, BF16>(y, ldy, x, K, w, n, bias, accumulate);
}

template <bool BF16>
void rows_dispatch(int MB, float* y, int ldy, const float* x, int K, const void* w, long b, long e,
                   const float* bias, bool acc) {
    switch (MB) {
        case 1: rows<1, BF16>(y, ldy, x, K, w, b, e, bias, acc); break;
        case 2: rows<2, BF16>(y, ldy, x, K, w, b, e, bias, acc); break;
        case 3: rows<3, BF16>(y, ldy, x, K, w, b, e, bias, acc); break;
        case 4: rows<4, BF16>(y, ldy, x, K, w, b, e, bias, acc); break;
        case 5: rows<5, BF16>(y, ldy, x, K, w, b, e, bias, acc); break;
        case 6: rows<6, BF16>(y, ldy, x, K, w, b, e, bias, acc); break;
        case 7: rows<7, BF16>(y, ldy, x, K, w, b, e, bias, acc); break;
        case 8: rows<8, BF16>(y, ldy, x, K, w, b, e, bias, acc); break;
        default: RF_CHECK(false, "decode_matmul: pass of more than 8 rows");
    }
}

#if defined(__AVX512BF16__)
// The same blocking with x rounded to bf16 once per call: vdpbf16ps multiplies 32 bf16 pairs into 16
// float32 lanes, so a 64-byte line of W costs MB instructions instead of widening it and 2·MB FMAs.
template <int MB, int R>
void dot_kernel(float* y, int ldy, const uint16_t* xb, int K, const uint16_t* w, long n0, const float* bias,
                bool accumulate) {
    const uint16_t* wrow[R];
    for (int r = 0; r < R; ++r) wrow[r] = w + size_t(n0 + r) * size_t(K);
    __m512 acc[MB][R];
#pragma GCC unroll 8
    for (int m = 0; m < MB; ++m)
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) acc[m][r] = _mm512_setzero_ps();
    for (long k = 0; k < K; k += 32) {
        const __mmask32 mask = K - k >= 32 ? __mmask32(0xFFFFFFFFu) : __mmask32((1u << (K - k)) - 1u);
        __m512bh wv[R];
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) wv[r] = (__m512bh)_mm512_maskz_loadu_epi16(mask, wrow[r] + k);
#pragma GCC unroll 8
        for (int m = 0; m < MB; ++m) {
            const __m512bh xv = (__m512bh)_mm512_maskz_loadu_epi16(mask, xb + size_t(m) * size_t(K) + k);
#pragma GCC unroll 8
            for (int r = 0; r < R; ++r) acc[m][r] = _mm512_dpbf16_ps(acc[m][r], xv, wv[r]);
        }
    }
#pragma GCC unroll 8
    for (int m = 0; m < MB; ++m)
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) {
            float v = _mm512_reduce_add_ps(acc[m][r]);
            if (bias) v += bias[n0 + r];
            float& out = y[size_t(m) * size_t(ldy) + size_t(n0 + r)];
            out = accumulate ? out + v : v;
        }
}

template <int MB>
void dot_rows(float* y, int ldy, const uint16_t* xb, int K, const uint16_t* w, long b, long e, const float* bias,
              bool accumulate) {
    constexpr int R = MB == 1 ? 8 : MB == 2 ? 6 : MB <= 4 ? 4 : 3;
    long n = b;
    for (; n + R <= e; n += R) dot_kernel<MB, R>(y, ldy, xb, K, w, n, bias, accumulate);
    for (; n < e; ++n) dot_kernel<MB, 1>(y, ldy, xb, K, w, n, bias, accumulate);
}

void dot_dispatch(int MB, float* y, int ldy, const uint16_t* xb, int K, const uint16_t* w, long b, long e,
                  const float* bias, bool acc) {
    switch (MB) {
        case 1: dot_rows<1>(y, ldy, xb, K, w, b, e, bias, acc); break;
        case 2: dot_rows<2>(y, ldy, xb, K, w, b, e, bias, acc); break;
        case 3: dot_rows<3>(y, ldy, xb, K, w, b, e, bias, acc); break;
        case 4: dot_rows<4>(y, ldy, xb, K, w, b, e, bias, acc); break;
        case 5: dot_rows<5>(y, ldy, xb, K, w, b, e, bias, acc); break;
        case 6: dot_rows<6>(y, ldy, xb, K, w, b, e, bias, acc); break;
        case 7: dot_rows<7>(y, ldy, xb, K, w, b, e, bias, acc); break;
        case 8: dot_rows<8>(y, ldy, xb, K, w, b, e, bias, acc); break;
        default: RF_CHECK(false, "decode_matmul_bf16_dot: pass of more than 8 rows");
    }
}
#endif

}  // namespace

bool decode_bf16_dot_available() {
#if defined(__AVX512BF16__)
    return cpu_features().avx512_bf16;
#else
    return false;
#endif
}

void decode_matmul_bf16_dot(float* y, const float* x, const DecodeWeight& w, const float* bias, int M, bool accumulate,
                            WorkerPool& pool) {
    RF_CHECK(w.bf16 != nullptr, "decode_matmul_bf16_dot needs bf16 weights");
    RF_CHECK(decode_bf16_dot_available(), "decode_matmul_bf16_dot: the CPU has no AVX512_BF16");
#if defined(__AVX512BF16__)
    const int N = w.N, K = w.K;
    thread_local std::vector<uint16_t> xb;
    xb.resize(size_t(M) * size_t(K));
    for (size_t i = 0; i < xb.size(); ++i) xb[i] = f32_to_bf16(x[i]);
    for (int m0 = 0; m0 < M; m0 += kMaxM) {
        const int MB = std::min(kMaxM, M - m0);
        float* yb = y + size_t(m0) * size_t(N);
        const uint16_t* xp = xb.data() + size_t(m0) * size_t(K);
        auto body = [&](long b, long e) { dot_dispatch(MB, yb, N, xp, K, w.bf16, b, e, bias, accumulate); };
        if (size_t(N) * size_t(K) * size_t(MB) < kMinParallelMacs)
            body(0, N);
        else
            pool.parallel_for(N, 16, body);
    }
#else
    (void)y, (void)x, (void)bias, (void)M, (void)accumulate, (void)pool;
#endif
}

void decode_matmul(float* y, const float* x, const DecodeWeight& w, const float* bias, int M, bool accumulate,
                   WorkerPool& pool) {
    RF_CHECK((w.f32 != nullptr) != (w.bf16 != nullptr), "decode weight needs exactly one storage");
    RF_CHECK(M >= 0 && w.N > 0 && w.K > 0, "bad decode_matmul shape");
    const void* wp = w.bf16 ? static_cast<const void*>(w.bf16) : static_cast<const void*>(w.f32);
    const int N = w.N, K = w.K;
    for (int m0 = 0; m0 < M; m0 += kMaxM) {
        const int MB = std::min(kMaxM, M - m0);
        float* yb = y + size_t(m0) * size_t(N);
        const float* xb = x + size_t(m0) * size_t(K);
        auto body = [&](long b, long e) {
            if (w.bf16)
                rows_dispatch<true>(MB, yb, N, xb, K, wp, b, e, bias, accumulate);
            else
                rows_dispatch<false>(MB, yb, N, xb, K, wp, b, e, bias, accumulate);
        };
        // Below ~50 us of work a second thread costs more than it saves (and much more when the
        // machine is oversubscribed and the worker has to be scheduled first).
        if (size_t(N) * size_t(K) * size_t(MB) < kMinParallelMacs)
            body(0, N);
        else
            pool.parallel_for(N, 16, body);
    }
}

void decode_matmul_bf16_compute(float* y, const float* x, const DecodeWeight& w, const float* bias, int M,
                                bool accumulate, WorkerPool& pool) {
    const int N = w.N, K = w.K;
    if (!w.bf16 || K % 32 != 0 || N % 16 != 0 || !decode_amx_available())
        return decode_matmul(y, x, w, bias, M, accumulate, pool);
    for (int m0 = 0; m0 < M; m0 += 16)  // every M through the tiles: the same numbers for any batch
        decode_matmul_amx(y + size_t(m0) * size_t(N), x + size_t(m0) * size_t(K), w, bias, std::min(16, M - m0),
                          accumulate, pool);
}

void decode_matmul_naive(float* y, const float* x, const DecodeWeight& w, const float* bias, int M, bool accumulate) {
    for (int m = 0; m < M; ++m)
        for (int n = 0; n < w.N; ++n) {
            double s = bias ? bias[n] : 0.0;
            for (int k = 0; k < w.K; ++k) {
                size_t i = size_t(n) * size_t(w.K) + size_t(k);
                double wv = w.bf16 ? double(bf16_to_f32(w.bf16[i])) : double(w.f32[i]);
                s += double(x[size_t(m) * size_t(w.K) + size_t(k)]) * wv;
            }
            float& out = y[size_t(m) * size_t(w.N) + size_t(n)];
            out = accumulate ? out + float(s) : float(s);
        }
}

}  // namespace rf
