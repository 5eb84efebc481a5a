// The two halves of a transformer block that the training forward (model_forward.cpp), the prefill
// and the KV-cache decode (model_decode.cpp) share; only what lies between them — RoPE at each
// row's position, causal attention or attention over a cache — differs. An architecture feature of
// these halves (a norm, an activation, a bias) is written once, here. The projections are the
// caller's (adapters, dropout, packed or bf16 weights, one pass for several outputs in decode).
#pragma once
#include <cstddef>

#include "model/model.h"
#include "ops/rmsnorm.h"
#include "ops/swiglu.h"

namespace rf {

// h = rmsnorm(x) (rstd saved); project_qkv(h, q_out, k_out, v): q/k land in q_raw/k_raw when the
// architecture normalises them per head (qwen3: q = rmsnorm_head(q_raw), rstd in q_rstd/k_rstd),
// else directly in q/k. Buffers: x, h (M,C); q, q_raw (M,NH*HS); k, k_raw, v (M,KVH*HS); rstd (M);
// q_rstd (M*NH), k_rstd (M*KVH) (k_rstd may alias q_rstd when not kept).
template <class ProjectQKV>
void attention_inputs(const ModelConfig& c, const BlockWeights& bw, const float* x, float* h, float* rstd, float* q,
                      float* k, float* v, float* q_raw, float* k_raw, float* q_rstd, float* k_rstd, int M,
                      ProjectQKV&& project_qkv) {
    const int NH = c.num_attention_heads, KVH = c.num_key_value_heads, HS = c.head_dim;
    rmsnorm_forward<float>(h, rstd, x, bw.input_layernorm, M, c.hidden_size, c.rms_norm_eps);
    if (!c.qk_norm) return project_qkv(h, q, k, v);
    project_qkv(h, q_raw, k_raw, v);
    rmsnorm_forward<float>(q, q_rstd, q_raw, bw.q_norm, long(M) * NH, HS, c.rms_norm_eps);
    rmsnorm_forward<float>(k, k_rstd, k_raw, bw.k_norm, long(M) * KVH, HS, c.rms_norm_eps);
}

// The MLP half, after attention's residual: x_mid = x + o_proj(attention) is given;
//   h2 = rmsnorm(x_mid);  act = silu(gate(h2)) * up(h2);  y = x_mid + down(act)
// project_gate_up(h2, gate, up) and project_down(act, out) are the caller's; `out` may be `y` (then
// x_mid must not be). Buffers: x_mid, h2, out, y (M,C); rstd2 (M); gate, up, act (M,I).
template <class ProjectGateUp, class ProjectDown>
void mlp_half(const ModelConfig& c, const BlockWeights& bw, const float* x_mid, float* h2, float* rstd2, float* gate,
              float* up, float* act, float* out, float* y, int M, ProjectGateUp&& project_gate_up,
              ProjectDown&& project_down) {
    rmsnorm_forward<float>(h2, rstd2, x_mid, bw.post_attention_layernorm, M, c.hidden_size, c.rms_norm_eps);
    project_gate_up(h2, gate, up);
    swiglu_forward<float>(act, gate, up, long(M) * c.intermediate_size);
    project_down(act, out);
    const size_t MC = size_t(M) * size_t(c.hidden_size);
    for (size_t i = 0; i < MC; ++i) y[i] = out[i] + x_mid[i];
}

}  // namespace rf
