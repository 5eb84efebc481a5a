#include "ops/attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/error.h"
#include "ops/gemm.h"
#include "ops/vec_math.h"

namespace rf {

// Per sequence b and query head h (kv head j = h / (NH/KVH)), with Q (T,HS), K, V (T,HS):
//   S = s Q K^T,  s = HS^-0.5;   P_it = exp(S_it - lse_i) for t <= i, 0 for t > i;
//   lse_i = log sum_{t<=i} exp(S_it);   O = P V
// gradient (D_i = sum_d dO_id O_id = sum_t P_it dP_it):
//   dP = dO V^T;  dS = P * (dP - D);  dQ += s dS K;  dK_j += s dS^T Q;  dV_j += P^T dO
// (dK, dV accumulate over the NH/KVH query heads that share kv head j)
// reference: transformers eager_attention_forward + repeat_kv; FlashAttention-2 (Dao 2023) Alg. 2
namespace {

// Query rows are processed in blocks of kBlock; block [r0, r0 + cr) only needs key columns [0, r0 + cr),
// so about half of the T x T scores above the diagonal are never computed (62% of the square at T = 256).
constexpr int kBlock = 64;

// P (cr, nc) holds scores of query rows r0..r0+cr-1 against keys 0..nc-1. Causal softmax in place
// (row i keeps columns 0..r0+i); lse (cr) out.
template <class S>
void causal_softmax_rows(S* P, S* lse, int cr, int nc, int r0) {
    for (int i = 0; i < cr; ++i) {
        S* row = P + (long)i * nc;
        const int n = r0 + i + 1;
        const S mx = vmax(row, n);
        for (int t = 0; t < n; ++t) row[t] = vexp(row[t] - mx);
        const S sum = vsum(row, n);
        const S inv = S(1) / sum;
        for (int t = 0; t < n; ++t) row[t] *= inv;
        for (int t = n; t < nc; ++t) row[t] = 0;
        lse[i] = mx + std::log(sum);
    }
}

// P (cr, nc) = exp(S - lse) on the causal part, 0 above the diagonal (S given in P).
template <class S>
void causal_probs_from_lse(S* P, const S* lse, int cr, int nc, int r0) {
    for (int i = 0; i < cr; ++i) {
        S* row = P + (long)i * nc;
        const int n = r0 + i + 1;
        const S l = lse[i];
        for (int t = 0; t < n; ++t) row[t] = vexp(row[t] - l);
        for (int t = n; t < nc; ++t) row[t] = 0;
    }
}

}  // namespace

// The (b, h) pairs are independent: the forward splits them over the worker pool's shares (the
// backward splits the (b, j) kv-head pairs, so that the dK, dV sums of one kv head stay on one share),
// each share running its products serially (gemm_serial) on its own scratch. The result does not
// depend on the number of shares.
template <class S>
void attention_forward(S* out, S* lse, const S* q, const S* k, const S* v, int B, int T, int NH, int KVH, int HS) {
    RF_CHECK(KVH > 0 && NH % KVH == 0, "attention: NH must be a multiple of KVH");
    const int G = NH / KVH;
    const S scale = S(1) / std::sqrt(S(HS));
    const int qs = NH * HS, ks = KVH * HS;
    const long pairs = (long)B * NH;
    parallel_gemm_region(double(pairs) * T * T * HS, [&](int share, int n_shares) {
        std::vector<S> P((size_t)std::min(T, kBlock) * T);
        for (long bh = pairs * share / n_shares; bh < pairs * (share + 1) / n_shares; ++bh) {
            const int b = int(bh / NH), h = int(bh % NH), j = h / G;
            const S* Q = q + (long)b * T * qs + (long)h * HS;
            const S* K = k + (long)b * T * ks + (long)j * HS;
            const S* V = v + (long)b * T * ks + (long)j * HS;
            S* O = out + (long)b * T * qs + (long)h * HS;
            for (int r0 = 0; r0 < T; r0 += kBlock) {
                const int cr = std::min(kBlock, T - r0), nc = r0 + cr;
                gemm_serial<S>(false, true, cr, nc, HS, scale, Q + (long)r0 * qs, qs, K, ks, S(0), P.data(), nc);
                causal_softmax_rows(P.data(), lse + ((long)b * NH + h) * T + r0, cr, nc, r0);
                gemm_serial<S>(false, false, cr, HS, nc, S(1), P.data(), nc, V, ks, S(0), O + (long)r0 * qs, qs);
            }
        }
    });
}

template <class S>
void attention_backward(S* dq, S* dk, S* dv, const S* dout, const S* q, const S* k, const S* v, const S* out,
                        const S* lse, int B, int T, int NH, int KVH, int HS) {
    RF_CHECK(KVH > 0 && NH % KVH == 0, "attention: NH must be a multiple of KVH");
    const int G = NH / KVH;
    const S scale = S(1) / std::sqrt(S(HS));
    const int qs = NH * HS, ks = KVH * HS;
    const long pairs = (long)B * KVH;
    parallel_gemm_region(double(B) * NH * T * T * HS, [&](int share, int n_shares) {
        const size_t blk = (size_t)std::min(T, kBlock) * T;
        std::vector<S> P(blk), dP(blk), D(T);
        for (long bj = pairs * share / n_shares; bj < pairs * (share + 1) / n_shares; ++bj)
            for (int h = int(bj % KVH) * G; h < int(bj % KVH + 1) * G; ++h) {
                const int b = int(bj / KVH), j = h / G;
                const long qo = (long)b * T * qs + (long)h * HS, ko = (long)b * T * ks + (long)j * HS;
                for (int i = 0; i < T; ++i) D[i] = vdot(dout + qo + (long)i * qs, out + qo + (long)i * qs, HS);
                for (int r0 = 0; r0 < T; r0 += kBlock) {
                    const int cr = std::min(kBlock, T - r0), nc = r0 + cr;
                    const long qr = qo + (long)r0 * qs;
                    gemm_serial<S>(false, true, cr, nc, HS, scale, q + qr, qs, k + ko, ks, S(0), P.data(), nc);
                    causal_probs_from_lse(P.data(), lse + ((long)b * NH + h) * T + r0, cr, nc, r0);
                    gemm_serial<S>(false, true, cr, nc, HS, S(1), dout + qr, qs, v + ko, ks, S(0), dP.data(), nc);
                    for (int i = 0; i < cr; ++i) {
                        S* ds = dP.data() + (long)i * nc;
                        const S* p = P.data() + (long)i * nc;
                        const S d = D[r0 + i];
                        for (int t = 0; t < nc; ++t) ds[t] = p[t] * (ds[t] - d);
                    }
                    gemm_serial<S>(false, false, cr, HS, nc, scale, dP.data(), nc, k + ko, ks, S(1), dq + qr, qs);
                    gemm_serial<S>(true, false, nc, HS, cr, scale, dP.data(), nc, q + qr, qs, S(1), dk + ko, ks);
                    gemm_serial<S>(true, false, nc, HS, cr, S(1), P.data(), nc, dout + qr, qs, S(1), dv + ko, ks);
                }
            }
    });
}

template <class S>
void attention_forward_naive(S* out, S* lse, const S* q, const S* k, const S* v, int B, int T, int NH, int KVH,
                             int HS) {
    RF_CHECK(KVH > 0 && NH % KVH == 0, "attention: NH must be a multiple of KVH");
    const int G = NH / KVH;
    const S scale = S(1) / std::sqrt(S(HS));
    std::vector<S> p(T);
    for (int b = 0; b < B; ++b)
        for (int h = 0; h < NH; ++h)
            for (int i = 0; i < T; ++i) {
                const S* qi = q + (((long)b * T + i) * NH + h) * HS;
                S mx = -std::numeric_limits<S>::infinity();
                for (int t = 0; t <= i; ++t) {
                    const S* kt = k + (((long)b * T + t) * KVH + h / G) * HS;
                    S s = 0;
                    for (int d = 0; d < HS; ++d) s += qi[d] * kt[d];
                    p[t] = s * scale;
                    mx = p[t] > mx ? p[t] : mx;
                }
                S sum = 0;
                for (int t = 0; t <= i; ++t) sum += (p[t] = std::exp(p[t] - mx));
                S* oi = out + (((long)b * T + i) * NH + h) * HS;
                for (int d = 0; d < HS; ++d) oi[d] = 0;
                for (int t = 0; t <= i; ++t) {
                    const S* vt = v + (((long)b * T + t) * KVH + h / G) * HS;
                    for (int d = 0; d < HS; ++d) oi[d] += p[t] / sum * vt[d];
                }
                lse[((long)b * NH + h) * T + i] = mx + std::log(sum);
            }
}

template <class S>
void attention_backward_naive(S* dq, S* dk, S* dv, const S* dout, const S* q, const S* k, const S* v, const S* out,
                              const S* lse, int B, int T, int NH, int KVH, int HS) {
    RF_CHECK(KVH > 0 && NH % KVH == 0, "attention: NH must be a multiple of KVH");
    const int G = NH / KVH;
    const S scale = S(1) / std::sqrt(S(HS));
    for (int b = 0; b < B; ++b)
        for (int h = 0; h < NH; ++h)
            for (int i = 0; i < T; ++i) {
                const long qi = (((long)b * T + i) * NH + h) * HS;
                S D = 0;
                for (int d = 0; d < HS; ++d) D += dout[qi + d] * out[qi + d];
                for (int t = 0; t <= i; ++t) {
                    const long kt = (((long)b * T + t) * KVH + h / G) * HS;
                    S s = 0, dp = 0;
                    for (int d = 0; d < HS; ++d) {
                        s += q[qi + d] * k[kt + d];
                        dp += dout[qi + d] * v[kt + d];
                    }
                    S p = std::exp(s * scale - lse[((long)b * NH + h) * T + i]);
                    S ds = p * (dp - D);
                    for (int d = 0; d < HS; ++d) {
                        dq[qi + d] += scale * ds * k[kt + d];
                        dk[kt + d] += scale * ds * q[qi + d];
                        dv[kt + d] += p * dout[qi + d];
                    }
                }
            }
}

#define RF_INSTANTIATE(S)                                                                                             \
    template void attention_forward<S>(S*, S*, const S*, const S*, const S*, int, int, int, int, int);                \
    template void attention_backward<S>(S*, S*, S*, const S*, const S*, const S*, const S*, const S*, const S*, int,  \
                                        int, int, int, int);                                                          \
    template void attention_forward_naive<S>(S*, S*, const S*, const S*, const S*, int, int, int, int, int);          \
    template void attention_backward_naive<S>(S*, S*, S*, const S*, const S*, const S*, const S*, const S*, const S*, \
                                              int, int, int, int, int);
RF_INSTANTIATE(float)
RF_INSTANTIATE(double)
#undef RF_INSTANTIATE

}  // namespace rf
