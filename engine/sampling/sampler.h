// Token samplers as a chain, with mlx-lm's semantics and order
// (ml-explore/mlx-lm: mlx_lm/sample_utils.py, make_sampler):
//
//   logprobs = log_softmax(logits)                      (temperature 1, the model's own distribution)
//   1. top_p  when 0 < top_p < 1   keep token j iff the mass of the tokens ranked above j is < top_p
//                                  (mlx-lm: ascending cumsum C_j > 1 - top_p, the same set)
//   2. min_p  when min_p != 0      keep logprob_j >= max_i logprob_i + log(min_p)
//                                  (the `min_tokens_to_keep` best tokens always survive)
//   3. top_k  when top_k > 0       keep the k best survivors
//   4. draw   y ~ softmax(logprobs / temperature) over the survivors;  temperature 0 = argmax.
//
// Consequences worth knowing (they differ from Hugging Face and llama.cpp, which apply temperature
// first): the truncation is computed on the temperature-1 distribution, so temperature changes only the
// final draw, never which tokens survive. All three filters keep a prefix of the same ranking, so the
// survivors are the best min(n_top_p, n_min_p, top_k) tokens.
//
// Ranking: descending log-probability, ties broken by the lower token id (mlx-lm leaves tie order to
// its sort; a tie exactly at a cut-off is the only place the two can differ). Cumulative masses are
// summed in double.
//
// Log-probs for training are NOT this truncated distribution: see `sampling_logprob` (TRL's choice).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/rng.h"

namespace rf {

struct SamplingParams {
    float temperature = 1.0f;    // 0 = greedy (argmax); must be >= 0
    float top_p = 1.0f;          // applied when 0 < top_p < 1 (0 and 1 disable it, as in mlx-lm)
    float min_p = 0.0f;          // applied when != 0; in [0, 1]
    int min_tokens_to_keep = 1;  // min_p never removes the best `min_tokens_to_keep` tokens; >= 1
    int top_k = 0;               // applied when > 0 (k >= vocabulary size keeps everything)
};

// Throws InputError (key = the offending field, `where` as the file/context) for values outside the
// ranges above, NaNs, and temperature 0 when `greedy_allowed` is false (GRPO and PPO need sampling:
// with argmax all completions of a group are identical and every advantage is 0).
void validate_sampling_params(const SamplingParams& p, bool greedy_allowed, const std::string& where = {});

struct TokenLogprob {
    int id;
    float logprob;
};

// The surviving candidates of one sampling step. Either in token-id order (no filter ran yet) or
// `sorted` by rank (descending logprob, then ascending id). Every filter keeps at least one token.
struct Candidates {
    std::vector<TokenLogprob> items;
    bool sorted = false;
    // Fills with all V tokens: logprob = log_softmax(logits) (double-precision log-sum-exp).
    void reset(const float* logits, int V);
};

// A filter in the chain (llama.cpp's llama_sampler, reduced to what mlx-lm has).
class Sampler {
public:
    virtual ~Sampler() = default;
    virtual const char* name() const = 0;
    virtual void apply(Candidates& c) const = 0;
};

class TopPSampler final : public Sampler {
public:
    // `rank_limit` > 0: a later top_k keeps at most that many tokens anyway, so only the best
    // rank_limit need ranking (the chain's result is the best min(n_top_p, n_min_p, k) either way).
    explicit TopPSampler(float top_p, int rank_limit = 0) : m_top_p(top_p), m_rank_limit(rank_limit) {}
    const char* name() const override { return "top_p"; }
    void apply(Candidates& c) const override;

private:
    float m_top_p;
    int m_rank_limit;
};

class MinPSampler final : public Sampler {
public:
    MinPSampler(float min_p, int min_tokens_to_keep) : m_min_p(min_p), m_keep(min_tokens_to_keep) {}
    const char* name() const override { return "min_p"; }
    void apply(Candidates& c) const override;

private:
    float m_min_p;
    int m_keep;
};

class TopKSampler final : public Sampler {
public:
    explicit TopKSampler(int k) : m_k(k) {}
    const char* name() const override { return "top_k"; }
    void apply(Candidates& c) const override;

private:
    int m_k;
};

// The chain mlx-lm's make_sampler builds, plus the final temperature draw.
class SamplerChain {
public:
    SamplerChain() = default;
    // Validates (greedy allowed) and builds the filters in mlx-lm's order.
    static SamplerChain from_params(const SamplingParams& p);
    void add(std::unique_ptr<Sampler> s) { m_filters.push_back(std::move(s)); }
    void set_temperature(float t) { m_temperature = t; }
    float temperature() const { return m_temperature; }
    bool greedy() const { return m_temperature == 0.0f; }
    std::vector<std::string> names() const;

    // Samples one token from logits[0..V). Uses exactly one rng.uniform_double() unless greedy.
    // `scratch` is reused between calls to avoid allocations.
    int sample(const float* logits, int V, Rng& rng, Candidates& scratch) const;
    // The distribution `sample` draws from, as V probabilities (0 for removed tokens). For tests and
    // for showing the effective policy.
    std::vector<double> probabilities(const float* logits, int V) const;

private:
    void filter(const float* logits, int V, Candidates& c) const;
    std::vector<std::unique_ptr<Sampler>> m_filters;
    float m_temperature = 1.0f;
};

// Index of the largest logit (lowest id on ties).
int argmax(const float* logits, int V);

// The log-prob of `token` recorded for training (TRL: old logps from logits / temperature, the full
// distribution, without top-p/top-k/min-p truncation):
//   logp = logits[token] / T - log sum_j exp(logits[j] / T),   T = temperature, or 1 when greedy (T = 0).
// Summed in double. Truncation is deliberately ignored so that the trainer's log-probs (a full forward
// over logits / T) compare like with like.
float sampling_logprob(const float* logits, int V, int token, float temperature);

}  // namespace rf
