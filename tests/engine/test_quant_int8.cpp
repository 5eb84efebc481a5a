// The int8-activation decode GEMV (quant_matmul_int8, AVX-512 VNNI): against its scalar twin
// (same quantization of x, double sums), and against the exact float kernel within the bound of x's
// rounding; outside its formats / sizes it must be the exact kernel.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "core/rng.h"
#include "core/worker_pool.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "quant/quant_matmul.h"
#include "quant/quant_matrix.h"
#include "sampling/generate.h"

using rf::QuantMode;
using rf::QuantSpec;

namespace {

std::vector<float> randn(size_t n, uint64_t seed, float scale = 1.0f) {
    rf::Rng r(seed);
    std::vector<float> v(n);
    for (float& x : v) x = r.normal() * scale;
    return v;
}

const QuantSpec kInt8Specs[] = {{4, 32, QuantMode::affine}, {4, 64, QuantMode::affine}, {4, 128, QuantMode::affine},
                                {8, 32, QuantMode::affine}, {8, 64, QuantMode::affine}, {8, 128, QuantMode::affine},
                                {4, 32, QuantMode::mxfp4}};

// y_int8 = w_hat . x_hat with x_hat_k = d_b xq_k, so |y_int8 - y_exact| <= sum_k |w_hat_k| d_b / 2;
// plus float32 rounding of both sides.
double rounding_bound(const rf::QuantizedMatrix& q, const float* x, int n) {
    const int K = q.cols;
    std::vector<float> w_hat(static_cast<size_t>(K));
    rf::dequantize_rows(q, n, n + 1, w_hat.data());
    double bound = 0;
    for (int b = 0; b < K / 32; ++b) {
        float amax = 0;
        for (int k = 32 * b; k < 32 * b + 32; ++k) amax = std::max(amax, std::fabs(x[k]));
        const double half_d = amax / 127.0 / 2.0;
        for (int k = 32 * b; k < 32 * b + 32; ++k) bound += std::fabs(w_hat[size_t(k)]) * half_d;
    }
    return bound;
}

}  // namespace

// Fast kernel == scalar twin over shapes with partial chunks (K % 128 != 0), odd N (the rows left
// over by the 4- and 2-row blocks), M = 1..8 and passes of 8 (M = 13); affine with float scales and
// with bf16 scales (the kernel then reads QuantizedMatrix::scales_bf16 / biases_bf16).
TEST(QuantInt8, MatchesScalarTwin) {
    if (!rf::quant_int8_active(rf::quantize(std::vector<float>(32, 1.0f).data(), 1, 32, {4, 32, QuantMode::affine})))
        GTEST_SKIP() << "no AVX-512 VNNI on this CPU: quant_matmul_int8 runs the exact kernel (tested below)";
    rf::WorkerPool pool(2);
    rf::Rng rng(11);
    for (const QuantSpec& spec : kInt8Specs)
        for (int K : {spec.group_size, 3 * spec.group_size, 384, 1024}) {
            if (K % spec.group_size) continue;
            const int N = 1 + int(rng.below(70));
            auto w = randn(size_t(N) * K, 40 + K, 0.05f);
            for (rf::DType sd : {rf::DType::F32, rf::DType::BF16}) {
                auto q = rf::quantize(w.data(), N, K, spec, sd);
                const bool b16 = sd == rf::DType::BF16 && spec.mode == QuantMode::affine;
                ASSERT_EQ(q.scales_bf16.empty(), !b16);
                rf::QuantizedMatrix qk = q;  // what the kernel gets
                if (b16) {  // it must read the bf16 copies: its float scales and biases are poisoned
                    EXPECT_EQ(q.read_bytes(true), q.words.size() * 4 + q.scales.size() * 2 * 2);
                    std::fill(qk.scales.begin(), qk.scales.end(), NAN);
                    std::fill(qk.biases.begin(), qk.biases.end(), NAN);
                }
                for (int M : {1, 2, 3, 4, 5, 8, 13}) {
                    SCOPED_TRACE(rf::describe(spec) + (b16 ? " bf16 scales" : "") + " N " + std::to_string(N) + " K " +
                                 std::to_string(K) + " M " + std::to_string(M));
                    auto x = randn(size_t(M) * K, 500 + M);
                    std::vector<float> y(size_t(M) * N, 0.5f), y_naive(y);
                    const bool acc = M % 2 == 1;
                    rf::quant_matmul_int8(y.data(), x.data(), qk, M, acc, &pool);
                    rf::quant_matmul_int8_naive(y_naive.data(), x.data(), q, M, acc);
                    // the same integers; float32 per-chunk scaling and sums against double: ~1e-6 relative
                    for (size_t i = 0; i < y.size(); ++i) ASSERT_NEAR(y[i], y_naive[i], 1e-5 * (1.0 + std::fabs(y_naive[i]))) << i;
                }
            }
        }
}

// Against the exact float kernel: within the rounding bound of x, and the typical error stated.
// Measured (this test's output, N 96, K 1024, x ~ N(0,1), w ~ N(0, 0.02)): max |error| / max |y|
// 4.1e-3 to 4.3e-3 for every format (the error is x's rounding, the same for 4- and 8-bit codes).
TEST(QuantInt8, ErrorAgainstExactKernelWithinRoundingBound) {
    const int N = 96, K = 1024, M = 2;
    auto w = randn(size_t(N) * K, 5, 0.02f);
    auto x = randn(size_t(M) * K, 6);
    for (const QuantSpec& spec : kInt8Specs) {
        auto q = rf::quantize(w.data(), N, K, spec);
        std::vector<float> y(size_t(M) * N), y_exact(y);
        rf::quant_matmul_int8(y.data(), x.data(), q, M, false);
        rf::quant_matmul(y_exact.data(), x.data(), q, M, false);
        double worst = 0, ymax = 0;
        for (int m = 0; m < M; ++m)
            for (int n = 0; n < N; ++n) {
                const double e = std::fabs(double(y[size_t(m) * N + n]) - y_exact[size_t(m) * N + n]);
                ASSERT_LE(e, rounding_bound(q, x.data() + size_t(m) * K, n) + 1e-4) << rf::describe(spec);
                worst = std::max(worst, e);
                ymax = std::max(ymax, double(std::fabs(y_exact[size_t(m) * N + n])));
            }
        std::printf("%s: int8 activations, max |error| %.2e, relative to max |y| %.2e\n", rf::describe(spec).c_str(), worst, worst / ymax);
    }
}

// Where the int8 kernel does not apply (6-bit, M > 16) quant_matmul_int8 is quant_matmul, bit for bit.
TEST(QuantInt8, OtherFormatsAndLargeMAreExact) {
    const int N = 40, K = 256;
    auto w = randn(size_t(N) * K, 8, 0.05f);
    for (const auto& [spec, M] : {std::pair{QuantSpec{6, 64, QuantMode::affine}, 3}, std::pair{QuantSpec{4, 64, QuantMode::affine}, 20}}) {
        auto q = rf::quantize(w.data(), N, K, spec);
        auto x = randn(size_t(M) * K, 9);
        std::vector<float> y(size_t(M) * N), y_exact(y);
        rf::quant_matmul_int8(y.data(), x.data(), q, M, false);
        rf::quant_matmul(y_exact.data(), x.data(), q, M, false);
        EXPECT_EQ(y, y_exact) << rf::describe(spec);
    }
}

// KV-cached decode with DecodeOptions::int8_activations against the same decoder without it (exact
// packed kernels, equal to Model::forward within 2e-4: test_quant_model.cpp), on a 2-layer Qwen3-shaped
// model with every projection and the lm-head copy packed: max |log p| difference over the whole
// vocabulary, at prefill (M > 16 rows: exact path) and 4 decode steps of a batch of 3.
TEST(QuantInt8, DecodeCloseToExactDecode) {
    const auto cfg = rf::ModelConfig::from_json_text(
        R"({"model_type": "qwen3", "hidden_size": 256, "intermediate_size": 768, "num_hidden_layers": 2,
            "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 64, "vocab_size": 1024,
            "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "tie_word_embeddings": true, "max_position_embeddings": 512})",
        "int8-test");
    const int V = cfg.vocab_size;
    for (const QuantSpec& spec : {QuantSpec{4, 64, QuantMode::affine}, QuantSpec{8, 64, QuantMode::affine}, QuantSpec{4, 32, QuantMode::mxfp4}}) {
        auto m = rf::Model::random_init(cfg, 3);
        m->quantize_base(spec);
        rf::DecodeOptions exact;
        exact.lm_head_quant = spec;
        rf::DecodeOptions i8 = exact;
        i8.int8_activations = true;
        rf::ModelDecoder a(*m, exact), b(*m, i8);
        std::vector<float> la, lb;
        const std::vector<std::vector<int>> prompts = {{5, 9, 100, 7, 3, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22}, {42}};
        a.prefill(prompts, 5, la);
        b.prefill(prompts, 5, lb);
        double worst = 0;
        auto compare = [&](int rows) {
            for (int s = 0; s < rows; ++s)
                for (int t = 0; t < V; t += 7)
                    worst = std::max(worst, double(std::fabs(rf::sampling_logprob(la.data() + size_t(s) * V, V, t, 1.0f) -
                                                             rf::sampling_logprob(lb.data() + size_t(s) * V, V, t, 1.0f))));
        };
        compare(2);  // the projections ran exactly (18 rows), the lm-head on 2 rows did not
        a.fork({0, 0, 1});
        b.fork({0, 0, 1});
        rf::Rng r(2);
        for (int step = 0; step < 4; ++step) {
            std::vector<int> toks = {int(r.below(V)), int(r.below(V)), int(r.below(V))};
            a.decode({0, 1, 2}, toks, la);
            b.decode({0, 1, 2}, toks, lb);
            compare(3);
        }
        std::printf("%s: decode with int8 activations, max |d log p| %.2e\n", rf::describe(spec).c_str(), worst);
        if (rf::quant_int8_active(*m->quantized(0, rf::Proj::q))) {
            EXPECT_GT(worst, 0.0) << "the int8 path ran";
        }
        // measured 1.0e-2 to 1.3e-2 (affine 4/8-bit g64, mxfp4); log p of a token moves by about the
        // relative logit error (~4e-3 per projection, quant_matmul_int8) times the logit spread
        EXPECT_LT(worst, 3e-2);
    }
}

// quant_matmul_same_x (decode's fused q/k/v and gate/up pass) == one call per matrix, bit for bit:
// each row's sums do not depend on how rows are split over threads or blocked.
TEST(QuantInt8, SameXEqualsSeparateCalls) {
    rf::WorkerPool pool(2);
    const int K = 256;
    std::vector<rf::QuantizedMatrix> Ws;
    for (int N : {96, 40, 37}) {
        auto w = randn(size_t(N) * K, 60 + N, 0.05f);
        Ws.push_back(rf::quantize(w.data(), N, K, {4, 64, QuantMode::affine}));
    }
    for (int M : {1, 3, 8, 13, 20})
        for (bool int8 : {false, true}) {
            auto x = randn(size_t(M) * K, 70 + M);
            std::vector<std::vector<float>> ys, ref;
            for (const auto& W : Ws) {
                ys.emplace_back(size_t(M) * W.rows, -1.0f);
                ref.emplace_back(size_t(M) * W.rows);
                (int8 ? rf::quant_matmul_int8 : rf::quant_matmul)(ref.back().data(), x.data(), W, M, false, &pool);
            }
            float* yp[3] = {ys[0].data(), ys[1].data(), ys[2].data()};
            const rf::QuantizedMatrix* wp[3] = {&Ws[0], &Ws[1], &Ws[2]};
            rf::quant_matmul_same_x(yp, wp, 3, x.data(), M, int8, &pool);
            for (int j = 0; j < 3; ++j) EXPECT_EQ(ys[size_t(j)], ref[size_t(j)]) << "M " << M << " int8 " << int8 << " matrix " << j;
        }
}
