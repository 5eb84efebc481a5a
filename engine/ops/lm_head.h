// Fused lm-head + log-softmax: per position the log-probability of one target token and the entropy
// of the distribution softmax(logits / temperature), without materialising the (N,V) logits. The
// scored rows are taken `row_block` at a time and the vocabulary in slices of `budget / rows` columns,
// with a running (online) log-sum-exp across slices, so each GEMM streams the (V,C) weight once per
// row block (OpenBLAS packs its whole B operand on every call: one call per row chunk would repack
// the 622 MB Qwen3 embedding each time). The backward takes dL/dlogp (and optionally dL/dentropy).
// Rows whose target is < 0 are not scored: logp = entropy = 0 and they get no gradient.
#pragma once
#include <cstdint>
#include <vector>

namespace rf {

template <class S>
struct LmHeadWork {
    int row_block = 512;       // scored rows per pass over the vocabulary
    long budget = 1L << 19;    // floats of logits scratch (2 MB, L2-sized): slice width = budget / rows
    std::vector<S> logits;     // (rows, slice)
    std::vector<S> rows;       // (rows, C) gathered hidden rows
    std::vector<S> drows;      // (rows, C) their gradient / E_p[W] accumulator
    std::vector<S> state;      // per row: running max, sums, target logit, rescale
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
// logits (dh = dlogp / tau * (W[y] - E_p[W])); otherwise the logits are recomputed slice by slice.
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
