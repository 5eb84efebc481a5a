// bf16 / f16 <-> f32 conversions (declared in io/safetensors.h).
// reference: IEEE 754-2008 binary16; bfloat16 = the top 16 bits of binary32. Narrowing rounds to
// nearest, ties to even, as PyTorch (c10::BFloat16 round_to_nearest_even) and numpy (float16) do.
#include <cstring>

#include "io/safetensors.h"

namespace rf {

static uint32_t bits_of(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}
static float float_of(uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

float bf16_to_f32(uint16_t h) { return float_of(uint32_t(h) << 16); }

// f32 -> bf16, round to nearest even:
//   u += 0x7fff + ((u >> 16) & 1); result = u >> 16      (NaN kept NaN: quiet bit forced)
uint16_t f32_to_bf16(float f) {
    uint32_t u = bits_of(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return uint16_t((u >> 16) | 0x40u);
    u += 0x7fffu + ((u >> 16) & 1u);
    return uint16_t(u >> 16);
}

// f16 = sign(1) exponent(5, bias 15) mantissa(10). Normal: (1 + m/1024) 2^(e-15); subnormal: m 2^-24.
float f16_to_f32(uint16_t h) {
    uint32_t sign = uint32_t(h & 0x8000u) << 16;
    uint32_t e = (h >> 10) & 0x1fu;
    uint32_t m = h & 0x3ffu;
    if (e == 0x1f) return float_of(sign | 0x7f800000u | (m << 13));  // inf / NaN (payload kept)
    if (e != 0) return float_of(sign | ((e + 112u) << 23) | (m << 13));
    float v = float(m) * 0x1p-24f;  // exact: m < 2^10
    return float_of(sign | bits_of(v));
}

// f32 -> f16, round to nearest even. |x| >= 65520 (halfway above the largest finite 65504, which
// is odd) rounds to inf; |x| <= 2^-25 (halfway to the smallest subnormal 2^-24, ties to 0) to zero.
uint16_t f32_to_f16(float f) {
    uint32_t x = bits_of(f);
    uint32_t sign = (x >> 16) & 0x8000u;
    uint32_t a = x & 0x7fffffffu;
    if (a >= 0x7f800000u) return uint16_t(sign | (a > 0x7f800000u ? (0x7e00u | ((a >> 13) & 0x3ffu)) : 0x7c00u));
    if (a >= 0x477ff000u) return uint16_t(sign | 0x7c00u);
    if (a < 0x38800000u) {  // below 2^-14: subnormal result, in units of 2^-24
        if (a <= 0x33000000u) return uint16_t(sign);
        uint32_t e = a >> 23;  // 102..112
        uint32_t m = (a & 0x7fffffu) | 0x800000u;
        uint32_t shift = 126u - e;  // 14..24
        uint32_t r = m >> shift, rem = m & ((1u << shift) - 1u), half = 1u << (shift - 1u);
        if (rem > half || (rem == half && (r & 1u))) ++r;  // may carry into the smallest normal: still right
        return uint16_t(sign | r);
    }
    uint32_t r = a - 0x38000000u;  // rebias the exponent from 127 to 15
    uint32_t out = r >> 13, rem = r & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (out & 1u))) ++out;
    return uint16_t(sign | out);
}

}  // namespace rf
