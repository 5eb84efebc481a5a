// Causal self-attention with grouped-query heads, as transformers' eager attention computes it:
// query head h reads kv head h / (NH / KVH) (repeat_kv = repeat_interleave on the head axis),
// scores scaled by HS^-0.5, fp32 softmax over positions <= t. The backward recomputes the
// probabilities from the saved log-sum-exp (flash-attention style) instead of storing (T,T) per head.
#pragma once

namespace rf {

// q (B,T,NH,HS), k, v (B,T,KVH,HS) -> out (B,T,NH,HS); lse (B,NH,T) saved for the backward.
// NH must be a multiple of KVH.
template <class S>
void attention_forward(S* out, S* lse, const S* q, const S* k, const S* v, int B, int T, int NH, int KVH, int HS);
// dq (B,T,NH,HS), dk, dv (B,T,KVH,HS) += ...; dout, out (B,T,NH,HS); lse (B,NH,T).
template <class S>
void attention_backward(S* dq, S* dk, S* dv, const S* dout, const S* q, const S* k, const S* v, const S* out,
                        const S* lse, int B, int T, int NH, int KVH, int HS);

// Plain-loop twins (no BLAS, no blocking): the algorithmic reference for tests and bench/.
template <class S>
void attention_forward_naive(S* out, S* lse, const S* q, const S* k, const S* v, int B, int T, int NH, int KVH, int HS);
template <class S>
void attention_backward_naive(S* dq, S* dk, S* dv, const S* dout, const S* q, const S* k, const S* v, const S* out,
                              const S* lse, int B, int T, int NH, int KVH, int HS);

}  // namespace rf
