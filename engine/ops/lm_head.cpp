#include "ops/lm_head.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/error.h"
#include "core/worker_pool.h"
#include "ops/gemm.h"
#include "ops/vec_math.h"

namespace rf {

// Per scored row with hidden h (C) and target y, tau = temperature:
//   z = (h W^T) / tau;  lse = log sum_j e^{z_j};  p = e^{z - lse}
//   logp = z_y - lse;   entropy H = -sum_j p_j log p_j = lse - sum_j p_j z_j
// gradient with g = dL/dlogp, e = dL/dH (d logp/dz = onehot(y) - p; dH/dz_j = -p_j (z_j - E_p[z]),
// E_p[z] = lse - H):
//   dz_j = g (1[j=y] - p_j) - e p_j (z_j - lse + H);  dlogits = dz / tau
//   dh += dlogits W;  dW += dlogits^T h
// Without dW and entropy term, dh = g / tau (W_y - sum_j p_j W_j): the forward can accumulate
// E_p[W] = sum_j p_j W_j (one GEMM on the probabilities it already has) and the backward then needs
// no second pass over the vocabulary. (PyTorch keeps the (N,V) logits instead.)
// reference: https://pytorch.org/docs/stable/generated/torch.nn.functional.log_softmax.html;
//            TRL computes logp on logits / temperature (GRPOTrainer._get_per_token_logps)
// Across vocabulary slices (online log-sum-exp, as FlashAttention does across key blocks), per row with
// running max m, s1 = sum e^{z-m}, s2 = sum e^{z-m} (z-m), acc = sum e^{z-m} W_j: a slice with max m'
// (m_new = max(m, m')) rescales by c = e^{m - m_new}:
//   s2 <- c (s2 + (m - m_new) s1) + slice's s2;  s1 <- c s1 + slice's s1;  acc <- c acc + slice's acc
// and at the end lse = m + log s1, H = log s1 - s2 / s1, E_p[W] = acc / s1.
namespace {

template <class S>
void check_args(const int32_t* targets, long N, int V, float temperature) {
    RF_CHECK(temperature > 0.0f, "lm_head: temperature must be > 0");
    for (long n = 0; n < N; ++n) RF_CHECK(targets[n] >= -1 && targets[n] < V, "lm_head: target out of range");
}

// Slice width for `nr` rows: budget / nr columns (a multiple of 16 when wide), at least 1, at most V.
template <class S>
int slice_width(const LmHeadWork<S>& work, int nr, int V) {
    long vc = std::max(1L, work.budget / std::max(1, nr));
    if (vc >= 64) vc &= ~15L;
    return int(std::min<long>(vc, V));
}

// Running softmax statistics of one row, updated with a slice z (vc) whose columns start at v0.
// With keep_exp, z is overwritten by e^{z - m_new}. Returns the rescale factor c of the old sums.
template <class S>
S update_row(S* z, int vc, int v0, int32_t y, S& m, S& s1, S& s2, S& zy, bool keep_exp) {
    if (y >= v0 && y < v0 + vc) zy = z[y - v0];
    const S m_new = std::max(m, vmax(z, vc));
    constexpr int L = 16;
    S a1[L] = {}, a2[L] = {};
    long j = 0;
    if (keep_exp) {
        for (; j + L <= vc; j += L)
            for (int l = 0; l < L; ++l) {
                S d = z[j + l] - m_new, e = vexp(d);
                a1[l] += e;
                a2[l] += e * d;
                z[j + l] = e;
            }
    } else {
        for (; j + L <= vc; j += L)
            for (int l = 0; l < L; ++l) {
                S d = z[j + l] - m_new, e = vexp(d);
                a1[l] += e;
                a2[l] += e * d;
            }
    }
    S t1 = 0, t2 = 0;
    for (int l = 0; l < L; ++l) t1 += a1[l], t2 += a2[l];
    for (; j < vc; ++j) {
        S d = z[j] - m_new, e = vexp(d);
        t1 += e, t2 += e * d;
        if (keep_exp) z[j] = e;
    }
    const S c = s1 > S(0) ? vexp(m - m_new) : S(0);
    s2 = s1 > S(0) ? c * (s2 + (m - m_new) * s1) + t2 : t2;
    s1 = c * s1 + t1;
    m = m_new;
    return c;
}

// z (vc) -> dlogits in place, for columns v0.. of a row with target y
template <class S>
void row_grad(S* z, int vc, int v0, int32_t y, S g, S e, S lse, S H, S inv_tau) {
    const S shift = H - lse;
    for (int j = 0; j < vc; ++j) {
        S p = vexp(z[j] - lse);
        z[j] = (-g * p - e * p * (z[j] + shift)) * inv_tau;
    }
    if (y >= v0 && y < v0 + vc) z[y - v0] += g * inv_tau;
}

template <class S>
void gather_rows(S* dst, const S* h, const long* idx, int nr, int C) {
    for (int r = 0; r < nr; ++r) std::memcpy(dst + (long)r * C, h + idx[r] * C, sizeof(S) * C);
}

}  // namespace

template <class S>
void lm_head_logp_forward(S* logp, S* entropy, S* lse, const S* h, const S* W, const int32_t* targets, long N, int C,
                          int V, float temperature, LmHeadWork<S>& work, S* pw) {
    check_args<S>(targets, N, V, temperature);
    work.scored.clear();
    for (long n = 0; n < N; ++n) {
        if (targets[n] >= 0)
            work.scored.push_back(n);
        else
            logp[n] = entropy[n] = lse[n] = 0;
        if (pw) std::fill(pw + n * C, pw + (n + 1) * C, S(0));
    }
    const long ns = (long)work.scored.size();
    const int rb = std::max(1, work.row_block);
    const S inv_tau = S(1) / S(temperature);
    for (long r0 = 0; r0 < ns; r0 += rb) {
        const int nr = int(std::min<long>(rb, ns - r0));
        const long* idx = work.scored.data() + r0;
        const int vw = slice_width(work, nr, V);
        work.logits.resize((size_t)nr * vw);
        work.rows.resize((size_t)nr * C);
        work.state.assign((size_t)nr * 5, S(0));
        S *m = work.state.data(), *s1 = m + nr, *s2 = s1 + nr, *zy = s2 + nr, *c = zy + nr;
        for (int r = 0; r < nr; ++r) m[r] = -std::numeric_limits<S>::infinity();
        if (pw) work.drows.assign((size_t)nr * C, S(0));
        gather_rows(work.rows.data(), h, idx, nr, C);
        for (int v0 = 0; v0 < V; v0 += vw) {
            const int vc = std::min(vw, V - v0);
            S* z = work.logits.data();
            gemm<S>(false, true, nr, vc, C, inv_tau, work.rows.data(), C, W + (long)v0 * C, C, S(0), z, vc);
            // acc <- c acc + e^{z - m} W[v0 : v0 + vc]  (rows split over the worker pool)
            parallel_rows(nr, double(nr) * vc, [&](long r0, long r1) {
                for (long r = r0; r < r1; ++r) {
                    c[r] = update_row(z + r * vc, vc, v0, targets[idx[r]], m[r], s1[r], s2[r], zy[r], pw != nullptr);
                    S* a = work.drows.data() + r * C;
                    if (pw && c[r] != S(1))
                        for (int i = 0; i < C; ++i) a[i] *= c[r];
                }
            });
            if (!pw) continue;
            gemm<S>(false, false, nr, C, vc, S(1), z, vc, W + (long)v0 * C, C, S(1), work.drows.data(), C);
        }
        for (int r = 0; r < nr; ++r) {
            const long n = idx[r];
            const S ls = std::log(s1[r]);
            lse[n] = m[r] + ls;
            logp[n] = zy[r] - lse[n];
            entropy[n] = ls - s2[r] / s1[r];
            if (!pw) continue;
            const S inv = S(1) / s1[r];
            const S* a = work.drows.data() + (long)r * C;
            for (int i = 0; i < C; ++i) pw[n * C + i] = a[i] * inv;
        }
    }
}

template <class S>
void lm_head_logp_backward(S* dh, S* dW, const S* dlogp, const S* dentropy, const S* h, const S* W,
                           const int32_t* targets, const S* lse, const S* entropy, long N, int C, int V,
                           float temperature, LmHeadWork<S>& work, const S* pw) {
    check_args<S>(targets, N, V, temperature);
    bool entropy_grad = false;
    for (long n = 0; dentropy && n < N; ++n) entropy_grad |= targets[n] >= 0 && dentropy[n] != S(0);
    const S inv_tau = S(1) / S(temperature);
    if (pw && !dW && !entropy_grad) {
        // dh_n += g_n / tau (W[y_n] - E_p[W]_n)
        if (!dh) return;
        for (long n = 0; n < N; ++n) {
            if (targets[n] < 0 || dlogp[n] == S(0)) continue;
            const S g = dlogp[n] * inv_tau;
            const S* wy = W + (long)targets[n] * C;
            const S* e = pw + n * C;
            S* d = dh + n * C;
            for (int i = 0; i < C; ++i) d[i] += g * (wy[i] - e[i]);
        }
        return;
    }
    work.scored.clear();
    for (long n = 0; n < N; ++n)
        if (targets[n] >= 0 && (dlogp[n] != S(0) || (dentropy && dentropy[n] != S(0)))) work.scored.push_back(n);
    const long ns = (long)work.scored.size();
    const int rb = std::max(1, work.row_block);
    for (long r0 = 0; r0 < ns; r0 += rb) {
        const int nr = int(std::min<long>(rb, ns - r0));
        const long* idx = work.scored.data() + r0;
        const int vw = slice_width(work, nr, V);
        work.logits.resize((size_t)nr * vw);
        work.rows.resize((size_t)nr * C);
        work.drows.assign((size_t)nr * C, S(0));
        gather_rows(work.rows.data(), h, idx, nr, C);
        for (int v0 = 0; v0 < V; v0 += vw) {
            const int vc = std::min(vw, V - v0);
            S* z = work.logits.data();
            gemm<S>(false, true, nr, vc, C, inv_tau, work.rows.data(), C, W + (long)v0 * C, C, S(0), z, vc);
            for (int r = 0; r < nr; ++r) {
                const long n = idx[r];
                row_grad(z + (long)r * vc, vc, v0, targets[n], dlogp[n], dentropy ? dentropy[n] : S(0), lse[n],
                         entropy[n], inv_tau);
            }
            if (dh) gemm<S>(false, false, nr, C, vc, S(1), z, vc, W + (long)v0 * C, C, S(1), work.drows.data(), C);
            if (dW) gemm<S>(true, false, vc, C, nr, S(1), z, vc, work.rows.data(), C, S(1), dW + (long)v0 * C, C);
        }
        if (!dh) continue;
        for (int r = 0; r < nr; ++r) {
            S* d = dh + idx[r] * C;
            const S* s = work.drows.data() + (long)r * C;
            for (int i = 0; i < C; ++i) d[i] += s[i];
        }
    }
}

template <class S>
void lm_head_logp_forward_naive(S* logp, S* entropy, S* lse, const S* h, const S* W, const int32_t* targets, long N,
                                int C, int V, float temperature) {
    check_args<S>(targets, N, V, temperature);
    std::vector<S> z(V);
    for (long n = 0; n < N; ++n) {
        if (targets[n] < 0) {
            logp[n] = entropy[n] = lse[n] = 0;
            continue;
        }
        S mx = -INFINITY;
        for (int j = 0; j < V; ++j) {
            S acc = 0;
            for (int i = 0; i < C; ++i) acc += h[n * C + i] * W[(long)j * C + i];
            z[j] = acc / S(temperature);
            mx = z[j] > mx ? z[j] : mx;
        }
        S sum = 0;
        for (int j = 0; j < V; ++j) sum += std::exp(z[j] - mx);
        lse[n] = mx + std::log(sum);
        S ez = 0;
        for (int j = 0; j < V; ++j) ez += std::exp(z[j] - lse[n]) * z[j];
        logp[n] = z[targets[n]] - lse[n];
        entropy[n] = lse[n] - ez;
    }
}

template <class S>
void lm_head_logp_backward_naive(S* dh, S* dW, const S* dlogp, const S* dentropy, const S* h, const S* W,
                                 const int32_t* targets, const S* lse, const S* entropy, long N, int C, int V,
                                 float temperature) {
    check_args<S>(targets, N, V, temperature);
    const S tau = S(temperature);
    for (long n = 0; n < N; ++n) {
        if (targets[n] < 0) continue;
        const S g = dlogp[n], e = dentropy ? dentropy[n] : S(0);
        const S ez = lse[n] - entropy[n];
        for (int j = 0; j < V; ++j) {
            S acc = 0;
            for (int i = 0; i < C; ++i) acc += h[n * C + i] * W[(long)j * C + i];
            const S z = acc / tau, p = std::exp(z - lse[n]);
            const S dz = g * ((j == targets[n] ? S(1) : S(0)) - p) - e * p * (z - ez);
            for (int i = 0; i < C; ++i) {
                if (dh) dh[n * C + i] += dz / tau * W[(long)j * C + i];
                if (dW) dW[(long)j * C + i] += dz / tau * h[n * C + i];
            }
        }
    }
}

#define RF_INSTANTIATE(S)                                                                                            \
    template void lm_head_logp_forward<S>(S*, S*, S*, const S*, const S*, const int32_t*, long, int, int, float,     \
                                          LmHeadWork<S>&, S*);                                                       \
    template void lm_head_logp_backward<S>(S*, S*, const S*, const S*, const S*, const S*, const int32_t*, const S*, \
                                           const S*, long, int, int, float, LmHeadWork<S>&, const S*);               \
    template void lm_head_logp_forward_naive<S>(S*, S*, S*, const S*, const S*, const int32_t*, long, int, int,      \
                                                float);                                                              \
    template void lm_head_logp_backward_naive<S>(S*, S*, const S*, const S*, const S*, const S*, const int32_t*,     \
                                                 const S*, const S*, long, int, int, float);
RF_INSTANTIATE(float)
RF_INSTANTIATE(double)
#undef RF_INSTANTIATE

}  // namespace rf
