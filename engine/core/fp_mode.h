// Floating-point mode of the threads that run the engine's math.
#pragma once
#include <string>

namespace rf {

// Flush denormals to zero (x86 MXCSR FTZ + DAZ) on the calling thread. Denormal activations and
// gradients appear as small models train and make every FMA that touches them far slower: the SFT
// of the embedded default ran at 3.7 CPU-s/step with them and 0.41 with FTZ/DAZ (same machine, one
// BLAS thread). PyTorch offers the same (torch.set_flush_denormal). Results differ from IEEE only
// below 1.2e-38. Threads created afterwards by this thread inherit the mode.
void set_flush_denormals();

// Call first thing in main(). OpenBLAS starts its worker threads before main() runs, with the
// default FP mode, and they would keep computing on denormals. So the first call re-executes the
// program once with one BLAS thread (OPENBLAS_NUM_THREADS=1), sets FTZ/DAZ, and then raises the BLAS
// thread count to what it would have been, which makes OpenBLAS create its workers from this thread,
// inheriting FTZ/DAZ. A user's OPENBLAS_NUM_THREADS is honoured.
// The same re-execution picks OpenBLAS's kernel: when the library chose a weaker one than the CPU
// runs (better_openblas_core, cpu_features.h), OPENBLAS_CORETYPE is set for the new process. A
// user's OPENBLAS_CORETYPE is honoured.
void init_math_threads(char** argv);

// One line for logs and `reinforge-cli info --system`: the OpenBLAS kernel and threads (and whether
// Reinforge overrode the library's choice), the CPU model and its vector features.
std::string math_kernels();

}  // namespace rf
