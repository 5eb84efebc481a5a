// What the CPU can do, read with cpuid at run time (never assumed from the build machine), and what
// the math libraries made of it. Reinforge runs on whatever x86-64 (or other) CPU the user has; a
// library that does not know a newer CPU model falls back to a generic kernel silently (Debian's
// OpenBLAS 0.3.21 runs a Sapphire Rapids Xeon on its SSE3 "Prescott" kernel: a fifth of the FMA
// peak), so init_math_threads() (fp_mode.h) uses these to pick the right kernel before the library's
// threads start.
#pragma once
#include <string>

namespace rf {

struct CpuFeatures {
    std::string model;  // /proc/cpuinfo "model name" (empty where unknown)
    bool avx = false, avx2 = false, fma = false;
    bool avx512f = false, avx512bw = false, avx512vl = false, avx512dq = false;
    bool avx512_vnni = false, avx512_bf16 = false, amx_bf16 = false, amx_int8 = false;
    // AVX-512 as the GEMM libraries use it (F + BW + VL + DQ, the Skylake-X set).
    bool avx512() const { return avx512f && avx512bw && avx512vl && avx512dq; }
    // Native bf16 dot products (AVX512_BF16 or AMX-BF16): where bf16 compute pays.
    bool native_bf16() const { return avx512_bf16 || amx_bf16; }
    std::string flags() const;  // "avx2 fma avx512 avx512_bf16 amx_bf16 ..." (what is present)
};

// Read once, cached.
const CpuFeatures& cpu_features();

// The OpenBLAS kernel Reinforge wants on this CPU when the library picked a weaker one, or "" when the
// library's own choice is fine. `library_core` is openblas_get_corename(). AVX-512 CPUs get
// "Cooperlake" (with AVX512_BF16) or "SkylakeX", AVX2+FMA CPUs "Haswell", AVX CPUs "Sandybridge".
std::string better_openblas_core(const CpuFeatures& cpu, const std::string& library_core);

}  // namespace rf
