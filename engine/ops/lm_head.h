// Fused, chunked lm-head + log-softmax: per position the log-probability of one target token and
// the entropy of the distribution softmax(logits / temperature), without materialising the (N,V)
// logits: rows are processed `chunk` at a time (logits of one chunk, then reduced). The backward
// takes dL/dlogp (and optionally dL/dentropy) per row and recomputes each chunk's logits.
// Rows whose target is < 0 are not scored: logp = entropy = 0 and they get no gradient.
#pragma once
#include <cstdint>
#include <vector>

namespace rf {

template <class S>
struct LmHeadWork {
    int chunk = 128;  // rows per chunk: scratch is chunk * V values (78 MB at V = 151936); 128 rows run the
                      // logits GEMM at 54 GFLOP/s per core against 40 for 64 rows (bench, 1 thread)
    std::vector<S> logits;     // (chunk, V)
    std::vector<S> rows;       // (chunk, C) gathered hidden rows
    std::vector<S> drows;      // (chunk, C) their gradient
    std::vector<long> scored;  // indices of the rows with target >= 0
};

// h (N,C), W (V,C) [HF lm_head / tied embedding layout], targets (N) in [-1, V).
// Out: logp (N), entropy (N), lse (N) = logsumexp(logits / temperature) (saved for the backward).
// pw (N,C) or nullptr: E_p[W] = sum_j p_j W_j per scored row, one more GEMM here that spares the
// backward from recomputing the logits (see lm_head_logp_backward).
template <class S>
void lm_head_logp_forward(S* logp, S* entropy, S* lse, const S* h, const S* W, const int32_t* targets, long N, int C,
                          int V, float temperature, LmHeadWork<S>& work, S* pw = nullptr);
// dh (N,C) += ..., dW (V,C) += ... (nullptr to skip); dlogp (N); dentropy (N) or nullptr.
// With pw from the forward, no dW and no entropy gradient, dh comes from pw without recomputing the
// logits (dh = dlogp / tau * (W[y] - E_p[W])); otherwise the logits are recomputed chunk by chunk.
template <class S>
void lm_head_logp_backward(S* dh, S* dW, const S* dlogp, const S* dentropy, const S* h, const S* W,
                           const int32_t* targets, const S* lse, const S* entropy, long N, int C, int V,
                           float temperature, LmHeadWork<S>& work, const S* pw = nullptr);

// Plain-loop twins (whole rows, std::exp, no BLAS): the algorithmic reference.
template <class S>
void lm_head_logp_forward_naive(S* logp, S* entropy, S* lse, const S* h, const S* W, const int32_t* targets, long N,
                                int C, int V, float temperature);
template <class S>
void lm_head_logp_backward_naive(S* dh, S* dW, const S* dlogp, const S* dentropy, const S* h, const S* W,
                                 const int32_t* targets, const S* lse, const S* entropy, long N, int C, int V,
                                 float temperature);

}  // namespace rf
