#include "core/cpu_features.h"

#include <algorithm>
#include <cctype>
#include <fstream>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace rf {

namespace {

#if defined(__x86_64__) || defined(__i386__)
// XCR0: which register states the OS saves (AVX needs bits 1-2, AVX-512 5-7, AMX 17-18).
unsigned long long xgetbv0() {
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (static_cast<unsigned long long>(hi) << 32) | lo;
}
#endif

CpuFeatures read_features() {
    CpuFeatures f;
    std::ifstream in("/proc/cpuinfo");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("model name", 0) != 0) continue;
        auto colon = line.find(':');
        if (colon != std::string::npos) f.model = line.substr(std::min(line.size(), colon + 2));
        break;
    }
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
    const bool osxsave = c & bit_OSXSAVE;
    const unsigned long long xcr0 = osxsave ? xgetbv0() : 0;
    const bool ymm = (xcr0 & 0x6) == 0x6, zmm = (xcr0 & 0xe6) == 0xe6, tiles = (xcr0 & 0x60000) == 0x60000;
    f.avx = ymm && (c & bit_AVX);
    f.fma = ymm && (c & bit_FMA);
    if (__get_cpuid_max(0, nullptr) < 7) return f;
    __cpuid_count(7, 0, a, b, c, d);
    f.avx2 = ymm && (b & bit_AVX2);
    f.avx512f = zmm && (b & bit_AVX512F);
    f.avx512dq = zmm && (b & bit_AVX512DQ);
    f.avx512bw = zmm && (b & bit_AVX512BW);
    f.avx512vl = zmm && (b & bit_AVX512VL);
    f.avx512_vnni = zmm && (c & (1u << 11));
    f.amx_bf16 = tiles && (d & (1u << 22));
    f.amx_int8 = tiles && (d & (1u << 25));
    unsigned a1, b1, c1, d1;
    __cpuid_count(7, 1, a1, b1, c1, d1);
    f.avx512_bf16 = zmm && (a1 & (1u << 5));
#endif
    return f;
}

// 0 generic/SSE, 1 AVX, 2 AVX2+FMA, 3 AVX-512: the instruction level a kernel uses.
int core_level(std::string name) {
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
    for (const char* n : {"skylakex", "cooperlake", "sapphirerapids"})
        if (name == n) return 3;
    for (const char* n : {"haswell", "zen", "skylake", "excavator", "steamroller", "piledriver"})
        if (name == n) return 2;
    if (name == "sandybridge" || name == "bulldozer") return 1;
    return 0;
}

}  // namespace

std::string CpuFeatures::flags() const {
    std::string s;
    auto add = [&](bool on, const char* n) {
        if (on) s += (s.empty() ? "" : " ") + std::string(n);
    };
    add(avx, "avx");
    add(avx2, "avx2");
    add(fma, "fma");
    add(avx512(), "avx512");
    add(avx512_vnni, "avx512_vnni");
    add(avx512_bf16, "avx512_bf16");
    add(amx_bf16, "amx_bf16");
    add(amx_int8, "amx_int8");
    return s.empty() ? "none of avx/avx2/avx512" : s;
}

const CpuFeatures& cpu_features() {
    static const CpuFeatures f = read_features();
    return f;
}

std::string better_openblas_core(const CpuFeatures& cpu, const std::string& library_core) {
    const int have = core_level(library_core);
    if (cpu.avx512() && have < 3) return cpu.avx512_bf16 ? "Cooperlake" : "SkylakeX";
    if (cpu.avx2 && cpu.fma && have < 2) return "Haswell";
    if (cpu.avx && have < 1) return "Sandybridge";
    return {};
}

}  // namespace rf
