// Evaluation of the online modes on the validation / test split: one completion per prompt, sampled
// with the run's sampling settings from an evaluation RNG of its own (so evaluating never changes the
// training stream: a resumed run equals an uninterrupted one), scored by the reward functions when
// the run has them (GRPO, judge: rewards), else by the judge in scalar mode. A human judge is never
// asked to grade evaluations: the online modes with judge: human report generation metrics only.
#include "rl/metric_mean.h"
#include "train/session_impl.h"

namespace rf {

StepMetrics Session::Impl::online_eval(const SplitData& split, int batches) {
    size_t n = split.prompts.size();
    size_t bs = size_t(std::max(1, cfg.batch_size)) * size_t(std::max(1, cfg.group_size));
    size_t limit = batches < 0 ? n : std::min(n, size_t(batches) * bs);
    Rng saved = rng;
    rng.reseed(uint64_t(cfg.seed) + uint64_t(step), 99);
    MetricMean mm;
    for (size_t start = 0; start < limit && !stopping(); start += bs) {
        std::vector<const RlPrompt*> prompts;
        for (size_t i = start; i < std::min(limit, start + bs); ++i) prompts.push_back(&split.prompts[i]);
        Rollouts r = sample(prompts, 1);
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
            JudgeContext ctx{step, "val", judgments.get(), &judge_stats};
            auto v = judge_scalar(*judge, items, ctx);
            double sum = 0;
            for (auto& x : v) sum += x.score;
            mm.add("rewards", v.empty() ? 0.0 : sum / double(v.size()));
        }
    }
    rng = saved;
    StepMetrics out;
    mm.into(out);
    return out;
}

}  // namespace rf
