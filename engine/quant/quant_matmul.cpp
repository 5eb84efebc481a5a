// Quantized matmul drivers (see quant_matmul.h): the small-M path runs the kernels of
// quant_gemv.cpp over rows of W; larger M dequantizes tiles (same formula as dequantize_rows:
// affine s * q + b, mxfp4 s * LUT[q]) and calls sgemm. Everything accumulates in float32.
#include "quant/quant_matmul.h"

#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <vector>

#include "core/error.h"
#include "core/worker_pool.h"
#include "quant/quant_gemv.h"
#include "quant/quant_gemv_int8.h"

namespace rf {

namespace {

constexpr int kSmallM = 16;      // up to this M, the small-M path
constexpr int kTileRows = 256;   // rows of W dequantized per sgemm tile

void for_rows(WorkerPool* pool, long n, long grain, const std::function<void(long, long)>& fn) {
    if (pool && pool->size() > 1 && n > grain) pool->parallel_for(n, grain, fn);
    else fn(0, n);
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
        for (int m0 = 0; m0 < M; m0 += kGemvMaxRows) {
            const GemvInput in = prepare_gemv(x + size_t(m0) * K, std::min(kGemvMaxRows, M - m0), W);
            float* yp = y + size_t(m0) * N;
            for_rows(pool, N, 16, [&](long a, long b) { quant_gemv_rows(yp, in, W, accumulate, a, b); });
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

bool quant_int8_active(const QuantizedMatrix& W) { return int8_format(W) && int8_cpu(); }

void quant_matmul_int8(float* y, const float* x, const QuantizedMatrix& W, int M, bool accumulate, WorkerPool* pool) {
    if (M > kSmallM || !quant_int8_active(W)) return quant_matmul(y, x, W, M, accumulate, pool);
    const int N = W.rows, K = W.cols;
    for (int m0 = 0; m0 < M; m0 += kGemvMaxRows) {
        const Int8Input in = prepare_int8(x + size_t(m0) * K, std::min(kGemvMaxRows, M - m0), W);
        float* yp = y + size_t(m0) * N;
        for_rows(pool, N, 16, [&](long a, long b) { quant_gemv_int8_rows(yp, in, W, accumulate, a, b); });
    }
}

void quant_matmul_same_x(float* const* ys, const QuantizedMatrix* const* Ws, int n, const float* x, int M, bool int8,
                         WorkerPool* pool) {
    if (n <= 0 || M <= 0) return;
    const int K = Ws[0]->cols;
    for (int j = 0; j < n; ++j) RF_CHECK(Ws[j]->cols == K, "quant_matmul_same_x: matrices of different K");
    if (M > kSmallM) {
        for (int j = 0; j < n; ++j) (int8 ? quant_matmul_int8 : quant_matmul)(ys[j], x, *Ws[j], M, false, pool);
        return;
    }
    std::vector<GemvInput> fin(static_cast<size_t>(n));
    std::vector<Int8Input> iin(static_cast<size_t>(n));
    std::vector<char> use8(static_cast<size_t>(n));
    std::vector<long> off(static_cast<size_t>(n) + 1, 0);  // W_j's rows are [off[j], off[j+1]) of the concatenation
    for (int m0 = 0; m0 < M; m0 += kGemvMaxRows) {
        const int MB = std::min(kGemvMaxRows, M - m0);
        for (int j = 0; j < n; ++j) {
            use8[size_t(j)] = int8 && quant_int8_active(*Ws[j]);
            if (use8[size_t(j)]) iin[size_t(j)] = prepare_int8(x + size_t(m0) * K, MB, *Ws[j]);
            else fin[size_t(j)] = prepare_gemv(x + size_t(m0) * K, MB, *Ws[j]);
            off[size_t(j) + 1] = off[size_t(j)] + Ws[j]->rows;
        }
        for_rows(pool, off[size_t(n)], 16, [&](long a, long b) {
            for (int j = 0; j < n; ++j) {
                const long lo = std::max(a, off[size_t(j)]) - off[size_t(j)], hi = std::min(b, off[size_t(j) + 1]) - off[size_t(j)];
                if (lo >= hi) continue;
                float* yp = ys[j] + size_t(m0) * Ws[j]->rows;
                if (use8[size_t(j)]) quant_gemv_int8_rows(yp, iin[size_t(j)], *Ws[j], false, lo, hi);
                else quant_gemv_rows(yp, fin[size_t(j)], *Ws[j], false, lo, hi);
            }
        });
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

// y[m, n] = sum_g ( s_g sum_{b in g} d_b sum_{k in b} c_k xq_k + b_g sum_{k in g} d_b xq_k ) = w_hat . x_hat,
// c_k = q_k (affine) or LUT[q_k] (mxfp4, no bias term); see quant_gemv_int8.cpp.
void quant_matmul_int8_naive(float* y, const float* x, const QuantizedMatrix& W, int M, bool accumulate) {
    const int N = W.rows, K = W.cols, gs = W.spec.group_size, G = W.groups_per_row(), nb = K / kInt8Block;
    const bool mx = W.spec.mode == QuantMode::mxfp4;
    const Int8Input in = prepare_int8(x, M, W);
    for (int m = 0; m < M; ++m)
        for (int n = 0; n < N; ++n) {
            double s = 0;
            for (int b = 0; b < nb; ++b) {
                double dot = 0;
                for (int k = b * kInt8Block; k < (b + 1) * kInt8Block; ++k) {
                    const uint32_t c = quant_code(W, n, k);
                    dot += (mx ? double(kFp4E2M1[c]) : double(c)) * double(in.xq[size_t(m) * K + k]);
                }
                s += double(W.scales[size_t(n) * G + b * kInt8Block / gs]) * double(in.d[size_t(m) * nb + b]) * dot;
            }
            if (!mx)
                for (int g = 0; g < G; ++g) {
                    double xs = 0;
                    for (int k = g * gs; k < (g + 1) * gs; ++k) xs += double(in.d[size_t(m) * nb + k / kInt8Block]) * in.xq[size_t(m) * K + k];
                    s += double(W.biases[size_t(n) * G + g]) * xs;
                }
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
