// The float fast paths (OpenBLAS, chunking, vectorised exp) against their plain-loop twins.
// Tolerances are float round-off at these sizes: |fast - naive| <= 2e-5 * (1 + |naive|) for values
// of order 1 (sums over <= 1024 terms, ~6e-8 relative error per operation).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/rng.h"
#include "ops/attention.h"
#include "ops/gemm.h"
#include "ops/lm_head.h"
#include "ops/vec_math.h"

using VecF = std::vector<float>;

namespace {

VecF randn(size_t n, uint64_t seed, float scale = 1.0f) {
    rf::Rng r(seed);
    VecF v(n);
    for (auto& x : v) x = scale * r.normal();
    return v;
}

void expect_close(const VecF& a, const VecF& b, float tol, const char* what) {
    ASSERT_EQ(a.size(), b.size());
    float worst = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        float err = std::abs(a[i] - b[i]) / (1 + std::abs(b[i]));
        worst = std::max(worst, err);
        ASSERT_LE(err, tol) << what << "[" << i << "] " << a[i] << " vs " << b[i];
    }
}

}  // namespace

TEST(OpsFast, ExpApproxWithinTwoUlpOfLibm) {
    double worst_rel = 0;
    for (float x = -87.0f; x <= 88.0f; x += 0.00731f) {
        double ref = std::exp(double(x));
        double rel = std::abs(double(rf::exp_approx(x)) - ref) / ref;
        worst_rel = std::max(worst_rel, rel);
    }
    EXPECT_LT(worst_rel, 2.5e-7);  // float epsilon 1.19e-7: about 2 ulp
    EXPECT_EQ(rf::exp_approx(0.0f), 1.0f);
    EXPECT_GT(rf::exp_approx(-1000.0f), 0.0f);  // clamped, never NaN/negative
    EXPECT_LT(rf::exp_approx(-1000.0f), 1e-37f);
}

TEST(OpsFast, Reductions) {
    for (long n : {1L, 7L, 16L, 33L, 1000L}) {
        VecF x = randn(n, n);
        double s = 0, d = 0;
        float m = x[0];
        for (long i = 0; i < n; ++i) s += x[i], d += double(x[i]) * x[i], m = std::max(m, x[i]);
        EXPECT_NEAR(rf::vsum(x.data(), n), s, 1e-4 * (1 + std::abs(s)));
        EXPECT_NEAR(rf::vdot(x.data(), x.data(), n), d, 1e-4 * (1 + d));
        EXPECT_EQ(rf::vmax(x.data(), n), m);
    }
}

TEST(OpsFast, GemmMatchesNaiveAllLayouts) {
    const int M = 37, N = 29, K = 45, pad = 3;
    for (int ta = 0; ta < 2; ++ta)
        for (int tb = 0; tb < 2; ++tb) {
            const int lda = (ta ? M : K) + pad, ldb = (tb ? K : N) + pad, ldc = N + pad;
            VecF A = randn((size_t)(ta ? K : M) * lda, 1), B = randn((size_t)(tb ? N : K) * ldb, 2);
            VecF C1 = randn((size_t)M * ldc, 3), C2 = C1;
            rf::gemm<float>(ta, tb, M, N, K, 0.5f, A.data(), lda, B.data(), ldb, 0.25f, C1.data(), ldc);
            rf::gemm_naive<float>(ta, tb, M, N, K, 0.5f, A.data(), lda, B.data(), ldb, 0.25f, C2.data(), ldc);
            expect_close(C1, C2, 2e-5f, "gemm");
        }
}

TEST(OpsFast, AttentionMatchesNaive) {
    const int B = 2, T = 70, NH = 6, KVH = 2, HS = 32;
    const size_t nq = (size_t)B * T * NH * HS, nk = (size_t)B * T * KVH * HS;
    VecF q = randn(nq, 4), k = randn(nk, 5), v = randn(nk, 6), dout = randn(nq, 7);
    VecF o1(nq), o2(nq), l1(B * NH * T), l2(B * NH * T);
    rf::attention_forward(o1.data(), l1.data(), q.data(), k.data(), v.data(), B, T, NH, KVH, HS);
    rf::attention_forward_naive(o2.data(), l2.data(), q.data(), k.data(), v.data(), B, T, NH, KVH, HS);
    expect_close(o1, o2, 2e-5f, "out");
    expect_close(l1, l2, 2e-5f, "lse");
    VecF dq1(nq, 0.f), dk1(nk, 0.f), dv1(nk, 0.f), dq2(nq, 0.f), dk2(nk, 0.f), dv2(nk, 0.f);
    rf::attention_backward(dq1.data(), dk1.data(), dv1.data(), dout.data(), q.data(), k.data(), v.data(), o1.data(),
                           l1.data(), B, T, NH, KVH, HS);
    rf::attention_backward_naive(dq2.data(), dk2.data(), dv2.data(), dout.data(), q.data(), k.data(), v.data(),
                                 o2.data(), l2.data(), B, T, NH, KVH, HS);
    expect_close(dq1, dq2, 5e-5f, "dq");
    expect_close(dk1, dk2, 5e-5f, "dk");
    expect_close(dv1, dv2, 5e-5f, "dv");
}

TEST(OpsFast, LmHeadChunkedMatchesNaive) {
    const int N = 45, C = 48, V = 1000;
    VecF h = randn((size_t)N * C, 8), W = randn((size_t)V * C, 9, 0.2f), g = randn(N, 10), e = randn(N, 11);
    std::vector<int32_t> tgt(N);
    rf::Rng r(12);
    for (auto& t : tgt) t = r.uniform() < 0.2f ? -1 : int32_t(r.below(V));
    for (float tau : {1.0f, 0.6f}) {
        VecF lp1(N), en1(N), ls1(N), lp2(N), en2(N), ls2(N);
        rf::LmHeadWork<float> work;
        work.row_block = 16;     // 3 row blocks
        work.budget = 16 * 200;  // slices of 200 columns: 5 per pass
        rf::lm_head_logp_forward(lp1.data(), en1.data(), ls1.data(), h.data(), W.data(), tgt.data(), N, C, V, tau,
                                 work);
        rf::lm_head_logp_forward_naive(lp2.data(), en2.data(), ls2.data(), h.data(), W.data(), tgt.data(), N, C, V,
                                       tau);
        expect_close(lp1, lp2, 2e-5f, "logp");
        expect_close(en1, en2, 2e-5f, "entropy");
        VecF dh1((size_t)N * C, 0.f), dW1((size_t)V * C, 0.f), dh2 = dh1, dW2 = dW1;
        rf::lm_head_logp_backward(dh1.data(), dW1.data(), g.data(), e.data(), h.data(), W.data(), tgt.data(),
                                  ls1.data(), en1.data(), N, C, V, tau, work);
        rf::lm_head_logp_backward_naive(dh2.data(), dW2.data(), g.data(), e.data(), h.data(), W.data(), tgt.data(),
                                        ls2.data(), en2.data(), N, C, V, tau);
        expect_close(dh1, dh2, 5e-5f, "dh");
        expect_close(dW1, dW2, 5e-5f, "dW");
        // the path without recomputation (E_p[W] from the forward)
        VecF pw((size_t)N * C), dh3((size_t)N * C, 0.f);
        rf::lm_head_logp_forward(lp1.data(), en1.data(), ls1.data(), h.data(), W.data(), tgt.data(), N, C, V, tau, work,
                                 pw.data());
        expect_close(lp1, lp2, 2e-5f, "logp (with E_p[W])");
        VecF dh4((size_t)N * C, 0.f);
        rf::lm_head_logp_backward(dh3.data(), (float*)nullptr, g.data(), (const float*)nullptr, h.data(), W.data(),
                                  tgt.data(), ls1.data(), en1.data(), N, C, V, tau, work, pw.data());
        rf::lm_head_logp_backward_naive(dh4.data(), (float*)nullptr, g.data(), (const float*)nullptr, h.data(),
                                        W.data(), tgt.data(), ls2.data(), en2.data(), N, C, V, tau);
        expect_close(dh3, dh4, 5e-5f, "dh (from E_p[W])");
    }
}
