#include <gtest/gtest.h>

#include "core/error.h"
#include "core/rng.h"

TEST(Rng, SameSeedSameStream) {
    rf::Rng a(42), b(42), c(43);
    for (int i = 0; i < 100; ++i) {
        uint32_t x = a.next_u32();
        EXPECT_EQ(x, b.next_u32());
        (void)c;
    }
    rf::Rng d(42), e(43);
    int same = 0;
    for (int i = 0; i < 100; ++i) same += d.next_u32() == e.next_u32();
    EXPECT_LT(same, 3);
}

TEST(Rng, UniformInRangeAndBelowUnbiasedEnough) {
    rf::Rng r(7);
    int counts[5] = {};
    for (int i = 0; i < 50000; ++i) {
        float u = r.uniform();
        ASSERT_GE(u, 0.0f);
        ASSERT_LT(u, 1.0f);
        counts[r.below(5)]++;
    }
    for (int c : counts) EXPECT_NEAR(c, 10000, 400);
}

TEST(Errors, InputErrorNamesFileLineKeyAndHint) {
    rf::InputError e("cfg.yaml", 7, "lerning_rate", "unknown key", "did you mean 'learning_rate'?");
    EXPECT_STREQ(e.what(), "cfg.yaml:7: 'lerning_rate': unknown key (hint: did you mean 'learning_rate'?)");
}

TEST(Errors, CheckThrowsInternalError) {
    EXPECT_THROW(RF_CHECK(1 == 2, "math"), rf::InternalError);
}
