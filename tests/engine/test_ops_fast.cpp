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
#include "ops/lora.h"
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

// Attention forward and backward against the naive twins at one shape.
static void check_attention(int B, int T, int NH, int KVH, int HS, uint64_t seed) {
    const size_t nq = (size_t)B * T * NH * HS, nk = (size_t)B * T * KVH * HS;
    VecF q = randn(nq, seed), k = randn(nk, seed + 1), v = randn(nk, seed + 2), dout = randn(nq, seed + 3);
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

TEST(OpsFast, AttentionMatchesNaive) { check_attention(2, 70, 6, 2, 32, 4); }

// Large enough (B NH T^2 HS >= 2^21) that the heads are split over the worker pool's shares.
TEST(OpsFast, AttentionOverThreadsMatchesNaive) { check_attention(2, 150, 4, 2, 32, 14); }

// LoRA at a size where its rank-R products are split over the worker pool (M R (in + out) >= 2^21),
// with and without a dropout mask, against its formulas (ops/lora.cpp) written with gemm_naive.
TEST(OpsFast, LoraOverThreadsMatchesNaive) {
    const int M = 300, in = 700, out = 500, R = 8;
    const float s = 2.0f;
    VecF x = randn((size_t)M * in, 20), W = randn((size_t)out * in, 21, 0.05f), A = randn((size_t)in * R, 22, 0.05f),
         B = randn((size_t)R * out, 23, 0.1f), dy = randn((size_t)M * out, 24), keep((size_t)M * in), xd(x.size());
    rf::Rng r(25);
    for (size_t i = 0; i < x.size(); ++i) keep[i] = r.uniform() < 0.1f ? 0.0f : 1.0f / 0.9f, xd[i] = x[i] * keep[i];
    auto close = [](const VecF& a, const VecF& b, const char* what) {  // relative to the largest entry
        float mx = 0, worst = 0;
        for (float v : b) mx = std::max(mx, std::abs(v));
        for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]) / mx);
        EXPECT_LE(worst, 1e-5f) << what << " (max |naive| " << mx << ")";
    };
    for (int dropout = 0; dropout < 2; ++dropout) {
        const float* xin = dropout ? xd.data() : x.data();
        VecF y((size_t)M * out), u((size_t)M * R), dx((size_t)M * in, 0.5f), dA((size_t)in * R, 0.5f),
            dB((size_t)R * out, 0.5f), work;
        rf::lora_forward<float>(y.data(), u.data(), nullptr, x.data(), xin, W.data(), nullptr, A.data(), B.data(),
                                nullptr, nullptr, s, M, in, out, R);
        rf::lora_backward<float>(dx.data(), dA.data(), dB.data(), nullptr, nullptr, nullptr, dy.data(), x.data(), xin,
                                 dropout ? keep.data() : nullptr, W.data(), A.data(), B.data(), nullptr, nullptr,
                                 u.data(), nullptr, s, M, in, out, R, work);
        // y = x W^T + s u B, u = xd A;  dB += s u^T dy;  du = s dy B^T;  dA += xd^T du;
        // dx += dy W + (du A^T) * keep
        VecF ry((size_t)M * out), ru((size_t)M * R), rdx((size_t)M * in, 0.5f), rdA((size_t)in * R, 0.5f),
            rdB((size_t)R * out, 0.5f), rdu((size_t)M * R), rdxl((size_t)M * in);
        rf::gemm_naive<float>(false, true, M, out, in, 1, x.data(), in, W.data(), in, 0, ry.data(), out);
        rf::gemm_naive<float>(false, false, M, R, in, 1, xin, in, A.data(), R, 0, ru.data(), R);
        rf::gemm_naive<float>(false, false, M, out, R, s, ru.data(), R, B.data(), out, 1, ry.data(), out);
        rf::gemm_naive<float>(true, false, R, out, M, s, ru.data(), R, dy.data(), out, 1, rdB.data(), out);
        rf::gemm_naive<float>(false, true, M, R, out, s, dy.data(), out, B.data(), out, 0, rdu.data(), R);
        rf::gemm_naive<float>(true, false, in, R, M, 1, xin, in, rdu.data(), R, 1, rdA.data(), R);
        rf::gemm_naive<float>(false, false, M, in, out, 1, dy.data(), out, W.data(), in, 1, rdx.data(), in);
        rf::gemm_naive<float>(false, true, M, in, R, 1, rdu.data(), R, A.data(), R, 0, rdxl.data(), in);
        for (size_t i = 0; i < rdx.size(); ++i) rdx[i] += rdxl[i] * (dropout ? keep[i] : 1.0f);
        close(y, ry, "y");
        close(u, ru, "u");
        close(dx, rdx, "dx");
        close(dA, rdA, "dA");
        close(dB, rdB, "dB");
    }
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
