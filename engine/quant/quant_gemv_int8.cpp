// Int8-activation GEMV on packed weights (decode, DecodeOptions::int8_activations), the way
// llama.cpp's q4_0 x q8_0 dot products work: with x ~ d_b xq (int8 per block b of 32 columns),
//   affine  y[m, n] = sum_g ( s_g sum_{b in g} d_b sum_{k in b} q_k xq_k  +  b_g sum_{b in g} d_b sum_{k in b} xq_k )
//   mxfp4   y[m, n] = sum_g s_g sum_{b in g} (d_b / 2) sum_{k in b} (2 LUT[q_k] + 12 - 12) xq_k
// The integer sums run in vpdpbusd (u8 codes x s8 activations, 4 products per int32 lane): 64 bytes
// of W per step = 128 4-bit codes (low and high nibbles, against x in [even | odd] order) or 64 8-bit
// codes. mxfp4 codes go through a 16-entry byte LUT (vpshufb) to 2 LUT + 12 in [0, 24] (unsigned for
// vpdpbusd); the +12 is removed by starting each lane at -12 * sum(xq) of its bytes. Each step's
// int32 lanes become float once and are scaled per lane by s_g d_b (s_g gathered with vpermps); the
// affine bias term uses group sums of the quantized x (so y = sum_k w_hat_k x_hat_k and the error is
// sum_k w_hat_k (x_hat_k - x_k): with exact sums of x there it would be sum_k s q_k (..), 2-3x larger,
// as s q = w_hat - b carries the offset b ~ -max|w|). reference: llama.cpp ggml-cpu quants.c
// ggml_vec_dot_q4_0_q8_0 / quantize_row_q8_0 (AVX-512 VNNI), Intel SDM VPDPBUSD.
#include "quant/quant_gemv_int8.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

#if (defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)) || \
    (defined(__AVX512VNNI__) && defined(__AVX512BW__) && defined(__AVX512VL__))
#define RF_INT8_KERNEL 1
#endif

namespace rf {

bool int8_cpu() {
#if defined(RF_INT8_KERNEL)
    static const bool ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
    return ok;
#else
    return false;
#endif
}

bool int8_format(const QuantizedMatrix& W) {
    return W.spec.mode == QuantMode::mxfp4 || W.spec.bits == 4 || W.spec.bits == 8;
}

Int8Input prepare_int8(const float* x, int MB, const QuantizedMatrix& W) {
    RF_CHECK(W.cols % kInt8Block == 0 && W.spec.group_size % kInt8Block == 0, "int8 GEMV: columns not in blocks of 32");
    const bool four = W.spec.bits == 4, mx = W.spec.mode == QuantMode::mxfp4;
    Int8Input in;
    in.MB = MB;
    in.K = W.cols;
    in.G = W.groups_per_row();
    in.chunk = four ? 128 : 64;
    in.Kp = (in.K + in.chunk - 1) / in.chunk * in.chunk;
    const int K = in.K, Kp = in.Kp, nb = K / kInt8Block, nc = Kp / in.chunk, gs = W.spec.group_size;
    in.xq.assign(size_t(MB) * K, 0);
    in.d.assign(size_t(MB) * nb, 0.0f);
    in.xk.assign(size_t(MB) * Kp, 0);
    in.dl.assign(size_t(MB) * nc * 16, 0.0f);
    if (mx) in.corr.assign(size_t(MB) * nc * 16, 0);
    if (!mx) in.xsum.assign(size_t(MB) * in.G, 0.0f);
    for (int m = 0; m < MB; ++m) {
        const float* xm = x + size_t(m) * K;
        int8_t* q = in.xq.data() + size_t(m) * K;
        for (int b = 0; b < nb; ++b) {
            float amax = 0;
            for (int j = 0; j < kInt8Block; ++j) amax = std::max(amax, std::fabs(xm[b * kInt8Block + j]));
            const float d = amax / 127.0f, inv = d > 0 ? 1.0f / d : 0.0f;
            in.d[size_t(m) * nb + b] = d;
            for (int j = 0; j < kInt8Block; ++j)
                q[b * kInt8Block + j] = int8_t(std::clamp(std::nearbyint(xm[b * kInt8Block + j] * inv), -127.0f, 127.0f));
        }
        if (!mx)  // sum of the quantized x over each group: sum_b d_b sum_k xq_k
            for (int g = 0; g < in.G; ++g) {
                float s = 0;
                for (int b = g * gs / kInt8Block; b < (g + 1) * gs / kInt8Block; ++b) {
                    int isum = 0;
                    for (int j = 0; j < kInt8Block; ++j) isum += q[b * kInt8Block + j];
                    s += in.d[size_t(m) * nb + b] * float(isum);
                }
                in.xsum[size_t(m) * in.G + g] = s;
            }
        int8_t* xk = in.xk.data() + size_t(m) * Kp;
        for (int c = 0; c < nc; ++c) {
            const int k0 = c * in.chunk;
            for (int t = 0; t < in.chunk; ++t) {
                // kernel byte t of the chunk holds column `col`
                const int col = four ? k0 + 32 * ((t % 64) / 16) + 2 * (t % 16) + t / 64 : k0 + t;
                xk[k0 + t] = col < K ? q[col] : int8_t(0);
            }
            for (int L = 0; L < 16; ++L) {
                // lane L sums kernel bytes 4L..4L+3 (and, 4-bit, 64 + 4L..: the odd half of the same block)
                const int col = four ? k0 + 32 * (L / 4) : k0 + 4 * L;
                const size_t o = (size_t(m) * nc + c) * 16 + L;
                in.dl[o] = col < K ? in.d[size_t(m) * nb + col / kInt8Block] * (mx ? 0.5f : 1.0f) : 0.0f;
                if (mx) {
                    int s = 0;
                    for (int j = 0; j < 4; ++j) s += xk[k0 + 4 * L + j] + (four ? xk[k0 + 64 + 4 * L + j] : 0);
                    in.corr[o] = -12 * s;
                }
            }
        }
    }
    return in;
}

}  // namespace rf

// The kernel is compiled for AVX-512 VNNI whatever -march says (GCC's target pragma, only around
// the kernel: prepare_int8 above stays portable) and runs only where int8_cpu() says so.
#if defined(RF_INT8_KERNEL) && !defined(__AVX512VNNI__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni")
#include <immintrin.h>
#elif defined(RF_INT8_KERNEL)
#include <immintrin.h>
#endif
#if defined(RF_INT8_KERNEL) && defined(__GNUC__) && !defined(__clang__)
// GCC 12 reports its own _mm512_undefined_* placeholders inside avx512fintrin.h as uninitialized.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

namespace rf {

#if defined(RF_INT8_KERNEL)

namespace {

inline float hsum(__m512 v) {  // (not _mm512_reduce_add_ps: GCC 12 warns inside its header)
    const __m256 a = _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
    __m128 b = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    b = _mm_add_ps(b, _mm_movehl_ps(b, b));
    return _mm_cvtss_f32(_mm_add_ss(b, _mm_movehdup_ps(b)));
}

constexpr int kPrefetchBytes = 16384;  // how far ahead in W the rows are prefetched (best of 4-32 KB, bench_quant_model)

// Up to 16 bf16 values (the upper halves of floats) as floats.
inline __m512 load_bf16(__mmask16 k, const uint16_t* p) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(k, p)), 16));
}

// dots[i * MB + m] = W[r + i, :] . x[m, :]; B16: the scales and biases from W.scales_bf16 / biases_bf16
template <int MB, int R, bool FOUR, bool MX, bool B16>
void row_dots(const QuantizedMatrix& W, const Int8Input& in, int r, float* dots) {
    const int K = W.cols, G = in.G, gs = W.spec.group_size, chunk = in.chunk, nc = in.Kp / chunk;
    const int row_bytes = W.words_per_row() * 4, pf = std::max(R, kPrefetchBytes / row_bytes);
    const uint8_t* bytes[R];
    const float* srow[R];
    const uint16_t* srow16[R];
    for (int i = 0; i < R; ++i) {
        bytes[i] = reinterpret_cast<const uint8_t*>(W.words.data()) + size_t(r + i) * row_bytes;
        srow[i] = W.scales.data() + size_t(r + i) * G;
        srow16[i] = B16 ? W.scales_bf16.data() + size_t(r + i) * G : nullptr;
    }
    // lane L's group, relative to the chunk's first: 4-bit lane L sums block L / 4; 8-bit columns 4L..
    alignas(64) int32_t gidx[16];
    for (int L = 0; L < 16; ++L) gidx[L] = (FOUR ? 32 * (L / 4) : 4 * L) / gs;
    const __m512i idx = _mm512_load_si512(gidx);
    const int groups_per_chunk = std::max(1, chunk / gs);
    const __m512i nib = _mm512_set1_epi8(0x0F);
    alignas(64) int8_t lut_b[64];
    for (int j = 0; j < 64; ++j) lut_b[j] = int8_t(2.0f * kFp4E2M1[j % 16] + 12.0f);  // 2 LUT + 12 in [0, 24]
    const __m512i lut = _mm512_load_si512(lut_b);
    __m512 tot[R][MB];
    for (int i = 0; i < R; ++i)
        for (int m = 0; m < MB; ++m) tot[i][m] = _mm512_setzero_ps();
    for (int i = 0; i < R; ++i) {  // the scales (and biases) of the rows pf ahead
        if constexpr (B16) {
            _mm_prefetch(reinterpret_cast<const char*>(srow16[i] + size_t(pf) * G), _MM_HINT_T0);
            _mm_prefetch(reinterpret_cast<const char*>(W.biases_bf16.data() + size_t(r + i + pf) * G), _MM_HINT_T0);
        } else {
            _mm_prefetch(reinterpret_cast<const char*>(srow[i] + size_t(pf) * G), _MM_HINT_T0);
            if (!MX) _mm_prefetch(reinterpret_cast<const char*>(W.biases.data() + size_t(r + i + pf) * G), _MM_HINT_T0);
        }
    }
    for (int c = 0; c < nc; ++c) {
        const int k0 = c * chunk, g0 = k0 / gs;
        const int wbytes = std::min(64, (K - k0) * W.spec.bits / 8);
        const __mmask64 wmask = wbytes == 64 ? ~__mmask64(0) : (__mmask64(1) << wbytes) - 1;
        const __mmask8 smask = __mmask8((1u << std::min(groups_per_chunk, G - g0)) - 1u);
        __m512i lo[R], hi[R];
        __m512 sl[R];
        for (int i = 0; i < R; ++i) {
            // Decode streams W from DRAM in short rows (512 bytes at K 1024, 4-bit); without software
            // prefetch the loads wait on memory (perf: most samples right after them). The rows
            // pf rows ahead (about kPrefetchBytes; prefetches never fault).
            _mm_prefetch(reinterpret_cast<const char*>(bytes[i] + size_t(pf) * row_bytes + size_t(c) * 64), _MM_HINT_T0);
            const __m512i v = _mm512_maskz_loadu_epi8(wmask, bytes[i] + size_t(c) * 64);
            if constexpr (FOUR) {
                lo[i] = _mm512_and_si512(v, nib);
                hi[i] = _mm512_and_si512(_mm512_srli_epi16(v, 4), nib);
                if constexpr (MX) {
                    lo[i] = _mm512_shuffle_epi8(lut, lo[i]);
                    hi[i] = _mm512_shuffle_epi8(lut, hi[i]);
                }
            } else {
                lo[i] = v;
            }
            if constexpr (B16) sl[i] = _mm512_permutexvar_ps(idx, load_bf16(smask, srow16[i] + g0));
            else sl[i] = _mm512_permutexvar_ps(idx, _mm512_castps128_ps512(_mm_maskz_loadu_ps(smask, srow[i] + g0)));
        }
        for (int m = 0; m < MB; ++m) {
            const size_t lane = (size_t(m) * nc + c) * 16;
            const int8_t* xk = in.xk.data() + size_t(m) * in.Kp + k0;
            const __m512i xlo = _mm512_loadu_si512(xk);
            const __m512 dl = _mm512_loadu_ps(in.dl.data() + lane);
            const __m512i init = MX ? _mm512_loadu_si512(in.corr.data() + lane) : _mm512_setzero_si512();
            __m512i xhi = _mm512_setzero_si512();
            if constexpr (FOUR) xhi = _mm512_loadu_si512(xk + 64);
            for (int i = 0; i < R; ++i) {
                __m512i acc = _mm512_dpbusd_epi32(init, lo[i], xlo);
                if constexpr (FOUR) acc = _mm512_dpbusd_epi32(acc, hi[i], xhi);
                tot[i][m] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc), _mm512_mul_ps(dl, sl[i]), tot[i][m]);
            }
        }
    }
    if constexpr (!MX)  // + sum_g b_g xsum_g, 16 groups at a time, into the same accumulators
        for (int g = 0; g < G; g += 16) {
            const __mmask16 gm = G - g >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (G - g)) - 1u);
            for (int i = 0; i < R; ++i) {
                const __m512 bv = B16 ? load_bf16(gm, W.biases_bf16.data() + size_t(r + i) * G + g)
                                      : _mm512_maskz_loadu_ps(gm, W.biases.data() + size_t(r + i) * G + g);
                for (int m = 0; m < MB; ++m)
                    tot[i][m] = _mm512_fmadd_ps(bv, _mm512_maskz_loadu_ps(gm, in.xsum.data() + size_t(m) * G + g), tot[i][m]);
            }
        }
    for (int i = 0; i < R; ++i)
        for (int m = 0; m < MB; ++m) dots[i * MB + m] = hsum(tot[i][m]);
}

using RowDotFn = void (*)(const QuantizedMatrix&, const Int8Input&, int, float*);
constexpr int kMaxMB = 8;
constexpr int kRowsFor[kMaxMB + 1] = {0, 4, 4, 2, 2, 1, 1, 1, 1};

template <bool FOUR, bool MX, bool B16>
struct Table {
    static constexpr RowDotFn multi[kMaxMB + 1] = {nullptr,
                                                   row_dots<1, 4, FOUR, MX, B16>, row_dots<2, 4, FOUR, MX, B16>, row_dots<3, 2, FOUR, MX, B16>,
                                                   row_dots<4, 2, FOUR, MX, B16>, row_dots<5, 1, FOUR, MX, B16>, row_dots<6, 1, FOUR, MX, B16>,
                                                   row_dots<7, 1, FOUR, MX, B16>, row_dots<8, 1, FOUR, MX, B16>};
    static constexpr RowDotFn single[kMaxMB + 1] = {nullptr,
                                                    row_dots<1, 1, FOUR, MX, B16>, row_dots<2, 1, FOUR, MX, B16>, row_dots<3, 1, FOUR, MX, B16>,
                                                    row_dots<4, 1, FOUR, MX, B16>, row_dots<5, 1, FOUR, MX, B16>, row_dots<6, 1, FOUR, MX, B16>,
                                                    row_dots<7, 1, FOUR, MX, B16>, row_dots<8, 1, FOUR, MX, B16>};
};

}  // namespace

void quant_gemv_int8_rows(float* y, const Int8Input& in, const QuantizedMatrix& W, bool accumulate, long n0, long n1) {
    RF_CHECK(in.MB >= 1 && in.MB <= kMaxMB && int8_format(W) && int8_cpu(), "int8 GEMV: unsupported call");
    const int MB = in.MB, N = W.rows, R = kRowsFor[MB];
    const bool mx = W.spec.mode == QuantMode::mxfp4;
    const bool b16 = !mx && !W.scales_bf16.empty();
    const RowDotFn* multi = mx ? Table<true, true, false>::multi
                            : W.spec.bits == 4 ? (b16 ? Table<true, false, true>::multi : Table<true, false, false>::multi)
                                               : (b16 ? Table<false, false, true>::multi : Table<false, false, false>::multi);
    const RowDotFn* single = mx ? Table<true, true, false>::single
                             : W.spec.bits == 4 ? (b16 ? Table<true, false, true>::single : Table<true, false, false>::single)
                                                : (b16 ? Table<false, false, true>::single : Table<false, false, false>::single);
    float dots[4 * kMaxMB];
    for (long n = n0; n < n1;) {
        const int rows = n + R <= n1 ? R : 1;
        (rows == R ? multi : single)[MB](W, in, int(n), dots);
        for (int i = 0; i < rows; ++i)
            for (int m = 0; m < MB; ++m) {
                float& o = y[size_t(m) * N + size_t(n + i)];
                o = accumulate ? o + dots[i * MB + m] : dots[i * MB + m];
            }
        n += rows;
    }
}

#else  // no x86-64 GCC and no -march with VNNI: quant_matmul_int8 takes the float kernels

void quant_gemv_int8_rows(float*, const Int8Input&, const QuantizedMatrix&, bool, long, long) {
    RF_CHECK(false, "int8 GEMV: not compiled in");
}

#endif

}  // namespace rf

#if defined(RF_INT8_KERNEL) && !defined(__AVX512VNNI__)
#pragma GCC pop_options
#endif
