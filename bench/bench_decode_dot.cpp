// Decode products on bf16 weights, two kernels (issue 14 item 4): decode_matmul (W widened to float32,
// float32 FMAs) and decode_matmul_bf16_dot (x rounded to bf16 too, AVX512_BF16 vdpbf16ps), over the
// block and lm-head weights of a Qwen3-0.6B decode step (1.15 GB of bf16, so no pass finds W in
// cache), for M = 1, 2, 4, 8 sequences per pass. Each kernel is validated first against the double
// product of its own operands (decode_matmul_naive; for the dot kernel on the bf16-rounded x), and the
// dot kernel's difference from float32 x is reported. The limit is the read bandwidth measured in the
// same process (a parallel sum over the same bytes). usage: bench_decode_dot [--reps 5]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/cpu_features.h"
#include "core/fp_mode.h"
#include "core/rng.h"
#include "core/worker_pool.h"
#include "io/safetensors.h"
#include "ops/decode_matmul.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace {

using Clock = std::chrono::steady_clock;

struct Shape {
    int N, K;
};

// One Qwen3-0.6B block: q, k, v, o, gate, up, down (out, in).
const Shape kBlock[] = {{2048, 1024}, {1024, 1024}, {1024, 1024}, {1024, 2048}, {3072, 1024}, {3072, 1024}, {1024, 3072}};

double seconds(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double max_rel(const std::vector<float>& a, const std::vector<float>& b) {
    double num = 0, den = 0;
    for (size_t i = 0; i < a.size(); ++i) num = std::max(num, double(std::fabs(a[i] - b[i]))), den = std::max(den, double(std::fabs(b[i])));
    return num / std::max(den, 1e-30);
}

// A parallel read of every byte of `ws`: the bandwidth limit of a pass.
double read_pass(const std::vector<rf::Bf16Matrix>& ws, rf::WorkerPool& pool) {
    auto t0 = Clock::now();
    for (const auto& w : ws) {
        const uint64_t* p = reinterpret_cast<const uint64_t*>(w.data.data());
        const long n = long(w.data.size() / 4);
        std::vector<uint64_t> part(64, 0);
        pool.parallel_for(n, 1 << 14, [&](long b, long e) {
            uint64_t s = 0;
#if defined(__AVX512F__)
            __m512i acc = _mm512_setzero_si512();
            long i = b;
            for (; i + 8 <= e; i += 8) acc = _mm512_xor_si512(acc, _mm512_loadu_si512(p + i));
            uint64_t lanes[8];
            _mm512_storeu_si512(lanes, acc);
            for (uint64_t v : lanes) s ^= v;
            for (; i < e; ++i) s ^= p[i];
#else
            for (long i = b; i < e; ++i) s ^= p[i];
#endif
            part[size_t(b / (1 << 14)) % 64] ^= s;
        });
        volatile uint64_t sink = part[0];
        (void)sink;
    }
    return seconds(t0);
}

}  // namespace

int main(int argc, char** argv) {
    int reps = 5;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == "--reps") reps = std::atoi(argv[i + 1]);
    rf::init_math_threads(argv);
    rf::WorkerPool& pool = rf::WorkerPool::global();
    std::printf("CPU: %s [%s], %d thread(s)\n", rf::cpu_features().model.c_str(), rf::cpu_features().flags().c_str(),
                pool.size());
    if (!rf::decode_bf16_dot_available()) {
        std::printf("no AVX512_BF16 on this CPU (or not built with it): nothing to compare\n");
        return 0;
    }
    rf::Rng rng;
    rng.reseed(7, 1);
    std::vector<float> tmp;
    std::vector<rf::Bf16Matrix> ws;
    auto add = [&](int N, int K) {
        tmp.resize(size_t(N) * K);
        for (float& v : tmp) v = float(rng.uniform_double() - 0.5) * 0.1f;
        ws.emplace_back();
        ws.back().assign(tmp.data(), N, K);
    };
    for (int l = 0; l < 28; ++l)
        for (const Shape& s : kBlock) add(s.N, s.K);
    add(151936, 1024);  // lm_head
    size_t bytes = 0;
    for (const auto& w : ws) bytes += w.data.size() * 2;
    std::printf("weights: %zu matrices, %.2f GB bf16 per pass\n", ws.size(), double(bytes) / 1e9);

    // validation on one matrix of each shape, M = 5 (a partial register block)
    const int Mv = 5;
    double worst_widen = 0, worst_dot = 0, worst_dot_vs_f32 = 0, worst_amx = 0;
    const bool amx = rf::decode_amx_available();
    for (size_t i = 0; i < 7; ++i) {
        const rf::DecodeWeight w = ws[i].view();
        std::vector<float> x(size_t(Mv) * w.K), xr(x.size());
        for (size_t j = 0; j < x.size(); ++j) x[j] = float(rng.uniform_double() * 2 - 1), xr[j] = rf::bf16_to_f32(rf::f32_to_bf16(x[j]));
        std::vector<float> y0(size_t(Mv) * w.N), y0r(y0.size()), y1(y0.size()), y2(y0.size());
        rf::decode_matmul_naive(y0.data(), x.data(), w, nullptr, Mv, false);
        rf::decode_matmul_naive(y0r.data(), xr.data(), w, nullptr, Mv, false);
        rf::decode_matmul(y1.data(), x.data(), w, nullptr, Mv, false, pool);
        rf::decode_matmul_bf16_dot(y2.data(), x.data(), w, nullptr, Mv, false, pool);
        worst_widen = std::max(worst_widen, max_rel(y1, y0));
        worst_dot = std::max(worst_dot, max_rel(y2, y0r));
        worst_dot_vs_f32 = std::max(worst_dot_vs_f32, max_rel(y2, y0));
        if (amx) {
            rf::decode_matmul_amx(y2.data(), x.data(), w, nullptr, Mv, false, pool);
            worst_amx = std::max(worst_amx, max_rel(y2, y0r));
        }
    }
    std::printf("validate: AMX vs naive on bf16 x %.2e%s\n", worst_amx, amx ? "" : " (no AMX here)");
    if (worst_amx > 1e-5) {
        std::printf("FAILED validation (AMX)\n");
        return 1;
    }
    std::printf("validate: widen+FMA vs naive max rel %.2e; bf16 dot vs naive on bf16 x %.2e (limit 1e-5); "
                "bf16 dot vs float32 x %.2e\n", worst_widen, worst_dot, worst_dot_vs_f32);
    if (worst_widen > 1e-5 || worst_dot > 1e-5) {
        std::printf("FAILED validation\n");
        return 1;
    }

    double best_read = 1e30;
    for (int r = 0; r < reps; ++r) best_read = std::min(best_read, read_pass(ws, pool));
    const double limit = double(bytes) / best_read / 1e9;
    std::printf("read bandwidth (same bytes, parallel xor): %.1f GB/s -> %.1f ms per pass\n", limit, best_read * 1e3);
    std::printf("%-4s %-22s %10s %10s %9s\n", "M", "kernel", "ms/pass", "GB/s", "of limit");
    std::vector<float> x(size_t(8) * 151936), y(size_t(8) * 151936);
    for (float& v : x) v = float(rng.uniform_double() * 2 - 1);
    for (int M : {1, 2, 4, 8}) {
        for (int kernel = 0; kernel < (amx ? 3 : 2); ++kernel) {
            double best = 1e30;
            for (int r = 0; r < reps; ++r) {
                auto t0 = Clock::now();
                for (const auto& w : ws) {
                    if (kernel == 0) rf::decode_matmul(y.data(), x.data(), w.view(), nullptr, M, false, pool);
                    else if (kernel == 1) rf::decode_matmul_bf16_dot(y.data(), x.data(), w.view(), nullptr, M, false, pool);
                    else rf::decode_matmul_amx(y.data(), x.data(), w.view(), nullptr, M, false, pool);
                }
                best = std::min(best, seconds(t0));
            }
            const double gbs = double(bytes) / best / 1e9;
            std::printf("%-4d %-22s %10.1f %10.1f %8.0f%%\n", M, kernel == 0 ? "widen + FMA (current)" : kernel == 1 ? "bf16 dot (vdpbf16ps)" : "AMX tiles",
                        best * 1e3, gbs, 100.0 * gbs / limit);
        }
    }
    return 0;
}
