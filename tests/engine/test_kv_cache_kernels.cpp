// The decode kernels against their plain-loop twins: small-M matmul (float32 and bfloat16 weights),
// attention over a shared prefix plus own caches, and the worker pool.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>

#include "core/rng.h"
#include "core/worker_pool.h"
#include "io/safetensors.h"
#include "ops/decode_matmul.h"
#include "ops/kv_attention.h"

namespace {

std::vector<float> randn(size_t n, uint64_t seed, float scale = 1.0f) {
    rf::Rng r(seed);
    std::vector<float> v(n);
    for (auto& x : v) x = scale * r.normal();
    return v;
}

}  // namespace

TEST(WorkerPool, CoversEveryIndexOnceAndRethrows) {
    rf::WorkerPool pool(3);
    for (long n : {1L, 7L, 100L, 1001L}) {
        std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
        pool.parallel_for(n, 16, [&](long b, long e) {
            for (long i = b; i < e; ++i) hits[size_t(i)]++;
        });
        for (auto& h : hits) EXPECT_EQ(h.load(), 1);
    }
    EXPECT_THROW(pool.run([](int share, int) {
        if (share == 1) throw std::runtime_error("boom");
    }),
                 std::runtime_error);
    int calls = 0;
    pool.run([&](int share, int n) {
        if (share == 0) calls = n;
    });
    EXPECT_EQ(calls, 3);
}

// Tolerance: float32 sums of K products of O(1) values vs double: ~1e-6 relative to sqrt(K).
TEST(DecodeMatmul, MatchesNaiveForEveryMAndOddShapes) {
    rf::WorkerPool pool(2);
    // the last shape is large enough to take the multi-threaded path
    for (auto [N, K] : {std::pair{37, 29}, std::pair{96, 64}, std::pair{130, 200}, std::pair{16, 1}, std::pair{1030, 520}}) {
        auto W = randn(size_t(N) * K, 1, 0.5f);
        auto bias = randn(size_t(N), 2);
        rf::Bf16Matrix Wb;
        Wb.assign(W.data(), N, K);
        for (int M = 1; M <= 11; M += (N > 1000 ? 4 : 1)) {
            auto x = randn(size_t(M) * K, 3 + M);
            for (int bf = 0; bf < 2; ++bf)
                for (int acc = 0; acc < 2; ++acc) {
                    SCOPED_TRACE("N=" + std::to_string(N) + " K=" + std::to_string(K) + " M=" + std::to_string(M) +
                                 (bf ? " bf16" : " f32") + (acc ? " accumulate" : ""));
                    rf::DecodeWeight w = bf ? Wb.view() : rf::DecodeWeight{W.data(), nullptr, N, K};
                    auto y = randn(size_t(M) * N, 99), y2 = y;
                    rf::decode_matmul(y.data(), x.data(), w, acc ? nullptr : bias.data(), M, acc, pool);
                    rf::decode_matmul_naive(y2.data(), x.data(), w, acc ? nullptr : bias.data(), M, acc);
                    for (size_t i = 0; i < y.size(); ++i) ASSERT_NEAR(y[i], y2[i], 2e-5 * std::sqrt(double(K)));
                }
        }
    }
}

// The AMX decode kernel (and decode_matmul_bf16_compute, which takes it where it runs) equals the naive
// product on the bf16-rounded x: blocks of 64 rows and the 16-row remainders (N 16, 48, 80, 1040),
// K from one tile (32) up, M 1..16 and a second pass (M 21); and a row's numbers do not depend on the
// batch (each M gives the single-row result bit for bit).
TEST(DecodeMatmul, AmxMatchesNaiveOnRoundedXForEveryM) {
    if (!rf::decode_amx_available()) GTEST_SKIP() << "no AMX-BF16 here (or Linux refused the tile state)";
    rf::WorkerPool pool(2);
    for (auto [N, K] : {std::pair{16, 32}, std::pair{48, 64}, std::pair{80, 544}, std::pair{1040, 1024}}) {
        auto W = randn(size_t(N) * K, 1, 0.5f);
        auto bias = randn(size_t(N), 2);
        rf::Bf16Matrix Wb;
        Wb.assign(W.data(), N, K);
        for (int M : {1, 2, 3, 5, 8, 13, 16, 21}) {
            auto x = randn(size_t(M) * K, 3 + M), xr = x;
            for (float& v : xr) v = rf::bf16_to_f32(rf::f32_to_bf16(v));
            for (int acc = 0; acc < 2; ++acc) {
                SCOPED_TRACE("N=" + std::to_string(N) + " K=" + std::to_string(K) + " M=" + std::to_string(M) + (acc ? " accumulate" : ""));
                auto y = randn(size_t(M) * N, 99), y2 = y;
                rf::decode_matmul_bf16_compute(y.data(), x.data(), Wb.view(), acc ? nullptr : bias.data(), M, acc, pool);
                rf::decode_matmul_naive(y2.data(), xr.data(), Wb.view(), acc ? nullptr : bias.data(), M, acc);
                for (size_t i = 0; i < y.size(); ++i) ASSERT_NEAR(y[i], y2[i], 2e-5 * std::sqrt(double(K))) << i;
                if (acc) continue;
                for (int m = 0; m < M; m += 3) {  // the same row alone
                    std::vector<float> one(static_cast<size_t>(N));
                    rf::decode_matmul_bf16_compute(one.data(), x.data() + size_t(m) * K, Wb.view(), bias.data(), 1, false, pool);
                    for (int n = 0; n < N; ++n) ASSERT_EQ(one[size_t(n)], y[size_t(m) * N + n]) << "row " << m << " n " << n;
                }
            }
        }
    }
}

// The bf16 copy is round-to-nearest-even of each weight (the conversion io/ tests against numpy).
TEST(DecodeMatmul, Bf16CopyRoundsEachWeight) {
    auto W = randn(64 * 1100, 5);  // large enough for the vector path on every pool share
    // ties to even, signed zero, infinities and the largest finite values
    const float special[] = {0.0f, -0.0f, 1.0f + 1.0f / 256, 1.0f + 3.0f / 256, 3.0e38f, -3.0e38f, INFINITY, -INFINITY,
                             1e-30f, -7.5e-20f};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; ++i) W[100 + i] = special[i];
    rf::Bf16Matrix b;
    b.assign(W.data(), 64, 1100);
    for (size_t i = 0; i < W.size(); ++i) {
        EXPECT_EQ(b.data[i], rf::f32_to_bf16(W[i]));
        if (std::isfinite(W[i])) EXPECT_NEAR(rf::bf16_to_f32(b.data[i]), W[i], std::abs(W[i]) * (1.0f / 256.0f));
    }
}

TEST(KvAttention, SharedPrefixPlusOwnMatchesNaive) {
    for (int HS : {16, 24, 64}) {
        const int S = 3, G = 2, Lp = 7;
        const std::vector<int> own_len = {1, 4, 9};
        auto kp = randn(size_t(Lp) * HS, 10), vp = randn(size_t(Lp) * HS, 11);
        std::vector<std::vector<float>> ko, vo;
        std::vector<rf::KvSpan> own;
        for (int s = 0; s < S; ++s) {
            ko.push_back(randn(size_t(own_len[s]) * HS, 20 + s));
            vo.push_back(randn(size_t(own_len[s]) * HS, 30 + s));
        }
        for (int s = 0; s < S; ++s) own.push_back({ko[s].data(), vo[s].data(), own_len[s]});
        auto q = randn(size_t(S) * G * HS, 40);
        std::vector<float> out(q.size()), out2(q.size());
        std::vector<const float*> qr;
        std::vector<float*> o1, o2;
        for (int r = 0; r < S * G; ++r) {
            qr.push_back(q.data() + size_t(r) * HS);
            o1.push_back(out.data() + size_t(r) * HS);
            o2.push_back(out2.data() + size_t(r) * HS);
        }
        const float scale = 1.0f / std::sqrt(float(HS));
        std::vector<float> scratch;
        for (int with_prefix = 0; with_prefix < 2; ++with_prefix) {
            rf::KvSpan shared{kp.data(), vp.data(), with_prefix ? Lp : 0};
            rf::kv_attention(o1.data(), qr.data(), S, G, HS, shared, own.data(), scale, scratch);
            rf::kv_attention_naive(o2.data(), qr.data(), S, G, HS, shared, own.data(), scale);
            for (size_t i = 0; i < out.size(); ++i) EXPECT_NEAR(out[i], out2[i], 2e-6) << "HS " << HS << " i " << i;
        }
    }
}
