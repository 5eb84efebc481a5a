// GRPO (SPEC §8.3; seed 004, DeepSeekMath): G completions per prompt scored by reward functions,
// group-relative advantages, the clipped surrogate with k3 KL (rl/losses_clip.cpp).
//
// One train_step = one rollout batch: gradient_accumulation_steps micro-batches of batch_size prompts
// are sampled first; then num_iterations passes over them, each pass one optimizer update
// (gradients accumulated over the micro-batches, each scaled by 1/gradient_accumulation_steps).
// π_old is the detached current policy with num_iterations 1 (ratio ≡ 1, as in TRL) and the sampling
// policy's log-probs (recorded at generation) with more passes.
#include <chrono>
#include <map>

#include "rl/losses.h"
#include "rl/metric_mean.h"
#include "train/session_impl.h"

namespace rf {

struct GrpoMicro {
    Session::Impl::Rollouts rollouts;
    Session::Impl::ScoredBatch batch;
    GroupAdvantages adv;
    RewardBatch rewards;
};

static GrpoOptions grpo_options(const RunConfig& c) {
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
static void score_group(Session::Impl& s, GrpoMicro& mb) {
    std::vector<std::string> prompts, completions, answers, types;
    for (size_t p = 0; p < mb.rollouts.groups.size(); ++p)
        for (const Completion& c : mb.rollouts.groups[p]) {
            prompts.push_back(mb.rollouts.prompts[p]->prompt);
            completions.push_back(c.text);
            answers.push_back(mb.rollouts.prompts[p]->answer);
            types.push_back(mb.rollouts.prompts[p]->type);
        }
    mb.rewards = s.rewards->score(prompts, completions, answers, types);
    size_t K = mb.rewards.per_function.size(), N = completions.size();
    std::vector<double> flat(K * N);
    for (size_t k = 0; k < K; ++k)
        for (size_t i = 0; i < N; ++i) flat[k * N + i] = mb.rewards.per_function[k][i];
    mb.adv = grpo_advantages(flat, mb.rewards.names, s.rewards->weights(), s.cfg.group_size, s.cfg.scale_rewards);
}

StepMetrics Session::Impl::grpo_step() {
    const int gas = std::max(1, cfg.gradient_accumulation_steps);
    const int G = cfg.group_size;
    MetricMean mm;
    double t_generate = 0, t_score = 0, t_train = 0;
    std::vector<GrpoMicro> micro(gas);
    std::vector<RolloutRecord> recs;
    for (int k = 0; k < gas; ++k) {
        std::vector<const RlPrompt*> prompts;
        for (size_t i : next_batch(size_t(cfg.batch_size))) prompts.push_back(&train.prompts[i]);
        micro[k].rollouts = sample(prompts, G);
        t_generate += micro[k].rollouts.generate_seconds;
        auto t0 = std::chrono::steady_clock::now();
        score_group(*this, micro[k]);
        t_score += seconds_since(t0);
        std::vector<std::pair<int, int>> rows;
        for (int p = 0; p < int(prompts.size()); ++p)
            for (int g = 0; g < G; ++g) rows.push_back({p, g});
        micro[k].batch = build_batch(micro[k].rollouts, rows);
        t0 = std::chrono::steady_clock::now();
        if (cfg.beta != 0.0 || cfg.ratio_against == RatioAgainst::reference) reference_logps(micro[k].batch);
        t_train += seconds_since(t0);
        StepMetrics gm;
        add_generation_metrics(micro[k].rollouts, gm);
        mm.add(gm);
        mm.add(micro[k].adv.metrics);
        // rollout records
        const auto& mbk = micro[k];
        int i = 0;
        for (size_t p = 0; p < mbk.rollouts.groups.size(); ++p)
            for (const Completion& c : mbk.rollouts.groups[p]) {
                RolloutRecord r;
                r.step = step + 1;
                r.prompt = mbk.rollouts.prompts[p]->prompt;
                r.answer = mbk.rollouts.prompts[p]->answer;
                r.completion = c.text;
                for (size_t f = 0; f < mbk.rewards.names.size(); ++f)
                    r.rewards.push_back({mbk.rewards.names[f], mbk.rewards.per_function[f][i]});
                r.reward = mbk.adv.total_rewards[i];
                r.advantage = mbk.adv.advantages[i];
                r.truncated = c.truncated;
                r.num_tokens = int(c.ids.size());
                recs.push_back(std::move(r));
                trained_tokens += double(c.ids.size());
                ++i;
            }
    }

    GrpoOptions opts = grpo_options(cfg);
    const int passes = std::max(1, cfg.num_iterations);
    StepMetrics last_opt;
    for (int it = 0; it < passes; ++it) {
        auto t0 = std::chrono::steady_clock::now();
        for (int k = 0; k < gas; ++k) {
            ScoredBatch& b = micro[k].batch;
            double entropy = 0;
            std::vector<float> logp = policy_logps(b, &entropy);
            LossBatch<float> lb;
            lb.N = b.N;
            lb.T = b.T;
            lb.logp = logp;
            if (passes > 1) lb.old_logp = b.old_logp;
            lb.ref_logp = b.ref_logp;
            lb.mask = b.mask;
            LossOutput<float> out = grpo_loss(lb, micro[k].adv.advantages, b.truncated, opts);
            for (float& d : out.dlogp) d /= float(gas);
            policy_backward(b, out.dlogp);
            mm.add(out.metrics);
            mm.add("entropy", entropy);
        }
        StepMetrics om;
        optimizer_step(om);
        mm.add(om);
        t_train += seconds_since(t0);
        if (stopping()) break;
    }
    StepMetrics m;
    mm.into(m);
    m.push_back({"time_generate", t_generate});
    m.push_back({"time_score", t_score});
    m.push_back({"time_train", t_train});
    emit_rollouts(recs);
    return m;
}

}  // namespace rf
