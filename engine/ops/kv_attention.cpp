// Decode attention over a shared prefix plus per-sequence caches (see kv_attention.h).
#include "ops/kv_attention.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "ops/vec_math.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace rf {

namespace {

inline float dot(const float* a, const float* b, int n) {
#if defined(__AVX512F__)
    __m512 acc = _mm512_setzero_ps();
    int i = 0;
    for (; i + 16 <= n; i += 16) acc = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc);
    if (i < n) {
        __mmask16 m = __mmask16((1u << (n - i)) - 1u);
        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i), acc);
    }
    return _mm512_reduce_add_ps(acc);
#else
    float s = 0;
    for (int i = 0; i < n; ++i) s += a[i] * b[i];
    return s;
#endif
}

// y += a * x
inline void axpy(float* y, float a, const float* x, int n) {
    for (int i = 0; i < n; ++i) y[i] += a * x[i];
}

}  // namespace

void kv_attention(float* const* out_rows, const float* const* q_rows, int S, int G, int HS, const KvSpan& shared,
                  const KvSpan* own, float scale, std::vector<float>& scratch) {
    const int R = S * G, Lp = shared.n;
    int max_own = 0;
    for (int s = 0; s < S; ++s) max_own = std::max(max_own, own[s].n);
    const int W = Lp + max_own;  // row stride of the score matrix
    RF_CHECK(W > 0, "kv_attention over an empty context");
    if (scratch.size() < size_t(R) * W) scratch.resize(size_t(R) * W);
    float* sc = scratch.data();

    // scores: the prefix rows are read once for all R query rows
    for (int t = 0; t < Lp; ++t) {
        const float* k = shared.k + size_t(t) * HS;
        for (int r = 0; r < R; ++r) sc[size_t(r) * W + t] = scale * dot(q_rows[r], k, HS);
    }
    for (int s = 0; s < S; ++s)
        for (int t = 0; t < own[s].n; ++t) {
            const float* k = own[s].k + size_t(t) * HS;
            for (int g = 0; g < G; ++g) {
                const int r = s * G + g;
                sc[size_t(r) * W + Lp + t] = scale * dot(q_rows[r], k, HS);
            }
        }
    // softmax per row over its Lp + own[s].n positions
    for (int r = 0; r < R; ++r) {
        float* x = sc + size_t(r) * W;
        const int n = Lp + own[r / G].n;
        const float m = vmax(x, n);
        for (int i = 0; i < n; ++i) x[i] = exp_approx(x[i] - m);
        const float inv = 1.0f / vsum(x, n);
        for (int i = 0; i < n; ++i) x[i] *= inv;
    }
    // weighted sums of V
    for (int r = 0; r < R; ++r) std::fill(out_rows[r], out_rows[r] + HS, 0.0f);
    for (int t = 0; t < Lp; ++t) {
        const float* v = shared.v + size_t(t) * HS;
        for (int r = 0; r < R; ++r) axpy(out_rows[r], sc[size_t(r) * W + t], v, HS);
    }
    for (int s = 0; s < S; ++s)
        for (int t = 0; t < own[s].n; ++t) {
            const float* v = own[s].v + size_t(t) * HS;
            for (int g = 0; g < G; ++g) {
                const int r = s * G + g;
                axpy(out_rows[r], sc[size_t(r) * W + Lp + t], v, HS);
            }
        }
}

void kv_attention_naive(float* const* out_rows, const float* const* q_rows, int S, int G, int HS,
                        const KvSpan& shared, const KvSpan* own, float scale) {
    for (int s = 0; s < S; ++s)
        for (int g = 0; g < G; ++g) {
            const int r = s * G + g;
            std::vector<const float*> ks, vs;
            for (int t = 0; t < shared.n; ++t) ks.push_back(shared.k + size_t(t) * HS), vs.push_back(shared.v + size_t(t) * HS);
            for (int t = 0; t < own[s].n; ++t) ks.push_back(own[s].k + size_t(t) * HS), vs.push_back(own[s].v + size_t(t) * HS);
            std::vector<double> p(ks.size());
            double m = -1e300;
            for (size_t t = 0; t < ks.size(); ++t) {
                double d = 0;
                for (int i = 0; i < HS; ++i) d += double(q_rows[r][i]) * ks[t][i];
                p[t] = d * scale;
                m = std::max(m, p[t]);
            }
            double sum = 0;
            for (auto& x : p) sum += (x = std::exp(x - m));
            for (int i = 0; i < HS; ++i) {
                double o = 0;
                for (size_t t = 0; t < ks.size(); ++t) o += p[t] / sum * vs[t][i];
                out_rows[r][i] = float(o);
            }
        }
}

}  // namespace rf
