// The helpers of the online steps (online.h).
#include "train/online.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "dist/comm.h"
#include "model/generate_model.h"
#include "optim/grad_clip.h"
#include "optim/lr_schedule.h"
#include "optim/optimizer.h"
#include "text/tokenizer.h"

namespace rf {

Rollouts sample(Policy& pol, const StepInputs& in, const std::vector<const RlPrompt*>& prompts, int group_size,
                bool use_adapters, int first_sequence) {
    const RunConfig& cfg = in.cfg;
    auto t0 = std::chrono::steady_clock::now();
    SamplingParams sp;
    sp.temperature = float(cfg.temperature);
    sp.top_p = float(cfg.top_p);
    sp.top_k = cfg.top_k;
    sp.min_p = float(cfg.min_p);
    StopCriteria stop = stop_criteria_for(*pol.tok, cfg.stop_strings, cfg.max_completion_length);
    std::vector<std::vector<int>> ids;
    for (const RlPrompt* p : prompts) ids.push_back(p->ids);
    GenerateHooks hooks;
    hooks.cancelled = [&in] { return in.stopping && in.stopping(); };
    hooks.first_sequence = first_sequence;
    Rollouts r;
    r.prompts = prompts;
    // fast sampling unless the loss reads these log-probs as the old policy's (num_iterations > 1)
    ModelDecoder decoder(*pol.model, sampling_decode_options(*pol.model, use_adapters, cfg.num_iterations > 1));
    r.groups = generate_groups(decoder, *pol.tok, ids, group_size, sp, stop, in.rng, hooks);
    r.generate_seconds = seconds_since(t0);
    return r;
}

void record_tokens(const Tokenizer& tok, const Completion& c, RolloutRecord& rec) {
    StreamDecoder dec(tok);
    rec.tokens.clear();
    for (int id : c.ids) rec.tokens.push_back(dec.push(id));
    if (!rec.tokens.empty()) rec.tokens.back() += dec.flush();
    rec.token_logps = c.logps;
}

ScoredBatch build_batch(const Rollouts& r, const std::vector<std::pair<int, int>>& rows) {
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

std::vector<std::pair<int, int>> all_rows(int P, int G) {
    std::vector<std::pair<int, int>> rows;
    for (int p = 0; p < P; ++p)
        for (int g = 0; g < G; ++g) rows.push_back({p, g});
    return rows;
}

static std::vector<float> gather(const ScoredBatch& b, const std::vector<float>& full) {
    std::vector<float> out(size_t(b.N) * b.T, 0.0f);
    for (size_t i = 0; i < out.size(); ++i)
        if (b.pos[i] != SIZE_MAX) out[i] = full[b.pos[i]];
    return out;
}

void reference_logps(Policy& pol, const RunConfig& cfg, ScoredBatch& b) {
    const TokenBatch& mb = b.model_batch;
    std::vector<float> full(size_t(mb.B) * mb.T), ent(full.size());
    if (pol.reference) pol.reference->forward(mb, float(cfg.temperature), false, full.data(), ent.data(), false);
    else pol.model->forward(mb, float(cfg.temperature), false, full.data(), ent.data(), false);
    b.ref_logp = gather(b, full);
}

std::vector<float> policy_logps(Policy& pol, const RunConfig& cfg, const ScoredBatch& b, double* mean_entropy) {
    const TokenBatch& mb = b.model_batch;
    std::vector<float> full(size_t(mb.B) * mb.T), ent(size_t(mb.B) * mb.T);
    pol.model->forward(mb, float(cfg.temperature), true, full.data(), ent.data(), true);
    if (mean_entropy) {
        double s = 0, n = 0;
        for (size_t i = 0; i < b.pos.size(); ++i)
            if (b.pos[i] != SIZE_MAX) s += ent[b.pos[i]], n += 1;
        *mean_entropy = n > 0 ? s / n : 0.0;
    }
    return gather(b, full);
}

LossBatch<float> loss_batch(const ScoredBatch& b, const std::vector<float>& logp, bool with_old) {
    LossBatch<float> lb;
    lb.N = b.N;
    lb.T = b.T;
    lb.logp = logp;
    if (with_old) lb.old_logp = b.old_logp;
    lb.ref_logp = b.ref_logp;
    lb.mask = b.mask;
    return lb;
}

void policy_backward(Policy& pol, const ScoredBatch& b, const std::vector<float>& dlogp) {
    const TokenBatch& mb = b.model_batch;
    std::vector<float> full(size_t(mb.B) * mb.T, 0.0f);
    for (size_t i = 0; i < b.pos.size(); ++i)
        if (b.pos[i] != SIZE_MAX) full[b.pos[i]] = dlogp[i];
    pol.model->backward(full.data());
}

void optimizer_step(Policy& pol, const RunConfig& cfg, int step, StepMetrics& m) {
    Model& model = *pol.model;
    // data-parallel: the ranks' gradients, each weighted for the whole batch, summed over the
    // contiguous trainable buffer (one all-reduce); clipping and the update then see the batch's
    // gradient, and every rank applies the identical step
    if (pol.comm) pol.comm->sum(model.grads());
    double norm = clip_grad_norm(model.grads(), cfg.max_grad_norm);
    m.push_back({"grad_norm", norm});
    if (!std::isfinite(norm)) {
        model.zero_grad();
        return;  // train_step refuses a non-finite grad_norm before anything is applied
    }
    float lr = pol.schedule->lr_at(step);
    m.push_back({"learning_rate", lr});
    pol.optimizer->step(model.params(), model.grads(), lr);
    model.zero_grad();
    model.refresh_adapters();
}

void add_generation_metrics(const Rollouts& r, StepMetrics& m) {
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

void add_step_times(StepMetrics& m, double generate, double score, double train) {
    m.push_back({"time_generate", generate});
    m.push_back({"time_score", score});
    m.push_back({"time_train", train});
}

}  // namespace rf
