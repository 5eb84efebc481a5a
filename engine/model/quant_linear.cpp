#include "model/quant_linear.h"

#include <cmath>

#include "core/error.h"
#include "core/worker_pool.h"
#include "ops/gemm.h"
#include "ops/gemm_bf16.h"
#include "quant/quant_matmul.h"

namespace rf {

namespace {

constexpr int kSmallM = 16;       // up to this M the packed GEMV kernels win (quant_matmul's small-M path)
constexpr int kBf16Tile = 1024;   // rows of W per bf16 tile (2 MB at K 1024)

// Rows [r0, r1) of W dequantized and rounded to bf16 into tile [(r1 - r0), K], split over the pool.
void bf16_tile(const QuantizedMatrix& W, int r0, int r1, uint16_t* tile, WorkerPool* pool) {
    auto rows = [&](long a, long b) {
        std::vector<float> row(size_t(W.cols));
        for (long i = a; i < b; ++i) {
            dequantize_row_range(W, r0 + int(i), 0, W.cols, row.data());
            to_bf16(tile + size_t(i) * W.cols, row.data(), size_t(W.cols));
        }
    };
    if (pool) pool->parallel_for(r1 - r0, 8, rows);
    else rows(0, r1 - r0);
}

// Calls product(n0, T, tile) for the 1024-row tiles of W dequantized to bf16, in order; stops and
// returns false as soon as a product is refused (oneDNN cannot run it).
template <class Product>
bool over_bf16_tiles(const QuantizedMatrix& W, WorkerPool* pool, Product product) {
    const int N = W.rows;
    std::vector<uint16_t> tile(size_t(std::min(kBf16Tile, N)) * W.cols);
    for (int n0 = 0; n0 < N; n0 += kBf16Tile) {
        const int T = std::min(kBf16Tile, N - n0);
        bf16_tile(W, n0, n0 + T, tile.data(), pool);
        if (!product(n0, T, tile.data())) return false;
    }
    return true;
}

}  // namespace

// The base product y = x W^T at training / prefill sizes. With W.bf16_products (Model::
// set_bf16_compute on a packed base), tiles of W dequantized to bf16 run on the CPU's bf16 units
// (gemm_bf16: x rounded to bf16, float32 sums), as a float base's bf16 twins do; else, and at decode
// sizes, quant_matmul (packed GEMV kernels, or float tiles through sgemm).
void packed_matmul(float* y, const float* x, const QuantizedMatrix& W, int M, WorkerPool* pool) {
    const int N = W.rows, K = W.cols, threads = pool ? pool->size() : 1;
    const bool done = W.bf16_products && M > kSmallM && over_bf16_tiles(W, pool, [&](int n0, int T, const uint16_t* t) {
        return gemm_bf16(false, true, M, T, K, 1.0f, x, K, t, K, 0.0f, y + n0, N, threads);
    });
    if (!done) quant_matmul(y, x, W, M, false, pool);  // y is overwritten: a refusal midway redoes all of it
}

// dx (M,K) += dz (M,N) W, the same way. oneDNN refuses by shape and all tiles but the last share one,
// so a refusal comes at the first tile, before anything was added to dx.
void packed_matmul_dx(float* dx, const float* dz, const QuantizedMatrix& W, int M, WorkerPool* pool) {
    const int N = W.rows, K = W.cols, threads = pool ? pool->size() : 1;
    bool first = true;
    const bool done = W.bf16_products && M > kSmallM && over_bf16_tiles(W, pool, [&](int n0, int T, const uint16_t* t) {
        const bool ok = gemm_bf16(false, false, M, K, T, 1.0f, dz + n0, N, t, K, 1.0f, dx, K, threads);
        RF_CHECK(ok || first, "packed_matmul_dx: oneDNN refused a tile after accepting the first");
        first = false;
        return ok;
    });
    if (!done) quant_matmul_dx(dx, dz, W, M, pool);
}

// Forward, with xd = dropout(x), u = xd A (M,R):
//   z = x W^T + s u B   (x W^T from the packed words);   LoRA: y = z + b;   DoRA: y = (m/n) * z + b
// reference: ops/lora.cpp lora_forward (mlx_lm/tuner/lora.py LoRALinear, dora.py DoRALinear; mlx-lm
//            runs the same layers on an nn.QuantizedLinear base)
void qlora_forward(float* y, float* u, float* z, const float* x, const float* xd, const QuantizedMatrix& W,
                   const float* bias, const float* A, const float* B, const float* m, const float* n, float scale,
                   int M, int R, WorkerPool* pool) {
    RF_CHECK(!m || (z && n && A), "qlora_forward: DoRA needs z, n and an adapter");
    const int in = W.cols, out = W.rows;
    float* base = m ? z : y;
    packed_matmul(base, x, W, M, pool);
    if (A) {
        gemm<float>(false, false, M, R, in, 1.0f, xd, in, A, R, 0.0f, u, R);
        gemm<float>(false, false, M, out, R, scale, u, R, B, out, 1.0f, base, out);
    }
    if (m) {
        std::vector<float> r(static_cast<size_t>(out));
        for (int j = 0; j < out; ++j) r[size_t(j)] = m[j] / n[j];
        for (long t = 0; t < M; ++t)
            for (int j = 0; j < out; ++j) y[t * out + j] = r[size_t(j)] * z[t * out + j];
    }
    if (bias)
        for (long t = 0; t < M; ++t)
            for (int j = 0; j < out; ++j) y[t * out + j] += bias[j];
}

// Gradient (r = m/n for DoRA, 1 for LoRA; dz = dy * r):
//   dm_j += sum_t dy_tj z_tj / n_j;   dB += s u^T dz;   du = s dz B^T;   dA += xd^T du
//   dx += dz W + (du A^T) * keep      (dz W on the packed words; W itself gets no gradient)
// reference: ops/lora.cpp lora_backward
void qlora_backward(float* dx, float* dA, float* dB, float* dm, const float* dy, const float* xd, const float* keep,
                    const QuantizedMatrix& W, const float* A, const float* B, const float* m, const float* n,
                    const float* u, const float* z, float scale, int M, int R, std::vector<float>& work,
                    WorkerPool* pool) {
    const int in = W.cols, out = W.rows;
    const size_t need_dz = m ? size_t(M) * out : 0;
    const size_t need_du = A ? size_t(M) * R : 0;
    const size_t need_dxl = A && keep && dx ? size_t(M) * in : 0;
    work.resize(need_dz + need_du + need_dxl);
    const float* dz = dy;
    if (m) {
        float* dzw = work.data();
        for (long t = 0; t < M; ++t)
            for (int j = 0; j < out; ++j) {
                const float g = dy[t * out + j];
                dzw[t * out + j] = g * (m[j] / n[j]);
                if (dm) dm[j] += g * z[t * out + j] / n[j];
            }
        dz = dzw;
    }
    float* du = work.data() + need_dz;
    if (A) {
        if (dB) gemm<float>(true, false, R, out, M, scale, u, R, dz, out, 1.0f, dB, out);
        gemm<float>(false, true, M, R, out, scale, dz, out, B, out, 0.0f, du, R);
        if (dA) gemm<float>(true, false, in, R, M, 1.0f, xd, in, du, R, 1.0f, dA, R);
    }
    if (!dx) return;
    packed_matmul_dx(dx, dz, W, M, pool);
    if (!A) return;
    if (keep) {
        float* dxl = work.data() + need_dz + need_du;
        gemm<float>(false, true, M, in, R, 1.0f, du, R, A, R, 0.0f, dxl, in);
        for (size_t i = 0; i < size_t(M) * in; ++i) dx[i] += dxl[i] * keep[i];
    } else {
        gemm<float>(false, true, M, in, R, 1.0f, du, R, A, R, 1.0f, dx, in);
    }
}

// n_j^2 = ||W_j||^2 + 2 s sum_k B_kj P_jk + s^2 sum_kl B_kj G_kl B_lj,  P = W A (out,R), G = A^T A (R,R)
// with P^T (R,out) = A^T (R,in) . W^T computed on the packed words (R rows: the small-M kernels).
// reference: ops/lora.cpp dora_row_norms
void qdora_row_norms(float* n, const QuantizedMatrix& W, const double* w_sq, const float* A, const float* B,
                     float scale, int R, std::vector<float>& work, WorkerPool* pool) {
    const int in = W.cols, out = W.rows;
    work.resize(size_t(R) * in + size_t(R) * out + size_t(R) * R);
    float* At = work.data();
    float* Pt = At + size_t(R) * in;
    float* G = Pt + size_t(R) * out;
    for (int i = 0; i < in; ++i)
        for (int k = 0; k < R; ++k) At[size_t(k) * in + i] = A[size_t(i) * R + k];
    quant_matmul(Pt, At, W, R, false, pool);
    gemm<float>(true, false, R, R, in, 1.0f, A, R, A, R, 0.0f, G, R);
    const double s = double(scale);
    for (int j = 0; j < out; ++j) {
        double cross = 0, quad = 0;
        for (int k = 0; k < R; ++k) {
            const double bk = double(B[size_t(k) * out + j]);
            cross += bk * double(Pt[size_t(k) * out + j]);
            double gb = 0;
            for (int l = 0; l < R; ++l) gb += double(G[size_t(k) * R + l]) * double(B[size_t(l) * out + j]);
            quad += bk * gb;
        }
        const double n2 = w_sq[j] + 2.0 * s * cross + s * s * quad;
        n[j] = float(std::sqrt(n2 > 0 ? n2 : 0.0));
    }
}

std::vector<double> quant_row_sq_norms(const QuantizedMatrix& W) {
    std::vector<double> sq(size_t(W.rows));
    std::vector<float> row(size_t(W.cols));
    for (int j = 0; j < W.rows; ++j) {
        dequantize_rows(W, j, j + 1, row.data());
        double ss = 0;
        for (float v : row) ss += double(v) * v;
        sq[size_t(j)] = ss;
    }
    return sq;
}

}  // namespace rf
