#include "core/sha256.h"

#include <algorithm>
#include <cstring>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define RF_SHA256_X86 1
#endif

namespace rf {

namespace {

constexpr uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

inline uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

#ifdef RF_SHA256_X86
// The x86 SHA extensions (SHA-NI: sha256rnds2 / sha256msg1 / sha256msg2, with SSSE3 and SSE4.1),
// checked with cpuid at run time. About 5x the portable code; tests compare the two.
bool cpu_has_sha_ni() {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3) || !(c & bit_SSE4_1)) return false;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
    return (b & (1u << 29)) != 0;  // CPUID.(EAX=7,ECX=0):EBX.SHA[bit 29]
}

// The same rounds as Sha256::block, four at a time. The state is kept as ABEF / CDGH (the layout
// sha256rnds2 wants); X_g holds W[4g..4g+3], and for g >= 4
//   X_g = msg2(msg1(X_{g-4}, X_{g-3}) + (W[4g-7..4g-4] = alignr(X_{g-1}, X_{g-2}, 4)), X_{g-1})
// (reference: Intel, "Intel SHA Extensions", 2013; the same sequence as OpenSSL and Linux use).
__attribute__((target("sha,sse4.1,ssse3"))) void blocks_sha_ni(uint32_t h[8], const uint8_t* p, size_t nblocks) {
    const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);  // big-endian words
    __m128i tmp = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h)), 0xB1);  // CDAB
    __m128i st1 = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h + 4)), 0x1B);  // EFGH
    __m128i st0 = _mm_alignr_epi8(tmp, st1, 8);   // ABEF
    st1 = _mm_blend_epi16(st1, tmp, 0xF0);         // CDGH
    for (; nblocks; --nblocks, p += 64) {
        const __m128i abef = st0, cdgh = st1;
        __m128i x[4];
        for (int g = 0; g < 16; ++g) {
            __m128i& xg = x[g & 3];
            if (g < 4) xg = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * g)), mask);
            else
                xg = _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32(xg, x[(g + 1) & 3]), _mm_alignr_epi8(x[(g + 3) & 3], x[(g + 2) & 3], 4)),
                                          x[(g + 3) & 3]);
            __m128i msg = _mm_add_epi32(xg, _mm_loadu_si128(reinterpret_cast<const __m128i*>(K + 4 * g)));
            st1 = _mm_sha256rnds2_epu32(st1, st0, msg);
            st0 = _mm_sha256rnds2_epu32(st0, st1, _mm_shuffle_epi32(msg, 0x0E));
        }
        st0 = _mm_add_epi32(st0, abef);
        st1 = _mm_add_epi32(st1, cdgh);
    }
    tmp = _mm_shuffle_epi32(st0, 0x1B);      // FEBA
    st1 = _mm_shuffle_epi32(st1, 0xB1);      // DCHG
    st0 = _mm_blend_epi16(tmp, st1, 0xF0);   // DCBA
    st1 = _mm_alignr_epi8(st1, tmp, 8);      // HGFE
    _mm_storeu_si128(reinterpret_cast<__m128i*>(h), st0);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(h + 4), st1);
}
#endif

}  // namespace

bool Sha256::hardware_available() {
#ifdef RF_SHA256_X86
    static const bool has = cpu_has_sha_ni();
    return has;
#else
    return false;
#endif
}

Sha256::Sha256(bool allow_hardware) : Sha256() { m_hw = allow_hardware && hardware_available(); }

void Sha256::blocks(const uint8_t* p, size_t n) {
#ifdef RF_SHA256_X86
    if (m_hw) return blocks_sha_ni(m_h, p, n);
#endif
    for (; n; --n, p += 64) block(p);
}

Sha256::Sha256() : m_hw(hardware_available()), m_h{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19} {}

// One 512-bit block (FIPS 180-4 section 6.2.2):
//   W_t = M_t (t < 16), else s1(W_{t-2}) + W_{t-7} + s0(W_{t-15}) + W_{t-16}
//   T1 = h + S1(e) + Ch(e,f,g) + K_t + W_t,  T2 = S0(a) + Maj(a,b,c)
void Sha256::block(const uint8_t* p) {
    uint32_t w[64];
    for (int t = 0; t < 16; ++t) w[t] = uint32_t(p[4 * t]) << 24 | uint32_t(p[4 * t + 1]) << 16 | uint32_t(p[4 * t + 2]) << 8 | p[4 * t + 3];
    for (int t = 16; t < 64; ++t) {
        uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    uint32_t a = m_h[0], b = m_h[1], c = m_h[2], d = m_h[3], e = m_h[4], f = m_h[5], g = m_h[6], h = m_h[7];
    for (int t = 0; t < 64; ++t) {
        uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t];
        uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    }
    m_h[0] += a, m_h[1] += b, m_h[2] += c, m_h[3] += d, m_h[4] += e, m_h[5] += f, m_h[6] += g, m_h[7] += h;
}

void Sha256::update(const void* data, size_t n) {
    const uint8_t* p = static_cast<const uint8_t*>(data);
    m_total += n;
    if (m_buf_len) {
        size_t take = std::min(n, 64 - m_buf_len);
        std::memcpy(m_buf + m_buf_len, p, take);
        m_buf_len += take, p += take, n -= take;
        if (m_buf_len < 64) return;
        blocks(m_buf, 1);
        m_buf_len = 0;
    }
    blocks(p, n / 64);
    p += n / 64 * 64;
    n %= 64;
    std::memcpy(m_buf, p, n);
    m_buf_len = n;
}

std::string Sha256::hex_digest() {
    // Padding: 0x80, zeros to 56 mod 64, then the bit length big-endian.
    const uint64_t bits = m_total * 8;
    const uint8_t one = 0x80, zero = 0;
    update(&one, 1);
    while (m_buf_len != 56) update(&zero, 1);
    uint8_t len[8];
    for (int i = 0; i < 8; ++i) len[i] = uint8_t(bits >> (56 - 8 * i));
    update(len, 8);
    static const char* hexd = "0123456789abcdef";
    std::string out;
    for (uint32_t v : m_h)
        for (int s = 28; s >= 0; s -= 4) out += hexd[(v >> s) & 15];
    return out;
}

std::string sha256_hex(std::string_view data) {
    Sha256 h;
    h.update(data.data(), data.size());
    return h.hex_digest();
}

}  // namespace rf
