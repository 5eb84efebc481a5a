// Quantization (engine/quant): hand-computed MLX packings, dequant(quant(W)) within each format's
// bound, and the quantized matmul kernels against their naive twins and against dequantize + sgemm.
#include <gtest/gtest.h>

#include <cblas.h>

#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "core/worker_pool.h"
#include "quant/quant_matmul.h"
#include "quant/quant_matrix.h"

using rf::QuantMode;
using rf::QuantSpec;

namespace {

std::vector<float> randn(size_t n, uint64_t seed, float scale = 1.0f) {
    rf::Rng r(seed);
    std::vector<float> v(n);
    for (float& x : v) x = r.normal() * scale;
    return v;
}

const QuantSpec kSpecs[] = {
    {4, 64, QuantMode::affine}, {4, 128, QuantMode::affine}, {8, 64, QuantMode::affine}, {8, 128, QuantMode::affine},
    {6, 64, QuantMode::affine}, {6, 128, QuantMode::affine}, {2, 32, QuantMode::affine}, {3, 64, QuantMode::affine},
    {5, 32, QuantMode::affine}, {4, 32, QuantMode::mxfp4},
};

}  // namespace

// 4-bit, group 64, w_k = (k mod 16) / 15: max 1, min 0, |min| <= |max| so the scale is negated:
//   s = -(1 - 0)/15, edge = max = 1, q0 = rint(1 / s) = -15, s = 1 / -15, b = 1,
//   q_k = rint((w_k - 1) / s) = 15 - (k mod 16).
// Codes of elements 0..7 are 15..8, LSB first: word 0 = 0x89ABCDEF; elements 8..15: 0x01234567.
TEST(Quant, HandComputedAffine4Bit) {
    std::vector<float> w(64);
    for (int k = 0; k < 64; ++k) w[k] = float(k % 16) / 15.0f;
    auto q = rf::quantize(w.data(), 1, 64, {4, 64, QuantMode::affine});
    ASSERT_EQ(q.words.size(), 8u);
    EXPECT_EQ(q.words[0], 0x89ABCDEFu);
    EXPECT_EQ(q.words[1], 0x01234567u);
    EXPECT_EQ(q.words[6], 0x89ABCDEFu);
    EXPECT_EQ(q.scales[0], 1.0f / -15.0f);
    EXPECT_EQ(q.biases[0], 1.0f);
    std::vector<float> back(64);
    rf::dequantize(q, back.data());
    for (int k = 0; k < 64; ++k) EXPECT_NEAR(back[k], w[k], 1e-6f) << k;
}

// 8-bit: w = k - 100 for k = 0..63 (min -100, max -37): |min| > |max| so s = 63/255 (positive),
// edge = min = -100, q0 = rint(-100 / (63/255)) = rint(-404.76) = -405, s = -100 / -405, b = -100,
// q_k = rint(k / s) = rint(4.05 k). Element 0..3 -> 0, 4, 8, 12 -> word 0 = 0x0C080400.
TEST(Quant, HandComputedAffine8Bit) {
    std::vector<float> w(64);
    for (int k = 0; k < 64; ++k) w[k] = float(k) - 100.0f;
    auto q = rf::quantize(w.data(), 1, 64, {8, 64, QuantMode::affine});
    ASSERT_EQ(q.words.size(), 16u);
    EXPECT_EQ(q.words[0], 0x0C080400u);
    EXPECT_FLOAT_EQ(q.scales[0], -100.0f / -405.0f);
    EXPECT_EQ(q.biases[0], -100.0f);
    EXPECT_EQ(rf::quant_code(q, 0, 63), uint32_t(std::lrint(63 * 4.05)));  // 255
}

// 6-bit codes straddle words: element 5 has its low 2 bits at bits 30..31 of word 0 and its high 4
// bits at bits 0..3 of word 1. Group with min 0, max 63 (so s = -1, b = 63, q = 63 - w):
// w = 63 - c for chosen codes c0..c5 = 1, 2, 3, 4, 5, 0b101110 (46) and the rest 0 (w = 63):
//   word 0 = 1 | 2<<6 | 3<<12 | 4<<18 | 5<<24 | (46 & 3)<<30 = 0x85103081, word 1 low nibble = 46 >> 2 = 11.
TEST(Quant, HandComputedAffine6BitStraddle) {
    std::vector<float> w(64, 63.0f);
    const int codes[6] = {1, 2, 3, 4, 5, 46};
    for (int k = 0; k < 6; ++k) w[k] = float(63 - codes[k]);
    w[10] = 0.0f;  // code 63: the min, so the range is [0, 63]
    auto q = rf::quantize(w.data(), 1, 64, {6, 64, QuantMode::affine});
    EXPECT_EQ(q.scales[0], -1.0f);
    EXPECT_EQ(q.biases[0], 63.0f);
    EXPECT_EQ(q.words[0], 0x85103081u);
    EXPECT_EQ(q.words[1] & 0xFu, 11u);
    for (int k = 0; k < 6; ++k) EXPECT_EQ(rf::quant_code(q, 0, k), uint32_t(codes[k]));
}

// MXFP4: group values 6, -3, 0.5, 1.5 (then 0) times 2^-3: max|w| / 6 = 2^-3 -> e = -3, byte 124;
// codes 6 -> 7, -3 -> 8|5 = 13, 0.5 -> 1, 1.5 -> 3: word 0 = 7 | 13<<4 | 1<<8 | 3<<12 = 0x31D7.
TEST(Quant, HandComputedMxfp4) {
    std::vector<float> w(32, 0.0f);
    const float v[4] = {6.0f, -3.0f, 0.5f, 1.5f};
    for (int k = 0; k < 4; ++k) w[k] = v[k] * 0.125f;
    auto q = rf::quantize(w.data(), 1, 32, {4, 32, QuantMode::mxfp4});
    ASSERT_EQ(q.e8m0.size(), 1u);
    EXPECT_EQ(q.e8m0[0], 124);
    EXPECT_EQ(q.scales[0], 0.125f);
    EXPECT_EQ(q.words[0], 0x31D7u);
    std::vector<float> back(32);
    rf::dequantize(q, back.data());
    for (int k = 0; k < 32; ++k) EXPECT_EQ(back[k], w[k]);  // all on the grid: exact
    // ties go to the even code (mlx to_fp4_e2m1): 5 -> 4, 2.5 -> 2, 0.75 -> 1, 0.25 -> 0
    std::vector<float> t(32, 0.0f);
    t[0] = 6.0f, t[1] = 5.0f, t[2] = 2.5f, t[3] = 0.75f, t[4] = 0.25f, t[5] = -1.75f;
    auto qt = rf::quantize(t.data(), 1, 32, {4, 32, QuantMode::mxfp4});
    EXPECT_EQ(qt.e8m0[0], 127);
    const uint32_t want[6] = {7, 6, 4, 2, 0, 8 | 4};
    for (int k = 0; k < 6; ++k) EXPECT_EQ(rf::quant_code(qt, 0, k), want[k]) << k;
}

TEST(Quant, RoundTripWithinBound) {
    for (const QuantSpec& spec : kSpecs) {
        SCOPED_TRACE(rf::describe(spec));
        const int rows = 7, cols = 256;
        auto w = randn(size_t(rows) * cols, 11, 0.05f);
        for (int k = 0; k < cols; k += 37) w[k] *= 20.0f;  // outliers
        for (int k = 0; k < 128; ++k) w[size_t(3) * cols + k] = 0.0f;  // all-zero groups
        auto q = rf::quantize(w.data(), rows, cols, spec);
        std::vector<float> back(w.size());
        rf::dequantize(q, back.data());
        double worst_rel = 0;
        for (int r = 0; r < rows; ++r)
            for (int k = 0; k < cols; ++k) {
                const size_t i = size_t(r) * cols + k;
                const float bound = rf::quant_error_bound(q, r, k, w[i]);
                // the dequantization s * q + b itself rounds: allow a few float ulps of the range
                const float slack = 4e-7f * (std::fabs(q.scales[size_t(r) * q.groups_per_row() + k / spec.group_size]) * 256.0f + std::fabs(w[i]));
                ASSERT_LE(std::fabs(back[i] - w[i]), bound + slack) << "r " << r << " k " << k << " w " << w[i];
                worst_rel = std::max(worst_rel, double(std::fabs(back[i] - w[i]) / (bound + 1e-30f)));
            }
        EXPECT_LE(worst_rel, 1.0 + 1e-3);
        for (int k = 0; k < 128; ++k) EXPECT_EQ(back[size_t(3) * cols + k], 0.0f);
        // the fast decoder equals the scalar one
        std::vector<float> fast(static_cast<size_t>(cols));
        for (int r = 0; r < rows; ++r) {
            rf::dequantize_row_range(q, r, 0, cols, fast.data());
            for (int k = 0; k < cols; ++k) ASSERT_NEAR(fast[k], back[size_t(r) * cols + k], 1e-6f * (1.0f + std::fabs(back[size_t(r) * cols + k])));
        }
    }
}

TEST(Quant, ScalesRoundedToModelDtype) {
    auto w = randn(2 * 128, 3);
    auto q = rf::quantize(w.data(), 2, 128, {4, 64, QuantMode::affine}, rf::DType::BF16);
    for (float s : q.scales) EXPECT_EQ(s, rf::bf16_to_f32(rf::f32_to_bf16(s)));
    for (float b : q.biases) EXPECT_EQ(b, rf::bf16_to_f32(rf::f32_to_bf16(b)));
    EXPECT_THROW(rf::quantize(w.data(), 1, 96, {4, 64, QuantMode::affine}), rf::InputError);
    EXPECT_THROW(rf::quantize(w.data(), 1, 128, {7, 64, QuantMode::affine}), rf::InputError);
    EXPECT_THROW(rf::quantize(w.data(), 1, 128, {4, 64, QuantMode::mxfp4}), rf::InputError);
}

// y = x W^T and dx = dy W on the packed weights vs (a) the naive twin (dequantize, double sums)
// and (b) dequantize then OpenBLAS sgemm, over random shapes and every path (M=1..8 small path,
// passes of 8, the tiled sgemm path with a partial last tile).
TEST(Quant, MatmulMatchesDequantizedSgemm) {
    rf::WorkerPool pool(2);
    rf::Rng rng(7);
    const int Ms[] = {1, 2, 3, 4, 7, 13, 17, 33};
    for (const QuantSpec& spec : kSpecs) {
        for (int trial = 0; trial < 2; ++trial) {
            const int N = 1 + int(rng.below(300)) + (trial ? 257 : 0);
            const int K = spec.group_size * (1 + int(rng.below(4)));
            auto w = randn(size_t(N) * K, 100 + trial, 0.1f);
            auto q = rf::quantize(w.data(), N, K, spec);
            std::vector<float> wd(w.size());
            rf::dequantize(q, wd.data());
            for (int M : Ms) {
                SCOPED_TRACE(rf::describe(spec) + " N " + std::to_string(N) + " K " + std::to_string(K) + " M " + std::to_string(M));
                auto x = randn(size_t(M) * K, 200 + M);
                std::vector<float> y(size_t(M) * N, 0.5f), y_naive(y), y_blas(y);
                const bool acc = (M % 2) == 1;
                rf::quant_matmul(y.data(), x.data(), q, M, acc, &pool);
                rf::quant_matmul_naive(y_naive.data(), x.data(), q, M, acc);
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1.0f, x.data(), K, wd.data(), K, acc ? 1.0f : 0.0f, y_blas.data(), N);
                // float32 sums over K terms of size ~|x||w|: tolerance 1e-5 * sqrt(K) * scale
                const float tol = 2e-5f * std::sqrt(float(K)) * (1.0f + 0.1f * std::sqrt(float(K)));
                for (size_t i = 0; i < y.size(); ++i) {
                    ASSERT_NEAR(y[i], y_naive[i], tol) << i;
                    ASSERT_NEAR(y[i], y_blas[i], tol) << i;
                }
                auto dy = randn(size_t(M) * N, 300 + M);
                std::vector<float> dx(size_t(M) * K, 0.25f), dx_naive(dx);
                rf::quant_matmul_dx(dx.data(), dy.data(), q, M, &pool);
                rf::quant_matmul_dx_naive(dx_naive.data(), dy.data(), q, M);
                const float tol_dx = 2e-5f * std::sqrt(float(N)) * (1.0f + 0.1f * std::sqrt(float(N)));
                for (size_t i = 0; i < dx.size(); ++i) ASSERT_NEAR(dx[i], dx_naive[i], tol_dx) << i;
            }
        }
    }
}

// Quantized matmul error against the float matmul stays within the per-element bound summed over K.
TEST(Quant, MatmulErrorAgainstFloatWeightsIsBounded) {
    const int N = 64, K = 512, M = 4;
    auto w = randn(size_t(N) * K, 5, 0.02f);
    auto x = randn(size_t(M) * K, 6);
    for (const QuantSpec& spec : kSpecs) {
        auto q = rf::quantize(w.data(), N, K, spec);
        std::vector<float> y(size_t(M) * N);
        rf::quant_matmul(y.data(), x.data(), q, M, false);
        for (int m = 0; m < M; ++m)
            for (int n = 0; n < N; ++n) {
                double exact = 0, bound = 0;
                for (int k = 0; k < K; ++k) {
                    exact += double(x[size_t(m) * K + k]) * w[size_t(n) * K + k];
                    bound += std::fabs(x[size_t(m) * K + k]) * (rf::quant_error_bound(q, n, k, w[size_t(n) * K + k]) + 1e-6);
                }
                ASSERT_LE(std::fabs(y[size_t(m) * N + n] - exact), bound + 1e-4) << rf::describe(spec);
            }
    }
}
