#include "core/fp_mode.h"

#include "core/cpu_features.h"

#include <cblas.h>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace rf {

void set_flush_denormals() {
#if defined(__x86_64__) || defined(__i386__)
    _mm_setcsr(_mm_getcsr() | 0x8040);  // FTZ (bit 15) | DAZ (bit 6)
#endif
}

void init_math_threads(char** argv) {
    const char* marker = "REINFORGE_BLAS_THREADS";
    const char* wanted = std::getenv(marker);
    if (!wanted) {
        const char* user = std::getenv("OPENBLAS_NUM_THREADS");
        std::string n = user && *user ? user : std::to_string(std::max(1u, std::thread::hardware_concurrency()));
        setenv(marker, n.c_str(), 1);
        setenv("OPENBLAS_NUM_THREADS", "1", 1);
        // oneDNN's OpenMP threads (bf16 GEMMs, ops/gemm_bf16.h) must not spin between products: they
        // would take the cores from OpenBLAS's threads and the worker pool (a Qwen3-0.6B LoRA step took
        // 2.95 s with libgomp's default spinning, 1.66 s with passive waiting, 2 cores). libgomp reads
        // this when it loads. A user's OMP_WAIT_POLICY is honoured.
        setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
        // Likewise OpenBLAS's own threads: after each product they spin (sched_yield) for 2^28 cycles
        // (~0.1 s) before sleeping, holding the second core while oneDNN's OpenMP threads or the
        // worker pool need it. 2^4 cycles: they sleep at once and are woken by the next product (a
        // Qwen3-0.6B LoRA step, 2 cores: bf16 1.93 -> 1.57 s, float32 3.16 -> 2.85 s). A user's
        // OPENBLAS_THREAD_TIMEOUT is honoured.
        setenv("OPENBLAS_THREAD_TIMEOUT", "4", 0);
        // The kernel: OpenBLAS reads OPENBLAS_CORETYPE when it loads, so it is set for the re-executed
        // program. A user's OPENBLAS_CORETYPE is honoured.
        const char* user_core = std::getenv("OPENBLAS_CORETYPE");
        if (!(user_core && *user_core)) {
            const char* picked = openblas_get_corename();
            std::string better = better_openblas_core(cpu_features(), picked ? picked : "");
            if (!better.empty()) {
                setenv("OPENBLAS_CORETYPE", better.c_str(), 1);
                setenv("REINFORGE_BLAS_FALLBACK", picked ? picked : "unknown", 1);
            }
        }
        execv("/proc/self/exe", argv);
        // exec failed (no /proc): carry on; only the main thread gets FTZ/DAZ then
        set_flush_denormals();
        return;
    }
    set_flush_denormals();
    int n = std::atoi(wanted);
    if (n > 1) openblas_set_num_threads(n);
}

std::string math_kernels() {
    const char* core = openblas_get_corename();
    std::string s = "OpenBLAS " + std::string(core ? core : "?") + " kernel, " +
                    std::to_string(openblas_get_num_threads()) + " thread(s)";
    if (const char* was = std::getenv("REINFORGE_BLAS_FALLBACK"))
        s += " (the library picked " + std::string(was) + "; Reinforge selected " + (core ? core : "?") +
             " for this CPU)";
    else if (const char* user = std::getenv("OPENBLAS_CORETYPE"); user && *user)
        s += " (OPENBLAS_CORETYPE=" + std::string(user) + ")";
    const CpuFeatures& cpu = cpu_features();
    s += "; CPU " + (cpu.model.empty() ? std::string("unknown") : cpu.model) + " [" + cpu.flags() + "]";
    return s;
}

}  // namespace rf
