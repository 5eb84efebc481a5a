// Memory bandwidth on this machine, STREAM style (McCalpin, https://www.cs.virginia.edu/stream/):
//   copy   a[i] = b[i]             8 B / element (read b, write a; write-allocate not counted)
//   triad  a[i] = b[i] + s * c[i]  12 B / element
//   sum    s += a[i]               4 B / element (read-only; what a decode GEMV streams)
// float arrays far larger than the L3, 1 and 2 threads; each kernel is first checked against a
// plain loop on the same data, then timed (best and median wall time of the repetitions, and the
// best per-thread CPU time, which discounts time-slicing on a machine shared with other jobs).
// usage: bench_stream [--mib N] [--reps N]   (default 512 MiB per array, 10 repetitions)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <time.h>
#include <vector>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace {

using Clock = std::chrono::steady_clock;

float* alloc_floats(size_t n) {
    void* p = std::aligned_alloc(64, ((n * sizeof(float) + 63) / 64) * 64);
    if (!p) {
        std::fprintf(stderr, "out of memory\n");
        std::exit(1);
    }
    return static_cast<float*>(p);
}

void copy_range(float* a, const float* b, size_t lo, size_t hi) {
    for (size_t i = lo; i < hi; ++i) a[i] = b[i];
}
void triad_range(float* a, const float* b, const float* c, float s, size_t lo, size_t hi) {
    for (size_t i = lo; i < hi; ++i) a[i] = b[i] + s * c[i];
}
double sum_range(const float* a, size_t lo, size_t hi) {
#if defined(__AVX512F__)
    __m512 acc0 = _mm512_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    size_t i = lo;
    for (; i + 64 <= hi; i += 64) {
        acc0 = _mm512_add_ps(acc0, _mm512_loadu_ps(a + i));
        acc1 = _mm512_add_ps(acc1, _mm512_loadu_ps(a + i + 16));
        acc2 = _mm512_add_ps(acc2, _mm512_loadu_ps(a + i + 32));
        acc3 = _mm512_add_ps(acc3, _mm512_loadu_ps(a + i + 48));
    }
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, _mm512_add_ps(_mm512_add_ps(acc0, acc1), _mm512_add_ps(acc2, acc3)));
    double s = 0;
    for (float x : lanes) s += x;
    for (; i < hi; ++i) s += a[i];
    return s;
#else
    float acc[8] = {};
    size_t i = lo;
    for (; i + 8 <= hi; i += 8)
        for (int k = 0; k < 8; ++k) acc[k] += a[i + k];
    double s = 0;
    for (float x : acc) s += x;
    for (; i < hi; ++i) s += a[i];
    return s;
#endif
}

double thread_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

// Runs fn(lo, hi, t) over [0, n) split into `threads` contiguous parts. Returns the wall seconds
// and the largest per-thread CPU seconds: on a machine shared with other jobs the CPU time is what
// the run would take with the cores to itself (memory contention from the others still counts).
struct Timing {
    double wall, cpu;
};
template <class Fn>
Timing timed_parallel(int threads, size_t n, Fn fn) {
    std::vector<double> cpu(size_t(threads), 0.0);
    auto body = [&](size_t lo, size_t hi, int t) {
        double c0 = thread_cpu_seconds();
        fn(lo, hi, t);
        cpu[size_t(t)] = thread_cpu_seconds() - c0;
    };
    auto t0 = Clock::now();
    if (threads == 1) {
        body(size_t(0), n, 0);
    } else {
        std::vector<std::thread> ts;
        for (int t = 0; t < threads; ++t) {
            size_t lo = n * t / threads, hi = n * (t + 1) / threads;
            ts.emplace_back([=, &body] { body(lo, hi, t); });
        }
        for (auto& th : ts) th.join();
    }
    return {std::chrono::duration<double>(Clock::now() - t0).count(), *std::max_element(cpu.begin(), cpu.end())};
}

struct Stat {
    double best_gbs, median_gbs, cpu_best_gbs;
};
Stat stats(std::vector<Timing> t, double bytes) {
    std::vector<double> w, c;
    for (auto& x : t) w.push_back(x.wall), c.push_back(x.cpu);
    std::sort(w.begin(), w.end());
    std::sort(c.begin(), c.end());
    return {bytes / w.front() / 1e9, bytes / w[w.size() / 2] / 1e9, bytes / c.front() / 1e9};
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
    size_t mib = 512;
    int reps = 10;
    for (int i = 1; i + 1 < argc; ++i) {
        if (!std::strcmp(argv[i], "--mib")) mib = std::strtoul(argv[++i], nullptr, 10);
        else if (!std::strcmp(argv[i], "--reps")) reps = std::atoi(argv[++i]);
    }
    const size_t n = mib * (size_t(1) << 20) / sizeof(float);
    std::printf("bench_stream: %zu MiB per array (%zu floats), %d reps, nproc %u, CPU %s, load average %s\n", mib, n, reps,
                std::thread::hardware_concurrency(), cpu_model().c_str(), load_average().c_str());
    float* a = alloc_floats(n);
    float* b = alloc_floats(n);
    float* c = alloc_floats(n);
    // First touch from 2 threads (pages spread like the timed runs), and deterministic contents.
    timed_parallel(2, n, [&](size_t lo, size_t hi, int) {
        for (size_t i = lo; i < hi; ++i) {
            a[i] = 0.0f;
            b[i] = float(i % 1024) * 0.5f;
            c[i] = float((i * 7) % 512) * 0.25f;
        }
    });

    // Validate each kernel against a plain loop on a sample of indices.
    const float s = 3.0f;
    copy_range(a, b, 0, n);
    triad_range(a, a, c, s, 0, n);  // a = b + s c
    int bad = 0;
    for (size_t i = 0; i < n; i += 4097) bad += a[i] != float(i % 1024) * 0.5f + s * (float((i * 7) % 512) * 0.25f);
    double want = 0, got = 0;
    for (size_t i = 0; i < (size_t(1) << 20); ++i) want += b[i];
    got = sum_range(b, 0, size_t(1) << 20);
    if (bad || std::fabs(got - want) > 1e-6 * std::fabs(want)) {
        std::printf("VALIDATION FAILED: %d bad triad values, sum %.6g vs %.6g\n", bad, got, want);
        return 1;
    }
    std::printf("validation: copy/triad exact on a sample, sum within 1e-6 of the plain loop\n\n");

    std::printf("%-8s %-8s %12s %12s %14s\n", "kernel", "threads", "best GB/s", "median GB/s", "cpu-time GB/s");
    for (int threads : {1, 2}) {
        std::vector<Timing> tc, tt, ts;
        std::vector<double> partial(2);
        for (int r = 0; r < reps; ++r) {
            tc.push_back(timed_parallel(threads, n, [&](size_t lo, size_t hi, int) { copy_range(a, b, lo, hi); }));
            tt.push_back(timed_parallel(threads, n, [&](size_t lo, size_t hi, int) { triad_range(a, b, c, s, lo, hi); }));
            ts.push_back(timed_parallel(threads, n, [&](size_t lo, size_t hi, int t) { partial[t] = sum_range(a, lo, hi); }));
        }
        Stat sc = stats(tc, 8.0 * double(n)), st = stats(tt, 12.0 * double(n)), ss = stats(ts, 4.0 * double(n));
        std::printf("%-8s %-8d %12.1f %12.1f %14.1f\n", "copy", threads, sc.best_gbs, sc.median_gbs, sc.cpu_best_gbs);
        std::printf("%-8s %-8d %12.1f %12.1f %14.1f\n", "triad", threads, st.best_gbs, st.median_gbs, st.cpu_best_gbs);
        std::printf("%-8s %-8d %12.1f %12.1f %14.1f\n", "sum", threads, ss.best_gbs, ss.median_gbs, ss.cpu_best_gbs);
        if (partial[0] + partial[1] == -1.0) std::printf(" ");  // keep the sums alive
    }
    std::free(a);
    std::free(b);
    std::free(c);
    return 0;
}
