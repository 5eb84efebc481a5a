// The step functions of train/steps.h driven without a Session, as a data-parallel rank or any other
// driver would: a Policy lent from objects the test owns, prompts it chose, the reward functions.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "config/run_config.h"
#include "core/resources.h"
#include "model/model.h"
#include "optim/lr_schedule.h"
#include "optim/optimizer.h"
#include "rewards/reward_set.h"
#include "text/chat_template.h"
#include "text/tokenizer.h"
#include "train/steps.h"

namespace rf {
namespace {

TEST(Steps, GrpoStepRunsWithoutASession) {
    const std::string dir = resources_dir() + "/models/reinforge-arith-tiny";
    auto model = Model::load(dir);
    model->set_finetune({.type = FineTuneType::lora, .rank = 4, .scale = 20.0f}, 3);
    auto tok = load_tokenizer(dir);
    ChatTemplate tmpl = ChatTemplate::from_dir(dir);
    RunConfig cfg = default_run_config(TrainMode::grpo);
    set_value(cfg, "group_size", "4");
    set_value(cfg, "max_completion_length", "24");
    set_value(cfg, "beta", "0.1");
    set_value(cfg, "learning_rate", "1e-3");
    auto optimizer = make_optimizer("adamw", optimizer_options(cfg));
    auto schedule = LearningRateSchedule::from_config(lr_schedule_json(cfg, 10), cfg.learning_rate, 10);
    Policy pol{model.get(), nullptr, tok.get(), optimizer.get(), &schedule};
    RewardSet rewards(RewardSetOptions{});
    std::vector<RlPrompt> prompts;
    for (const char* q : {"What is 12 + 7?", "What is 9 * 3?"}) {
        RlPrompt p;
        p.prompt = q;
        p.answer = q[8] == '1' ? "19" : "27";
        p.type = "add";
        p.ids = tok->encode(tmpl.render({{"user", q}}, true, std::nullopt));
        prompts.push_back(p);
    }
    Rng rng(5, 7);
    const std::vector<float> before(model->params().begin(), model->params().end());
    StepInputs in{cfg, 0, rng, [] { return false; }};
    StepOutput out = grpo_step(pol, in, {{&prompts[0], &prompts[1]}}, rewards);
    EXPECT_EQ(out.rollouts.size(), 8u);  // 2 prompts x 4 completions
    EXPECT_GT(out.trained_tokens, 0.0);
    for (const char* k : {"loss", "kl", "grad_norm", "total_rewards_mean", "time_generate", "time_train"})
        EXPECT_TRUE(std::isfinite(metric(out.metrics, k, NAN))) << k;
    EXPECT_EQ(out.rollouts.front().step, 1);
    const std::vector<float> after(model->params().begin(), model->params().end());
    double moved = 0;
    for (size_t i = 0; i < after.size(); ++i) moved += std::fabs(after[i] - before[i]);
    EXPECT_GT(moved, 0.0);  // the update was applied to the lent model
}

}  // namespace
}  // namespace rf
