#include "ops/lora.h"

#include <cmath>

#include "core/error.h"
#include "ops/gemm.h"

namespace rf {

// Forward, with xd = dropout(x), u = xd A (M,R):
//   z = x W^T + s u B;   LoRA: y = z + b;   DoRA: y = (m/n) * z + b  (n detached, per output column)
// gradient (r = m/n for DoRA, 1 for LoRA; dz = dy * r):
//   dm_j += sum_t dy_tj z_tj / n_j                         (DoRA)
//   dB += s u^T dz;   du = s dz B^T;   dA += xd^T du
//   dx += dz W + (du A^T) * keep;   dW += dz^T x;   db += sum_t dy
// reference: mlx_lm/tuner/lora.py LoRALinear.__call__, mlx_lm/tuner/dora.py DoRALinear.__call__
//            (denom = mx.stop_gradient(norm(adapted, axis=1))); DoRA paper (Liu et al. 2024) §4.3
template <class S>
void lora_forward(S* y, S* u, S* z, const S* x, const S* xd, const S* W, const S* bias, const S* A, const S* B,
                  const S* m, const S* n, S scale, int M, int in, int out, int R) {
    RF_CHECK(!m || (z && n), "lora_forward: DoRA needs z and n");
    S* base = m ? z : y;
    gemm<S>(false, true, M, out, in, S(1), x, in, W, in, S(0), base, out);
    // the rank-R products, split by rows over the worker pool (each too thin to keep BLAS's threads busy)
    parallel_gemm_region(double(M) * R * (in + out), [&](int share, int n_shares) {
        const int m0 = int(long(M) * share / n_shares), m1 = int(long(M) * (share + 1) / n_shares);
        gemm_serial<S>(false, false, m1 - m0, R, in, S(1), xd + long(m0) * in, in, A, R, S(0), u + long(m0) * R, R);
        gemm_serial<S>(false, false, m1 - m0, out, R, scale, u + long(m0) * R, R, B, out, S(1), base + long(m0) * out,
                       out);
    });
    if (m) {
        std::vector<S> r(out);
        for (int j = 0; j < out; ++j) r[j] = m[j] / n[j];
        for (long t = 0; t < M; ++t) {
            const S* zt = z + t * out;
            S* yt = y + t * out;
            for (int j = 0; j < out; ++j) yt[j] = r[j] * zt[j];
        }
    }
    if (bias)
        for (long t = 0; t < M; ++t) {
            S* yt = y + t * out;
            for (int j = 0; j < out; ++j) yt[j] += bias[j];
        }
}

template <class S>
void lora_backward(S* dx, S* dA, S* dB, S* dm, S* dW, S* dbias, const S* dy, const S* x, const S* xd, const S* keep,
                   const S* W, const S* A, const S* B, const S* m, const S* n, const S* u, const S* z, S scale, int M,
                   int in, int out, int R, std::vector<S>& work) {
    const long need_dz = m ? (long)M * out : 0;
    const long need_du = (long)M * R;
    const long need_dxl = keep && dx ? (long)M * in : 0;
    work.resize(need_dz + need_du + need_dxl);
    S* du = work.data() + need_dz;
    const S* dz = dy;
    if (m) {
        S* dzw = work.data();
        std::vector<S> r(out);
        for (int j = 0; j < out; ++j) r[j] = m[j] / n[j];
        for (long t = 0; t < M; ++t) {
            const S* g = dy + t * out;
            const S* zt = z + t * out;
            S* d = dzw + t * out;
            for (int j = 0; j < out; ++j) d[j] = g[j] * r[j];
            if (dm)
                for (int j = 0; j < out; ++j) dm[j] += g[j] * zt[j] / n[j];
        }
        dz = dzw;
    }
    if (dbias)
        for (long t = 0; t < M; ++t)
            for (int j = 0; j < out; ++j) dbias[j] += dy[t * out + j];
    if (dx) gemm<S>(false, false, M, in, out, S(1), dz, out, W, in, S(1), dx, in);
    // the rank-R products over the worker pool: dB by columns and du by rows, then dA by its rows
    // and du A^T by rows (each too thin to keep BLAS's threads busy)
    S* dxl = keep && dx ? work.data() + need_dz + need_du : nullptr;
    parallel_gemm_region(double(M) * R * out * 2, [&](int share, int n_shares) {
        const int j0 = int(long(out) * share / n_shares), j1 = int(long(out) * (share + 1) / n_shares);
        const int m0 = int(long(M) * share / n_shares), m1 = int(long(M) * (share + 1) / n_shares);
        if (dB) gemm_serial<S>(true, false, R, j1 - j0, M, scale, u, R, dz + j0, out, S(1), dB + j0, out);
        gemm_serial<S>(false, true, m1 - m0, R, out, scale, dz + long(m0) * out, out, B, out, S(0), du + long(m0) * R, R);
    });
    parallel_gemm_region(double(M) * R * in * (dA && dx ? 2 : 1), [&](int share, int n_shares) {
        const int i0 = int(long(in) * share / n_shares), i1 = int(long(in) * (share + 1) / n_shares);
        const int m0 = int(long(M) * share / n_shares), m1 = int(long(M) * (share + 1) / n_shares);
        if (dA) gemm_serial<S>(true, false, i1 - i0, R, M, S(1), xd + i0, in, du, R, S(1), dA + long(i0) * R, R);
        if (!dx) return;
        if (dxl) {
            gemm_serial<S>(false, true, m1 - m0, in, R, S(1), du + long(m0) * R, R, A, R, S(0), dxl + long(m0) * in, in);
            for (long i = long(m0) * in; i < long(m1) * in; ++i) dx[i] += dxl[i] * keep[i];
        } else {
            gemm_serial<S>(false, true, m1 - m0, in, R, S(1), du + long(m0) * R, R, A, R, S(1), dx + long(m0) * in, in);
        }
    });
    if (dW) gemm<S>(true, false, out, in, M, S(1), dz, out, x, in, S(1), dW, in);
}

// n_j^2 = ||W_j||^2 + 2 s sum_k B_kj P_jk + s^2 sum_kl B_kj G_kl B_lj,  P = W A (out,R), G = A^T A (R,R)
// (the small sums in double; the expansion is the one mlx-lm's DoRA fuse computes explicitly)
template <class S>
void dora_row_norms(S* n, const S* W, const double* w_sq, const S* A, const S* B, S scale, int out, int in, int R,
                    std::vector<S>& work) {
    work.resize((size_t)out * R + (size_t)R * R);
    S* P = work.data();
    S* G = P + (size_t)out * R;
    gemm<S>(false, false, out, R, in, S(1), W, in, A, R, S(0), P, R);
    gemm<S>(true, false, R, R, in, S(1), A, R, A, R, S(0), G, R);
    const double s = double(scale);
    for (int j = 0; j < out; ++j) {
        double w2 = 0;
        if (w_sq)
            w2 = w_sq[j];
        else
            for (int i = 0; i < in; ++i) w2 += double(W[(long)j * in + i]) * double(W[(long)j * in + i]);
        double cross = 0, quad = 0;
        for (int k = 0; k < R; ++k) {
            const double bk = double(B[(long)k * out + j]);
            cross += bk * double(P[(long)j * R + k]);
            double gb = 0;
            for (int l = 0; l < R; ++l) gb += double(G[(long)k * R + l]) * double(B[(long)l * out + j]);
            quad += bk * gb;
        }
        const double n2 = w2 + 2.0 * s * cross + s * s * quad;
        n[j] = S(std::sqrt(n2 > 0 ? n2 : 0.0));
    }
}

#define RF_INSTANTIATE(S)                                                                                              \
    template void lora_forward<S>(S*, S*, S*, const S*, const S*, const S*, const S*, const S*, const S*, const S*,    \
                                  const S*, S, int, int, int, int);                                                    \
    template void lora_backward<S>(S*, S*, S*, S*, S*, S*, const S*, const S*, const S*, const S*, const S*, const S*, \
                                   const S*, const S*, const S*, const S*, const S*, S, int, int, int, int,            \
                                   std::vector<S>&);                                                                   \
    template void dora_row_norms<S>(S*, const S*, const double*, const S*, const S*, S, int, int, int, std::vector<S>&);
RF_INSTANTIATE(float)
RF_INSTANTIATE(double)
#undef RF_INSTANTIATE

}  // namespace rf
