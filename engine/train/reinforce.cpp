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
#include <chrono>
#include <cmath>

#include "judge/judge.h"
#include "rl/losses.h"
#include "rl/metric_mean.h"
#include "train/online.h"

namespace rf {

StepOutput reinforce_step(Policy& pol, const StepInputs& in, const std::vector<std::vector<const RlPrompt*>>& micro,
                          Judge& judge, const JudgeContext& jctx, RunningMeanBaseline& running_baseline) {
    const RunConfig& cfg = in.cfg;
    const int G = cfg.group_size;
    StepOutput res;
    MetricMean mm;
    double t_generate = 0, t_score = 0, t_train = 0;
    const int gas = int(micro.size());
    bool any_signal = false;
    for (int k = 0; k < gas; ++k) {
        const std::vector<const RlPrompt*>& prompts = micro[k];
        Rollouts r = sample(pol, in, prompts, G);
        t_generate += r.generate_seconds;

        auto t0 = std::chrono::steady_clock::now();
        std::vector<JudgeItem> items;
        std::vector<std::pair<int, int>> rows;
        for (int p = 0; p < int(prompts.size()); ++p)
            for (int g = 0; g < G; ++g) {
                items.push_back({prompts[p]->prompt, r.groups[p][g].text, prompts[p]->answer, prompts[p]->type});
                rows.push_back({p, g});
            }
        std::vector<ScalarVerdict> verdicts = judge_scalar(judge, items, jctx);
        t_score += seconds_since(t0);

        std::vector<double> rewards(items.size());
        double valid_sum = 0;
        int valid = 0;
        for (size_t i = 0; i < items.size(); ++i)
            if (!verdicts[i].failed && !verdicts[i].skipped) valid_sum += verdicts[i].score, ++valid;
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
        LossOutput<float> out = reinforce_loss(lb, rewards, opts, valid > 0 ? &running_baseline : &untouched);
        if (valid > 0) {
            any_signal = true;
            for (float& d : out.dlogp) d /= float(gas);
            policy_backward(pol, b, out.dlogp);
        }
        t_train += seconds_since(t0);
        mm.add(out.metrics);
        mm.add("entropy", entropy);
        StepMetrics gm;
        add_generation_metrics(r, gm);
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
            record_tokens(*pol.tok, c, rec);
            res.rollouts.push_back(std::move(rec));
            res.trained_tokens += double(c.ids.size());
        }
    }
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
    add_step_times(res.metrics, t_generate, t_score, t_train);
    return res;
}

}  // namespace rf
