// The compute limit on this machine: OpenBLAS cblas_sgemm GFLOP/s at transformer shapes, and the
// FMA peak of the cores (a register-only FMA loop).
//   C[M,N] = A[M,K] * op(B)    NT: B stored [N,K] (HF weight layout, y = x W^T)   NN: B stored [K,N]
// M = 1, 16, 256, 2048 tokens; (N, K) = the Qwen3-0.6B projections (q 2048x1024, k/v 1024x1024,
// o 1024x2048, gate/up 3072x1024, down 1024x3072, lm_head 151936x1024); 1 and 2 threads.
// sgemm is first checked against a naive triple loop, then timed (best of repetitions lasting at
// least --min-ms; also by process CPU time / threads, which discounts time-slicing when the machine
// is shared). usage: bench_sgemm [--min-ms N] [--quick]
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>
#include <thread>
#include <time.h>
#include <vector>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "core/rng.h"

namespace {

using Clock = std::chrono::steady_clock;

void sgemm(bool nt, int M, int N, int K, const float* A, const float* B, float* C) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, nt ? CblasTrans : CblasNoTrans, M, N, K, 1.0f, A, K, B, nt ? K : N, 0.0f, C, N);
}

void naive(bool nt, int M, int N, int K, const float* A, const float* B, double* C) {
    for (int m = 0; m < M; ++m)
        for (int n = 0; n < N; ++n) {
            double s = 0;
            for (int k = 0; k < K; ++k) s += double(A[size_t(m) * K + k]) * double(nt ? B[size_t(n) * K + k] : B[size_t(k) * N + n]);
            C[size_t(m) * N + n] = s;
        }
}

bool validate() {
    rf::Rng rng(3);
    const int M = 17, N = 300, K = 129;
    std::vector<float> A(size_t(M) * K), B(size_t(N) * K), C(size_t(M) * N);
    std::vector<double> R(size_t(M) * N);
    for (float& x : A) x = rng.normal();
    for (float& x : B) x = rng.normal();
    for (bool nt : {true, false}) {
        sgemm(nt, M, N, K, A.data(), B.data(), C.data());
        naive(nt, M, N, K, A.data(), B.data(), R.data());
        double worst = 0;
        for (size_t i = 0; i < C.size(); ++i) worst = std::max(worst, std::fabs(C[i] - R[i]));
        // float accumulation over K=129 unit normals: error ~ sqrt(K) * 2^-24 * |terms| << 1e-3
        if (worst > 1e-3) {
            std::printf("VALIDATION FAILED (%s): max |sgemm - naive| = %g\n", nt ? "NT" : "NN", worst);
            return false;
        }
        std::printf("validation %s: max |sgemm - naive(double)| = %.2e (tolerance 1e-3)\n", nt ? "NT" : "NN", worst);
    }
    return true;
}

double thread_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

// Register-only FMA throughput: 12 chains x 16 lanes x 2 flops per iteration per thread. Returns
// {wall GFLOP/s, GFLOP/s by the slowest thread's CPU time}.
std::pair<double, double> fma_peak_gflops(int threads) {
#if defined(__AVX512F__)
    const long iters = 20'000'000;
    auto body = [&](float* out, double* cpu) {
        const double c0 = thread_cpu_seconds();
        // twelve named accumulators (an array may be kept in memory by the compiler)
        __m512 a0 = _mm512_set1_ps(0.0f), a1 = _mm512_set1_ps(1e-3f), a2 = _mm512_set1_ps(2e-3f), a3 = _mm512_set1_ps(3e-3f),
               a4 = _mm512_set1_ps(4e-3f), a5 = _mm512_set1_ps(5e-3f), a6 = _mm512_set1_ps(6e-3f), a7 = _mm512_set1_ps(7e-3f),
               a8 = _mm512_set1_ps(8e-3f), a9 = _mm512_set1_ps(9e-3f), a10 = _mm512_set1_ps(1e-2f), a11 = _mm512_set1_ps(1.1e-2f);
        const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
        for (long i = 0; i < iters; ++i) {
            a0 = _mm512_fmadd_ps(a0, x, y), a1 = _mm512_fmadd_ps(a1, x, y), a2 = _mm512_fmadd_ps(a2, x, y), a3 = _mm512_fmadd_ps(a3, x, y);
            a4 = _mm512_fmadd_ps(a4, x, y), a5 = _mm512_fmadd_ps(a5, x, y), a6 = _mm512_fmadd_ps(a6, x, y), a7 = _mm512_fmadd_ps(a7, x, y);
            a8 = _mm512_fmadd_ps(a8, x, y), a9 = _mm512_fmadd_ps(a9, x, y), a10 = _mm512_fmadd_ps(a10, x, y), a11 = _mm512_fmadd_ps(a11, x, y);
        }
        __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)), _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
        s = _mm512_add_ps(s, _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)));
        alignas(64) float lanes[16];
        _mm512_store_ps(lanes, s);
        *out = lanes[0] + lanes[15];
        *cpu = thread_cpu_seconds() - c0;
    };
    double best = 0, best_cpu = 0;
    const double flops = double(threads) * double(iters) * 12 * 16 * 2;
    for (int rep = 0; rep < 3; ++rep) {
        std::vector<float> out(static_cast<size_t>(threads));
        std::vector<double> cpu(static_cast<size_t>(threads));
        auto t0 = Clock::now();
        std::vector<std::thread> ts;
        for (int t = 0; t < threads; ++t) ts.emplace_back(body, &out[size_t(t)], &cpu[size_t(t)]);
        for (auto& th : ts) th.join();
        double sec = std::chrono::duration<double>(Clock::now() - t0).count();
        best = std::max(best, flops / sec / 1e9);
        best_cpu = std::max(best_cpu, flops / *std::max_element(cpu.begin(), cpu.end()) / 1e9);
    }
    return {best, best_cpu};
#else
    (void)threads;
    return {0, 0};
#endif
}

double process_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

std::string load_average() {
    std::ifstream f("/proc/loadavg");
    std::string a, b, c;
    f >> a >> b >> c;
    return a + " " + b + " " + c;
}

std::string cpu_model() {
    std::ifstream f("/proc/cpuinfo");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
    return "?";
}

}  // namespace

int main(int argc, char** argv) {
    double min_ms = 300;
    bool quick = false;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--min-ms") && i + 1 < argc) min_ms = std::atof(argv[++i]);
        if (!std::strcmp(argv[i], "--quick")) quick = true;
    }
    std::printf("bench_sgemm: nproc %u, CPU %s, load average %s\nOpenBLAS: %s\n", std::thread::hardware_concurrency(), cpu_model().c_str(),
                load_average().c_str(), openblas_get_config());
    if (!validate()) return 1;
    for (int t : {1, 2}) {
        auto [wall, cpu] = fma_peak_gflops(t);
        std::printf("FMA peak (AVX-512 register loop), %d thread%s: %.1f GFLOP/s wall, %.1f GFLOP/s by CPU time\n", t, t > 1 ? "s" : "", wall, cpu);
    }

    struct Shape {
        const char* name;
        int N, K;
    };
    const Shape shapes[] = {{"q_proj", 2048, 1024},  {"k/v_proj", 1024, 1024}, {"o_proj", 1024, 2048},
                            {"gate/up", 3072, 1024}, {"down", 1024, 3072},     {"lm_head", 151936, 1024}};
    std::vector<int> Ms = {1, 16, 256, 2048};
    if (quick) Ms = {1, 256};
    size_t maxA = 0, maxB = 0, maxC = 0;
    for (const Shape& s : shapes)
        for (int M : Ms) {
            maxA = std::max(maxA, size_t(M) * s.K);
            maxB = std::max(maxB, size_t(s.N) * s.K);
            if (!(M == 2048 && s.N > 10000)) maxC = std::max(maxC, size_t(M) * s.N);
        }
    std::vector<float> A(maxA), B(maxB), C(maxC);
    rf::Rng rng(1);
    for (float& x : A) x = rng.uniform() - 0.5f;
    for (float& x : B) x = rng.uniform() - 0.5f;

    std::printf("\n%-9s %5s %7s %5s | %9s %9s | %9s %9s | %31s   (GFLOP/s)\n", "shape", "M", "N", "K", "1t NT", "1t NN", "2t NT", "2t NN",
                "cpu-time: 1t NT, NN, 2t NT, NN");
    double peak[3] = {0, 0, 0}, peak_cpu[3] = {0, 0, 0};
    for (const Shape& s : shapes) {
        for (int M : Ms) {
            if (M == 2048 && s.N > 10000) continue;  // 0.64 TFLOP and a 1.2 GB C: not a shape we run
            double g[2][2], gc[2][2];
            for (int threads : {1, 2}) {
                openblas_set_num_threads(threads);
                for (int nt = 1; nt >= 0; --nt) {
                    const double flops = 2.0 * M * s.N * s.K;
                    sgemm(nt, M, s.N, s.K, A.data(), B.data(), C.data());  // warm-up
                    double best = 1e30, best_cpu = 1e30, total = 0;
                    int reps = 0;
                    while (total < min_ms / 1000.0 || reps < 3) {
                        const double c0 = process_cpu_seconds();
                        auto t0 = Clock::now();
                        sgemm(nt, M, s.N, s.K, A.data(), B.data(), C.data());
                        double sec = std::chrono::duration<double>(Clock::now() - t0).count();
                        best = std::min(best, sec);
                        best_cpu = std::min(best_cpu, (process_cpu_seconds() - c0) / threads);
                        total += sec;
                        ++reps;
                    }
                    g[threads - 1][1 - nt] = flops / best / 1e9;
                    gc[threads - 1][1 - nt] = flops / best_cpu / 1e9;
                    peak[threads] = std::max(peak[threads], g[threads - 1][1 - nt]);
                    peak_cpu[threads] = std::max(peak_cpu[threads], gc[threads - 1][1 - nt]);
                }
            }
            std::printf("%-9s %5d %7d %5d | %9.1f %9.1f | %9.1f %9.1f | %7.1f %7.1f %7.1f %7.1f\n", s.name, M, s.N, s.K, g[0][0], g[0][1], g[1][0], g[1][1],
                        gc[0][0], gc[0][1], gc[1][0], gc[1][1]);
        }
    }
    std::printf("\nsgemm peak over these shapes: %.1f GFLOP/s (1 thread), %.1f GFLOP/s (2 threads) wall; %.1f / %.1f by CPU time; load average now %s\n",
                peak[1], peak[2], peak_cpu[1], peak_cpu[2], load_average().c_str());
    return 0;
}
