// Samplers (see sampler.h for the semantics and the reference).
#include "sampling/sampler.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "ops/vec_math.h"

namespace rf {

namespace {

// Rank order: higher logprob first, then lower id.
bool ranks_before(const TokenLogprob& a, const TokenLogprob& b) {
    return a.logprob > b.logprob || (a.logprob == b.logprob && a.id < b.id);
}

// Sorts the best `k` items to the front of `c` (by rank); the rest stay behind, unordered.
// Small k (top_k 20 of 151936): heap selection, about one comparison per item; else nth_element.
void partial_rank(std::vector<TokenLogprob>& v, size_t k) {
    k = std::min(k, v.size());
    if (k == 0) return;
    if (k * 64 <= v.size()) {
        std::partial_sort(v.begin(), v.begin() + long(k), v.end(), ranks_before);
        return;
    }
    if (k < v.size()) std::nth_element(v.begin(), v.begin() + long(k - 1), v.end(), ranks_before);
    std::sort(v.begin(), v.begin() + long(k), ranks_before);
}

// log sum_j exp(x_j * s) = m + log(sum_j exp(x_j * s - m)), m = max_j x_j * s (s > 0). The exps are
// exp_approx (ops/vec_math.h, ~2 ulp, vectorised), summed in 16 float lanes over blocks of 512 and
// the block sums in double (float lanes over all of V = 151936 drifted by ~1e-5 relative).
double log_sum_exp_scaled(const float* x, int V, float s) {
    const float m = vmax(x, V) * s;
    double sum = 0.0;
    int i = 0;
    while (i + 16 <= V) {
        float lanes[16] = {};
        const int end = std::min(V - 15, i + 512);
        for (; i < end; i += 16)
            for (int l = 0; l < 16; ++l) lanes[l] += exp_approx(x[i + l] * s - m);
        for (float l : lanes) sum += double(l);
    }
    for (; i < V; ++i) sum += std::exp(double(x[i] * s - m));
    return double(m) + std::log(sum);
}

}  // namespace

void validate_sampling_params(const SamplingParams& p, bool greedy_allowed, const std::string& where) {
    auto bad = [&](const char* key, const std::string& msg, const std::string& hint) {
        throw InputError(where, 0, key, msg, hint);
    };
    if (!(p.temperature >= 0.0f) || !std::isfinite(p.temperature))
        bad("temperature", "must be a finite number >= 0, got " + std::to_string(p.temperature),
            "0 means greedy decoding; typical sampling values are 0.6 to 1.0");
    if (p.temperature == 0.0f && !greedy_allowed)
        bad("temperature", "0 (greedy decoding) is not allowed for this training mode",
            "GRPO and PPO need sampled completions that differ; use e.g. temperature: 0.8");
    if (!(p.top_p >= 0.0f && p.top_p <= 1.0f))
        bad("top_p", "must be in [0, 1], got " + std::to_string(p.top_p), "1.0 (or 0) disables nucleus sampling");
    if (!(p.min_p >= 0.0f && p.min_p <= 1.0f))
        bad("min_p", "must be in [0, 1], got " + std::to_string(p.min_p), "0 disables min-p; typical values 0.01-0.2");
    if (p.min_tokens_to_keep < 1)
        bad("min_tokens_to_keep", "must be >= 1, got " + std::to_string(p.min_tokens_to_keep), "use 1");
    if (p.top_k < 0)
        bad("top_k", "must be >= 0, got " + std::to_string(p.top_k), "0 disables top-k");
}

void Candidates::reset(const float* logits, int V) {
    RF_CHECK(V > 0, "empty vocabulary");
    const double lse = log_sum_exp_scaled(logits, V, 1.0f);
    items.resize(size_t(V));
    for (int i = 0; i < V; ++i) items[size_t(i)] = {i, float(double(logits[i]) - lse)};
    sorted = false;
}

// Nucleus filter. Keep token j (in rank order) iff above_j = sum_{i ranked before j} p_i < top_p.
// mlx-lm's form: ascending cumsum C_j = sum_{i ranked at or below j} p_i > 1 - top_p; with sum p = 1
// that is 1 - above_j > 1 - top_p, the same condition. The best token always survives (above = 0).
// So the survivors are the best c tokens, c = min{ j : mass of the best j >= top_p } (or all).
// reference: mlx_lm/sample_utils.py apply_top_p; Holtzman et al. 2019.
//
// c is found by quickselect on mass (expected O(V) even for a flat distribution, where the nucleus
// holds most of the vocabulary): items [0, lo) are the best lo tokens with mass `below` < top_p, and
// c lies in (lo, hi].
void TopPSampler::apply(Candidates& c) const {
    if (!(m_top_p > 0.0f && m_top_p < 1.0f) || c.items.size() <= 1) return;
    const double p = m_top_p;
    auto& v = c.items;
    auto mass = [](const TokenLogprob& t) { return double(exp_approx(t.logprob)); };  // ~2 ulp
    if (m_rank_limit > 0 && size_t(m_rank_limit) < v.size() && !c.sorted) {
        partial_rank(v, size_t(m_rank_limit));
        v.resize(size_t(m_rank_limit));
        c.sorted = true;
    }
    size_t lo = 0, hi = v.size();
    double below = 0.0;
    if (!c.sorted) {
        while (hi - lo > 32) {
            std::swap(v[lo + (hi - lo) / 2], v[hi - 1]);
            const TokenLogprob pivot = v[hi - 1];
            auto mid_it = std::partition(v.begin() + long(lo), v.begin() + long(hi - 1),
                                         [&](const TokenLogprob& t) { return ranks_before(t, pivot); });
            const size_t mid = size_t(mid_it - v.begin());
            std::swap(v[mid], v[hi - 1]);
            double left = 0.0;
            for (size_t i = lo; i < mid; ++i) left += mass(v[i]);
            if (below + left >= p) {
                hi = mid;  // the best `mid` already reach top_p
            } else {
                below += left;
                lo = mid;  // the best `mid` do not: c > mid
                if (below + mass(v[mid]) >= p) {
                    hi = mid + 1;
                    break;
                }
                below += mass(v[mid]);
                lo = mid + 1;
            }
        }
        std::sort(v.begin() + long(lo), v.begin() + long(hi), ranks_before);
    }
    for (size_t i = lo; i < hi; ++i) {
        if (below >= p) {
            v.resize(i);
            return;
        }
        below += mass(v[i]);
    }
    v.resize(hi);
}

// Min-p filter: remove logprob_j < max_i logprob_i + log(min_p), but keep the best
// `min_tokens_to_keep` tokens. reference: mlx_lm/sample_utils.py apply_min_p; Nguyen et al. 2024.
void MinPSampler::apply(Candidates& c) const {
    if (m_min_p == 0.0f || c.items.empty()) return;
    float top = -INFINITY;
    for (auto& t : c.items) top = std::max(top, t.logprob);
    const float threshold = top + std::log(m_min_p);
    // The best token always passes (log(min_p) <= 0); more than one protected token needs them in front.
    const size_t keep_best = std::min<size_t>(size_t(m_keep), c.items.size());
    if (keep_best > 1 && !c.sorted) partial_rank(c.items, keep_best);
    size_t out = 0;
    for (size_t i = 0; i < c.items.size(); ++i) {
        bool keep = c.items[i].logprob >= threshold || (keep_best > 1 && i < keep_best);
        if (keep) c.items[out++] = c.items[i];
    }
    c.items.resize(out);
}

// Top-k filter: keep the k best (rank order). reference: mlx_lm/sample_utils.py apply_top_k.
void TopKSampler::apply(Candidates& c) const {
    if (m_k <= 0 || size_t(m_k) >= c.items.size()) return;
    if (!c.sorted) partial_rank(c.items, size_t(m_k));
    c.items.resize(size_t(m_k));
    c.sorted = true;
}

SamplerChain SamplerChain::from_params(const SamplingParams& p) {
    validate_sampling_params(p, true);
    SamplerChain chain;
    chain.set_temperature(p.temperature);
    if (p.top_p > 0.0f && p.top_p < 1.0f) chain.add(std::make_unique<TopPSampler>(p.top_p, p.top_k));
    if (p.min_p != 0.0f) chain.add(std::make_unique<MinPSampler>(p.min_p, p.min_tokens_to_keep));
    if (p.top_k > 0) chain.add(std::make_unique<TopKSampler>(p.top_k));
    return chain;
}

std::vector<std::string> SamplerChain::names() const {
    std::vector<std::string> out;
    for (auto& f : m_filters) out.push_back(f->name());
    out.push_back(greedy() ? "greedy" : "temperature");
    return out;
}

void SamplerChain::filter(const float* logits, int V, Candidates& c) const {
    c.reset(logits, V);
    for (auto& f : m_filters) f->apply(c);
    RF_CHECK(!c.items.empty(), "a sampler removed every token");
}

int argmax(const float* logits, int V) {
    RF_CHECK(V > 0, "empty vocabulary");
    int best = 0;
    for (int i = 1; i < V; ++i)
        if (logits[i] > logits[best]) best = i;
    return best;
}

// Categorical draw over the survivors: P(j) = exp(lp_j / T) / sum_i exp(lp_i / T), walking the
// candidates in their (deterministic) order with one uniform u in [0, 1).
int SamplerChain::sample(const float* logits, int V, Rng& rng, Candidates& c) const {
    if (greedy()) return argmax(logits, V);
    filter(logits, V, c);
    if (c.items.size() == 1) {
        (void)rng.uniform_double();  // keep the number of draws per token constant
        return c.items[0].id;
    }
    const double inv_t = 1.0 / double(m_temperature);
    double m = -INFINITY;
    for (auto& t : c.items) m = std::max(m, double(t.logprob) * inv_t);
    double total = 0.0;
    for (auto& t : c.items) total += std::exp(double(t.logprob) * inv_t - m);
    double u = rng.uniform_double() * total;
    double acc = 0.0;
    for (auto& t : c.items) {
        acc += std::exp(double(t.logprob) * inv_t - m);
        if (u < acc) return t.id;
    }
    // u landed in the rounding gap at the very end: the last token with nonzero mass.
    for (size_t i = c.items.size(); i-- > 0;)
        if (std::exp(double(c.items[i].logprob) * inv_t - m) > 0.0) return c.items[i].id;
    return c.items.back().id;
}

std::vector<double> SamplerChain::probabilities(const float* logits, int V) const {
    std::vector<double> out(size_t(V), 0.0);
    if (greedy()) {
        out[size_t(argmax(logits, V))] = 1.0;
        return out;
    }
    Candidates c;
    filter(logits, V, c);
    const double inv_t = 1.0 / double(m_temperature);
    double m = -INFINITY, total = 0.0;
    for (auto& t : c.items) m = std::max(m, double(t.logprob) * inv_t);
    for (auto& t : c.items) total += std::exp(double(t.logprob) * inv_t - m);
    for (auto& t : c.items) out[size_t(t.id)] = std::exp(double(t.logprob) * inv_t - m) / total;
    return out;
}

float sampling_logprob(const float* logits, int V, int token, float temperature) {
    RF_CHECK(token >= 0 && token < V, "token id out of range");
    const float s = temperature > 0.0f ? 1.0f / temperature : 1.0f;
    const double lse = log_sum_exp_scaled(logits, V, s);
    return float(double(logits[token] * s) - lse);
}

}  // namespace rf
