// The forward pass: embedding -> blocks -> final norm -> chunked lm-head log-probs.
// B batch, T time, C hidden, NH/KVH heads, HS head size, I intermediate, V vocab, R rank; M = B*T rows.
#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "core/rng.h"
#include "core/worker_pool.h"
#include "model/block_parts.h"
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

void Model::validate(const TokenBatch& batch) const {
    RF_CHECK(batch.B > 0 && batch.T > 0, "TokenBatch: B and T must be > 0");
    const size_t n = size_t(batch.B) * batch.T;
    RF_CHECK(batch.tokens.size() == n, "TokenBatch: tokens must hold B*T ids");
    RF_CHECK(batch.targets.empty() || batch.targets.size() == n, "TokenBatch: targets must hold B*T ids");
    const int V = m_cfg.vocab_size;
    for (size_t i = 0; i < n; ++i) {
        if (batch.tokens[i] < 0 || batch.tokens[i] >= V)
            throw InputError({}, 0, "tokens",
                             "token id " + std::to_string(batch.tokens[i]) + " at position " + std::to_string(i) +
                                 " is outside the vocabulary (size " + std::to_string(V) + ")",
                             "the tokenizer does not match the model");
        if (!batch.targets.empty() && (batch.targets[i] < -1 || batch.targets[i] >= V))
            throw InputError({}, 0, "targets",
                             "target id " + std::to_string(batch.targets[i]) + " at position " + std::to_string(i) +
                                 " is outside [-1, " + std::to_string(V) + ")",
                             "use -1 for positions that are not scored");
    }
}

float* Model::res(Workspace& ws, const Pass& ps, int l) {
    const size_t n = size_t(ps.B) * ps.T * m_cfg.hidden_size;
    return ws.res.data() + (ws.keep_all ? size_t(l) : size_t(l % 2)) * n;
}

void Model::size_acts(LayerActs& a, const Pass& ps) {
    const size_t M = size_t(ps.B) * ps.T, C = m_cfg.hidden_size, I = m_cfg.intermediate_size;
    const int NH = m_cfg.num_attention_heads, KVH = m_cfg.num_key_value_heads;
    a.h1.resize(M * C);
    a.rstd1.resize(M);
    if (m_cfg.qk_norm) {
        a.q_raw.resize(M * m_qd);
        a.k_raw.resize(M * m_kd);
        a.q_rstd.resize(M * NH);
        a.k_rstd.resize(M * KVH);
    }
    a.q.resize(M * m_qd);
    a.k.resize(M * m_kd);
    a.v.resize(M * m_kd);
    a.lse.resize(M * NH);
    a.att.resize(M * m_qd);
    a.x_mid.resize(M * C);
    a.h2.resize(M * C);
    a.rstd2.resize(M);
    a.gate.resize(M * I);
    a.up.resize(M * I);
    a.act.resize(M * I);
    if (!ps.adapters) return;
    for (int p = 0; p < kNumProj; ++p) {
        const Adapter* ad = nullptr;
        for (int l = m_first_adapted; l < m_cfg.num_hidden_layers && !ad; ++l) ad = adapter(l, Proj(p));
        if (!ad) continue;
        a.u[p].resize(M * ad->rank);
        if (ad->dora()) a.z[p].resize(M * ad->out);
    }
}

// Buffers only grow (a later, smaller batch reuses them; no page faults once warm).
void Model::prepare(Workspace& ws, const Pass& ps, bool keep_all) {
    const int L = m_cfg.num_hidden_layers;
    const size_t M = size_t(ps.B) * ps.T, C = m_cfg.hidden_size;
    if (ps.T > m_rope_T) {
        const size_t half = m_inv_freq.size();
        m_cos.resize(size_t(ps.T) * half);
        m_sin.resize(size_t(ps.T) * half);
        rope_table<float>(m_cos.data(), m_sin.data(), m_inv_freq, ps.T);
        m_rope_T = ps.T;
    }
    const size_t slots = keep_all && !m_grad_ckpt ? size_t(L) : 1;
    if (ws.acts.size() < slots) ws.acts.resize(slots);
    for (size_t s = 0; s < slots; ++s) size_acts(ws.acts[s], ps);
    ws.keep_all = keep_all;
    ws.per_layer = slots > 1;
    const size_t nres = (keep_all ? size_t(L) + 1 : 2) * M * C;
    if (ws.res.size() < nres) ws.res.resize(nres);
    ws.hf.resize(M * C);
    ws.rstdf.resize(M);
    ws.lse_lm.resize(M);
    ws.entropy.resize(M);
    if (ps.pw) ws.pw.resize(M * C);
}

// Dropout as mlx.nn.Dropout: keep with probability 1-p and scale by 1/(1-p). The mask of block l,
// projection p is a function of (the pass's seed, l, p), so the backward regenerates it exactly.
const float* Model::dropout_input(int l, Proj p, const Pass& ps, const float* x) {
    const Adapter* ad = adapter(l, p);
    if (!ps.train || !ad || ad->dropout <= 0.0f) return x;
    const size_t n = size_t(ps.B) * ps.T * ad->in;
    if (m_keep.size() < n) m_keep.resize(n), m_xd.resize(n);
    Rng rng(ps.dropout_seed, uint64_t(l) * kNumProj + int(p));
    const float keep = 1.0f / (1.0f - ad->dropout);
    for (size_t i = 0; i < n; ++i) {
        m_keep[i] = rng.uniform() < ad->dropout ? 0.0f : keep;
        m_xd[i] = x[i] * m_keep[i];
    }
    return m_xd.data();
}

void Model::linear_forward(int l, Proj p, const Pass& ps, LayerActs& a, const float* x, float* y) {
    const BlockWeights& bw = m_blocks[l];
    const int M = ps.B * ps.T, in = proj_in(p), out = proj_out(p);
    const Adapter* ad = ps.adapters ? adapter(l, p) : nullptr;
    const QuantizedMatrix* q = bw.q[int(p)];
    if (!ad && q)
        return qlora_forward(y, nullptr, nullptr, x, x, *q, bw.bias[int(p)], nullptr, nullptr, nullptr, nullptr, 0.0f, M,
                             0, &WorkerPool::global());
    if (!ad) return matmul_forward<float>(y, x, bw.w[int(p)], bw.bias[int(p)], M, out, in);
    const float* xd = dropout_input(l, p, ps, x);
    const float* P = m_train.data();
    if (q)
        return qlora_forward(y, a.u[int(p)].data(), ad->dora() ? a.z[int(p)].data() : nullptr, x, xd, *q,
                             bw.bias[int(p)], P + ad->a, P + ad->b, ad->dora() ? P + ad->m : nullptr,
                             ad->dora() ? ad->norm.data() : nullptr, ad->scale, M, ad->rank, &WorkerPool::global());
    lora_forward<float>(y, a.u[int(p)].data(), ad->dora() ? a.z[int(p)].data() : nullptr, x, xd, bw.w[int(p)],
                        bw.bias[int(p)], P + ad->a, P + ad->b, ad->dora() ? P + ad->m : nullptr,
                        ad->dora() ? ad->norm.data() : nullptr, ad->scale, M, in, out, ad->rank);
}

// x_mid = x + o_proj(attn(rope(norm_qk(q_proj(h1))), ..., v_proj(h1))),  h1 = rmsnorm(x)
// x_out = x_mid + down_proj(silu(gate_proj(h2)) * up_proj(h2)),          h2 = rmsnorm(x_mid)
// reference: transformers LlamaDecoderLayer / Qwen2DecoderLayer / Qwen3DecoderLayer
void Model::block_forward(int l, const Pass& ps, LayerActs& a, const float* x_in, float* x_out) {
    const BlockWeights& bw = m_blocks[l];
    const int B = ps.B, T = ps.T, M = B * T, C = m_cfg.hidden_size;
    const int NH = m_cfg.num_attention_heads, KVH = m_cfg.num_key_value_heads, HS = m_cfg.head_dim;

    attention_inputs(m_cfg, bw, x_in, a.h1.data(), a.rstd1.data(), a.q.data(), a.k.data(), a.v.data(), a.q_raw.data(),
                     a.k_raw.data(), a.q_rstd.data(), a.k_rstd.data(), M, [&](const float* h, float* q, float* k, float* v) {
                         linear_forward(l, Proj::q, ps, a, h, q);
                         linear_forward(l, Proj::k, ps, a, h, k);
                         linear_forward(l, Proj::v, ps, a, h, v);
                     });
    rope_forward<float>(a.q.data(), a.q.data(), m_cos.data(), m_sin.data(), B, T, NH, HS);
    rope_forward<float>(a.k.data(), a.k.data(), m_cos.data(), m_sin.data(), B, T, KVH, HS);
    attention_forward<float>(a.att.data(), a.lse.data(), a.q.data(), a.k.data(), a.v.data(), B, T, NH, KVH, HS);
    linear_forward(l, Proj::o, ps, a, a.att.data(), x_out);
    const size_t MC = size_t(M) * C;
    float* x_mid = a.x_mid.data();
    parallel_rows(long(MC), double(MC), [&](long b, long e) {
        for (long i = b; i < e; ++i) x_mid[i] = x_in[i] + x_out[i];
    });

    mlp_half(m_cfg, bw, a.x_mid.data(), a.h2.data(), a.rstd2.data(), a.gate.data(), a.up.data(), a.act.data(), x_out,
             x_out, M,
             [&](const float* h, float* gate, float* up) {
                 linear_forward(l, Proj::gate, ps, a, h, gate);
                 linear_forward(l, Proj::up, ps, a, h, up);
             },
             [&](const float* act, float* out) { linear_forward(l, Proj::down, ps, a, act, out); });
}

void Model::forward(const TokenBatch& batch, float temperature, bool use_adapters, float* logp, float* entropy,
                    bool want_backward) {
    validate(batch);
    RF_CHECK(!batch.targets.empty(), "forward: targets are required (use -1 where not scored)");
    RF_CHECK(temperature > 0.0f, "forward: temperature must be > 0");
    Pass ps;
    ps.B = batch.B;
    ps.T = batch.T;
    ps.adapters = use_adapters && adapters_on();
    ps.train = want_backward;
    ps.dropout_seed = ++m_dropout_counter;
    // no lm-head weight gradient (adapters only): let the forward keep E_p[W] so the backward does
    // not recompute the logits
    ps.pw = want_backward && !(m_has_ft && m_spec.type == FineTuneType::full);
    Workspace& ws = want_backward ? m_train_ws : m_eval_ws;
    if (want_backward) m_saved.valid = false;
    prepare(ws, ps, want_backward);
    if (ps.adapters && m_spec.type == FineTuneType::dora) refresh_adapters();

    const int L = m_cfg.num_hidden_layers, C = m_cfg.hidden_size, M = ps.B * ps.T;
    embedding_forward<float>(res(ws, ps, 0), batch.tokens.data(), m_wte, M, C);
    for (int l = 0; l < L; ++l) block_forward(l, ps, slot(ws, l), res(ws, ps, l), res(ws, ps, l + 1));
    rmsnorm_forward<float>(ws.hf.data(), ws.rstdf.data(), res(ws, ps, L), m_norm_f, M, C, m_cfg.rms_norm_eps);
    lm_head_logp_forward<float>(logp, entropy, ws.lse_lm.data(), ws.hf.data(), m_lm_head, batch.targets.data(), M, C,
                                m_cfg.vocab_size, temperature, m_lm_work, ps.pw ? ws.pw.data() : nullptr);
    if (!want_backward) return;
    std::memcpy(ws.entropy.data(), entropy, sizeof(float) * M);
    m_saved.pass = ps;
    m_saved.temperature = temperature;
    m_saved.tokens = batch.tokens;
    m_saved.targets = batch.targets;
    m_saved.valid = true;
}

void Model::forward_logits(const TokenBatch& batch, float* logits) {
    validate(batch);
    Pass ps;
    ps.B = batch.B;
    ps.T = batch.T;
    ps.adapters = adapters_on();
    Workspace& ws = m_eval_ws;
    prepare(ws, ps, false);
    if (ps.adapters && m_spec.type == FineTuneType::dora) refresh_adapters();
    const int L = m_cfg.num_hidden_layers, C = m_cfg.hidden_size, M = ps.B * ps.T;
    embedding_forward<float>(res(ws, ps, 0), batch.tokens.data(), m_wte, M, C);
    for (int l = 0; l < L; ++l) block_forward(l, ps, slot(ws, l), res(ws, ps, l), res(ws, ps, l + 1));
    rmsnorm_forward<float>(ws.hf.data(), ws.rstdf.data(), res(ws, ps, L), m_norm_f, M, C, m_cfg.rms_norm_eps);
    matmul_forward<float>(logits, ws.hf.data(), m_lm_head, nullptr, M, m_cfg.vocab_size, C);
}

}  // namespace rf
