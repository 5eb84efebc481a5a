// AMX-BF16 decode products (see decode_matmul.h, decode_matmul_amx): y (M,N) = bf16(x) . W^T on bf16
// weights, computed transposed as y^T = W . x^T so that W is read as it lies:
//   A tile = 16 rows of W x 32 columns (64 bytes per row, stride K),
//   B tile = x^T for the same 32 columns in the VNNI layout (16 column pairs x M rows of pairs),
//   C tile = 16 rows of y^T (16 x M float32);  tdpbf16ps: C += A . B (bf16 pairs, float32 sums).
// Four C tiles (64 rows of W) share each B tile; the rows of the next block are prefetched. x is
// rounded to bf16 once per call (the rounding the training forward's bf16 products make too).
// Linux hands the AMX state to a process only on request (arch_prctl ARCH_REQ_XCOMP_PERM).
// reference: Intel SDM vol. 1 ch. 18 (AMX), vol. 2 TDPBF16PS / TILELOADD; linux Documentation/arch/x86/xstate.rst
#include "ops/decode_matmul.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/cpu_features.h"
#include "core/error.h"
#include "core/worker_pool.h"
#include "io/safetensors.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define RF_AMX_KERNEL 1
#pragma GCC push_options
#pragma GCC target("amx-tile,amx-bf16,avx512f,avx512bw,avx512vl")
#include <immintrin.h>
#endif

namespace rf {

#if defined(RF_AMX_KERNEL)

namespace {

constexpr int kBlockRows = 64;          // rows of W per block: four C tiles
constexpr size_t kPrefetchBytes = 16384;

struct alignas(64) TileConfig {
    uint8_t palette = 1, start_row = 0;
    uint8_t reserved[14] = {};
    uint16_t colsb[16] = {};
    uint8_t rows[16] = {};
};

bool os_grants_amx() {
    static const bool ok = [] {
        constexpr long kArchReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
        return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
    }();
    return ok;
}

// Rows [b, e) (multiples of 16) of y^T for M rows of x (xv: [K/2][M][2] bf16).
void amx_rows(float* y, int ldy, const uint16_t* xv, int M, int K, const uint16_t* w, long b, long e, const float* bias,
              bool accumulate) {
    TileConfig cfg;
    for (int t = 0; t < 4; ++t) cfg.rows[t] = 16, cfg.colsb[t] = uint16_t(M * 4);  // C
    cfg.rows[4] = 16, cfg.colsb[4] = uint16_t(M * 4);                              // B
    cfg.rows[5] = 16, cfg.colsb[5] = 64;                                           // A
    cfg.rows[6] = 16, cfg.colsb[6] = 64;
    _tile_loadconfig(&cfg);
    const size_t row_bytes = size_t(K) * 2;
    alignas(64) float out[16 * 16];
    for (long n0 = b; n0 < e; n0 += kBlockRows) {
        const int tiles = int(std::min<long>(kBlockRows, e - n0) / 16);
        const char* w0 = reinterpret_cast<const char*>(w + size_t(n0) * K);
        _tile_zero(0);
        _tile_zero(1);
        _tile_zero(2);
        _tile_zero(3);
        for (int k0 = 0; k0 < K; k0 += 32) {
            _tile_loadd(4, xv + size_t(k0) * M, M * 4);
            const char* a = w0 + size_t(k0) * 2;
            // every fourth row of the block, at these columns of the row 4 * kPrefetchBytes further on
            // (32 rows at K 1024); measured as is (bench_decode_dot), not tuned further
            for (int r = 0; r < 16 * tiles; r += 4)
                _mm_prefetch(a + kPrefetchBytes * 4 + size_t(r) * row_bytes, _MM_HINT_T0);
            _tile_loadd(5, a, row_bytes);
            _tile_dpbf16ps(0, 5, 4);
            if (tiles > 1) {
                _tile_loadd(6, a + 16 * row_bytes, row_bytes);
                _tile_dpbf16ps(1, 6, 4);
            }
            if (tiles > 2) {
                _tile_loadd(5, a + 32 * row_bytes, row_bytes);
                _tile_dpbf16ps(2, 5, 4);
            }
            if (tiles > 3) {
                _tile_loadd(6, a + 48 * row_bytes, row_bytes);
                _tile_dpbf16ps(3, 6, 4);
            }
        }
        for (int t = 0; t < tiles; ++t) {
            if (t == 0) _tile_stored(0, out, 64);
            if (t == 1) _tile_stored(1, out, 64);
            if (t == 2) _tile_stored(2, out, 64);
            if (t == 3) _tile_stored(3, out, 64);
            for (int r = 0; r < 16; ++r) {
                const long n = n0 + 16 * t + r;
                for (int m = 0; m < M; ++m) {
                    float v = out[r * 16 + m] + (bias ? bias[n] : 0.0f);
                    float& o = y[size_t(m) * size_t(ldy) + size_t(n)];
                    o = accumulate ? o + v : v;
                }
            }
        }
    }
    _tile_release();
}

}  // namespace

bool decode_amx_available() {
    static const bool ok = cpu_features().amx_bf16 && os_grants_amx();
    return ok;
}

void decode_matmul_amx(float* y, const float* x, const DecodeWeight& w, const float* bias, int M, bool accumulate,
                       WorkerPool& pool) {
    RF_CHECK(w.bf16 && M >= 1 && M <= 16 && w.K % 32 == 0 && w.N % 16 == 0 && decode_amx_available(),
             "decode_matmul_amx: unsupported call");
    const int N = w.N, K = w.K;
    thread_local std::vector<uint16_t> xv;  // [K/2][M][2]
    xv.resize(size_t(K) * size_t(M));
    for (int m = 0; m < M; ++m)
        for (int k = 0; k < K; ++k) xv[(size_t(k / 2) * M + m) * 2 + (k % 2)] = f32_to_bf16(x[size_t(m) * K + k]);
    const uint16_t* xp = xv.data();
    pool.parallel_for(N / 16, 4, [&](long b, long e) { amx_rows(y, N, xp, M, K, w.bf16, b * 16, e * 16, bias, accumulate); });
}

#else

bool decode_amx_available() { return false; }
void decode_matmul_amx(float*, const float*, const DecodeWeight&, const float*, int, bool, WorkerPool&) {
    RF_CHECK(false, "decode_matmul_amx: not compiled in");
}

#endif

}  // namespace rf

#if defined(RF_AMX_KERNEL)
#pragma GCC pop_options
#endif
