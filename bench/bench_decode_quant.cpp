// Decode GEMV (M = 1, and M = 8 for a GRPO group) through the weight formats, against the memory
// bandwidth measured in the same process:
//   F32, BF16            ops/decode_matmul (the float decode path)
//   Q8, Q6, Q4 (affine, group 64), MXFP4   quant/quant_matmul on MLX-packed weights
// on the Qwen3-0.6B lm_head (151936 x 1024: streams from DRAM) and MLP (3072 x 1024) shapes.
// Every kernel is first checked against its naive twin on a smaller matrix, then timed (median of
// repetitions). GB/s counts the bytes of the weight representation read once per call.
// usage: bench_decode_quant [--reps N] [--small-only]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <tuple>
#include <thread>
#include <time.h>
#include <utility>
#include <vector>

#include "core/rng.h"
#include "core/worker_pool.h"
#include "ops/decode_matmul.h"
#include "quant/quant_matmul.h"

namespace {

using Clock = std::chrono::steady_clock;

std::string load_average() {
    std::ifstream f("/proc/loadavg");
    std::string a, b, c;
    f >> a >> b >> c;
    return a + " " + b + " " + c;
}

double thread_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

// Read-only bandwidth over the floats of `a` with the pool's threads: {best wall GB/s, best GB/s by
// the slowest thread's CPU time}, best of 5.
std::pair<double, double> read_bandwidth(rf::WorkerPool& pool, const std::vector<float>& a) {
    double best = 0, best_cpu = 0;
    std::vector<double> sink(size_t(pool.size()) * 8), cpu(size_t(pool.size()) * 8);
    for (int rep = 0; rep < 5; ++rep) {
        auto t0 = Clock::now();
        pool.run([&](int share, int n) {
            const double c0 = thread_cpu_seconds();
            size_t lo = a.size() * size_t(share) / size_t(n), hi = a.size() * size_t(share + 1) / size_t(n);
            float acc[16] = {};
            for (size_t i = lo; i + 16 <= hi; i += 16)
                for (int j = 0; j < 16; ++j) acc[j] += a[i + j];
            double s = 0;
            for (float x : acc) s += x;
            sink[size_t(share) * 8] = s;
            cpu[size_t(share) * 8] = thread_cpu_seconds() - c0;
        });
        double sec = std::chrono::duration<double>(Clock::now() - t0).count();
        double worst_cpu = 0;
        for (int t = 0; t < pool.size(); ++t) worst_cpu = std::max(worst_cpu, cpu[size_t(t) * 8]);
        best = std::max(best, double(a.size()) * 4.0 / sec / 1e9);
        best_cpu = std::max(best_cpu, double(a.size()) * 4.0 / worst_cpu / 1e9);
    }
    if (sink[0] == -1.0) std::printf(" ");
    return {best, best_cpu};
}

double process_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

// Median wall microseconds, and the best process-CPU microseconds / threads (discounts
// time-slicing when the machine is shared; includes the pool's brief spinning).
std::pair<double, double> time_us(const std::function<void()>& fn, int reps, int threads) {
    fn();  // warm-up
    std::vector<double> t;
    double best_cpu = 1e30;
    for (int r = 0; r < reps; ++r) {
        const double c0 = process_cpu_seconds();
        auto t0 = Clock::now();
        fn();
        t.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
        best_cpu = std::min(best_cpu, (process_cpu_seconds() - c0) * 1e6 / threads);
    }
    std::sort(t.begin(), t.end());
    return {t[t.size() / 2], best_cpu};
}

const rf::QuantSpec kQ8{8, 64, rf::QuantMode::affine}, kQ6{6, 64, rf::QuantMode::affine}, kQ4{4, 64, rf::QuantMode::affine},
    kMx{4, 32, rf::QuantMode::mxfp4};

bool validate(rf::WorkerPool& pool) {
    const int N = 777, K = 1024, M = 8;
    rf::Rng rng(1);
    std::vector<float> w(size_t(N) * K), x(size_t(M) * K);
    for (float& v : w) v = rng.normal() * 0.05f;
    for (float& v : x) v = rng.normal();
    bool ok = true;
    auto check = [&](const char* name, const std::vector<float>& y, const std::vector<float>& ref) {
        double worst = 0;
        for (size_t i = 0; i < y.size(); ++i) worst = std::max(worst, double(std::fabs(y[i] - ref[i])));
        const bool good = worst < 1e-3;  // K = 1024 float32 sums of |x w| ~ 0.05: float error ~1e-5
        std::printf("validation %-6s max |fast - naive| = %.2e (tolerance 1e-3) %s\n", name, worst, good ? "ok" : "FAILED");
        ok = ok && good;
    };
    for (int Mv : {1, M}) {
        std::vector<float> y(size_t(Mv) * N), ref(y.size());
        rf::DecodeWeight f32{w.data(), nullptr, N, K};
        rf::decode_matmul(y.data(), x.data(), f32, nullptr, Mv, false, pool);
        rf::decode_matmul_naive(ref.data(), x.data(), f32, nullptr, Mv, false);
        check("F32", y, ref);
        rf::Bf16Matrix b;
        b.assign(w.data(), N, K);
        rf::decode_matmul(y.data(), x.data(), b.view(), nullptr, Mv, false, pool);
        rf::decode_matmul_naive(ref.data(), x.data(), b.view(), nullptr, Mv, false);
        check("BF16", y, ref);
        for (const rf::QuantSpec& s : {kQ8, kQ6, kQ4, kMx}) {
            auto q = rf::quantize(w.data(), N, K, s);
            rf::quant_matmul(y.data(), x.data(), q, Mv, false, &pool);
            rf::quant_matmul_naive(ref.data(), x.data(), q, Mv, false);
            check(s.mode == rf::QuantMode::mxfp4 ? "MXFP4" : (s.bits == 8 ? "Q8" : s.bits == 6 ? "Q6" : "Q4"), y, ref);
        }
    }
    return ok;
}

}  // namespace

int main(int argc, char** argv) {
    int reps = 15;
    bool small_only = false;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) reps = std::atoi(argv[++i]);
        if (!std::strcmp(argv[i], "--small-only")) small_only = true;
    }
    std::printf("bench_decode_quant: nproc %u, load average %s\n", std::thread::hardware_concurrency(), load_average().c_str());
    rf::WorkerPool pool1(1), pool2(2);
    if (!validate(pool2)) return 1;
    double bw[3] = {0, 0, 0}, bw_cpu[3] = {0, 0, 0};
    {
        std::vector<float> big(size_t(128) << 20);  // 512 MiB
        for (size_t i = 0; i < big.size(); i += 1024) big[i] = 1.0f;
        std::tie(bw[1], bw_cpu[1]) = read_bandwidth(pool1, big);
        std::tie(bw[2], bw_cpu[2]) = read_bandwidth(pool2, big);
    }
    std::printf("read-only bandwidth (512 MiB, same process): %.1f GB/s (1 thread), %.1f GB/s (2 threads) wall; %.1f / %.1f GB/s by CPU time\n",
                bw[1], bw[2], bw_cpu[1], bw_cpu[2]);
    std::printf("\"of bw\" = weight GB/s / the wall bandwidth above; the cpu columns are microseconds and GB/s by CPU time\n\n");

    struct Shape {
        const char* name;
        int N, K;
    };
    std::vector<Shape> shapes = {{"mlp 3072x1024", 3072, 1024}};
    if (!small_only) shapes.push_back({"lm_head 151936x1024", 151936, 1024});
    std::printf("%-20s %-6s %7s | %8s %6s %5s | %8s %6s %5s | %8s | %8s %6s %8s %6s %8s\n", "shape", "format", "MB", "1t us", "GB/s", "of bw", "2t us",
                "GB/s", "of bw", "2t M=8us", "cpu 1t", "GB/s", "cpu 2t", "GB/s", "cpu M=8");
    for (const Shape& s : shapes) {
        rf::Rng rng(2);
        std::vector<float> w(size_t(s.N) * s.K);
        for (float& v : w) v = (rng.uniform() - 0.5f) * 0.1f;
        std::vector<float> x(size_t(8) * s.K), y(size_t(8) * s.N);
        for (float& v : x) v = rng.uniform() - 0.5f;
        auto row = [&](const char* fmt, double bytes, const std::function<void(int, rf::WorkerPool&)>& fn) {
            auto [t1, c1] = time_us([&] { fn(1, pool1); }, reps, 1);
            auto [t2, c2] = time_us([&] { fn(1, pool2); }, reps, 2);
            auto [t8, c8] = time_us([&] { fn(8, pool2); }, std::max(3, reps / 3), 2);
            double g1 = bytes / t1 / 1e3, g2 = bytes / t2 / 1e3;
            std::printf("%-20s %-6s %7.1f | %8.0f %6.1f %4.0f%% | %8.0f %6.1f %4.0f%% | %8.0f | %8.0f %6.1f %8.0f %6.1f %8.0f\n", s.name, fmt, bytes / 1e6, t1, g1,
                        100 * g1 / bw[1], t2, g2, 100 * g2 / bw[2], t8, c1, bytes / c1 / 1e3, c2, bytes / c2 / 1e3, c8);
        };
        row("F32", double(w.size()) * 4, [&](int M, rf::WorkerPool& p) {
            rf::decode_matmul(y.data(), x.data(), rf::DecodeWeight{w.data(), nullptr, s.N, s.K}, nullptr, M, false, p);
        });
        {
            rf::Bf16Matrix b;
            b.assign(w.data(), s.N, s.K);
            row("BF16", double(b.view().bytes()), [&](int M, rf::WorkerPool& p) { rf::decode_matmul(y.data(), x.data(), b.view(), nullptr, M, false, p); });
        }
        for (const rf::QuantSpec& spec : {kQ8, kQ6, kQ4, kMx}) {
            auto q = rf::quantize(w.data(), s.N, s.K, spec);
            const char* name = spec.mode == rf::QuantMode::mxfp4 ? "MXFP4" : (spec.bits == 8 ? "Q8" : spec.bits == 6 ? "Q6" : "Q4");
            row(name, double(q.bytes()), [&](int M, rf::WorkerPool& p) { rf::quant_matmul(y.data(), x.data(), q, M, false, &p); });
        }
    }
    std::printf("\nload average now %s\n", load_average().c_str());
    return 0;
}
