// The backward pass: forward in reverse, call for call (model_forward.cpp side by side).
// Gradients flow only where something is trained: with adapters on the last N blocks the pass stops
// at the lowest adapted block, skips input gradients nobody reads, and never touches the frozen
// base weights' gradients (no dW GEMMs).
#include <algorithm>

#include "core/error.h"
#include "core/worker_pool.h"
#include "model/model.h"
#include "model/quant_linear.h"
#include "ops/attention.h"
#include "ops/embedding.h"
#include "ops/lm_head.h"
#include "ops/lora.h"
#include "ops/matmul.h"
#include "ops/rmsnorm.h"
#include "ops/rope.h"
#include "ops/swiglu.h"

namespace rf {

namespace {

void zero(std::vector<float>& v, size_t n) {
    if (v.size() < n) v.resize(n);
    float* p = v.data();
    parallel_rows(long(n), double(n), [&](long b, long e) { std::fill(p + b, p + e, 0.0f); });
}

}  // namespace

void Model::linear_backward(int l, Proj p, const Pass& ps, LayerActs& a, const float* dy, const float* x, float* dx) {
    const BlockWeights& bw = m_blocks[l];
    const int M = ps.B * ps.T, in = proj_in(p), out = proj_out(p);
    const Adapter* ad = ps.adapters ? adapter(l, p) : nullptr;
    if (const QuantizedMatrix* q = bw.q[int(p)]) {  // frozen packed W: input gradient only
        if (!ad)
            return qlora_backward(dx, nullptr, nullptr, nullptr, dy, x, nullptr, *q, nullptr, nullptr, nullptr, nullptr,
                                  nullptr, nullptr, 0.0f, M, 0, m_lora_work, &WorkerPool::global());
        const float* xd = dropout_input(l, p, ps, x);
        const float* P = m_train.data();
        float* G = m_train_grad.data();
        return qlora_backward(dx, G + ad->a, G + ad->b, ad->dora() ? G + ad->m : nullptr, dy, xd,
                              xd != x ? m_keep.data() : nullptr, *q, P + ad->a, P + ad->b,
                              ad->dora() ? P + ad->m : nullptr, ad->dora() ? ad->norm.data() : nullptr,
                              a.u[int(p)].data(), ad->dora() ? a.z[int(p)].data() : nullptr, ad->scale, M, ad->rank,
                              m_lora_work, &WorkerPool::global());
    }
    if (!ad) {
        const bool full = m_has_ft && m_spec.type == FineTuneType::full;
        return matmul_backward<float>(dx, full ? grad_of(bw.w[int(p)]) : nullptr,
                                      full ? grad_of(bw.bias[int(p)]) : nullptr, dy, x, bw.w[int(p)], M, out, in);
    }
    const float* xd = dropout_input(l, p, ps, x);  // regenerates this projection's mask into m_keep
    const float* P = m_train.data();
    float* G = m_train_grad.data();
    lora_backward<float>(dx, G + ad->a, G + ad->b, ad->dora() ? G + ad->m : nullptr, nullptr, nullptr, dy, x, xd,
                         xd != x ? m_keep.data() : nullptr, bw.w[int(p)], P + ad->a, P + ad->b,
                         ad->dora() ? P + ad->m : nullptr, ad->dora() ? ad->norm.data() : nullptr, a.u[int(p)].data(),
                         ad->dora() ? a.z[int(p)].data() : nullptr, ad->scale, M, in, out, ad->rank, m_lora_work);
}

// dres (M,C): in, dL/d(block output); out, dL/d(block input) (when anything below needs it).
void Model::block_backward(int l, const Pass& ps, LayerActs& a, const float* x_in, float* dres) {
    const BlockWeights& bw = m_blocks[l];
    const int B = ps.B, T = ps.T, M = B * T, C = m_cfg.hidden_size, I = m_cfg.intermediate_size;
    const int NH = m_cfg.num_attention_heads, KVH = m_cfg.num_key_value_heads, HS = m_cfg.head_dim;
    const bool full = m_has_ft && m_spec.type == FineTuneType::full;
    auto has = [&](Proj p) { return ps.adapters && adapter(l, p) != nullptr; };
    const bool need_below = full || l > m_first_adapted;
    const bool qkv_needed = need_below || has(Proj::q) || has(Proj::k) || has(Proj::v);
    const bool attn_needed = qkv_needed || has(Proj::o);

    // MLP: x_out = x_mid + down(silu(gate(h2)) * up(h2)),  h2 = rmsnorm(x_mid)
    zero(m_dact, size_t(M) * I);
    linear_backward(l, Proj::down, ps, a, dres, a.act.data(), m_dact.data());
    zero(m_dgate, size_t(M) * I);
    zero(m_dup, size_t(M) * I);
    swiglu_backward<float>(m_dgate.data(), m_dup.data(), m_dact.data(), a.gate.data(), a.up.data(), long(M) * I);
    float* dh2 = nullptr;
    if (attn_needed) {
        zero(m_dh, size_t(M) * C);
        dh2 = m_dh.data();
    }
    linear_backward(l, Proj::gate, ps, a, m_dgate.data(), a.h2.data(), dh2);
    linear_backward(l, Proj::up, ps, a, m_dup.data(), a.h2.data(), dh2);
    if (!attn_needed) return;
    rmsnorm_backward<float>(dres, full ? grad_of(bw.post_attention_layernorm) : nullptr, dh2, a.x_mid.data(),
                            bw.post_attention_layernorm, a.rstd2.data(), M, C);

    // attention: x_mid = x + o(attn(rope(qk_norm(q(h1))), rope(qk_norm(k(h1))), v(h1))),  h1 = rmsnorm(x)
    float* datt = nullptr;
    if (qkv_needed) {
        zero(m_datt, size_t(M) * m_qd);
        datt = m_datt.data();
    }
    linear_backward(l, Proj::o, ps, a, dres, a.att.data(), datt);
    if (!qkv_needed) return;
    zero(m_dq, size_t(M) * m_qd);
    zero(m_dk, size_t(M) * m_kd);
    zero(m_dv, size_t(M) * m_kd);
    attention_backward<float>(m_dq.data(), m_dk.data(), m_dv.data(), datt, a.q.data(), a.k.data(), a.v.data(),
                              a.att.data(), a.lse.data(), B, T, NH, KVH, HS);
    zero(m_dq2, size_t(M) * m_qd);
    zero(m_dk2, size_t(M) * m_kd);
    rope_backward<float>(m_dq2.data(), m_dq.data(), m_cos.data(), m_sin.data(), B, T, NH, HS);
    rope_backward<float>(m_dk2.data(), m_dk.data(), m_cos.data(), m_sin.data(), B, T, KVH, HS);
    float* dq_raw = m_dq2.data();
    float* dk_raw = m_dk2.data();
    if (m_cfg.qk_norm) {
        zero(m_dq, size_t(M) * m_qd);
        zero(m_dk, size_t(M) * m_kd);
        rmsnorm_backward<float>(m_dq.data(), full ? grad_of(bw.q_norm) : nullptr, m_dq2.data(), a.q_raw.data(),
                                bw.q_norm, a.q_rstd.data(), long(M) * NH, HS);
        rmsnorm_backward<float>(m_dk.data(), full ? grad_of(bw.k_norm) : nullptr, m_dk2.data(), a.k_raw.data(),
                                bw.k_norm, a.k_rstd.data(), long(M) * KVH, HS);
        dq_raw = m_dq.data();
        dk_raw = m_dk.data();
    }
    float* dh1 = nullptr;
    if (need_below) {
        zero(m_dh, size_t(M) * C);
        dh1 = m_dh.data();
    }
    linear_backward(l, Proj::q, ps, a, dq_raw, a.h1.data(), dh1);
    linear_backward(l, Proj::k, ps, a, dk_raw, a.h1.data(), dh1);
    linear_backward(l, Proj::v, ps, a, m_dv.data(), a.h1.data(), dh1);
    if (!need_below) return;
    rmsnorm_backward<float>(dres, full ? grad_of(bw.input_layernorm) : nullptr, dh1, x_in, bw.input_layernorm,
                            a.rstd1.data(), M, C);
}

void Model::backward(const float* dlogp, const float* dentropy) {
    RF_CHECK(m_saved.valid, "backward() needs a preceding forward(..., want_backward = true)");
    const Pass& ps = m_saved.pass;
    const bool full = m_has_ft && m_spec.type == FineTuneType::full;
    if (!full && !ps.adapters) return;  // nothing trainable took part: every gradient is 0
    Workspace& ws = m_train_ws;
    const int L = m_cfg.num_hidden_layers, C = m_cfg.hidden_size, M = ps.B * ps.T;

    zero(m_dhf, size_t(M) * C);
    lm_head_logp_backward<float>(m_dhf.data(), full ? grad_of(m_lm_head) : nullptr, dlogp, dentropy, ws.hf.data(),
                                 m_lm_head, m_saved.targets.data(), ws.lse_lm.data(), ws.entropy.data(), M, C,
                                 m_cfg.vocab_size, m_saved.temperature, m_lm_work, ps.pw ? ws.pw.data() : nullptr);
    zero(m_dres, size_t(M) * C);
    rmsnorm_backward<float>(m_dres.data(), full ? grad_of(m_norm_f) : nullptr, m_dhf.data(), res(ws, ps, L), m_norm_f,
                            ws.rstdf.data(), M, C);
    for (int l = L - 1; l >= m_first_adapted; --l) {
        LayerActs& a = slot(ws, l);
        if (!ws.per_layer) block_forward(l, ps, a, res(ws, ps, l), res(ws, ps, l + 1));  // checkpoint: recompute
        block_backward(l, ps, a, res(ws, ps, l), m_dres.data());
    }
    if (full) embedding_backward<float>(grad_of(m_wte), m_dres.data(), m_saved.tokens.data(), M, C);
}

}  // namespace rf
