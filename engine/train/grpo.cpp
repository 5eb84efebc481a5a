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
#include "train/data_parallel.h"
#include "train/online.h"

namespace rf {

namespace {

struct GrpoMicro {
    Shard shard;  // this rank's prompts of the micro-batch (all of them in one process)
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
    o.sapo_temperature_pos = c.sapo_temperature_pos;
    o.sapo_temperature_neg = c.sapo_temperature_neg;
    return o;
}

// The reward functions on this rank's completions (`r`, the prompts of `shard`) into `scored`; then
// the group-relative advantages and reward metrics of the whole batch, from every rank's rewards
// (so scale_rewards: batch and the metrics see the batch, data_parallel.h), of which this rank keeps
// its rows.
GroupAdvantages score_shard(RewardSet& rewards, const RunConfig& cfg, const Rollouts& r, RewardBatch& scored,
                            Comm* comm, const Shard& shard) {
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
    if (!comm || comm->size() == 1)
        return grpo_advantages(flat, scored.names, rewards.weights(), cfg.group_size, cfg.scale_rewards, cfg.advantage_std);
    GroupAdvantages all = grpo_advantages(all_gather_rows(comm, flat, int(K)), scored.names, rewards.weights(),
                                          cfg.group_size, cfg.scale_rewards, cfg.advantage_std);
    const int first = shard.begin * cfg.group_size, last = first + int(N);
    all.total_rewards = slice(all.total_rewards, first, last);
    all.advantages = slice(all.advantages, first, last);
    return all;
}

// One record per sampled completion, with its per-function rewards and advantage; returns the
// completion tokens.
double add_records(const Tokenizer& tok, const GrpoMicro& mb, int step, std::vector<RolloutRecord>& out) {
    double tokens = 0;
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
            out.push_back(std::move(r));
            tokens += double(c.ids.size());
            ++i;
        }
    return tokens;
}

// Active tokens of a scored batch: the mask grpo_loss uses (scored tokens, minus truncated
// completions when they are masked).
double active_tokens(const ScoredBatch& b, bool mask_truncated) {
    double tokens = 0;
    for (int i = 0; i < b.N; ++i) {
        if (mask_truncated && b.truncated[size_t(i)]) continue;
        for (int t = 0; t < b.T; ++t) tokens += b.mask[size_t(i) * b.T + t];
    }
    return tokens;
}

// The loss head's metrics of this rank's rows → the micro-batch's (data_parallel.h), added to `mm`
// in one process's order. The loss is scaled by the rank's share, so it and ntokens add up over
// ranks; the ratios and means are weighted by what they averaged over: clip ratios by active tokens
// (rows at sequence level), kl and other token means by active tokens, entropy by completion tokens.
void add_loss_metrics(Comm* comm, const Metrics& head, float share, double clip_weight, double active, double entropy,
                      const ScoredBatch& b, MetricMean& mm) {
    std::map<std::string, MetricPart> parts;
    for (const auto& [name, v] : head) {
        if (name == "loss") parts[name] = {v * share, 1, Reduce::sum};
        else if (name == "ntokens") parts[name] = {v, 1, Reduce::sum};
        else if (name.starts_with("clip_ratio")) parts[name] = {v, clip_weight, Reduce::mean};
        else parts[name] = {v, active, Reduce::mean};
    }
    double completion_tokens = 0;
    for (float m : b.mask) completion_tokens += m;
    parts["entropy"] = {entropy, completion_tokens, Reduce::mean};
    std::map<std::string, double> all = reduce_metrics(comm, parts);
    const double mean_entropy = all.at("entropy");
    all.erase("entropy");
    mm.add(all);
    mm.add("entropy", mean_entropy);
}

}  // namespace

GroupAdvantages grpo_score(RewardSet& rewards, const RunConfig& cfg, const Rollouts& r, RewardBatch& scored) {
    return score_shard(rewards, cfg, r, scored, nullptr, {});
}

StepOutput grpo_step(Policy& pol, const StepInputs& in, const std::vector<std::vector<const RlPrompt*>>& micro_prompts,
                     RewardSet& rewards) {
    const RunConfig& cfg = in.cfg;
    const int gas = int(micro_prompts.size());
    const int G = cfg.group_size;
    StepOutput out;
    MetricMean mm;
    double t_generate = 0, t_score = 0, t_train = 0;
    Comm* comm = pol.comm;  // the ranks of a data-parallel run (data_parallel.h); null: one process
    std::vector<GrpoMicro> micro(gas);
    std::vector<std::vector<RolloutRecord>> records(gas);
    std::vector<int> first_group(gas);
    for (int k = 0; k < gas; ++k) {
        const auto& prompts = micro_prompts[k];
        micro[k].shard = shard_of(int(prompts.size()), comm);
        first_group[k] = micro[k].shard.begin;
        micro[k].rollouts = sample_shard(pol, in, prompts, micro[k].shard, G);
        t_generate += micro[k].rollouts.generate_seconds;
        auto t0 = std::chrono::steady_clock::now();
        micro[k].adv = score_shard(rewards, cfg, micro[k].rollouts, micro[k].rewards, comm, micro[k].shard);
        t_score += seconds_since(t0);
        micro[k].batch = build_batch(micro[k].rollouts, all_rows(micro[k].shard.size(), G));
        t0 = std::chrono::steady_clock::now();
        // always: the loss reads them at beta != 0 or ratio_against reference, and the `kl` metric is
        // logged at beta = 0 too (SPEC §8.3), which costs one forward of the frozen base
        reference_logps(pol, cfg, micro[k].batch);
        t_train += seconds_since(t0);
        StepMetrics gm;
        add_generation_metrics(comm, micro[k].rollouts, gm);
        mm.add(gm);
        mm.add(micro[k].adv.metrics);
        out.trained_tokens += add_records(*pol.tok, micro[k], in.step + 1, records[k]);
    }
    out.rollouts = gather_rollouts(comm, records, first_group);
    if (comm) out.trained_tokens = comm->sum(out.trained_tokens);

    GrpoOptions opts = grpo_options(cfg);
    const bool step_tokens = opts.loss_type == GrpoLossType::dapo || opts.loss_type == GrpoLossType::cispo;
    // Each micro-batch's rows and active tokens, this rank's and all ranks'. A rank weights its rows
    // as the whole micro-batch's loss does, so the ranks' gradients sum to the one-process gradient:
    //   grpo, sapo, dr_grpo: w_i = 1/(N ...) → × n_rows / N_rows
    //   bnpo:          w_i = 1/max(1, total) → × max(1, n_tokens) / max(1, N_tokens)
    //   dapo, cispo:   w_i = 1/(the step's active tokens), counted over all ranks → × 1
    std::vector<double> rows(gas), tokens(gas);
    for (int k = 0; k < gas; ++k)
        rows[k] = micro[k].batch.N, tokens[k] = active_tokens(micro[k].batch, opts.mask_truncated_completions);
    std::vector<double> all_rows_ = rows, all_tokens = tokens;
    if (comm) comm->sum(all_rows_), comm->sum(all_tokens);
    std::vector<float> share(gas, 1.0f);
    for (int k = 0; k < gas; ++k) {
        if (opts.loss_type == GrpoLossType::grpo || opts.loss_type == GrpoLossType::sapo ||
            opts.loss_type == GrpoLossType::dr_grpo)
            share[k] = float(rows[k] / std::max(all_rows_[k], 1.0));
        else if (opts.loss_type == GrpoLossType::bnpo)
            share[k] = float(std::max(tokens[k], 1.0) / std::max(all_tokens[k], 1.0));
    }
    // dapo / cispo: the token mean of the whole step: every micro-batch is divided by the step's
    // active tokens
    if (step_tokens)
        for (double t : all_tokens) opts.dapo_tokens += t;
    // dapo's weights already cover the whole step; the other reductions average the micro-batches
    const bool per_micro = !step_tokens;
    const bool seq_level = opts.importance_sampling_level == ImportanceSamplingLevel::sequence;
    const int passes = std::max(1, cfg.num_iterations);
    for (int it = 0; it < passes; ++it) {
        auto t0 = std::chrono::steady_clock::now();
        for (int k = 0; k < gas; ++k) {
            ScoredBatch& b = micro[k].batch;
            double entropy = 0;
            std::vector<float> logp = policy_logps(pol, cfg, b, &entropy);
            LossOutput<float> lo = grpo_loss(loss_batch(b, logp, passes > 1), micro[k].adv.advantages, b.truncated, opts);
            const float scale = share[k] / (per_micro ? float(gas) : 1.0f);
            for (float& d : lo.dlogp) d *= scale;
            policy_backward(pol, b, lo.dlogp);
            add_loss_metrics(comm, lo.metrics, share[k], seq_level ? b.N : tokens[k], tokens[k], entropy, b, mm);
        }
        StepMetrics om;
        optimizer_step(pol, cfg, in.step, om);
        mm.add(om);
        t_train += seconds_since(t0);
        if (in.stopping && in.stopping()) break;
    }
    mm.into(out.metrics);
    add_step_times(comm, out.metrics, t_generate, t_score, t_train);
    return out;
}

}  // namespace rf
