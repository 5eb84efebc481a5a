#include "core/fp_mode.h"

#include <cblas.h>
#include <cstdlib>
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
        execv("/proc/self/exe", argv);
        // exec failed (no /proc): carry on; only the main thread gets FTZ/DAZ then
        set_flush_denormals();
        return;
    }
    set_flush_denormals();
    int n = std::atoi(wanted);
    if (n > 1) openblas_set_num_threads(n);
}

}  // namespace rf
