// One parameter-level finite-difference check through a whole GRPO step and a whole PPO step
// (issue 16, "tests that look where bugs live"): the gradient the trainer hands its optimizer for a
// few LoRA parameters, against central differences of the step's loss, recomputed by running the
// policy forward again on the same rollouts. The loss heads have their own double-precision checks
// (test_losses.cpp); this one covers the glue around them: the batch built from the rollouts, the
// reference log-probs, the per-micro-batch scaling (1/gradient_accumulation_steps), the backward of
// dL/dlogp through the model into the adapters, and the sum over micro-batches.
//
// What is differentiated. The trainer's step loss, written here from docs/algorithms.md rather than
// taken from the trainer: L(theta) = (1/gas) sum_k head_k(logp_k(theta)), with the rollout policy's
// log-probs pi_old held at their values at theta0 (num_iterations 1: the ratio is 1 at theta0 and
// pi_old is a constant, the stop-gradient that the trainer's detached logp expresses), the
// reference log-probs, advantages and verdicts fixed.
//
// Precision. The model computes in float32 only (there is no double forward), so the differences
// are taken in float: the step h is chosen near the optimum for central differences of a float
// function, h ~ (3 eps_f)^(1/3) |theta| ~ 1e-2 |theta|, floored at 2e-3, and the actual step is the
// difference of the rounded parameters (float(theta + h) - theta). The error budget is then the
// truncation O(h^2 L''') plus forward rounding ~1e-7 |L| / h, and the rounding dominates: halving or
// doubling h moves the error up and down between 1e-5 and 5e-3 relative without a trend. Measured at
// the steps used here (GCC 12, x86-64): worst relative error per parameter 8.6e-4 (GRPO) and 2.4e-3
// (PPO, whose score gaps of 5 scale the loss), along the random direction 2.3e-4 and 1.0e-3. The
// tolerances are 1e-2 |g| + 1e-4 max|g| per parameter and 5e-3 along the direction: 4-5x the worst
// measured error, while a wrong scaling (a missing or extra 1/gradient_accumulation_steps is a factor
// 2 here), a dropped micro-batch or a wrong backward changes the gradient by tens of percent (with
// the 1/gas of engine/train/grpo.cpp's micro-batch scale removed, every GRPO check fails at 50 %).
// A PyTorch double-precision replay of the whole step was the alternative; it would re-implement
// build_batch and the LoRA forward in Python, so the float differences of the engine's own forward
// were preferred.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "config/run_config.h"
#include "core/resources.h"
#include "core/rng.h"
#include "judge/judge.h"
#include "model/model.h"
#include "optim/lr_schedule.h"
#include "optim/optimizer.h"
#include "rewards/reward_set.h"
#include "text/chat_template.h"
#include "text/tokenizer.h"
#include "train/online.h"
#include "train/steps.h"

namespace rf {
namespace {

// Records the gradient it is given and leaves the parameters where they are.
class RecordingOptimizer : public Optimizer {
public:
    RecordingOptimizer() : Optimizer("recording") {}
    void step(std::span<float> params, std::span<const float> grads, float) override {
        begin_step(params.size(), grads.size());
        seen.assign(grads.begin(), grads.end());
        ++m_step;
    }
    std::vector<float> seen;

protected:
    std::vector<std::vector<float>*> state_buffers() override { return {}; }
    void allocate(size_t) override {}
};

// A pairwise judge that prefers the first completion shown and gives scores (8, 3), so PPO's
// preference advantage is a score gap of +-5 depending on judge_pairs' A/B swap.
class FirstWinsJudge : public Judge {
public:
    std::string name() const override { return "first-wins"; }
    std::vector<ScalarVerdict> score(const std::vector<JudgeItem>& items) override { return std::vector<ScalarVerdict>(items.size()); }
    std::vector<PairVerdict> compare(const std::vector<PairItem>& items) override {
        std::vector<PairVerdict> v(items.size());
        for (auto& x : v) x.winner = Winner::first, x.scores = std::array<float, 2>{8.0f, 3.0f};
        return v;
    }
};

struct Fixture {
    std::string dir = resources_dir() + "/models/reinforge-arith-tiny";
    std::unique_ptr<Model> model = Model::load(dir);
    std::unique_ptr<Tokenizer> tok = load_tokenizer(dir);
    ChatTemplate tmpl = ChatTemplate::from_dir(dir);
    RunConfig cfg;
    RecordingOptimizer optimizer;
    std::optional<LearningRateSchedule> schedule;
    std::vector<RlPrompt> prompts;

    explicit Fixture(TrainMode mode, const std::vector<std::pair<std::string, std::string>>& sets) {
        model->set_finetune({.type = FineTuneType::lora, .rank = 4, .scale = 20.0f}, 3);
        Rng noise(11, 3);  // B = 0 at init would leave A without gradient: move every adapter weight
        for (float& x : model->params()) x += 0.02f * (2.0f * float(noise.uniform_double()) - 1.0f);
        cfg = default_run_config(mode);
        set_value(cfg, "max_completion_length", "12");
        set_value(cfg, "temperature", "1.0");
        set_value(cfg, "top_p", "1.0");
        set_value(cfg, "top_k", "0");
        set_value(cfg, "max_grad_norm", "0");  // no clipping: the raw gradient reaches the optimizer
        for (const auto& [k, v] : sets) set_value(cfg, k, v);
        schedule = LearningRateSchedule::from_spec(lr_schedule_spec(cfg, 10));
        const char* qs[][2] = {{"What is 12 + 7?", "19"}, {"What is 9 * 3?", "27"}, {"What is 40 - 8?", "32"}, {"What is 6 + 6?", "12"}};
        for (auto& q : qs) {
            RlPrompt p;
            p.prompt = q[0];
            p.answer = q[1];
            p.type = "add";
            p.ids = tok->encode(tmpl.render({{"user", q[0]}}, true, std::nullopt));
            prompts.push_back(p);
        }
    }
    Policy policy() { return Policy{model.get(), nullptr, tok.get(), &optimizer, &*schedule}; }
};

// One micro-batch as the step saw it, and its loss head as a function of the current weights.
struct Micro {
    ScoredBatch batch;
    std::vector<float> logp0;  // pi_old: the policy's log-probs at theta0
    std::function<double(const LossBatch<float>&)> head;
};

double step_loss(Policy& pol, const RunConfig& cfg, std::vector<Micro>& micro) {
    double L = 0;
    for (Micro& m : micro) {
        double entropy = 0;
        std::vector<float> logp = policy_logps(pol, cfg, m.batch, &entropy);
        LossBatch<float> lb = loss_batch(m.batch, logp, false);
        lb.old_logp = m.logp0;
        L += m.head(lb) / double(micro.size());
    }
    return L;
}

// The checked coordinates: in four adapter tensors (first and last block, lora_a and lora_b), the
// entry with the largest trainer gradient.
std::vector<size_t> pick_params(const Model& model, const std::vector<float>& g) {
    const auto& layout = model.trainable_layout();
    const int L = model.config().num_hidden_layers;
    std::vector<size_t> out;
    for (const std::string& name : std::vector<std::string>{"model.layers.0.self_attn.q_proj.lora_a", "model.layers.0.self_attn.q_proj.lora_b",
                                   "model.layers." + std::to_string(L - 1) + ".mlp.down_proj.lora_a",
                                   "model.layers." + std::to_string(L - 1) + ".mlp.down_proj.lora_b"}) {
        auto it = std::find_if(layout.begin(), layout.end(), [&](const ParamView& v) { return v.name == name; });
        EXPECT_NE(it, layout.end()) << name;
        if (it == layout.end()) continue;
        size_t best = it->offset;
        for (size_t i = it->offset; i < it->offset + it->numel; ++i)
            if (std::fabs(g[i]) > std::fabs(g[best])) best = i;
        out.push_back(best);
    }
    return out;
}

// Central differences of step_loss at the parameters `idx` and along a random direction, against
// the recorded gradient `g`.
void check_against_fd(Fixture& f, std::vector<Micro>& micro, const std::vector<float>& g, const char* what) {
    Policy pol = f.policy();
    std::span<float> theta = f.model->params();
    const std::vector<float> theta0(theta.begin(), theta.end());
    const std::vector<size_t> idx = pick_params(*f.model, g);
    double gmax = 0;
    for (size_t i : idx) gmax = std::max(gmax, double(std::fabs(g[i])));
    ASSERT_GT(gmax, 1e-4) << what << ": no gradient to check";
    for (size_t i : idx) {
        const float h = std::max(2e-3f, 1e-2f * std::fabs(theta0[i]));
        theta[i] = theta0[i] + h;
        const double up_step = double(theta[i]) - double(theta0[i]);
        f.model->refresh_adapters();
        const double up = step_loss(pol, f.cfg, micro);
        theta[i] = theta0[i] - h;
        const double down_step = double(theta0[i]) - double(theta[i]);
        f.model->refresh_adapters();
        const double down = step_loss(pol, f.cfg, micro);
        theta[i] = theta0[i];
        f.model->refresh_adapters();
        const double fd = (up - down) / (up_step + down_step);
        const double err = std::fabs(fd - double(g[i]));
        EXPECT_LE(err, 1e-2 * std::fabs(g[i]) + 1e-4 * gmax)
            << what << " param " << i << ": trainer " << g[i] << ", central difference " << fd << " (h " << h << ")";
        std::printf("%s param %zu: trainer %.6e, central difference %.6e, relative error %.2e\n", what, i, double(g[i]), fd, err / std::fabs(g[i]));
        ::testing::Test::RecordProperty(std::string(what) + "_param_" + std::to_string(i) + "_rel_err", std::to_string(err / std::fabs(g[i])));
    }
    // Directional derivative along a random unit direction over every adapter parameter.
    Rng r(99, 1);
    std::vector<double> v(theta.size());
    double norm = 0, gv = 0;
    for (double& x : v) x = 2.0 * r.uniform_double() - 1.0, norm += x * x;
    norm = std::sqrt(norm);
    for (size_t i = 0; i < v.size(); ++i) v[i] /= norm, gv += double(g[i]) * v[i];
    const double h = 2e-2;
    for (size_t i = 0; i < v.size(); ++i) theta[i] = float(theta0[i] + h * v[i]);
    f.model->refresh_adapters();
    const double up = step_loss(pol, f.cfg, micro);
    for (size_t i = 0; i < v.size(); ++i) theta[i] = float(theta0[i] - h * v[i]);
    f.model->refresh_adapters();
    const double down = step_loss(pol, f.cfg, micro);
    std::copy(theta0.begin(), theta0.end(), theta.begin());
    f.model->refresh_adapters();
    const double fd = (up - down) / (2 * h);
    EXPECT_LE(std::fabs(fd - gv), 5e-3 * std::fabs(gv)) << what << " along a random direction: trainer " << gv << ", central difference " << fd;
    std::printf("%s direction: trainer %.9e, central difference %.9e, relative error %.2e\n", what, gv, fd, std::fabs(fd - gv) / std::fabs(gv));
    ::testing::Test::RecordProperty(std::string(what) + "_direction_rel_err", std::to_string(std::fabs(fd - gv) / std::fabs(gv)));
}

TEST(StepGradient, GrpoStepMatchesCentralDifferences) {
    // two micro-batches of two prompts, four completions each; KL term on
    Fixture f(TrainMode::grpo, {{"group_size", "4"}, {"beta", "0.04"}, {"gradient_accumulation_steps", "2"}, {"batch_size", "4"}});
    Policy pol = f.policy();
    RewardSet rewards(RewardSetOptions{});
    const std::vector<std::vector<const RlPrompt*>> micro_prompts = {{&f.prompts[0], &f.prompts[1]}, {&f.prompts[2], &f.prompts[3]}};
    Rng rng(5, 7);
    const Rng rng0 = rng;
    StepInputs in{f.cfg, 0, rng, [] { return false; }};
    const StepOutput out = grpo_step(pol, in, micro_prompts, rewards);
    ASSERT_EQ(f.optimizer.step_count(), 1);
    const std::vector<float> g = f.optimizer.seen;

    // The same rollouts again: the same weights (the recording optimizer moved nothing) and the same
    // random stream sample the same completions (checked against the step's records).
    Rng again = rng0;
    StepInputs in2{f.cfg, 0, again, [] { return false; }};
    std::vector<Micro> micro(micro_prompts.size());
    size_t rec = 0;
    bool any_advantage = false;
    for (size_t k = 0; k < micro_prompts.size(); ++k) {
        Rollouts ro = sample(pol, in2, micro_prompts[k], f.cfg.group_size);
        for (const auto& grp : ro.groups)
            for (const Completion& c : grp) ASSERT_EQ(c.text, out.rollouts[rec++].completion) << "the rollouts differ";
        RewardBatch scored;
        GroupAdvantages adv = grpo_score(rewards, f.cfg, ro, scored);
        for (double a : adv.advantages) any_advantage = any_advantage || a != 0.0;
        micro[k].batch = build_batch(ro, all_rows(int(ro.prompts.size()), f.cfg.group_size));
        reference_logps(pol, f.cfg, micro[k].batch);
        double e = 0;
        micro[k].logp0 = policy_logps(pol, f.cfg, micro[k].batch, &e);
        GrpoOptions o;
        o.beta = f.cfg.beta, o.epsilon = f.cfg.epsilon, o.epsilon_high = f.cfg.epsilon_high, o.loss_type = f.cfg.grpo_loss_type;
        o.max_completion_length = f.cfg.max_completion_length;
        const std::vector<uint8_t> truncated = micro[k].batch.truncated;
        micro[k].head = [o, advantages = adv.advantages, truncated](const LossBatch<float>& b) {
            return grpo_loss(b, advantages, truncated, o).loss;
        };
    }
    ASSERT_EQ(rec, out.rollouts.size());
    ASSERT_TRUE(any_advantage) << "every group had one reward: only the KL term would be checked";
    check_against_fd(f, micro, g, "grpo");
}

TEST(StepGradient, PpoStepMatchesCentralDifferences) {
    Fixture f(TrainMode::ppo, {{"beta", "0.1"}, {"batch_size", "3"}, {"num_iterations", "1"}});
    Policy pol = f.policy();
    FirstWinsJudge judge;
    const std::vector<std::vector<const RlPrompt*>> micro_prompts = {{&f.prompts[0], &f.prompts[1], &f.prompts[2]}};
    Rng rng(5, 7);
    const Rng rng0 = rng;
    StepInputs in{f.cfg, 0, rng, [] { return false; }};
    const StepOutput out = ppo_step(pol, in, micro_prompts, judge, JudgeContext{});
    ASSERT_EQ(f.optimizer.step_count(), 1);
    const std::vector<float> g = f.optimizer.seen;

    Rng again = rng0;
    StepInputs in2{f.cfg, 0, again, [] { return false; }};
    Rollouts ro = sample(pol, in2, micro_prompts[0], 2);
    // pairs from the step's records: the chosen completion has reward +1, its judge score the gap
    std::vector<std::pair<int, int>> rows;
    std::vector<double> gaps;
    ASSERT_EQ(out.rollouts.size(), 2 * ro.groups.size());
    for (size_t p = 0; p < ro.groups.size(); ++p) {
        const RolloutRecord& a = out.rollouts[2 * p];
        const RolloutRecord& b = out.rollouts[2 * p + 1];
        ASSERT_EQ(ro.groups[p][0].text, a.completion) << "the rollouts differ";
        ASSERT_EQ(ro.groups[p][1].text, b.completion) << "the rollouts differ";
        const int c = a.reward > 0 ? 0 : 1;
        const double sc = (c == 0 ? a : b).rewards.at(0).value, sr = (c == 0 ? b : a).rewards.at(0).value;
        rows.push_back({int(p), c});
        rows.push_back({int(p), 1 - c});
        gaps.push_back(sc - sr);
    }
    std::vector<Micro> micro(1);
    micro[0].batch = build_batch(ro, rows);
    reference_logps(pol, f.cfg, micro[0].batch);
    double e = 0;
    micro[0].logp0 = policy_logps(pol, f.cfg, micro[0].batch, &e);
    PpoOptions o;
    o.beta = f.cfg.beta, o.epsilon = f.cfg.epsilon, o.advantage = f.cfg.ppo_advantage, o.kl_estimator = f.cfg.kl_estimator;
    micro[0].head = [o, gaps](const LossBatch<float>& b) { return ppo_loss(b, gaps, o).loss; };
    check_against_fd(f, micro, g, "ppo");
}

}  // namespace
}  // namespace rf
