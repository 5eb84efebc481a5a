// LR schedules against tests/fixtures/optim/optim_cases.json ("schedules", computed by
// tests/reference/optim_reference.py from mlx.optimizers.schedulers and mlx-lm build_schedule).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "optim/lr_schedule.h"

namespace {

using nlohmann::json;

const json& fixture() {
    static const json j = [] {
        std::ifstream in(std::string(REINFORGE_FIXTURES) + "/optim/optim_cases.json");
        if (!in) throw std::runtime_error("missing fixture optim/optim_cases.json");
        return json::parse(in);
    }();
    return j;
}

TEST(LearningRateSchedule, MatchesMlxSchedules) {
    ASSERT_GE(fixture()["schedules"].size(), 7u);
    for (const json& s : fixture()["schedules"]) {
        SCOPED_TRACE(s["config"].dump());
        rf::LearningRateSchedule sched = rf::LearningRateSchedule::from_config(s["config"], 123.0, s["iters"].get<int64_t>());
        for (size_t step = 0; step < s["lr"].size(); ++step) {
            double e = s["lr"][step].get<double>();
            // float result of a double computation: relative 1e-6 (float rounding is 6e-8).
            EXPECT_NEAR(sched.lr_at(int64_t(step)), e, 1e-6 * std::abs(e) + 1e-12) << "step " << step;
        }
    }
}

TEST(LearningRateSchedule, NoScheduleIsConstantLearningRate) {
    rf::LearningRateSchedule s = rf::LearningRateSchedule::from_config(nullptr, 5e-6, 100);
    EXPECT_FLOAT_EQ(s.lr_at(0), 5e-6f);
    EXPECT_FLOAT_EQ(s.lr_at(10000), 5e-6f);
}

TEST(LearningRateSchedule, WarmupStartsAtWarmupInitAndReachesInitAtStepW) {
    json cfg = {{"name", "cosine_decay"}, {"arguments", {1e-3, 100, 0.0}}, {"warmup", 10}, {"warmup_init", 1e-6}};
    rf::LearningRateSchedule s = rf::LearningRateSchedule::from_config(cfg, 0.0, 0);
    EXPECT_FLOAT_EQ(s.lr_at(0), 1e-6f);
    EXPECT_FLOAT_EQ(s.lr_at(10), 1e-3f);
    EXPECT_FLOAT_EQ(s.lr_at(11), 1e-3f);  // cosine restarts at its step 0
    EXPECT_LT(s.lr_at(12), 1e-3f);
}

std::string error_of(const json& cfg, int64_t iters = 100) {
    try {
        rf::LearningRateSchedule::from_config(cfg, 1e-5, iters);
    } catch (const rf::InputError& e) {
        return e.what();
    }
    return "";
}

TEST(LearningRateSchedule, BadConfigNamesTheKey) {
    EXPECT_NE(error_of({{"name", "cosine"}, {"arguments", {1e-5, 10}}}).find("lr_schedule.name"), std::string::npos);
    EXPECT_NE(error_of({{"name", "cosine_decay"}}).find("lr_schedule.arguments"), std::string::npos);
    EXPECT_NE(error_of({{"name", "cosine_decay"}, {"arguments", {1e-5}}}).find("takes [init, decay_steps, end]"),
              std::string::npos);
    EXPECT_NE(error_of({{"name", "cosine_decay"}, {"arguments", {1e-5, 0}}}).find("at least 1"), std::string::npos);
    EXPECT_NE(error_of({{"name", "linear_schedule"}, {"arguments", {1e-5, 0, 2.5}}}).find("integer"), std::string::npos);
    EXPECT_NE(error_of({{"name", "cosine_decay"}, {"arguments", {1e-5, {{"iters_fraction", 0.5}}}}}, 0).find("needs the run's iterations"),
              std::string::npos);
    EXPECT_NE(error_of({{"name", "cosine_decay"}, {"arguments", {1e-5, 10}}, {"warmpu", 3}}).find("lr_schedule.warmpu"),
              std::string::npos);
    EXPECT_NE(error_of({{"name", "cosine_decay"}, {"arguments", {1e-5, 10}}, {"warmup", -3}}).find("lr_schedule.warmup"),
              std::string::npos);
    EXPECT_NE(error_of("cosine").find("expected a mapping"), std::string::npos);
    EXPECT_EQ(error_of({{"name", "cosine_decay"}, {"arguments", {1e-5, {{"iters_fraction", 0.8}}, 1e-7}}}), "");
}

}  // namespace
