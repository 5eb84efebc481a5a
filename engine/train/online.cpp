// The common online step of SPEC §8, shared by GRPO, REINFORCE/RLOO and PPO:
//   sample (group sampling, prompt prefilled once per group) → build the prompt+completion batch →
//   reference log-probs → policy log-probs (with backward state) → [loss head, per trainer] →
//   backward of dL/dlogp → clip → optimizer step.
// Log-probs are those of the sampling distribution, log softmax(logits / temperature) (TRL), with the
// prompt as context; the trained tokens are the sampled ids, never a re-tokenisation of the text.
#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/atomic_file.h"
#include "core/error.h"
#include "model/generate_model.h"
#include "optim/grad_clip.h"
#include "train/session_impl.h"

namespace rf {

Session::Impl::Rollouts Session::Impl::sample(const std::vector<const RlPrompt*>& prompts, int group_size,
                                              bool use_adapters) {
    auto t0 = std::chrono::steady_clock::now();
    SamplingParams sp;
    sp.temperature = float(cfg.temperature);
    sp.top_p = float(cfg.top_p);
    sp.top_k = cfg.top_k;
    sp.min_p = float(cfg.min_p);
    StopCriteria stop = stop_criteria_for(*tok, cfg.stop_strings, cfg.max_completion_length);
    std::vector<std::vector<int>> ids;
    for (const RlPrompt* p : prompts) ids.push_back(p->ids);
    GenerateHooks hooks;
    hooks.cancelled = [this] { return stopping(); };
    Rollouts r;
    r.prompts = prompts;
    r.groups = generate_groups(*policy, *tok, ids, group_size, sp, stop, rng, use_adapters, hooks);
    r.generate_seconds = seconds_since(t0);
    return r;
}

Session::Impl::ScoredBatch Session::Impl::build_batch(const Rollouts& r, const std::vector<std::pair<int, int>>& rows) {
    ScoredBatch b;
    b.N = int(rows.size());
    int Tm = 1;
    for (auto [p, g] : rows) {
        const Completion& c = r.groups[p][g];
        b.T = std::max<int>(b.T, int(c.ids.size()));
        Tm = std::max<int>(Tm, int(r.prompts[p]->ids.size() + c.ids.size()));
    }
    b.T = std::max(b.T, 1);
    TokenBatch& mb = b.model_batch;
    mb.B = b.N;
    mb.T = Tm;
    mb.tokens.assign(size_t(b.N) * Tm, 0);
    mb.targets.assign(size_t(b.N) * Tm, -1);
    b.mask.assign(size_t(b.N) * b.T, 0.0f);
    b.old_logp.assign(size_t(b.N) * b.T, 0.0f);
    b.pos.assign(size_t(b.N) * b.T, SIZE_MAX);
    b.truncated.resize(b.N);
    b.lengths.resize(b.N);
    for (int i = 0; i < b.N; ++i) {
        auto [p, g] = rows[i];
        const std::vector<int>& prompt = r.prompts[p]->ids;
        const Completion& c = r.groups[p][g];
        int P = int(prompt.size()), L = int(c.ids.size());
        int32_t* tk = mb.tokens.data() + size_t(i) * Tm;
        int32_t* tg = mb.targets.data() + size_t(i) * Tm;
        for (int t = 0; t < P; ++t) tk[t] = prompt[t];
        for (int k = 0; k < L; ++k) {
            tk[P + k] = c.ids[k];
            // completion token k is predicted at position P - 1 + k
            tg[P - 1 + k] = c.ids[k];
            size_t at = size_t(i) * b.T + k;
            b.mask[at] = 1.0f;
            b.old_logp[at] = c.logps[k];
            b.pos[at] = size_t(i) * Tm + size_t(P - 1 + k);
        }
        b.truncated[i] = c.truncated ? 1 : 0;
        b.lengths[i] = L;
    }
    return b;
}

static std::vector<float> gather(const Session::Impl::ScoredBatch& b, const std::vector<float>& full) {
    std::vector<float> out(size_t(b.N) * b.T, 0.0f);
    for (size_t i = 0; i < out.size(); ++i)
        if (b.pos[i] != SIZE_MAX) out[i] = full[b.pos[i]];
    return out;
}

void Session::Impl::reference_logps(ScoredBatch& b) {
    const TokenBatch& mb = b.model_batch;
    std::vector<float> full(size_t(mb.B) * mb.T), ent(full.size());
    if (reference) reference->forward(mb, float(cfg.temperature), false, full.data(), ent.data(), false);
    else policy->forward(mb, float(cfg.temperature), false, full.data(), ent.data(), false);
    b.ref_logp = gather(b, full);
}

std::vector<float> Session::Impl::policy_logps(const ScoredBatch& b, double* mean_entropy) {
    const TokenBatch& mb = b.model_batch;
    std::vector<float> full(size_t(mb.B) * mb.T), ent(size_t(mb.B) * mb.T);
    policy->forward(mb, float(cfg.temperature), true, full.data(), ent.data(), true);
    if (mean_entropy) {
        double s = 0, n = 0;
        for (size_t i = 0; i < b.pos.size(); ++i)
            if (b.pos[i] != SIZE_MAX) s += ent[b.pos[i]], n += 1;
        *mean_entropy = n > 0 ? s / n : 0.0;
    }
    return gather(b, full);
}

void Session::Impl::policy_backward(const ScoredBatch& b, const std::vector<float>& dlogp) {
    const TokenBatch& mb = b.model_batch;
    std::vector<float> full(size_t(mb.B) * mb.T, 0.0f);
    for (size_t i = 0; i < b.pos.size(); ++i)
        if (b.pos[i] != SIZE_MAX) full[b.pos[i]] = dlogp[i];
    policy->backward(full.data());
}

void Session::Impl::optimizer_step(StepMetrics& m) {
    double norm = clip_grad_norm(policy->grads(), cfg.max_grad_norm);
    m.push_back({"grad_norm", norm});
    if (!std::isfinite(norm)) {
        policy->zero_grad();
        return;  // train_step refuses a non-finite grad_norm before anything is applied
    }
    float lr = schedule->lr_at(step);
    m.push_back({"learning_rate", lr});
    optimizer->step(policy->params(), policy->grads(), lr);
    policy->zero_grad();
    policy->refresh_adapters();
}

void Session::Impl::add_generation_metrics(const Rollouts& r, StepMetrics& m) const {
    double sum = 0, n = 0, hit = 0;
    double mn = 1e300, mx = 0;
    for (const auto& g : r.groups)
        for (const auto& c : g) {
            double L = double(c.ids.size());
            sum += L, n += 1, mn = std::min(mn, L), mx = std::max(mx, L);
            hit += c.truncated ? 1 : 0;
        }
    if (n == 0) return;
    m.push_back({"avg_generated_tokens", sum / n});
    m.push_back({"min_generated_tokens", mn});
    m.push_back({"max_generated_tokens", mx});
    m.push_back({"hit_max_tokens_ratio", hit / n});
    m.push_back({"tokens_per_second", r.generate_seconds > 0 ? sum / r.generate_seconds : 0.0});
}

void Session::Impl::emit_rollouts(const std::vector<RolloutRecord>& recs) const {
    for (const auto& r : recs) {
        nlohmann::json j;
        j["step"] = r.step;
        j["prompt"] = r.prompt;
        j["completion"] = r.completion;
        j["answer"] = r.answer;
        nlohmann::json rw = nlohmann::json::object();
        for (const auto& x : r.rewards) rw[x.name] = std::isfinite(x.value) ? nlohmann::json(x.value) : nlohmann::json(nullptr);
        j["rewards"] = rw;
        j["reward"] = r.reward;
        j["advantage"] = r.advantage;
        j["truncated"] = r.truncated;
        j["num_tokens"] = r.num_tokens;
        append_line(run_dir + "/rollouts.jsonl", j.dump());
    }
    if (observer) observer->on_rollouts(step + 1, recs);
}

}  // namespace rf
