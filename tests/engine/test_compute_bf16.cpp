// bf16 compute for the frozen base (ops/gemm_bf16.h, Model::set_bf16_compute, compute_dtype) and the
// run-time kernel choice (core/cpu_features.h). The bf16 products are checked against a double
// reference on the bf16-rounded operands (only the summation order differs); the model's log-probs
// and LoRA gradients against the float32 path with the tolerance docs/algorithms.md states.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "config/run_config.h"
#include "core/cpu_features.h"
#include "core/error.h"
#include "core/rng.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "ops/decode_matmul.h"
#include "sampling/sampler.h"
#include "ops/gemm.h"
#include "ops/gemm_bf16.h"

namespace rf {
namespace {

float bf16_to_float(uint16_t h) {
    uint32_t u = uint32_t(h) << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}
uint16_t round_one(float x) {
    uint16_t h;
    to_bf16(&h, &x, 1);
    return h;
}
float from_bits(uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

TEST(CpuFeatures, OpenBlasFallbackKernelsAreReplaced) {
    CpuFeatures avx512;
    avx512.avx = avx512.avx2 = avx512.fma = true;
    avx512.avx512f = avx512.avx512bw = avx512.avx512vl = avx512.avx512dq = true;
    EXPECT_EQ(better_openblas_core(avx512, "Prescott"), "SkylakeX");
    EXPECT_EQ(better_openblas_core(avx512, "Haswell"), "SkylakeX");
    EXPECT_EQ(better_openblas_core(avx512, "SkylakeX"), "");
    EXPECT_EQ(better_openblas_core(avx512, "SapphireRapids"), "");
    CpuFeatures bf16 = avx512;
    bf16.avx512_bf16 = true;
    EXPECT_EQ(better_openblas_core(bf16, "Prescott"), "Cooperlake");
    EXPECT_EQ(better_openblas_core(bf16, "Cooperlake"), "");
    CpuFeatures avx2;
    avx2.avx = avx2.avx2 = avx2.fma = true;
    EXPECT_EQ(better_openblas_core(avx2, "Prescott"), "Haswell");
    EXPECT_EQ(better_openblas_core(avx2, "Sandybridge"), "Haswell");
    EXPECT_EQ(better_openblas_core(avx2, "Zen"), "");
    EXPECT_EQ(better_openblas_core(avx2, "Haswell"), "");
    CpuFeatures avx;
    avx.avx = true;
    EXPECT_EQ(better_openblas_core(avx, "Nehalem"), "Sandybridge");
    EXPECT_EQ(better_openblas_core(CpuFeatures{}, "Prescott"), "");
}

TEST(CpuFeatures, ReadsThisCpu) {
    const CpuFeatures& f = cpu_features();
    EXPECT_FALSE(f.flags().empty());
    if (f.avx512()) EXPECT_TRUE(f.avx2);  // every AVX-512 CPU has AVX2
    if (f.avx2) EXPECT_TRUE(f.avx);
}

TEST(Bf16, RoundsToNearestEven) {
    EXPECT_EQ(round_one(1.0f), 0x3f80);
    EXPECT_EQ(round_one(from_bits(0x3f808000u)), 0x3f80);  // halfway, even below
    EXPECT_EQ(round_one(from_bits(0x3f818000u)), 0x3f82);  // halfway, odd below: up
    EXPECT_EQ(round_one(from_bits(0x3f808001u)), 0x3f81);  // above halfway
    EXPECT_EQ(round_one(-2.5f), 0xc020);
    EXPECT_EQ(round_one(INFINITY), 0x7f80);
    EXPECT_TRUE(std::isnan(bf16_to_float(round_one(NAN))));
    EXPECT_TRUE(std::isnan(bf16_to_float(round_one(from_bits(0x7f800001u)))));  // a NaN never rounds to inf
}

// C = alpha * A * op(B) + beta * C in double on the bf16-rounded A and B.
std::vector<float> reference(bool trans_b, int M, int N, int K, float alpha, const std::vector<float>& A,
                             const float* B, int ldb, float beta, const std::vector<float>& C0) {
    std::vector<float> C(C0);
    for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) {
            double acc = 0;
            for (int k = 0; k < K; ++k) {
                float a = bf16_to_float(round_one(A[size_t(i) * K + k]));
                float b = bf16_to_float(round_one(trans_b ? B[size_t(j) * ldb + k] : B[size_t(k) * ldb + j]));
                acc += double(a) * b;
            }
            C[size_t(i) * N + j] = float(alpha * acc + (beta == 0 ? 0.0 : beta * double(C0[size_t(i) * N + j])));
        }
    return C;
}

std::vector<float> randoms(size_t n, uint64_t seed) {
    Rng rng(seed, 1);
    std::vector<float> v(n);
    for (float& x : v) x = float(rng.uniform() * 2 - 1);
    return v;
}

TEST(Bf16, GemmWithATwinMatchesTheRoundedOperands) {
    if (!bf16_gemm_available()) GTEST_SKIP() << "no bf16 compute here: " << bf16_gemm_description();
    const int M = 37, N = 96, K = 80, rows = 200;  // W (rows, K): a slice of it is B, as the lm-head does
    std::vector<float> W = randoms(size_t(rows) * K, 3), A = randoms(size_t(M) * K, 4);
    Bf16Twins twins;
    twins.add(W.data(), rows, K);
    ASSERT_NE(find_bf16_twin(W.data() + 50 * K, K), nullptr);
    EXPECT_EQ(find_bf16_twin(W.data() + 50 * K, K + 1), nullptr);  // another stride: no twin
    const float* Bs = W.data() + 64 * K;                             // rows 64 .. 64+N of W
    for (float beta : {0.0f, 1.0f, 0.5f}) {
        std::vector<float> C0 = randoms(size_t(M) * N, 5), C = C0;
        gemm<float>(false, true, M, N, K, 0.75f, A.data(), K, Bs, K, beta, C.data(), N);  // x W^T
        std::vector<float> R = reference(true, M, N, K, 0.75f, A, Bs, K, beta, C0);
        for (size_t i = 0; i < C.size(); ++i) ASSERT_NEAR(C[i], R[i], 1e-4 * (1 + std::fabs(R[i]))) << "beta " << beta;
    }
    // dX = dY W: B not transposed, (N', K) -> here K' = rows-slice 96, N' = K
    std::vector<float> dY = randoms(size_t(M) * N, 6), C0 = randoms(size_t(M) * K, 7), C = C0;
    gemm<float>(false, false, M, K, N, 1.0f, dY.data(), N, Bs, K, 1.0f, C.data(), K);
    std::vector<float> R = reference(false, M, K, N, 1.0f, dY, Bs, K, 1.0f, C0);
    for (size_t i = 0; i < C.size(); ++i) ASSERT_NEAR(C[i], R[i], 1e-4 * (1 + std::fabs(R[i])));
    twins.clear();
    EXPECT_EQ(find_bf16_twin(W.data(), K), nullptr);
    // without a twin the same call is float32 again (differs from the bf16 result)
    std::vector<float> F(size_t(M) * N, 0.0f);
    gemm<float>(false, true, M, N, K, 1.0f, A.data(), K, Bs, K, 0.0f, F.data(), N);
    std::vector<float> F64 = reference(true, M, N, K, 1.0f, A, Bs, K, 0.0f, F);
    double diff = 0;
    for (size_t i = 0; i < F.size(); ++i) diff = std::max(diff, double(std::fabs(F[i] - F64[i])));
    EXPECT_GT(diff, 1e-5);
}

ModelConfig small_llama() {
    return ModelConfig::from_json_text(R"({"model_type": "llama", "hidden_size": 64, "intermediate_size": 128,
      "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 300,
      "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "tie_word_embeddings": true})", "test");
}

// The stated tolerance (docs/algorithms.md): bf16 base products change per-token log-probs by about
// 1e-2 on random weights; the LoRA gradients keep their direction (cosine > 0.99).
TEST(Bf16, ModelLogprobsAndLoraGradientsStayClose) {
    if (!bf16_gemm_available()) GTEST_SKIP() << "no bf16 compute here: " << bf16_gemm_description();
    auto m = Model::random_init(small_llama(), 11);
    m->set_finetune({.type = FineTuneType::lora, .rank = 4, .scale = 20.0f}, 2);
    for (float& x : m->params()) x += 0.01f;  // B != 0, so the adapters contribute
    TokenBatch b{.B = 2, .T = 24};
    Rng rng(9, 9);
    for (int i = 0; i < b.B * b.T; ++i) b.tokens.push_back(int(rng.uniform() * 299));
    for (int i = 0; i < b.B * b.T; ++i) b.targets.push_back(i % b.T == b.T - 1 ? -1 : b.tokens[i + 1]);
    const int n = b.B * b.T;
    std::vector<float> d(n, -1.0f / n);
    auto run = [&](bool bf16, std::vector<float>& lp) {
        EXPECT_EQ(m->set_bf16_compute(bf16), bf16);
        EXPECT_EQ(m->bf16_compute(), bf16);
        std::vector<float> en(n);
        lp.assign(n, 0);
        m->zero_grad();
        m->forward(b, 1.0f, true, lp.data(), en.data(), true);
        m->backward(d.data());
        return std::vector<float>(m->grads().begin(), m->grads().end());
    };
    std::vector<float> lp32, lp16;
    std::vector<float> g32 = run(false, lp32), g16 = run(true, lp16);
    double mx = 0;
    for (int i = 0; i < n; ++i) mx = std::max(mx, double(std::fabs(lp16[i] - lp32[i])));
    EXPECT_LT(mx, 3e-2);
    EXPECT_GT(mx, 0.0);  // the bf16 path really ran
    double dot = 0, n32 = 0, n16 = 0;
    for (size_t i = 0; i < g32.size(); ++i) dot += double(g32[i]) * g16[i], n32 += double(g32[i]) * g32[i], n16 += double(g16[i]) * g16[i];
    EXPECT_GT(dot / std::sqrt(n32 * n16), 0.99);
    // off again: exactly the float32 numbers
    std::vector<float> lp_again;
    std::vector<float> g_again = run(false, lp_again);
    EXPECT_EQ(lp_again, lp32);
    EXPECT_EQ(g_again, g32);
}

// Sampling from a bf16-computing model reads its own twins; where the AMX decode kernel runs, x is
// rounded as the forward's bf16 products round it, so decode log-probs follow the bf16 forward (the
// summation order is the only difference) more closely than the float32 forward.
TEST(Bf16, DecodeFromTwinsFollowsTheBf16Forward) {
    if (!bf16_gemm_available()) GTEST_SKIP() << "no bf16 compute here: " << bf16_gemm_description();
    ModelConfig c = small_llama();
    auto m = Model::random_init(c, 11);
    const std::vector<int> prompt = {5, 17, 200, 3, 99, 42, 7};
    std::vector<int> tok = prompt;
    Rng rng(4, 4);
    for (int i = 0; i < 10; ++i) tok.push_back(int(rng.uniform() * 299));
    TokenBatch b{.B = 1, .T = int(tok.size())};
    b.tokens.assign(tok.begin(), tok.end());
    for (size_t t = 0; t < tok.size(); ++t) b.targets.push_back(t + 1 < tok.size() ? tok[t + 1] : -1);
    auto forward = [&](bool bf16) {
        m->set_bf16_compute(bf16);
        std::vector<float> lp(tok.size()), en(tok.size());
        m->forward(b, 1.0f, false, lp.data(), en.data(), false);
        return lp;
    };
    const std::vector<float> lp32 = forward(false), lp16 = forward(true);
    ModelDecoder dec(*m);  // bf16 compute on: decodes from the twins
    std::vector<float> lg;
    dec.prefill({prompt}, 16, lg);
    dec.fork({0});
    double to16 = 0, to32 = 0;
    for (size_t i = prompt.size() - 1; i + 1 < tok.size(); ++i) {
        const float lp = sampling_logprob(lg.data(), c.vocab_size, tok[i + 1], 1.0f);
        to16 = std::max(to16, double(std::fabs(lp - lp16[i])));
        to32 = std::max(to32, double(std::fabs(lp - lp32[i])));
        dec.decode({0}, {tok[i + 1]}, lg);
    }
    std::printf("decode from twins: max |d log p| %.2e to the bf16 forward, %.2e to float32 (%s)\n", to16, to32,
                decode_amx_available() ? "AMX" : "float32 x");
    EXPECT_LT(to16, 3e-2);
    if (decode_amx_available()) EXPECT_LT(to16, to32);
}

TEST(Bf16, RefusedForATrainedBase) {
    auto m = Model::random_init(small_llama(), 11);
    m->set_finetune({.type = FineTuneType::full}, 2);
    EXPECT_FALSE(m->set_bf16_compute(true));
    EXPECT_FALSE(m->bf16_compute());
    auto l = Model::random_init(small_llama(), 11);
    l->set_finetune({.type = FineTuneType::lora, .rank = 4}, 2);
    if (bf16_gemm_available()) {
        EXPECT_TRUE(l->set_bf16_compute(true));
        l->set_finetune({.type = FineTuneType::full}, 2);  // the base becomes trainable: twins dropped
        EXPECT_FALSE(l->bf16_compute());
    }
}

TEST(Bf16, ComputeDtypeKey) {
    RunConfig c = default_run_config(TrainMode::grpo);
    EXPECT_EQ(get_value(c, "compute_dtype"), "auto");
    set_value(c, "compute_dtype", "bfloat16");
    EXPECT_EQ(c.compute_dtype, ComputeDType::bfloat16);
    EXPECT_THROW(set_value(c, "compute_dtype", "fp8"), InputError);
    bool warned = false;
    for (const Issue& i : validate(c)) warned |= i.key == "compute_dtype";
    EXPECT_EQ(warned, !bf16_gemm_available());  // bfloat16 where it cannot run: a warning, float32 runs
}

}  // namespace
}  // namespace rf
