// GRPO (SPEC §8.3; seed 004, DeepSeekMath): G completions per prompt scored by reward functions,
// group-relative advantages, the clipped surrogate with k3 KL (rl/losses_clip.cpp).
//
// One step = one rollout batch: gradient_accumulation_steps micro-batches of batch_size prompts are
// sampled first; then num_iterations passes over them, each pass one optimizer update (gradients
// accumulated over the micro-batches, each scaled by 1/gradient_accumulation_steps). π_old is the
// detached current policy with num_iterations 1 (ratio ≡ 1, as in TRL) and the sampling policy's
// log-probs (recorded at generation) with more passes.
#include <chrono>

#include "rewards/reward_set.h"
#include "rl/losses.h"
#include "rl/metric_mean.h"
#include "train/online.h"

namespace rf {

namespace {

struct GrpoMicro {
    Rollouts rollouts;
    ScoredBatch batch;
    GroupAdvantages adv;
    RewardBatch rewards;
};

GrpoOptions grpo_options(const RunConfig& c) {
    GrpoOptions o;
    o.beta = c.beta;
    o.epsilon = c.epsilon;
    o.epsilon_high = c.epsilon_high;
    o.loss_type = c.grpo_loss_type;
    o.importance_sampling_level = c.importance_sampling_level;
    o.ratio_against = c.ratio_against;
    o.max_completion_length = c.max_completion_length;
    o.mask_truncated_completions = c.mask_truncated_completions;
    return o;
}

// Scores the rollouts with the reward functions → per-function rewards, totals, advantages.
void score_group(RewardSet& rewards, const RunConfig& cfg, GrpoMicro& mb) {
    mb.adv = grpo_score(rewards, cfg, mb.rollouts, mb.rewards);
}

// One record per sampled completion, with its per-function rewards and advantage.
void add_records(const Tokenizer& tok, const GrpoMicro& mb, int step, StepOutput& out) {
    int i = 0;
    for (size_t p = 0; p < mb.rollouts.groups.size(); ++p)
        for (const Completion& c : mb.rollouts.groups[p]) {
            RolloutRecord r;
            r.step = step;
            r.prompt = mb.rollouts.prompts[p]->prompt;
            r.answer = mb.rollouts.prompts[p]->answer;
            r.completion = c.text;
            for (size_t f = 0; f < mb.rewards.names.size(); ++f)
                r.rewards.push_back({mb.rewards.names[f], mb.rewards.per_function[f][i]});
            r.reward = mb.adv.total_rewards[i];
            r.advantage = mb.adv.advantages[i];
            r.truncated = c.truncated;
            r.num_tokens = int(c.ids.size());
            r.group = int(p);
            record_tokens(tok, c, r);
            out.rollouts.push_back(std::move(r));
            out.trained_tokens += double(c.ids.size());
            ++i;
        }
}

}  // namespace

GroupAdvantages grpo_score(RewardSet& rewards, const RunConfig& cfg, const Rollouts& r, RewardBatch& scored) {
    std::vector<std::string> prompts, completions, answers, types;
    for (size_t p = 0; p < r.groups.size(); ++p)
        for (const Completion& c : r.groups[p]) {
            prompts.push_back(r.prompts[p]->prompt);
            completions.push_back(c.text);
            answers.push_back(r.prompts[p]->answer);
            types.push_back(r.prompts[p]->type);
        }
    scored = rewards.score(prompts, completions, answers, types);
    size_t K = scored.per_function.size(), N = completions.size();
    std::vector<double> flat(K * N);
    for (size_t k = 0; k < K; ++k)
        for (size_t i = 0; i < N; ++i) flat[k * N + i] = scored.per_function[k][i];
    return grpo_advantages(flat, scored.names, rewards.weights(), cfg.group_size, cfg.scale_rewards, cfg.advantage_std);
}

StepOutput grpo_step(Policy& pol, const StepInputs& in, const std::vector<std::vector<const RlPrompt*>>& micro_prompts,
                     RewardSet& rewards) {
    const RunConfig& cfg = in.cfg;
    const int gas = int(micro_prompts.size());
    const int G = cfg.group_size;
    StepOutput out;
    MetricMean mm;
    double t_generate = 0, t_score = 0, t_train = 0;
    std::vector<GrpoMicro> micro(gas);
    for (int k = 0; k < gas; ++k) {
        const auto& prompts = micro_prompts[k];
        micro[k].rollouts = sample(pol, in, prompts, G);
        t_generate += micro[k].rollouts.generate_seconds;
        auto t0 = std::chrono::steady_clock::now();
        score_group(rewards, cfg, micro[k]);
        t_score += seconds_since(t0);
        micro[k].batch = build_batch(micro[k].rollouts, all_rows(int(prompts.size()), G));
        t0 = std::chrono::steady_clock::now();
        // always: the loss reads them at beta != 0 or ratio_against reference, and the `kl` metric is
        // logged at beta = 0 too (SPEC §8.3), which costs one forward of the frozen base
        reference_logps(pol, cfg, micro[k].batch);
        t_train += seconds_since(t0);
        StepMetrics gm;
        add_generation_metrics(micro[k].rollouts, gm);
        mm.add(gm);
        mm.add(micro[k].adv.metrics);
        add_records(*pol.tok, micro[k], in.step + 1, out);
    }

    GrpoOptions opts = grpo_options(cfg);
    const bool step_tokens = opts.loss_type == GrpoLossType::dapo || opts.loss_type == GrpoLossType::cispo;
    if (step_tokens) {
        // the token mean of the whole step: every micro-batch is divided by the step's active tokens
        // (the mask grpo_loss uses: scored tokens, minus truncated completions when they are masked)
        double tokens = 0;
        for (const GrpoMicro& mb : micro)
            for (int i = 0; i < mb.batch.N; ++i) {
                if (opts.mask_truncated_completions && mb.batch.truncated[size_t(i)]) continue;
                for (int t = 0; t < mb.batch.T; ++t) tokens += mb.batch.mask[size_t(i) * mb.batch.T + t];
            }
        opts.dapo_tokens = tokens;
    }
    // dapo's weights already cover the whole step; the other reductions average the micro-batches
    const bool per_micro = !step_tokens;
    const int passes = std::max(1, cfg.num_iterations);
    for (int it = 0; it < passes; ++it) {
        auto t0 = std::chrono::steady_clock::now();
        for (int k = 0; k < gas; ++k) {
            ScoredBatch& b = micro[k].batch;
            double entropy = 0;
            std::vector<float> logp = policy_logps(pol, cfg, b, &entropy);
            LossOutput<float> lo = grpo_loss(loss_batch(b, logp, passes > 1), micro[k].adv.advantages, b.truncated, opts);
            if (per_micro)
                for (float& d : lo.dlogp) d /= float(gas);
            policy_backward(pol, b, lo.dlogp);
            mm.add(lo.metrics);
            mm.add("entropy", entropy);
        }
        StepMetrics om;
        optimizer_step(pol, cfg, in.step, om);
        mm.add(om);
        t_train += seconds_since(t0);
        if (in.stopping && in.stopping()) break;
    }
    mm.into(out.metrics);
    add_step_times(out.metrics, t_generate, t_score, t_train);
    return out;
}

}  // namespace rf
