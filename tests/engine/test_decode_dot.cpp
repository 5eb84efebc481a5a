// decode_matmul_bf16_dot (ops/decode_matmul.h): x rounded to bf16 and AVX512_BF16 dot products equal
// the double product of the bf16-rounded operands (float32 sums), for every pass size M = 1..8, row
// counts that leave partial register blocks, odd K (a masked tail inside a bf16 pair), bias and
// accumulate; M > 8 runs in passes. Skipped where the CPU or the build lacks AVX512_BF16.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/rng.h"
#include "core/worker_pool.h"
#include "io/safetensors.h"
#include "ops/decode_matmul.h"

namespace {

double max_rel(const std::vector<float>& a, const std::vector<float>& b) {
    double num = 0, den = 0;
    for (size_t i = 0; i < a.size(); ++i)
        num = std::max(num, double(std::fabs(a[i] - b[i]))), den = std::max(den, double(std::fabs(b[i])));
    return num / std::max(den, 1e-30);
}

}  // namespace

TEST(DecodeDot, EqualsTheProductOfTheRoundedOperands) {
    if (!rf::decode_bf16_dot_available()) GTEST_SKIP() << "no AVX512_BF16 here";
    rf::Rng rng;
    rng.reseed(11, 2);
    for (int K : {1024, 37, 64, 1}) {
        for (int N : {29, 8, 1}) {
            std::vector<float> wf(size_t(N) * K);
            for (float& v : wf) v = float(rng.uniform_double() - 0.5);
            rf::Bf16Matrix w;
            w.assign(wf.data(), N, K);
            std::vector<float> bias(N);
            for (float& b : bias) b = float(rng.uniform_double());
            for (int M : {1, 2, 3, 4, 5, 6, 7, 8, 11}) {
                std::vector<float> x(size_t(M) * K), xr(x.size());
                for (size_t i = 0; i < x.size(); ++i) {
                    x[i] = float(rng.uniform_double() * 4 - 2);
                    xr[i] = rf::bf16_to_f32(rf::f32_to_bf16(x[i]));
                }
                for (bool acc : {false, true}) {
                    std::vector<float> want(size_t(M) * N, 0.5f), got(want);
                    rf::decode_matmul_naive(want.data(), xr.data(), w.view(), bias.data(), M, acc);
                    rf::decode_matmul_bf16_dot(got.data(), x.data(), w.view(), bias.data(), M, acc, rf::WorkerPool::global());
                    EXPECT_LT(max_rel(got, want), 2e-6) << "K " << K << " N " << N << " M " << M << " acc " << acc;
                }
            }
        }
    }
}

TEST(DecodeDot, RefusesFloat32Weights) {
    if (!rf::decode_bf16_dot_available()) GTEST_SKIP() << "no AVX512_BF16 here";
    std::vector<float> w(4, 1.0f), x(2, 1.0f), y(2);
    rf::DecodeWeight dw{w.data(), nullptr, 2, 2};
    EXPECT_ANY_THROW(rf::decode_matmul_bf16_dot(y.data(), x.data(), dw, nullptr, 1, false, rf::WorkerPool::global()));
}
