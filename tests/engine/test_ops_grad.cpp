// Finite-difference gradient checks, in double precision, for every op family in engine/ops/.
// Each op's forward defines a scalar loss L = sum_i w_i out_i (w fixed random weights); the op's
// backward, given dout = w, must match central differences (L(x+h) - L(x-h)) / 2h with h = 1e-6.
// Truncation error is O(h^2 f''') ~ 1e-12 and round-off ~ 1e-16 / h = 1e-10, so the tolerance is
// 1e-7 * (1 + |g|). The double path runs the same code as the float path (gemm -> cblas_dgemm).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "core/rng.h"
#include "ops/attention.h"
#include "ops/embedding.h"
#include "ops/gemm.h"
#include "ops/lm_head.h"
#include "ops/lora.h"
#include "ops/matmul.h"
#include "ops/rmsnorm.h"
#include "ops/rope.h"
#include "ops/swiglu.h"

using Vec = std::vector<double>;

namespace {

constexpr double kStep = 1e-6;
constexpr double kTol = 1e-7;

Vec randn(size_t n, uint64_t seed, double scale = 1.0) {
    rf::Rng r(seed);
    Vec v(n);
    for (auto& x : v) x = scale * r.normal();
    return v;
}

double weighted_sum(const Vec& out, const Vec& w) {
    double s = 0;
    for (size_t i = 0; i < out.size(); ++i) s += out[i] * w[i];
    return s;
}

// Compares `analytic` (dL/dx) with central differences of `loss` around the current x.
void check_grad(const char* what, Vec& x, const Vec& analytic, const std::function<double()>& loss) {
    ASSERT_EQ(x.size(), analytic.size()) << what;
    double worst = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        const double saved = x[i];
        x[i] = saved + kStep;
        const double lp = loss();
        x[i] = saved - kStep;
        const double lm = loss();
        x[i] = saved;
        const double num = (lp - lm) / (2 * kStep);
        const double err = std::abs(num - analytic[i]) / (1 + std::abs(num));
        worst = std::max(worst, err);
        ASSERT_LE(err, kTol) << what << "[" << i << "]: numeric " << num << " analytic " << analytic[i];
    }
    ::testing::Test::RecordProperty(what, std::to_string(worst));
}

}  // namespace

TEST(OpsGrad, Embedding) {
    const int V = 7, C = 5, BT = 9;
    std::vector<int32_t> tok = {0, 3, 3, 6, 1, 3, 0, 2, 5};
    Vec wte = randn(V * C, 1), w = randn(BT * C, 2), out(BT * C);
    auto loss = [&] {
        rf::embedding_forward(out.data(), tok.data(), wte.data(), BT, C);
        return weighted_sum(out, w);
    };
    Vec dwte(V * C, 0.0);
    rf::embedding_backward(dwte.data(), w.data(), tok.data(), BT, C);
    check_grad("dwte", wte, dwte, loss);
}

TEST(OpsGrad, RmsNorm) {
    const int N = 6, C = 8;
    Vec x = randn(N * C, 3), wt = randn(C, 4), w = randn(N * C, 5), out(N * C), rstd(N);
    auto loss = [&] {
        rf::rmsnorm_forward(out.data(), rstd.data(), x.data(), wt.data(), N, C, 1e-5f);
        return weighted_sum(out, w);
    };
    loss();
    Vec dx(N * C, 0.0), dw(C, 0.0);
    rf::rmsnorm_backward(dx.data(), dw.data(), w.data(), x.data(), wt.data(), rstd.data(), N, C);
    check_grad("dx", x, dx, loss);
    check_grad("dweight", wt, dw, loss);
}

TEST(OpsGrad, Rope) {
    const int B = 2, T = 5, H = 3, HS = 8;
    rf::RopeScaling llama3{"llama3", 8.0f, 1.0f, 4.0f, 16};
    for (const rf::RopeScaling& sc : {rf::RopeScaling{}, llama3}) {
        auto inv = rf::rope_inv_freq(HS, 10000.0f, sc);
        Vec cs(T * HS / 2), sn(T * HS / 2);
        rf::rope_table(cs.data(), sn.data(), inv, T);
        Vec x = randn(B * T * H * HS, 6), w = randn(B * T * H * HS, 7), out(x.size());
        auto loss = [&] {
            rf::rope_forward(out.data(), x.data(), cs.data(), sn.data(), B, T, H, HS);
            return weighted_sum(out, w);
        };
        Vec dx(x.size(), 0.0);
        rf::rope_backward(dx.data(), w.data(), cs.data(), sn.data(), B, T, H, HS);
        check_grad("dx", x, dx, loss);
        // a rotation keeps the norm of every (i, i + HS/2) pair
        loss();
        for (size_t i = 0; i < x.size(); i += HS)
            for (int j = 0; j < HS / 2; ++j) {
                double a = x[i + j] * x[i + j] + x[i + j + HS / 2] * x[i + j + HS / 2];
                double b = out[i + j] * out[i + j] + out[i + j + HS / 2] * out[i + j + HS / 2];
                EXPECT_NEAR(a, b, 1e-12);
            }
    }
}

TEST(OpsGrad, SwiGlu) {
    const int N = 40;
    Vec g = randn(N, 8, 2.0), u = randn(N, 9), w = randn(N, 10), out(N);
    auto loss = [&] {
        rf::swiglu_forward(out.data(), g.data(), u.data(), N);
        return weighted_sum(out, w);
    };
    Vec dg(N, 0.0), du(N, 0.0);
    rf::swiglu_backward(dg.data(), du.data(), w.data(), g.data(), u.data(), N);
    check_grad("dgate", g, dg, loss);
    check_grad("dup", u, du, loss);
}

TEST(OpsGrad, Matmul) {
    const int M = 5, N = 4, K = 6;
    Vec x = randn(M * K, 11), W = randn(N * K, 12), b = randn(N, 13), w = randn(M * N, 14), out(M * N);
    for (bool naive : {false, true}) {
        rf::set_naive_gemm(naive);
        auto loss = [&] {
            rf::matmul_forward(out.data(), x.data(), W.data(), b.data(), M, N, K);
            return weighted_sum(out, w);
        };
        Vec dx(M * K, 0.0), dW(N * K, 0.0), db(N, 0.0);
        rf::matmul_backward(dx.data(), dW.data(), db.data(), w.data(), x.data(), W.data(), M, N, K);
        check_grad("dx", x, dx, loss);
        check_grad("dW", W, dW, loss);
        check_grad("db", b, db, loss);
    }
    rf::set_naive_gemm(false);
}

// T = 70 spans two query blocks of the fast path (64 + 6 rows).
TEST(OpsGrad, AttentionGqa) {
    struct Shape {
        int B, T, NH, KVH, HS;
    };
    for (Shape sh : {Shape{2, 5, 4, 2, 4}, Shape{1, 70, 2, 1, 4}}) {
        const int B = sh.B, T = sh.T, NH = sh.NH, KVH = sh.KVH, HS = sh.HS;
        const size_t nq = B * T * NH * HS, nk = B * T * KVH * HS;
        Vec q = randn(nq, 15), k = randn(nk, 16), v = randn(nk, 17), w = randn(nq, 18), out(nq), lse(B * NH * T);
        for (bool naive : {false, true}) {
            auto fwd = naive ? rf::attention_forward_naive<double> : rf::attention_forward<double>;
            auto bwd = naive ? rf::attention_backward_naive<double> : rf::attention_backward<double>;
            auto loss = [&] {
                fwd(out.data(), lse.data(), q.data(), k.data(), v.data(), B, T, NH, KVH, HS);
                return weighted_sum(out, w);
            };
            loss();
            Vec dq(nq, 0.0), dk(nk, 0.0), dv(nk, 0.0);
            bwd(dq.data(), dk.data(), dv.data(), w.data(), q.data(), k.data(), v.data(), out.data(), lse.data(), B, T,
                NH, KVH, HS);
            check_grad("dq", q, dq, loss);
            check_grad("dk", k, dk, loss);
            check_grad("dv", v, dv, loss);
        }
    }
}

TEST(OpsGrad, LmHeadLogpAndEntropy) {
    const int N = 6, C = 5, V = 11;
    const float tau = 0.7f;
    std::vector<int32_t> targets = {3, -1, 0, 10, 7, -1};
    Vec h = randn(N * C, 19), W = randn(V * C, 20), a = randn(N, 21), e = randn(N, 22);
    Vec logp(N), ent(N), lse(N);
    for (bool naive : {false, true}) {
        rf::LmHeadWork<double> work;
        work.row_block = 3;   // two row blocks
        work.budget = 3 * 4;  // slices of 4 columns: 3 per pass, the last one short
        auto loss = [&] {
            if (naive)
                rf::lm_head_logp_forward_naive(logp.data(), ent.data(), lse.data(), h.data(), W.data(), targets.data(),
                                               N, C, V, tau);
            else
                rf::lm_head_logp_forward(logp.data(), ent.data(), lse.data(), h.data(), W.data(), targets.data(), N, C,
                                         V, tau, work);
            return weighted_sum(logp, a) + weighted_sum(ent, e);
        };
        loss();
        EXPECT_EQ(logp[1], 0.0);
        EXPECT_EQ(ent[5], 0.0);
        Vec dh(N * C, 0.0), dW(V * C, 0.0);
        if (naive)
            rf::lm_head_logp_backward_naive(dh.data(), dW.data(), a.data(), e.data(), h.data(), W.data(),
                                            targets.data(), lse.data(), ent.data(), N, C, V, tau);
        else
            rf::lm_head_logp_backward(dh.data(), dW.data(), a.data(), e.data(), h.data(), W.data(), targets.data(),
                                      lse.data(), ent.data(), N, C, V, tau, work);
        check_grad("dh", h, dh, loss);
        check_grad("dW", W, dW, loss);
    }
}

// The backward that uses E_p[W] saved by the forward instead of recomputing the logits (no entropy
// gradient, no dW): same gradient for h.
TEST(OpsGrad, LmHeadLogpFromSavedExpectation) {
    const int N = 7, C = 5, V = 13;
    const float tau = 1.3f;
    std::vector<int32_t> targets = {3, -1, 0, 12, 7, 7, -1};
    Vec h = randn(N * C, 31), W = randn(V * C, 32), a = randn(N, 33);
    Vec logp(N), ent(N), lse(N), pw(N * C);
    rf::LmHeadWork<double> work;
    work.row_block = 4;
    work.budget = 4 * 5;
    auto loss = [&] {
        rf::lm_head_logp_forward(logp.data(), ent.data(), lse.data(), h.data(), W.data(), targets.data(), N, C, V, tau,
                                 work, pw.data());
        return weighted_sum(logp, a);
    };
    loss();
    Vec dh(N * C, 0.0);
    rf::lm_head_logp_backward(dh.data(), (double*)nullptr, a.data(), (const double*)nullptr, h.data(), W.data(),
                              targets.data(), lse.data(), ent.data(), N, C, V, tau, work, pw.data());
    check_grad("dh", h, dh, loss);
}

// LoRA (m == nullptr) and DoRA, with and without a dropout keep-mask, with a bias. For DoRA the row
// norms n are computed once and held fixed: mlx-lm detaches them (stop_gradient), so the analytic
// gradient is the derivative at fixed n.
TEST(OpsGrad, LoraAndDora) {
    const int M = 4, in = 6, out = 5, R = 3;
    const double s = 1.7;
    for (int variant = 0; variant < 4; ++variant) {
        const bool dora = variant & 1, dropout = variant & 2;
        Vec x = randn(M * in, 23), W = randn(out * in, 24), b = randn(out, 25), A = randn(in * R, 26, 0.4),
            B = randn(R * out, 27, 0.4), m = randn(out, 28), w = randn(M * out, 29);
        for (auto& v : m) v = 1.0 + std::abs(v);
        Vec keep(M * in, 1.0);
        rf::Rng r(30);
        if (dropout)
            for (auto& k : keep) k = r.uniform() < 0.3f ? 0.0 : 1.0 / 0.7;
        Vec n(out);
        std::vector<double> work;
        rf::dora_row_norms(n.data(), W.data(), nullptr, A.data(), B.data(), s, out, in, R, work);
        for (int j = 0; j < out; ++j) {  // the expansion equals the norm of the explicit matrix
            double acc = 0;
            for (int i = 0; i < in; ++i) {
                double wij = W[j * in + i];
                for (int k = 0; k < R; ++k) wij += s * A[i * R + k] * B[k * out + j];
                acc += wij * wij;
            }
            EXPECT_NEAR(n[j], std::sqrt(acc), 1e-12);
        }
        Vec xd(M * in), y(M * out), u(M * R), z(M * out);
        auto loss = [&] {
            for (int i = 0; i < M * in; ++i) xd[i] = x[i] * keep[i];
            rf::lora_forward(y.data(), u.data(), dora ? z.data() : nullptr, x.data(), xd.data(), W.data(), b.data(),
                             A.data(), B.data(), dora ? m.data() : nullptr, n.data(), s, M, in, out, R);
            return weighted_sum(y, w);
        };
        loss();
        Vec dx(M * in, 0.0), dA(in * R, 0.0), dB(R * out, 0.0), dm(out, 0.0), dW(out * in, 0.0), db(out, 0.0);
        rf::lora_backward(dx.data(), dA.data(), dB.data(), dora ? dm.data() : nullptr, dW.data(), db.data(), w.data(),
                          x.data(), xd.data(), dropout ? keep.data() : nullptr, W.data(), A.data(), B.data(),
                          dora ? m.data() : nullptr, n.data(), u.data(), dora ? z.data() : nullptr, s, M, in, out, R,
                          work);
        SCOPED_TRACE(variant);
        check_grad("dx", x, dx, loss);
        check_grad("dA", A, dA, loss);
        check_grad("dB", B, dB, loss);
        check_grad("dW", W, dW, loss);
        check_grad("dbias", b, db, loss);
        if (dora) check_grad("dm", m, dm, loss);
    }
}
