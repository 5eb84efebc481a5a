// SFT (SPEC §8.4): next-token NLL on prompt/completion, messages or text rows; with mask_prompt only
// the completion tokens are scored. One train_step = gradient_accumulation_steps micro-batches of
// batch_size sequences; the loss of the step is the mean over every scored token of the step.
// Data-parallel (data_parallel.h): each rank takes a share of every micro-batch's rows, and the
// step's scored tokens are counted over all ranks, so the ranks' weighted gradients add up to it.
#include <chrono>

#include "rl/losses.h"
#include "train/data_parallel.h"
#include "train/online.h"

namespace rf {

// Rows → a padded batch; targets on the scored positions. Returns the number of scored tokens.
static size_t sft_batch(const std::vector<const SftSequence*>& rows, bool mask_prompt, int max_seq_length,
                        TokenBatch& b) {
    b.B = int(rows.size());
    b.T = 1;
    for (auto* r : rows) b.T = std::max(b.T, std::min<int>(int(r->ids.size()), max_seq_length));
    b.tokens.assign(size_t(b.B) * b.T, 0);
    b.targets.assign(size_t(b.B) * b.T, -1);
    size_t scored = 0;
    for (int i = 0; i < b.B; ++i) {
        const SftSequence& s = *rows[i];
        int L = std::min<int>(int(s.ids.size()), max_seq_length);
        int first = mask_prompt ? std::max(s.prompt_len - 1, 0) : 0;  // position predicting the first scored token
        for (int t = 0; t < L; ++t) b.tokens[size_t(i) * b.T + t] = s.ids[t];
        for (int t = first; t + 1 < L; ++t) {
            b.targets[size_t(i) * b.T + t] = s.ids[t + 1];
            ++scored;
        }
    }
    return scored;
}

// sft_loss over the model's positions: a [B, T] loss batch whose mask marks scored positions.
static LossOutput<float> nll(const TokenBatch& b, const std::vector<float>& logp, std::vector<float>& mask) {
    mask.assign(size_t(b.B) * b.T, 0.0f);
    for (size_t i = 0; i < mask.size(); ++i) mask[i] = b.targets[i] >= 0 ? 1.0f : 0.0f;
    LossBatch<float> lb;
    lb.N = b.B;
    lb.T = b.T;
    lb.logp = logp;
    lb.mask = mask;
    return sft_loss(lb);
}

StepOutput sft_step(Policy& pol, const StepInputs& in, const std::vector<std::vector<const SftSequence*>>& micro) {
    const RunConfig& cfg = in.cfg;
    auto t0 = std::chrono::steady_clock::now();
    const int gas = int(micro.size());
    Comm* comm = pol.comm;  // null: one process
    size_t total_scored = 0;
    std::vector<TokenBatch> batches(gas);
    std::vector<size_t> scored(gas);
    for (int k = 0; k < gas; ++k) {
        const Shard shard = shard_of(int(micro[k].size()), comm);
        scored[k] = sft_batch(slice(micro[k], shard.begin, shard.end), cfg.mask_prompt, cfg.max_seq_length, batches[k]);
        total_scored += scored[k];
    }
    if (comm) total_scored = size_t(comm->sum(double(total_scored)));
    double loss_sum = 0, entropy_sum = 0;
    for (int k = 0; k < gas; ++k) {
        TokenBatch& b = batches[k];
        if (b.B == 0) continue;
        std::vector<float> logp(size_t(b.B) * b.T), ent(size_t(b.B) * b.T), mask;
        pol.model->forward(b, 1.0f, true, logp.data(), ent.data(), true);
        LossOutput<float> out = nll(b, logp, mask);
        // the step's loss is the mean over all its scored tokens: weight this micro-batch by its share
        float w = total_scored > 0 ? float(double(scored[k]) / double(total_scored)) : 0.0f;
        for (float& d : out.dlogp) d *= w;
        pol.model->backward(out.dlogp.data());
        loss_sum += out.loss * double(scored[k]);
        for (size_t i = 0; i < mask.size(); ++i) entropy_sum += mask[i] * ent[i];
    }
    if (comm) loss_sum = comm->sum(loss_sum), entropy_sum = comm->sum(entropy_sum);
    StepOutput res;
    StepMetrics& m = res.metrics;
    m.push_back({"loss", total_scored > 0 ? loss_sum / double(total_scored) : 0.0});
    optimizer_step(pol, cfg, in.step, m);
    double secs = seconds_since(t0);
    if (comm) {  // the slowest rank's time
        std::vector<double> t = {secs};
        comm->max(t);
        secs = t[0];
    }
    res.trained_tokens = double(total_scored);
    m.push_back({"entropy", total_scored > 0 ? entropy_sum / double(total_scored) : 0.0});
    m.push_back({"tokens_per_second", secs > 0 ? double(total_scored) / secs : 0.0});
    m.push_back({"time_train", secs});
    return res;
}

StepMetrics sft_eval(Policy& pol, const RunConfig& cfg, const std::vector<SftSequence>& seqs, int batches) {
    size_t n = seqs.size();
    size_t limit = batches < 0 ? n : std::min(n, size_t(batches) * size_t(cfg.batch_size));
    double loss_sum = 0, count = 0;
    for (size_t start = 0; start < limit; start += size_t(cfg.batch_size)) {
        std::vector<const SftSequence*> rows;
        for (size_t i = start; i < std::min(limit, start + size_t(cfg.batch_size)); ++i) rows.push_back(&seqs[i]);
        TokenBatch b;
        size_t scored = sft_batch(rows, cfg.mask_prompt, cfg.max_seq_length, b);
        std::vector<float> logp(size_t(b.B) * b.T), ent(logp.size()), mask;
        pol.model->forward(b, 1.0f, true, logp.data(), ent.data(), false);
        LossOutput<float> out = nll(b, logp, mask);
        loss_sum += out.loss * double(scored);
        count += double(scored);
    }
    return {{"loss", count > 0 ? loss_sum / count : 0.0}};
}

}  // namespace rf
