#include "ops/lm_head.h"

#include <cmath>
#include <cstring>

#include "core/error.h"
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
namespace {

template <class S>
void check_args(const int32_t* targets, long N, int V, float temperature) {
    RF_CHECK(temperature > 0.0f, "lm_head: temperature must be > 0");
    for (long n = 0; n < N; ++n) RF_CHECK(targets[n] >= -1 && targets[n] < V, "lm_head: target out of range");
}

// One row of z (V): writes logp, entropy and lse; with keep_exp, z is overwritten by e^{z - max}
// and the function returns 1 / sum (so that p = z * the return value).
template <class S>
S reduce_row(S* z, int V, int32_t y, S* logp, S* entropy, S* lse, bool keep_exp) {
    const S mx = vmax(z, V);
    // s1 = sum e^{z-m}, s2 = sum e^{z-m} (z-m): H = log s1 - s2 / s1
    constexpr int L = 16;
    S a1[L] = {}, a2[L] = {};
    long j = 0;
    const S zy = z[y];
    if (keep_exp) {
        for (; j + L <= V; j += L)
            for (int l = 0; l < L; ++l) {
                S d = z[j + l] - mx;
                S e = vexp(d);
                a1[l] += e;
                a2[l] += e * d;
                z[j + l] = e;
            }
    } else {
        for (; j + L <= V; j += L)
            for (int l = 0; l < L; ++l) {
                S d = z[j + l] - mx;
                S e = vexp(d);
                a1[l] += e;
                a2[l] += e * d;
            }
    }
    S s1 = 0, s2 = 0;
    for (int l = 0; l < L; ++l) s1 += a1[l], s2 += a2[l];
    for (; j < V; ++j) {
        S d = z[j] - mx, e = vexp(d);
        s1 += e, s2 += e * d;
        if (keep_exp) z[j] = e;
    }
    const S ls = std::log(s1);
    *lse = mx + ls;
    *logp = zy - *lse;
    *entropy = ls - s2 / s1;
    return S(1) / s1;
}

// z (V) -> dlogits in place
template <class S>
void row_grad(S* z, int V, int32_t y, S g, S e, S lse, S H, S inv_tau) {
    const S shift = H - lse;
    for (int j = 0; j < V; ++j) {
        S p = vexp(z[j] - lse);
        z[j] = (-g * p - e * p * (z[j] + shift)) * inv_tau;
    }
    z[y] += g * inv_tau;
}

}  // namespace

template <class S>
void lm_head_logp_forward(S* logp, S* entropy, S* lse, const S* h, const S* W, const int32_t* targets, long N, int C,
                          int V, float temperature, LmHeadWork<S>& work, S* pw) {
    check_args<S>(targets, N, V, temperature);
    const int chunk = work.chunk > 0 ? work.chunk : 128;
    work.scored.clear();
    for (long n = 0; n < N; ++n) {
        if (targets[n] >= 0)
            work.scored.push_back(n);
        else
            logp[n] = entropy[n] = lse[n] = 0;
        if (pw) std::fill(pw + n * C, pw + (n + 1) * C, S(0));
    }
    work.logits.resize((size_t)chunk * V);
    work.rows.resize((size_t)chunk * C);
    if (pw) work.drows.resize((size_t)chunk * C);
    std::vector<S> inv_sum(pw ? chunk : 0);
    const S inv_tau = S(1) / S(temperature);
    const long ns = (long)work.scored.size();
    for (long r0 = 0; r0 < ns; r0 += chunk) {
        const int cr = int(std::min<long>(chunk, ns - r0));
        for (int r = 0; r < cr; ++r)
            std::memcpy(work.rows.data() + (long)r * C, h + work.scored[r0 + r] * C, sizeof(S) * C);
        gemm<S>(false, true, cr, V, C, inv_tau, work.rows.data(), C, W, C, S(0), work.logits.data(), V);
        for (int r = 0; r < cr; ++r) {
            const long n = work.scored[r0 + r];
            S is = reduce_row(work.logits.data() + (long)r * V, V, targets[n], &logp[n], &entropy[n], &lse[n], pw);
            if (pw) inv_sum[r] = is;
        }
        if (!pw) continue;
        // pw rows = (e^{z - max} / sum) W
        gemm<S>(false, false, cr, C, V, S(1), work.logits.data(), V, W, C, S(0), work.drows.data(), C);
        for (int r = 0; r < cr; ++r) {
            S* d = pw + work.scored[r0 + r] * C;
            const S* s = work.drows.data() + (long)r * C;
            for (int i = 0; i < C; ++i) d[i] = s[i] * inv_sum[r];
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
    if (pw && !dW && !entropy_grad) {
        // dh_n += g_n / tau (W[y_n] - E_p[W]_n)
        if (!dh) return;
        const S inv_tau = S(1) / S(temperature);
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
    const int chunk = work.chunk > 0 ? work.chunk : 128;
    work.scored.clear();
    for (long n = 0; n < N; ++n)
        if (targets[n] >= 0 && (dlogp[n] != S(0) || (dentropy && dentropy[n] != S(0)))) work.scored.push_back(n);
    work.logits.resize((size_t)chunk * V);
    work.rows.resize((size_t)chunk * C);
    work.drows.resize((size_t)chunk * C);
    const S inv_tau = S(1) / S(temperature);
    const long ns = (long)work.scored.size();
    for (long r0 = 0; r0 < ns; r0 += chunk) {
        const int cr = int(std::min<long>(chunk, ns - r0));
        for (int r = 0; r < cr; ++r)
            std::memcpy(work.rows.data() + (long)r * C, h + work.scored[r0 + r] * C, sizeof(S) * C);
        S* z = work.logits.data();
        gemm<S>(false, true, cr, V, C, inv_tau, work.rows.data(), C, W, C, S(0), z, V);
        for (int r = 0; r < cr; ++r) {
            const long n = work.scored[r0 + r];
            row_grad(z + (long)r * V, V, targets[n], dlogp[n], dentropy ? dentropy[n] : S(0), lse[n], entropy[n],
                     inv_tau);
        }
        if (dh) {
            gemm<S>(false, false, cr, C, V, S(1), z, V, W, C, S(0), work.drows.data(), C);
            for (int r = 0; r < cr; ++r) {
                S* d = dh + work.scored[r0 + r] * C;
                const S* s = work.drows.data() + (long)r * C;
                for (int i = 0; i < C; ++i) d[i] += s[i];
            }
        }
        if (dW) gemm<S>(true, false, V, C, cr, S(1), z, V, work.rows.data(), C, S(1), dW, C);
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
