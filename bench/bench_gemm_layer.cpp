// The GEMM layer's choice, measured (issue 14): at the shapes of a Qwen3-0.6B LoRA step (T = 256),
// y = x W^T with W in the HF (out, in) layout,
//   OpenBLAS sgemm (float32, the kernel init_math_threads picked),
//   oneDNN matmul float32,
//   oneDNN matmul bf16 (x and W rounded to bf16, float32 sums: the engine's gemm_bf16),
// each validated first against a double product on the same (rounded) operands, then timed (best of
// 5, W held in a 1 GiB ring of copies so that no product reads a cached W). GFLOP/s = 2MNK / time.
// usage: bench_gemm_layer
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "core/fp_mode.h"
#include "core/rng.h"
#include "io/safetensors.h"
#include "ops/gemm_bf16.h"

#if REINFORGE_BENCH_DNNL
#include <oneapi/dnnl/dnnl.hpp>
#endif

namespace {

using Clock = std::chrono::steady_clock;

template <class F>
double best_of(int reps, F f) {
    double best = 1e30;
    for (int r = 0; r < reps; ++r) {
        auto t0 = Clock::now();
        f(r);
        best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
    }
    return best;
}

// max |a - b| / max |b|
double rel_err(const std::vector<float>& a, const std::vector<double>& b) {
    double e = 0, m = 0;
    for (size_t i = 0; i < a.size(); ++i) e = std::max(e, std::fabs(a[i] - b[i])), m = std::max(m, std::fabs(b[i]));
    return e / m;
}

std::vector<double> reference(const std::vector<float>& x, const std::vector<float>& w, int M, int N, int K, bool bf16) {
    auto r = [&](float v) { return bf16 ? double(rf::bf16_to_f32(rf::f32_to_bf16(v))) : double(v); };
    std::vector<double> y(size_t(M) * N);
    for (int m = 0; m < M; ++m)
        for (int n = 0; n < N; ++n) {
            double s = 0;
            for (int k = 0; k < K; ++k) s += r(x[size_t(m) * K + k]) * r(w[size_t(n) * K + k]);
            y[size_t(m) * N + n] = s;
        }
    return y;
}

}  // namespace

int main(int argc, char** argv) {
    rf::init_math_threads(argv);
    std::printf("math: %s\nbf16: %s\n\n", rf::math_kernels().c_str(), rf::bf16_gemm_description().c_str());
    std::printf("| M x N x K | OpenBLAS f32 | oneDNN f32 | oneDNN bf16 | err f32 | err bf16 (vs rounded) |\n|---|---|---|---|---|---|\n");
    const int shapes[][3] = {{256, 2048, 1024}, {256, 1024, 1024}, {256, 3072, 1024}, {256, 1024, 3072}, {256, 1024, 2048}};
    bool ok = true;
    for (const auto& s : shapes) {
        const int M = s[0], N = s[1], K = s[2];
        const size_t wn = size_t(N) * K;
        const int ring = int(std::max<size_t>(2, (size_t(1) << 30) / (wn * 4)));
        std::vector<float> x(size_t(M) * K), w(wn * ring), y(size_t(M) * N);
        rf::Rng rng(1, 2);
        for (float& v : x) v = float(rng.uniform() * 2 - 1);
        for (float& v : w) v = float(rng.uniform() * 2 - 1);
        std::vector<uint16_t> w16(w.size());
        rf::to_bf16(w16.data(), w.data(), w.size());
        const std::vector<float> w0(w.begin(), w.begin() + long(wn));
        const auto ref32 = reference(x, w0, M, N, K, false), ref16 = reference(x, w0, M, N, K, true);
        const double flop = 2.0 * M * N * K;

        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1, x.data(), K, w.data(), K, 0, y.data(), N);
        const double e32 = rel_err(y, ref32);
        const double t_blas = best_of(5, [&](int r) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1, x.data(), K, w.data() + (r % ring) * wn, K, 0,
                        y.data(), N);
        });
        double t_dnnl32 = NAN;
#if REINFORGE_BENCH_DNNL
        {
            using dnnl::memory;
            dnnl::engine eng(dnnl::engine::kind::cpu, 0);
            dnnl::stream strm(eng);
            memory::desc ad({M, K}, memory::data_type::f32, memory::dims{K, 1});
            memory::desc bd({K, N}, memory::data_type::f32, memory::dims{1, K});
            memory::desc cd({M, N}, memory::data_type::f32, memory::dims{N, 1});
            dnnl::matmul mm(dnnl::matmul::primitive_desc(dnnl::matmul::desc(ad, bd, cd), eng));
            memory am(ad, eng, x.data()), cm(cd, eng, y.data());
            t_dnnl32 = best_of(5, [&](int r) {
                memory bm(bd, eng, w.data() + (r % ring) * wn);
                mm.execute(strm, {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}});
                strm.wait();
            });
        }
#endif
        double t_bf16 = NAN, e16 = NAN;
        if (rf::gemm_bf16(false, true, M, N, K, 1, x.data(), K, w16.data(), K, 0, y.data(), N, 2)) {
            e16 = rel_err(y, ref16);
            t_bf16 = best_of(5, [&](int r) {
                rf::gemm_bf16(false, true, M, N, K, 1, x.data(), K, w16.data() + (r % ring) * wn, K, 0, y.data(), N, 2);
            });
        }
        ok = ok && e32 < 1e-5 && (std::isnan(e16) || e16 < 1e-5);
        std::printf("| %dx%dx%d | %.0f GFLOP/s | %.0f | %.0f | %.1e | %.1e |\n", M, N, K, flop / t_blas * 1e-9,
                    flop / t_dnnl32 * 1e-9, flop / t_bf16 * 1e-9, e32, e16);
    }
    std::printf("\nvalidation (f32 and bf16 within 1e-5 of a double product on their operands): %s\n", ok ? "OK" : "FAILED");
    return ok ? 0 : 1;
}
