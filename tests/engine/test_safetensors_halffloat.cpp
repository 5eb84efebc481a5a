// bf16/f16 conversions against numpy (float16) and torch (bfloat16) golden encodings
// (tests/reference/gen_safetensors_fixtures.py), exhaustively against themselves, and against the
// CPU's F16C instructions where present.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#if defined(__F16C__)
#include <immintrin.h>
#endif

#include "core/atomic_file.h"
#include "core/rng.h"
#include "io/safetensors.h"

static float from_bits(uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}
static uint32_t to_bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}

TEST(HalfFloat, MatchesNumpyAndTorchGolden) {
    auto g = nlohmann::json::parse(rf::read_file(std::string(REINFORGE_FIXTURES) + "/io/half_float_golden.json"));
    auto f32 = g["f32_bits"].get<std::vector<uint32_t>>();
    auto f16 = g["f16_bits"].get<std::vector<uint16_t>>();
    auto bf16 = g["bf16_bits"].get<std::vector<uint16_t>>();
    ASSERT_EQ(f32.size(), f16.size());
    ASSERT_EQ(f32.size(), bf16.size());
    ASSERT_GT(f32.size(), 3000u);
    int bad16 = 0, badbf = 0;
    for (size_t i = 0; i < f32.size(); ++i) {
        float x = from_bits(f32[i]);
        if (rf::f32_to_f16(x) != f16[i] && ++bad16 < 10) ADD_FAILURE() << "f16 of bits " << std::hex << f32[i] << ": got " << rf::f32_to_f16(x) << " want " << f16[i];
        if (rf::f32_to_bf16(x) != bf16[i] && ++badbf < 10) ADD_FAILURE() << "bf16 of bits " << std::hex << f32[i] << ": got " << rf::f32_to_bf16(x) << " want " << bf16[i];
    }
    EXPECT_EQ(bad16, 0);
    EXPECT_EQ(badbf, 0);
}

TEST(HalfFloat, ExhaustiveWidenNarrowRoundTrip) {
    for (uint32_t h = 0; h < 65536; ++h) {
        float f = rf::f16_to_f32(uint16_t(h));
        float b = rf::bf16_to_f32(uint16_t(h));
        if (std::isnan(f)) {
            EXPECT_TRUE(std::isnan(rf::f16_to_f32(rf::f32_to_f16(f))));
        } else {
            ASSERT_EQ(rf::f32_to_f16(f), h) << h;
        }
        if (std::isnan(b)) {
            EXPECT_TRUE(std::isnan(rf::bf16_to_f32(rf::f32_to_bf16(b))));
        } else {
            ASSERT_EQ(rf::f32_to_bf16(b), h) << h;
        }
    }
    // A few values by hand (IEEE 754 binary16 table).
    EXPECT_EQ(rf::f16_to_f32(0x3c00), 1.0f);
    EXPECT_EQ(rf::f16_to_f32(0x7bff), 65504.0f);
    EXPECT_EQ(rf::f16_to_f32(0x0001), std::ldexp(1.0f, -24));
    EXPECT_EQ(rf::f16_to_f32(0xc000), -2.0f);
    EXPECT_EQ(rf::bf16_to_f32(0x3f80), 1.0f);
    EXPECT_TRUE(std::isinf(rf::f16_to_f32(0x7c00)));
}

#if defined(__F16C__)
TEST(HalfFloat, MatchesHardwareF16C) {
    rf::Rng rng(5);
    for (int i = 0; i < 2000000; ++i) {
        uint32_t u = rng.next_u32();
        if (i & 1) u = (u & 0x807fffffu) | ((100u + rng.below(50)) << 23);  // concentrate near the f16 range
        float x = from_bits(u);
        uint16_t hw = uint16_t(_cvtss_sh(x, _MM_FROUND_TO_NEAREST_INT));
        if (std::isnan(x)) continue;
        ASSERT_EQ(rf::f32_to_f16(x), hw) << std::hex << u;
        ASSERT_EQ(to_bits(rf::f16_to_f32(hw)), to_bits(_cvtsh_ss(hw)));
    }
}
#endif
