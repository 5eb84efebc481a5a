// Elementwise math shared by the op families. exp_approx is a branch-free float exp (Cephes
// polynomial, within ~2 ulp of std::exp over the clamped range) written so that loops over it
// auto-vectorise; std::exp does not (glibc only exposes its vector exp under -ffast-math).
// The double overloads call std::exp so double-precision gradient checks see exact math.
#pragma once
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace rf {

// exp(x) for x in [-87.3, 88.3] (inputs outside are clamped: exp(-87.3) ~ 1.2e-38, exp(88.3) ~ 2e38).
// Range reduction x = n ln2 + r with |r| <= ln2/2 (Cody-Waite split of ln2), then a degree-7
// polynomial for e^r and 2^n built in the exponent bits. reference: Cephes expf.c (S. Moshier).
inline float exp_approx(float x) {
    x = std::min(std::max(x, -87.3f), 88.3f);
    // round to nearest by the 1.5 * 2^23 trick (std::floor/nearbyint do not vectorise here)
    float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    float r = x - n * 0.693359375f;
    r = r + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    int32_t e = (static_cast<int32_t>(n) + 127) << 23;
    return p * std::bit_cast<float>(e);
}

inline float vexp(float x) {
    return exp_approx(x);
}
inline double vexp(double x) {
    return std::exp(x);
}

// sigmoid(x) = 1 / (1 + e^-x)
template <class S>
inline S sigmoid(S x) {
    return S(1) / (S(1) + vexp(-x));
}

// Reductions with 16 independent partial sums: the compiler turns the lane loop into vector adds
// without -ffast-math (a plain `s += x[i]` is an in-order scalar chain under strict IEEE rules).
// The order is fixed, so results are deterministic.
template <class S>
inline S vsum(const S* x, long n) {
    constexpr int L = 16;
    S acc[L] = {};
    long i = 0;
    for (; i + L <= n; i += L)
        for (int l = 0; l < L; ++l) acc[l] += x[i + l];
    S s = 0;
    for (int l = 0; l < L; ++l) s += acc[l];
    for (; i < n; ++i) s += x[i];
    return s;
}

// Maximum of x (n >= 1). GCC does not vectorise a max reduction under strict IEEE rules, so the
// float version uses AVX-512 when the build enables it.
template <class S>
inline S vmax(const S* x, long n) {
    S m = x[0];
    for (long i = 1; i < n; ++i) m = m < x[i] ? x[i] : m;
    return m;
}
#if defined(__AVX512F__)
template <>
inline float vmax<float>(const float* x, long n) {
    long i = 0;
    float m = x[0];
    if (n >= 16) {
        __m512 acc = _mm512_loadu_ps(x);
        for (i = 16; i + 16 <= n; i += 16) acc = _mm512_max_ps(acc, _mm512_loadu_ps(x + i));
        m = _mm512_reduce_max_ps(acc);
    }
    for (; i < n; ++i) m = m < x[i] ? x[i] : m;
    return m;
}
#endif

template <class S>
inline S vdot(const S* x, const S* y, long n) {
    constexpr int L = 16;
    S acc[L] = {};
    long i = 0;
    for (; i + L <= n; i += L)
        for (int l = 0; l < L; ++l) acc[l] += x[i + l] * y[i + l];
    S s = 0;
    for (int l = 0; l < L; ++l) s += acc[l];
    for (; i < n; ++i) s += x[i] * y[i];
    return s;
}

}  // namespace rf
