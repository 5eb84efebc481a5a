// RLHF-REINFORCE and RLOO (SPEC §8.1; seeds 000, 002, 003): group_size completions per prompt, one
// scalar reward each from the judge, A_t = R − β·KL_t minus the configured baseline
// (rl/losses_pg.cpp). train_mode rloo = baseline rloo, group_size 4 (RunConfig defaults).
//
// A verdict that failed (unparsable LLM reply) or was skipped (human) carries no signal: its
// completion is left out of the loss (mask 0) and its reward is replaced by the mean of the valid
// rewards of the batch, so it does not move the baselines either. A micro-batch where no verdict is
// valid leaves the running-mean baseline as it was, and a step where no verdict is valid makes no
// update at all (no optimizer step: weights, moments and the optimizer's step count stay as they
// were), as PPO does with no decided pair; the step is logged as "no signal".
//
// Data-parallel (data_parallel.h): each rank samples and judges whole groups; the fill value, the
// baselines (batch_mean and running_mean need the batch, rloo and per_prompt_mean the group) and the
// reward metrics come from every rank's rewards, and each rank's rows are weighted by the batch's
// scored tokens, so the summed gradient is the one-process gradient.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <map>

#include "judge/judge.h"
#include "rl/losses.h"
#include "rl/metric_mean.h"
#include "train/data_parallel.h"
#include "train/online.h"

namespace rf {

namespace {

// REINFORCE on this rank's rows of a data-parallel batch: reinforce_loss on the whole batch, from
// the rank's rows. r_i = R_i - beta (1/max(1,n_i)) sum_t m_it (logp_it - ref_it) (rl/losses_pg.cpp;
// one pass, so the sampling policy is the current one) of every rank give the batch's baselines b_i
// (rl/advantages.h, the running-mean state updated as one process updates it), which enter as a
// shift of the rewards under baseline none:
//   A_it = (R_i - b_i) - beta KL_it   (= R_i - beta KL_it - b_i, the one-process advantage)
// The rank's loss is scaled by max(1, M_rank) / max(1, M) (M: scored tokens of the batch), so the
// ranks' gradients add up to the batch's. `entropy` (this rank's token mean) becomes the batch's.
// Metrics: rewards / rewards_std over every rank's rewards, the loss and ntokens summed, the other
// row means weighted by rows.
LossOutput<float> loss_of_shard(Comm* comm, const ScoredBatch& b, const LossBatch<float>& lb,
                                const std::vector<double>& R, const ReinforceOptions& opts,
                                RunningMeanBaseline* running, int first_row, double& entropy) {
    const size_t N = size_t(lb.N), T = size_t(lb.T);
    const bool has_ref = !lb.ref_logp.empty();
    std::vector<double> r(N);
    double tokens = 0, completion_tokens = 0;
    for (size_t i = 0; i < N; ++i) {
        double n_i = 0, kl = 0;
        for (size_t t = 0; t < T; ++t) {
            const size_t k = i * T + t;
            n_i += lb.mask[k];
            if (has_ref) kl += double(lb.mask[k]) * (double(lb.logp[k]) - double(lb.ref_logp[k]));
        }
        r[i] = R[i] - opts.beta * kl / std::max(n_i, 1.0);
        tokens += n_i;
    }
    for (size_t p : b.pos) completion_tokens += p != SIZE_MAX ? 1 : 0;
    const std::vector<double> all_r = all_gather_rows(comm, r, 1), all_R = all_gather_rows(comm, R, 1);
    const std::vector<double> base =
        reinforce_baselines(all_r, opts.baseline, opts.group_size, opts.running_mean_decay, running);
    std::vector<double> shifted(N);
    for (size_t i = 0; i < N; ++i) shifted[i] = R[i] - base[size_t(first_row) + i];
    ReinforceOptions plain = opts;
    plain.baseline = Baseline::none;
    LossOutput<float> out = reinforce_loss(lb, shifted, plain, nullptr);

    const double share = std::max(tokens, 1.0) / std::max(comm->sum(tokens), 1.0);
    for (float& d : out.dlogp) d *= float(share);
    out.loss *= share;
    std::map<std::string, MetricPart> parts;
    for (const auto& [name, v] : out.metrics) {
        if (name == "loss") parts[name] = {v * share, 1, Reduce::sum};
        else if (name == "ntokens") parts[name] = {v, 1, Reduce::sum};
        else parts[name] = {v, double(N), Reduce::mean};
    }
    parts["entropy"] = {entropy, completion_tokens, Reduce::mean};
    out.metrics = reduce_metrics(comm, parts);
    entropy = out.metrics.at("entropy");
    out.metrics.erase("entropy");
    double rsum = 0, rsq = 0;  // as reinforce_loss computes them, over the batch
    for (double x : all_R) rsum += x;
    const double rmean = rsum / double(all_R.size());
    for (double x : all_R) rsq += (x - rmean) * (x - rmean);
    out.metrics["rewards"] = rmean;
    out.metrics["rewards_std"] = std::sqrt(rsq / double(all_R.size()));
    return out;
}

}  // namespace

StepOutput reinforce_step(Policy& pol, const StepInputs& in, const std::vector<std::vector<const RlPrompt*>>& micro,
                          Judge& judge, const JudgeContext& jctx, RunningMeanBaseline& running_baseline) {
    const RunConfig& cfg = in.cfg;
    const int G = cfg.group_size;
    StepOutput res;
    MetricMean mm;
    double t_generate = 0, t_score = 0, t_train = 0;
    const int gas = int(micro.size());
    Comm* comm = pol.comm;  // null: one process
    std::vector<std::vector<RolloutRecord>> records(gas);
    std::vector<int> first_group(gas);
    bool any_signal = false;
    for (int k = 0; k < gas; ++k) {
        const Shard shard = shard_of(int(micro[k].size()), comm);
        first_group[k] = shard.begin;
        const std::vector<const RlPrompt*> prompts = slice(micro[k], shard.begin, shard.end);
        Rollouts r = sample_shard(pol, in, micro[k], shard, G);
        t_generate += r.generate_seconds;

        auto t0 = std::chrono::steady_clock::now();
        std::vector<JudgeItem> items;
        std::vector<std::pair<int, int>> rows;
        for (int p = 0; p < int(prompts.size()); ++p)
            for (int g = 0; g < G; ++g) {
                items.push_back({prompts[p]->prompt, r.groups[p][g].text, prompts[p]->answer, prompts[p]->type});
                rows.push_back({p, g});
            }
        const JudgeStats stats_before = jctx.stats ? *jctx.stats : JudgeStats{};
        std::vector<ScalarVerdict> verdicts = judge_scalar(judge, items, jctx);
        gather_judgments(comm, jctx, stats_before);
        t_score += seconds_since(t0);

        std::vector<double> rewards(items.size());
        double valid_sum = 0, valid = 0;
        for (size_t i = 0; i < items.size(); ++i)
            if (!verdicts[i].failed && !verdicts[i].skipped) valid_sum += verdicts[i].score, ++valid;
        if (comm) valid_sum = comm->sum(valid_sum), valid = comm->sum(valid);
        double fill = valid > 0 ? valid_sum / valid : 0.0;
        for (size_t i = 0; i < items.size(); ++i)
            rewards[i] = (verdicts[i].failed || verdicts[i].skipped) ? fill : double(verdicts[i].score);

        t0 = std::chrono::steady_clock::now();
        ScoredBatch b = build_batch(r, rows);
        for (size_t i = 0; i < items.size(); ++i)
            if (verdicts[i].failed || verdicts[i].skipped)
                for (int t = 0; t < b.T; ++t) b.mask[i * b.T + t] = 0.0f;
        if (cfg.beta != 0.0) reference_logps(pol, cfg, b);
        double entropy = 0;
        std::vector<float> logp = policy_logps(pol, cfg, b, &entropy);
        const LossBatch<float> lb = loss_batch(b, logp, false);
        ReinforceOptions opts;
        opts.beta = cfg.beta;
        opts.baseline = cfg.baseline;
        opts.group_size = G;
        opts.running_mean_decay = cfg.running_mean_decay;
        RunningMeanBaseline untouched = running_baseline;  // a batch without a valid verdict moves no baseline
        RunningMeanBaseline* running = valid > 0 ? &running_baseline : &untouched;
        LossOutput<float> out = comm ? loss_of_shard(comm, b, lb, rewards, opts, running, shard.begin * G, entropy)
                                     : reinforce_loss(lb, rewards, opts, running);
        if (valid > 0) {
            any_signal = true;
            for (float& d : out.dlogp) d /= float(gas);
            policy_backward(pol, b, out.dlogp);
        }
        t_train += seconds_since(t0);
        mm.add(out.metrics);
        mm.add("entropy", entropy);
        StepMetrics gm;
        add_generation_metrics(comm, r, gm);
        mm.add(gm);

        // per-sequence advantage for the rollout view: the one the loss used, r_i - b_i (KL-adjusted
        // reward minus the configured baseline; 0 for a completion without a valid verdict)
        for (size_t i = 0; i < items.size(); ++i) {
            const Completion& c = r.groups[rows[i].first][rows[i].second];
            RolloutRecord rec;
            rec.step = in.step + 1;
            rec.prompt = items[i].prompt;
            rec.answer = items[i].answer;
            rec.completion = c.text;
            rec.reward = rewards[i];
            rec.advantage = (verdicts[i].failed || verdicts[i].skipped) ? 0.0 : out.advantages[i];
            rec.truncated = c.truncated;
            rec.num_tokens = int(c.ids.size());
            rec.group = rows[i].first;
            rec.verdict = verdicts[i].failed ? "failed" : verdicts[i].skipped ? "skip" : "";
            record_tokens(*pol.tok, c, rec);
            records[k].push_back(std::move(rec));
            res.trained_tokens += double(c.ids.size());
        }
    }
    res.rollouts = gather_rollouts(comm, records, first_group);
    if (comm) res.trained_tokens = comm->sum(res.trained_tokens);
    auto t0 = std::chrono::steady_clock::now();
    if (any_signal) {
        StepMetrics om;
        optimizer_step(pol, cfg, in.step, om);
        mm.add(om);
    } else {
        pol.model->zero_grad();
        res.note = "step " + std::to_string(in.step + 1) + ": no signal (every verdict failed or was skipped): no update";
    }
    t_train += seconds_since(t0);
    mm.into(res.metrics);
    res.metrics.push_back({"judge_failures", jctx.stats ? double(jctx.stats->failures) : 0.0});
    add_step_times(comm, res.metrics, t_generate, t_score, t_train);
    return res;
}

}  // namespace rf
