// The engine owns its RNG (std:: distributions differ between standard libraries and would make
// golden tests flaky). PCG32 (O'Neill, pcg-random.org, "pcg32_random_r"), with its whole state
// serialisable for exact resume.
#pragma once
#include <cmath>
#include <cstdint>

namespace rf {

struct Rng {
    uint64_t state = 0x853c49e6748fea9bULL;
    uint64_t inc = 0xda3e39cb94b95bdbULL;

    Rng() = default;
    explicit Rng(uint64_t seed, uint64_t stream = 54u) { reseed(seed, stream); }

    void reseed(uint64_t seed, uint64_t stream = 54u) {
        state = 0u;
        inc = (stream << 1u) | 1u;
        next_u32();
        state += seed;
        next_u32();
    }
    uint32_t next_u32() {
        uint64_t old = state;
        state = old * 6364136223846793005ULL + inc;
        uint32_t xorshifted = static_cast<uint32_t>(((old >> 18u) ^ old) >> 27u);
        uint32_t rot = static_cast<uint32_t>(old >> 59u);
        return (xorshifted >> rot) | (xorshifted << ((-rot) & 31));
    }
    uint64_t next_u64() { return (uint64_t(next_u32()) << 32) | next_u32(); }
    // uniform in [0, 1) with 24 random bits (exactly representable as float)
    float uniform() { return float(next_u32() >> 8) * (1.0f / 16777216.0f); }
    // uniform in [0, 1) with 53 random bits
    double uniform_double() { return double(next_u64() >> 11) * (1.0 / 9007199254740992.0); }
    // uniform integer in [0, n), unbiased (Lemire's rejection)
    uint32_t below(uint32_t n) {
        uint32_t threshold = (-n) % n;
        for (;;) {
            uint32_t r = next_u32();
            if (r >= threshold) return r % n;
        }
    }
    // standard normal (Box-Muller), deterministic across platforms up to libm rounding
    float normal() {
        double u1 = uniform_double(), u2 = uniform_double();
        if (u1 < 1e-300) u1 = 1e-300;
        return float(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
    }
};

}  // namespace rf
