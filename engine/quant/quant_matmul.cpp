// Quantized matmul kernels (see quant_matmul.h). Every path dequantizes with the same formula as
// dequantize_rows (affine: s * q + b; mxfp4: s * LUT[q]) and accumulates in float32.
#include "quant/quant_matmul.h"

#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <vector>

#include "core/error.h"
#include "gen/worker_pool.h"
#if defined(__AVX512F__)
#include <immintrin.h>
#endif
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 reports its own _mm512_undefined_* placeholders inside avx512fintrin.h as uninitialized.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

namespace rf {

namespace {

constexpr int kPassM = 8;        // rows of x per pass over W in the small-M path
constexpr int kSmallM = 16;      // up to this M, the small-M path
constexpr int kTileRows = 256;   // rows of W dequantized per sgemm tile

void for_rows(WorkerPool* pool, long n, long grain, const std::function<void(long, long)>& fn) {
    if (pool && pool->size() > 1 && n > grain) pool->parallel_for(n, grain, fn);
    else fn(0, n);
}

// Generic decoder: one code at a time from the bit stream.
void decode_generic(const QuantizedMatrix& q, int r, int k0, int k1, float* out) {
    const int gs = q.spec.group_size, gpr = q.groups_per_row();
    for (int k = k0; k < k1; ++k) {
        const float s = q.scales[size_t(r) * gpr + k / gs];
        const uint32_t c = quant_code(q, r, k);
        out[k - k0] = q.spec.mode == QuantMode::affine ? s * float(c) + q.biases[size_t(r) * gpr + k / gs] : s * kFp4E2M1[c];
    }
}

}  // namespace

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
// Any width: 16 consecutive codes (k a multiple of 16) occupy exactly 2 * bits bytes, starting at
// byte bits * k / 8. Load those bytes (masked: never past the row), broadcast them to the four
// 128-bit lanes, gather for lane i the 4 bytes starting at byte (bits * i) / 8 (pshufb), shift right
// by (bits * i) % 8 and mask: lane i holds code i. Then w = s * q + b (affine) or s * LUT[q] (mxfp4).
namespace {
struct Decoder16 {
    __m512i ctrl, shift, mask;
    __m512 lut;
    __mmask16 load_mask;
    int bits;
    bool affine;
    explicit Decoder16(const QuantSpec& spec) : bits(spec.bits), affine(spec.mode == QuantMode::affine) {
        alignas(64) uint8_t c[64];
        alignas(64) uint32_t sh[16];
        for (int i = 0; i < 16; ++i) {
            for (int j = 0; j < 4; ++j) c[4 * i + j] = uint8_t(std::min(15, (bits * i) / 8 + j));
            sh[i] = uint32_t((bits * i) % 8);
        }
        ctrl = _mm512_load_si512(c);
        shift = _mm512_load_si512(sh);
        mask = _mm512_set1_epi32((1 << bits) - 1);
        lut = _mm512_loadu_ps(kFp4E2M1);
        load_mask = __mmask16((1u << (2 * bits)) - 1u);
    }
    // Elements k..k+15 of a row whose bytes start at `row`; s, b = the group's scale and bias.
    inline __m512 operator()(const uint8_t* row, int k, __m512 s, __m512 b) const {
        const __m128i raw = _mm_maskz_loadu_epi8(load_mask, row + size_t(k) * bits / 8);
        __m512i c = _mm512_shuffle_epi8(_mm512_broadcast_i32x4(raw), ctrl);
        c = _mm512_and_si512(_mm512_srlv_epi32(c, shift), mask);
        return affine ? _mm512_fmadd_ps(_mm512_cvtepi32_ps(c), s, b) : _mm512_mul_ps(_mm512_permutexvar_ps(c, lut), s);
    }
};

inline float hsum(__m512 v) {
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, v);  // (not _mm512_reduce_add_ps: GCC 12 warns inside its header)
    float d = 0;
    for (float l : lanes) d += l;
    return d;
}

// dots[m] = W[r, :] . x[m, :] for MB rows of x, decoding W in registers (never stored).
template <int MB>
void row_dots(const QuantizedMatrix& q, const Decoder16& dec, int r, const float* x, float* dots) {
    const int K = q.cols, gs = q.spec.group_size, gpr = q.groups_per_row();
    const uint8_t* bytes = reinterpret_cast<const uint8_t*>(q.words.data() + size_t(r) * q.words_per_row());
    const float* srow = q.scales.data() + size_t(r) * gpr;
    const float* brow = dec.affine ? q.biases.data() + size_t(r) * gpr : nullptr;
    __m512 acc[MB];
    for (int m = 0; m < MB; ++m) acc[m] = _mm512_setzero_ps();
    for (int g = 0; g < gpr; ++g) {
        const __m512 s = _mm512_set1_ps(srow[g]), b = brow ? _mm512_set1_ps(brow[g]) : _mm512_setzero_ps();
        for (int k = g * gs; k < (g + 1) * gs; k += 16) {
            const __m512 w = dec(bytes, k, s, b);
            for (int m = 0; m < MB; ++m) acc[m] = _mm512_fmadd_ps(_mm512_loadu_ps(x + size_t(m) * K + k), w, acc[m]);
        }
    }
    for (int m = 0; m < MB; ++m) dots[m] = hsum(acc[m]);
}
}  // namespace

void dequantize_row_range(const QuantizedMatrix& q, int r, int k0, int k1, float* out) {
    if ((k0 % 16) || (k1 % 16)) return decode_generic(q, r, k0, k1, out);
    const Decoder16 dec(q.spec);
    const int gs = q.spec.group_size, gpr = q.groups_per_row();
    const uint8_t* bytes = reinterpret_cast<const uint8_t*>(q.words.data() + size_t(r) * q.words_per_row());
    const float* srow = q.scales.data() + size_t(r) * gpr;
    const float* brow = dec.affine ? q.biases.data() + size_t(r) * gpr : nullptr;
    for (int k = k0; k < k1; k += 16) {
        const int g = k / gs;
        const __m512 w = dec(bytes, k, _mm512_set1_ps(srow[g]), brow ? _mm512_set1_ps(brow[g]) : _mm512_setzero_ps());
        _mm512_storeu_ps(out + (k - k0), w);
    }
}
#else
void dequantize_row_range(const QuantizedMatrix& q, int r, int k0, int k1, float* out) { decode_generic(q, r, k0, k1, out); }

namespace {
struct Decoder16 {
    explicit Decoder16(const QuantSpec&) {}
};
template <int MB>
void row_dots(const QuantizedMatrix& q, const Decoder16&, int r, const float* x, float* dots) {
    const int K = q.cols;
    std::vector<float> w(static_cast<size_t>(K));
    decode_generic(q, r, 0, K, w.data());
    for (int m = 0; m < MB; ++m) {
        float d = 0;
        for (int k = 0; k < K; ++k) d += w[k] * x[size_t(m) * K + k];
        dots[m] = d;
    }
}
}  // namespace
#endif

namespace {

using RowDotFn = void (*)(const QuantizedMatrix&, const Decoder16&, int, const float*, float*);
constexpr RowDotFn kRowDots[kPassM + 1] = {nullptr, row_dots<1>, row_dots<2>, row_dots<3>, row_dots<4>, row_dots<5>, row_dots<6>, row_dots<7>, row_dots<8>};

// Small M: rows [n0, n1) of W, each decoded once (in registers) and dotted with the MB rows of x.
void small_m_rows(float* y, const float* x, const QuantizedMatrix& W, int MB, bool accumulate, long n0, long n1) {
    const int N = W.rows;
    const Decoder16 dec(W.spec);
    float dots[kPassM];
    for (long n = n0; n < n1; ++n) {
        kRowDots[MB](W, dec, int(n), x, dots);
        for (int m = 0; m < MB; ++m) {
            float& o = y[size_t(m) * N + size_t(n)];
            o = accumulate ? o + dots[m] : dots[m];
        }
    }
}

// Rows [r0, r1) of W dequantized into tile [(r1 - r0), K], split over the pool.
void dequantize_tile(const QuantizedMatrix& W, int r0, int r1, float* tile, WorkerPool* pool) {
    for_rows(pool, r1 - r0, 8, [&](long a, long b) {
        for (long i = a; i < b; ++i) dequantize_row_range(W, r0 + int(i), 0, W.cols, tile + size_t(i) * W.cols);
    });
}

}  // namespace

void quant_matmul(float* y, const float* x, const QuantizedMatrix& W, int M, bool accumulate, WorkerPool* pool) {
    const int N = W.rows, K = W.cols;
    if (M <= 0 || N <= 0) return;
    if (M <= kSmallM) {
        for (int m0 = 0; m0 < M; m0 += kPassM) {
            const int MB = std::min(kPassM, M - m0);
            float* yp = y + size_t(m0) * N;
            const float* xp = x + size_t(m0) * K;
            for_rows(pool, N, 16, [&](long a, long b) { small_m_rows(yp, xp, W, MB, accumulate, a, b); });
        }
        return;
    }
    // y[:, n0:n0+T] (ld N) = x (M,K) . tile^T  (+ y)
    std::vector<float> tile(size_t(std::min(kTileRows, N)) * K);
    for (int n0 = 0; n0 < N; n0 += kTileRows) {
        const int T = std::min(kTileRows, N - n0);
        dequantize_tile(W, n0, n0 + T, tile.data(), pool);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, T, K, 1.0f, x, K, tile.data(), K, accumulate ? 1.0f : 0.0f, y + n0, N);
    }
}

void quant_matmul_dx(float* dx, const float* dy, const QuantizedMatrix& W, int M, WorkerPool* pool) {
    const int N = W.rows, K = W.cols;
    if (M <= 0 || N <= 0) return;
    if (M <= kSmallM) {
        // dx[m, k0:k1] += sum_n dy[m, n] * W[n, k0:k1]; threads own column ranges (no write conflicts).
        const long chunks = K / 32;
        for_rows(pool, chunks, 4, [&](long c0, long c1) {
            const int k0 = int(c0 * 32), k1 = int(c1 * 32), len = k1 - k0;
            std::vector<float> wseg(static_cast<size_t>(len));
            for (int n = 0; n < N; ++n) {
                dequantize_row_range(W, n, k0, k1, wseg.data());
                for (int m = 0; m < M; ++m) {
                    const float g = dy[size_t(m) * N + n];
                    if (g == 0.0f) continue;
                    float* o = dx + size_t(m) * K + k0;
                    for (int k = 0; k < len; ++k) o[k] += g * wseg[k];
                }
            }
        });
        return;
    }
    // dx (M,K) += dy[:, n0:n0+T] (ld N) . tile (T,K)
    std::vector<float> tile(size_t(std::min(kTileRows, N)) * K);
    for (int n0 = 0; n0 < N; n0 += kTileRows) {
        const int T = std::min(kTileRows, N - n0);
        dequantize_tile(W, n0, n0 + T, tile.data(), pool);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, K, T, 1.0f, dy + n0, N, tile.data(), K, 1.0f, dx, K);
    }
}

void quant_matmul_naive(float* y, const float* x, const QuantizedMatrix& W, int M, bool accumulate) {
    const int N = W.rows, K = W.cols;
    std::vector<float> w(size_t(N) * K);
    dequantize(W, w.data());
    for (int m = 0; m < M; ++m)
        for (int n = 0; n < N; ++n) {
            double s = 0;
            for (int k = 0; k < K; ++k) s += double(x[size_t(m) * K + k]) * double(w[size_t(n) * K + k]);
            float& o = y[size_t(m) * N + n];
            o = float(accumulate ? double(o) + s : s);
        }
}

void quant_matmul_dx_naive(float* dx, const float* dy, const QuantizedMatrix& W, int M) {
    const int N = W.rows, K = W.cols;
    std::vector<float> w(size_t(N) * K);
    dequantize(W, w.data());
    for (int m = 0; m < M; ++m)
        for (int k = 0; k < K; ++k) {
            double s = 0;
            for (int n = 0; n < N; ++n) s += double(dy[size_t(m) * N + n]) * double(w[size_t(n) * K + k]);
            dx[size_t(m) * K + k] = float(double(dx[size_t(m) * K + k]) + s);
        }
}

}  // namespace rf
