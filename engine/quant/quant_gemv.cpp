// Small-M kernels on packed weights (decode): y[m, n] = sum_g ( s_g * sum_{k in g} x[m, k] q[n, k]
//                                                             + b_g * sum_{k in g} x[m, k] )
// (affine; mxfp4: s_g * sum x[m, k] LUT[q[n, k]]). Codes are unpacked 16 or 32 at a time in
// registers, converted to float and FMA'd with x into a per-group accumulator, which is scaled
// once at the group's end; the bias term uses the precomputed group sums of x. R rows of W are
// processed together (R * MB independent FMA chains, each load of x shared by R rows).
// Unpacking: 8-bit: 16 bytes widened to 16 lanes. 4-bit (and mxfp4): 16 bytes widened, low and high
// nibbles split -> the 16 even and the 16 odd codes of a 32-column chunk, matched with x reordered
// the same way (GemvInput::xperm). Other widths: 2 * bits bytes hold 16 codes; broadcast to the four
// 128-bit lanes, pshufb gathers for lane i the 4 bytes from byte (bits * i) / 8, shift by
// (bits * i) % 8 and mask.
#include "quant/quant_gemv.h"

#include <algorithm>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 reports its own _mm512_undefined_* placeholders inside avx512fintrin.h as uninitialized.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include "quant/quant_matmul.h"

namespace rf {

void decode_generic(const QuantizedMatrix& q, int r, int k0, int k1, float* out) {
    const int gs = q.spec.group_size, gpr = q.groups_per_row();
    for (int k = k0; k < k1; ++k) {
        const float s = q.scales[size_t(r) * gpr + k / gs];
        const uint32_t c = quant_code(q, r, k);
        out[k - k0] = q.spec.mode == QuantMode::affine ? s * float(c) + q.biases[size_t(r) * gpr + k / gs] : s * kFp4E2M1[c];
    }
}

GemvInput prepare_gemv(const float* x, int MB, const QuantizedMatrix& W) {
    GemvInput in;
    in.x = x;
    in.MB = MB;
    in.K = W.cols;
    const int gs = W.spec.group_size, G = W.groups_per_row();
    in.xsum.assign(size_t(MB) * G, 0.0f);
    for (int m = 0; m < MB; ++m)
        for (int g = 0; g < G; ++g) {
            float s = 0;
            for (int k = g * gs; k < (g + 1) * gs; ++k) s += x[size_t(m) * in.K + k];
            in.xsum[size_t(m) * G + g] = s;
        }
    if (W.spec.bits == 4) {
        in.xperm.resize(size_t(MB) * in.K);
        for (int m = 0; m < MB; ++m)
            for (int c = 0; c < in.K; c += 32)
                for (int j = 0; j < 16; ++j) {
                    in.xperm[size_t(m) * in.K + c + j] = x[size_t(m) * in.K + c + 2 * j];
                    in.xperm[size_t(m) * in.K + c + 16 + j] = x[size_t(m) * in.K + c + 2 * j + 1];
                }
    }
    return in;
}

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)

namespace {

struct Unpack16 {  // any width, 16 codes per call (see the header comment)
    __m512i ctrl, shift, mask;
    __mmask16 load_mask;
    int bits;
    explicit Unpack16(int b) : bits(b) {
        alignas(64) uint8_t c[64];
        alignas(64) uint32_t sh[16];
        for (int i = 0; i < 16; ++i) {
            for (int j = 0; j < 4; ++j) c[4 * i + j] = uint8_t(std::min(15, (bits * i) / 8 + j));
            sh[i] = uint32_t((bits * i) % 8);
        }
        ctrl = _mm512_load_si512(c);
        shift = _mm512_load_si512(sh);
        mask = _mm512_set1_epi32((1 << bits) - 1);
        load_mask = __mmask16((1u << (2 * bits)) - 1u);
    }
    inline __m512i operator()(const uint8_t* row, int k) const {  // codes k..k+15
        const __m128i raw = _mm_maskz_loadu_epi8(load_mask, row + size_t(k) * bits / 8);
        const __m512i c = _mm512_shuffle_epi8(_mm512_broadcast_i32x4(raw), ctrl);
        return _mm512_and_si512(_mm512_srlv_epi32(c, shift), mask);
    }
};

inline float hsum(__m512 v) {
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, v);  // (not _mm512_reduce_add_ps: GCC 12 warns inside its header)
    float d = 0;
    for (float l : lanes) d += l;
    return d;
}

enum Kind { kAnyBits = 0, k4Bit = 4, k8Bit = 8 };

// dots[i * MB + m] = W[r + i, :] . x[m, :]
template <int MB, int R, int KIND, bool MX>
void row_dots(const QuantizedMatrix& q, const GemvInput& in, const Unpack16& unpack, int r, float* dots) {
    const int K = q.cols, gs = q.spec.group_size, G = q.groups_per_row();
    const float* x = KIND == k4Bit ? in.xperm.data() : in.x;
    // software prefetch of the rows ~16 KB ahead in W, one cache line per 64 bytes of codes (as in
    // quant_gemv_int8.cpp: decode streams W from DRAM in short rows)
    const int row_bytes = q.words_per_row() * 4, pf = std::max(R, 16384 / row_bytes);
    const uint8_t* bytes[R];
    const float* srow[R];
    const float* brow[R];
    for (int i = 0; i < R; ++i) {
        bytes[i] = reinterpret_cast<const uint8_t*>(q.words.data() + size_t(r + i) * q.words_per_row());
        srow[i] = q.scales.data() + size_t(r + i) * G;
        brow[i] = MX ? nullptr : q.biases.data() + size_t(r + i) * G;
    }
    const __m512 lut = _mm512_loadu_ps(kFp4E2M1);
    const __m512i nib = _mm512_set1_epi32(0xF);
    __m512 tot[R][MB];
    float bsum[R][MB] = {};
    for (int i = 0; i < R; ++i)
        for (int m = 0; m < MB; ++m) tot[i][m] = _mm512_setzero_ps();
    for (int g = 0; g < G; ++g) {
        __m512 acc[R][MB];
        for (int i = 0; i < R; ++i)
            for (int m = 0; m < MB; ++m) acc[i][m] = _mm512_setzero_ps();
        if constexpr (KIND == k4Bit) {
            for (int k = g * gs; k < (g + 1) * gs; k += 32) {
                __m512 qlo[R], qhi[R];
                for (int i = 0; i < R; ++i) {
                    if (k % 128 == 0) _mm_prefetch(reinterpret_cast<const char*>(bytes[i] + size_t(pf) * row_bytes + k / 2), _MM_HINT_T0);
                    const __m512i v = _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes[i] + k / 2)));
                    const __m512i lo = _mm512_and_si512(v, nib), hi = _mm512_srli_epi32(v, 4);
                    qlo[i] = MX ? _mm512_permutexvar_ps(lo, lut) : _mm512_cvtepi32_ps(lo);
                    qhi[i] = MX ? _mm512_permutexvar_ps(hi, lut) : _mm512_cvtepi32_ps(hi);
                }
                for (int m = 0; m < MB; ++m) {
                    const __m512 xe = _mm512_loadu_ps(x + size_t(m) * K + k), xo = _mm512_loadu_ps(x + size_t(m) * K + k + 16);
                    for (int i = 0; i < R; ++i) acc[i][m] = _mm512_fmadd_ps(xo, qhi[i], _mm512_fmadd_ps(xe, qlo[i], acc[i][m]));
                }
            }
        } else {
            for (int k = g * gs; k < (g + 1) * gs; k += 16) {
                __m512 qv[R];
                for (int i = 0; i < R; ++i) {
                    if ((k * q.spec.bits) % 512 == 0) _mm_prefetch(reinterpret_cast<const char*>(bytes[i] + size_t(pf) * row_bytes + size_t(k) * q.spec.bits / 8), _MM_HINT_T0);
                    const __m512i c = KIND == k8Bit ? _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes[i] + k))) : unpack(bytes[i], k);
                    qv[i] = _mm512_cvtepi32_ps(c);
                }
                for (int m = 0; m < MB; ++m) {
                    const __m512 xv = _mm512_loadu_ps(x + size_t(m) * K + k);
                    for (int i = 0; i < R; ++i) acc[i][m] = _mm512_fmadd_ps(xv, qv[i], acc[i][m]);
                }
            }
        }
        for (int i = 0; i < R; ++i) {
            const __m512 s = _mm512_set1_ps(srow[i][g]);
            for (int m = 0; m < MB; ++m) {
                tot[i][m] = _mm512_fmadd_ps(acc[i][m], s, tot[i][m]);
                if (!MX) bsum[i][m] += brow[i][g] * in.xsum[size_t(m) * G + g];
            }
        }
    }
    for (int i = 0; i < R; ++i)
        for (int m = 0; m < MB; ++m) dots[i * MB + m] = hsum(tot[i][m]) + bsum[i][m];
}

using RowDotFn = void (*)(const QuantizedMatrix&, const GemvInput&, const Unpack16&, int, float*);
// Rows of W per call by MB (at most 8 accumulators per group plus 8 totals).
constexpr int kRowsFor[kGemvMaxRows + 1] = {0, 4, 4, 2, 2, 1, 1, 1, 1};

template <int KIND, bool MX>
struct Table {
    static constexpr RowDotFn multi[kGemvMaxRows + 1] = {nullptr,
                                                         row_dots<1, 4, KIND, MX>, row_dots<2, 4, KIND, MX>, row_dots<3, 2, KIND, MX>,
                                                         row_dots<4, 2, KIND, MX>, row_dots<5, 1, KIND, MX>, row_dots<6, 1, KIND, MX>,
                                                         row_dots<7, 1, KIND, MX>, row_dots<8, 1, KIND, MX>};
    static constexpr RowDotFn single[kGemvMaxRows + 1] = {nullptr,
                                                          row_dots<1, 1, KIND, MX>, row_dots<2, 1, KIND, MX>, row_dots<3, 1, KIND, MX>,
                                                          row_dots<4, 1, KIND, MX>, row_dots<5, 1, KIND, MX>, row_dots<6, 1, KIND, MX>,
                                                          row_dots<7, 1, KIND, MX>, row_dots<8, 1, KIND, MX>};
};

}  // namespace

void dequantize_row_range(const QuantizedMatrix& q, int r, int k0, int k1, float* out) {
    if ((k0 % 16) || (k1 % 16)) return decode_generic(q, r, k0, k1, out);
    const Unpack16 unpack(q.spec.bits);
    const bool affine = q.spec.mode == QuantMode::affine;
    const int gs = q.spec.group_size, G = q.groups_per_row();
    const uint8_t* bytes = reinterpret_cast<const uint8_t*>(q.words.data() + size_t(r) * q.words_per_row());
    const float* srow = q.scales.data() + size_t(r) * G;
    const float* brow = affine ? q.biases.data() + size_t(r) * G : nullptr;
    const __m512 lut = _mm512_loadu_ps(kFp4E2M1);
    for (int k = k0; k < k1; k += 16) {
        const int g = k / gs;
        const __m512i c = unpack(bytes, k);
        const __m512 s = _mm512_set1_ps(srow[g]);
        const __m512 w = affine ? _mm512_fmadd_ps(_mm512_cvtepi32_ps(c), s, _mm512_set1_ps(brow[g])) : _mm512_mul_ps(_mm512_permutexvar_ps(c, lut), s);
        _mm512_storeu_ps(out + (k - k0), w);
    }
}

void quant_gemv_rows(float* y, const GemvInput& in, const QuantizedMatrix& W, bool accumulate, long n0, long n1) {
    const int MB = in.MB, N = W.rows, R = kRowsFor[MB];
    const bool mx = W.spec.mode == QuantMode::mxfp4;
    const RowDotFn* multi;
    const RowDotFn* single;
    if (mx) multi = Table<k4Bit, true>::multi, single = Table<k4Bit, true>::single;
    else if (W.spec.bits == 4) multi = Table<k4Bit, false>::multi, single = Table<k4Bit, false>::single;
    else if (W.spec.bits == 8) multi = Table<k8Bit, false>::multi, single = Table<k8Bit, false>::single;
    else multi = Table<kAnyBits, false>::multi, single = Table<kAnyBits, false>::single;
    const Unpack16 unpack(W.spec.bits);
    float dots[4 * kGemvMaxRows];
    for (long n = n0; n < n1;) {
        const int rows = n + R <= n1 ? R : 1;
        (rows == R ? multi : single)[MB](W, in, unpack, int(n), dots);
        for (int i = 0; i < rows; ++i)
            for (int m = 0; m < MB; ++m) {
                float& o = y[size_t(m) * N + size_t(n + i)];
                o = accumulate ? o + dots[i * MB + m] : dots[i * MB + m];
            }
        n += rows;
    }
}

#else  // no AVX-512: decode each row, then plain dots

void dequantize_row_range(const QuantizedMatrix& q, int r, int k0, int k1, float* out) { decode_generic(q, r, k0, k1, out); }

void quant_gemv_rows(float* y, const GemvInput& in, const QuantizedMatrix& W, bool accumulate, long n0, long n1) {
    const int K = W.cols, N = W.rows;
    std::vector<float> w(static_cast<size_t>(K));
    for (long n = n0; n < n1; ++n) {
        decode_generic(W, int(n), 0, K, w.data());
        for (int m = 0; m < in.MB; ++m) {
            float d = 0;
            for (int k = 0; k < K; ++k) d += w[k] * in.x[size_t(m) * K + k];
            float& o = y[size_t(m) * N + size_t(n)];
            o = accumulate ? o + d : d;
        }
    }
}

#endif

}  // namespace rf
