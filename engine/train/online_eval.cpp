// Evaluation of the online modes on the validation / test split: one completion per prompt, sampled
// with the run's sampling settings from an evaluation RNG of its own (so evaluating never changes the
// training stream: a resumed run equals an uninterrupted one), scored by the reward functions when
// the run has them (GRPO, judge: rewards), else by the judge in scalar mode. A human judge is never
// asked to grade evaluations: the online modes with judge: human report generation metrics only.
#include "judge/judge.h"
#include "rewards/reward_set.h"
#include "rl/metric_mean.h"
#include "train/online.h"

namespace rf {

StepMetrics online_eval(Policy& pol, const StepInputs& train_in, const std::vector<RlPrompt>& split, int batches,
                        RewardSet* rewards, Judge* judge, const JudgeContext& jctx) {
    const RunConfig& cfg = train_in.cfg;
    size_t n = split.size();
    size_t bs = size_t(std::max(1, cfg.batch_size)) * size_t(std::max(1, cfg.group_size));
    size_t limit = batches < 0 ? n : std::min(n, size_t(batches) * bs);
    Rng rng(uint64_t(cfg.seed) + uint64_t(train_in.step), 99);  // its own stream: training's is untouched
    StepInputs in{cfg, train_in.step, rng, train_in.stopping};
    auto stopping = [&] { return in.stopping && in.stopping(); };
    MetricMean mm;
    for (size_t start = 0; start < limit && !stopping(); start += bs) {
        std::vector<const RlPrompt*> prompts;
        for (size_t i = start; i < std::min(limit, start + bs); ++i) prompts.push_back(&split[i]);
        Rollouts r = sample(pol, in, prompts, 1);
        StepMetrics gm;
        add_generation_metrics(r, gm);
        mm.add(gm);
        std::vector<std::string> ps, cs, as, ts;
        for (size_t p = 0; p < prompts.size(); ++p) {
            ps.push_back(prompts[p]->prompt);
            cs.push_back(r.groups[p][0].text);
            as.push_back(prompts[p]->answer);
            ts.push_back(prompts[p]->type);
        }
        if (rewards) {
            RewardBatch rb = rewards->score(ps, cs, as, ts);
            for (size_t k = 0; k < rb.names.size(); ++k) {
                RewardStats st = reward_stats(rb.per_function[k]);
                mm.add(rb.names[k] + "_mean", st.mean);
            }
            double sum = 0;
            for (float x : rb.total) sum += x;
            mm.add("rewards", rb.total.empty() ? 0.0 : sum / double(rb.total.size()));
        } else if (judge && judge_kind(cfg.judge) != JudgeKind::human) {
            std::vector<JudgeItem> items;
            for (size_t i = 0; i < ps.size(); ++i) items.push_back({ps[i], cs[i], as[i], ts[i]});
            auto v = judge_scalar(*judge, items, jctx);
            double sum = 0;
            for (auto& x : v) sum += x.score;
            mm.add("rewards", v.empty() ? 0.0 : sum / double(v.size()));
        }
    }
    StepMetrics out;
    mm.into(out);
    return out;
}

}  // namespace rf
