// The bf16 compute peak of this CPU, measured by register loops (issue 14: "≥ 60 % of the CPU's peak
// for the precision used, measured by a register loop"): AMX-BF16 (tdpbf16ps on tiles that never
// leave the tile registers: 4 independent C tiles, A and B loaded once) and AVX512_BF16 (vdpbf16ps
// on 12 independent zmm accumulators), on 1 and 2 threads. A tdpbf16ps of 16 x 16 x 32 is 16 384
// FLOP, a vdpbf16ps 64. Nothing is validated (the loops compute nothing that is read), so the
// figures are the units' ceiling, not a product's rate.
// usage: bench_amx_peak [--ms 300]
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "core/cpu_features.h"
#include "ops/decode_matmul.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC target("amx-tile,amx-bf16,avx512f,avx512bf16")
#include <immintrin.h>

namespace {

using Clock = std::chrono::steady_clock;

struct alignas(64) TileConfig {
    uint8_t palette = 1, start_row = 0;
    uint8_t reserved[14] = {};
    uint16_t colsb[16] = {};
    uint8_t rows[16] = {};
};

// FLOP per second of one thread running tdpbf16ps for about `ms` milliseconds.
double amx_loop(int ms) {
    TileConfig cfg;
    for (int t = 0; t < 6; ++t) cfg.rows[t] = 16, cfg.colsb[t] = 64;
    _tile_loadconfig(&cfg);
    alignas(64) static thread_local uint16_t buf[16 * 32] = {};
    _tile_loadd(4, buf, 64);
    _tile_loadd(5, buf, 64);
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
    long n = 0;
    const auto t0 = Clock::now();
    double s = 0;
    do {
        for (int i = 0; i < 4096; ++i) {
            _tile_dpbf16ps(0, 4, 5);
            _tile_dpbf16ps(1, 4, 5);
            _tile_dpbf16ps(2, 4, 5);
            _tile_dpbf16ps(3, 4, 5);
        }
        n += 4 * 4096;
        s = std::chrono::duration<double>(Clock::now() - t0).count();
    } while (s * 1e3 < ms);
    _tile_release();
    return double(n) * 16384.0 / s;
}

double avx_loop(int ms) {
    __m512 acc[12];
    for (auto& a : acc) a = _mm512_setzero_ps();
    const __m512bh x = (__m512bh)_mm512_set1_epi16(0x3f80), y = (__m512bh)_mm512_set1_epi16(0x3f80);
    long n = 0;
    const auto t0 = Clock::now();
    double s = 0;
    do {
        for (int i = 0; i < 4096; ++i)
            for (auto& a : acc) a = _mm512_dpbf16_ps(a, x, y);
        n += 12 * 4096;
        s = std::chrono::duration<double>(Clock::now() - t0).count();
    } while (s * 1e3 < ms);
    float sink[16];
    _mm512_storeu_ps(sink, acc[0]);
    if (sink[0] < 0) std::printf("%f", sink[0]);
    return double(n) * 64.0 / s;
}

double on_threads(int threads, double (*loop)(int), int ms) {
    std::vector<double> r(static_cast<size_t>(threads));
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t) ts.emplace_back([&, t] { r[size_t(t)] = loop(ms); });
    for (auto& t : ts) t.join();
    double sum = 0;
    for (double v : r) sum += v;
    return sum;
}

}  // namespace
#pragma GCC pop_options

int main(int argc, char** argv) {
    int ms = 300;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == "--ms") ms = std::atoi(argv[i + 1]);
    const rf::CpuFeatures& c = rf::cpu_features();
    std::printf("CPU: %s [%s]\n", c.model.c_str(), c.flags().c_str());
    if (c.avx512_bf16)
        for (int t : {1, 2}) std::printf("AVX512_BF16 vdpbf16ps, %d thread(s): %.0f GFLOP/s\n", t, on_threads(t, avx_loop, ms) / 1e9);
    if (rf::decode_amx_available())  // the CPU has AMX-BF16 and Linux granted the tile state
        for (int t : {1, 2}) std::printf("AMX-BF16 tdpbf16ps, %d thread(s): %.0f GFLOP/s\n", t, on_threads(t, amx_loop, ms) / 1e9);
    else
        std::printf("AMX-BF16: not available here\n");
    return 0;
}
#else
int main() {
    std::printf("bench_amx_peak: x86-64 GCC only\n");
    return 0;
}
#endif
