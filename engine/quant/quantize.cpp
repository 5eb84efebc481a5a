// quantize / dequantize in MLX's packed layouts (formulas in quant/quant_matrix.h).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/error.h"
#include "quant/quant_matrix.h"

namespace rf {

const float kFp4E2M1[16] = {0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f, -0.0f, -0.5f, -1.0f, -1.5f, -2.0f, -3.0f, -4.0f, -6.0f};

namespace {

float round_to(float v, DType d) {
    if (d == DType::BF16) return bf16_to_f32(f32_to_bf16(v));
    if (d == DType::F16) return f16_to_f32(f32_to_f16(v));
    return v;
}

// Writes code c (bits wide) at element k of a row's bit stream.
inline void put_code(uint32_t* row, int bits, int k, uint32_t c) {
    const long bit = long(k) * bits;
    const int w = int(bit >> 5), s = int(bit & 31);
    row[w] |= c << s;
    if (s + bits > 32) row[w + 1] |= c >> (32 - s);
}

inline uint32_t get_code(const uint32_t* row, int bits, int k) {
    const long bit = long(k) * bits;
    const int w = int(bit >> 5), s = int(bit & 31);
    uint32_t v = row[w] >> s;
    if (s + bits > 32) v |= row[w + 1] << (32 - s);
    return v & ((1u << bits) - 1u);
}

// mlx to_fp4_e2m1: the nearest E2M1 code to x, ties to the even code; sign in bit 3.
uint8_t to_fp4_e2m1(float x) {
    if (std::isnan(x)) return 0x7;
    const uint8_t sign = std::signbit(x) ? 0x8 : 0x0;
    x = std::fabs(x);
    uint8_t b;
    if (x > 5.0f) b = 0x7;
    else if (x >= 3.5f) b = 0x6;
    else if (x > 2.5f) b = 0x5;
    else if (x >= 1.75f) b = 0x4;
    else if (x > 1.25f) b = 0x3;
    else if (x >= 0.75f) b = 0x2;
    else if (x > 0.25f) b = 0x1;
    else b = 0x0;
    return b | sign;
}

void quantize_affine_group(const float* w, int gs, int bits, uint32_t* row, int k0, float* scale_out, float* bias_out) {
    const float n_bins = float((1 << bits) - 1);
    float w_min = std::numeric_limits<float>::infinity(), w_max = -w_min;
    for (int j = 0; j < gs; ++j) {
        w_max = std::max(w_max, w[j]);
        w_min = std::min(w_min, w[j]);
    }
    const bool mask = std::fabs(w_min) > std::fabs(w_max);
    float scale = std::max((w_max - w_min) / n_bins, 1e-7f);
    scale = mask ? scale : -scale;
    const float edge = mask ? w_min : w_max;
    const float q0 = std::rint(edge / scale);
    float bias = 0.0f;
    if (q0 != 0.0f) {
        scale = edge / q0;
        bias = edge;
    }
    for (int j = 0; j < gs; ++j) {
        float q = std::rint((w[j] - bias) / scale);
        q = std::min(std::max(q, 0.0f), n_bins);
        put_code(row, bits, k0 + j, uint32_t(q));
    }
    *scale_out = scale;
    *bias_out = bias;
}

uint8_t quantize_mxfp4_group(const float* w, uint32_t* row, int k0) {
    float amax = 0.0f;
    for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(w[j]));
    const float s = amax / 6.0f;
    int e = 0;
    if (s != 0.0f) e = std::clamp(int(std::nearbyint(std::log2(s))), -127, 127);  // mlx round: half to even
    const float scale = std::ldexp(1.0f, e);
    for (int j = 0; j < 32; ++j) put_code(row, 4, k0 + j, to_fp4_e2m1(w[j] / scale));
    return uint8_t(e + 127);
}

}  // namespace

QuantizedMatrix quantize(const float* W, int rows, int cols, const QuantSpec& spec, DType scale_dtype) {
    validate_quant_spec(spec, {}, "quantization");
    if (cols % spec.group_size != 0 || cols % 32 != 0)
        throw InputError({}, 0, "quantization", "a matrix with " + std::to_string(cols) + " columns cannot be quantized in groups of " + std::to_string(spec.group_size),
                         "the input size must be a multiple of the group size");
    RF_CHECK(rows >= 0 && cols > 0);
    RF_CHECK(scale_dtype == DType::F32 || scale_dtype == DType::BF16 || scale_dtype == DType::F16);
    QuantizedMatrix q;
    q.spec = spec;
    q.rows = rows;
    q.cols = cols;
    const int wpr = q.words_per_row(), gpr = q.groups_per_row(), gs = spec.group_size;
    q.words.assign(size_t(rows) * wpr, 0u);
    q.scales.resize(size_t(rows) * gpr);
    if (spec.mode == QuantMode::affine) q.biases.resize(size_t(rows) * gpr);
    else q.e8m0.resize(size_t(rows) * gpr);
    for (int r = 0; r < rows; ++r) {
        uint32_t* row = q.words.data() + size_t(r) * wpr;
        for (int g = 0; g < gpr; ++g) {
            const float* w = W + size_t(r) * cols + size_t(g) * gs;
            const size_t at = size_t(r) * gpr + g;
            if (spec.mode == QuantMode::affine) {
                float s, b;
                quantize_affine_group(w, gs, spec.bits, row, g * gs, &s, &b);
                q.scales[at] = round_to(s, scale_dtype);
                q.biases[at] = round_to(b, scale_dtype);
            } else {
                q.e8m0[at] = quantize_mxfp4_group(w, row, g * gs);
                q.scales[at] = std::ldexp(1.0f, int(q.e8m0[at]) - 127);
            }
        }
    }
    attach_bf16_scales(q);
    return q;
}

void attach_bf16_scales(QuantizedMatrix& q) {
    q.scales_bf16.clear();
    q.biases_bf16.clear();
    if (q.spec.mode != QuantMode::affine || q.biases.size() != q.scales.size()) return;
    std::vector<uint16_t> s(q.scales.size()), b(q.biases.size());
    for (size_t i = 0; i < s.size(); ++i) {
        uint32_t us, ub;
        std::memcpy(&us, &q.scales[i], 4);
        std::memcpy(&ub, &q.biases[i], 4);
        if ((us | ub) & 0xFFFFu) return;  // not a bf16
        s[i] = uint16_t(us >> 16);
        b[i] = uint16_t(ub >> 16);
    }
    q.scales_bf16 = std::move(s);
    q.biases_bf16 = std::move(b);
}

uint32_t quant_code(const QuantizedMatrix& q, int r, int k) {
    return get_code(q.words.data() + size_t(r) * q.words_per_row(), q.spec.bits, k);
}

void dequantize_rows(const QuantizedMatrix& q, int r0, int r1, float* out) {
    const int gs = q.spec.group_size, gpr = q.groups_per_row(), bits = q.spec.bits;
    for (int r = r0; r < r1; ++r) {
        const uint32_t* row = q.words.data() + size_t(r) * q.words_per_row();
        float* o = out + size_t(r - r0) * q.cols;
        for (int g = 0; g < gpr; ++g) {
            const float s = q.scales[size_t(r) * gpr + g];
            if (q.spec.mode == QuantMode::affine) {
                const float b = q.biases[size_t(r) * gpr + g];
                for (int j = 0; j < gs; ++j) o[g * gs + j] = s * float(get_code(row, bits, g * gs + j)) + b;
            } else {
                for (int j = 0; j < gs; ++j) o[g * gs + j] = s * kFp4E2M1[get_code(row, 4, g * gs + j)];
            }
        }
    }
}

float quant_error_bound(const QuantizedMatrix& q, int r, int k, float w) {
    const size_t g = size_t(r) * q.groups_per_row() + k / q.spec.group_size;
    const float s = q.scales[g];
    if (q.spec.mode == QuantMode::affine) {
        // t = (w - b) / s is the ideal code; inside [0, 2^bits - 1] rounding costs |s|/2, outside it
        // the clamp costs |s| * the distance (MLX makes the larger-magnitude extreme exact, so the
        // other extreme can land up to about one step outside the range).
        const float t = (w - q.biases[g]) / s, n = float((1 << q.spec.bits) - 1);
        return std::fabs(s) * std::max({0.5f, t - n, -t});
    }
    const float v = std::fabs(w) / s;
    if (v > 6.0f) return (v - 6.0f) * s;
    const float gap = v < 2.0f ? 0.5f : (v < 4.0f ? 1.0f : 2.0f);
    return gap * 0.5f * s;
}

}  // namespace rf
