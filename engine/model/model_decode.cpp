// KV-cached prefill and batched decode of a Model (see kv_cache.h). The math is Model::forward's
// (model_forward.cpp), block for block; only the data flow differs:
//   prefill  N = sum of prompt lengths rows through the GEMM path (Model::project), causal attention
//            per prompt, K/V (after k_norm + RoPE) written to each prompt's prefix segment;
//   decode   M rows (one new token per active sequence) through the small-M kernels (float/bf16:
//            ops/decode_matmul.h; a packed base: quant/quant_matmul.h), each row rotated
//            at its own position, attention over prefix + own segment (ops/kv_attention.h).
// Shapes: C hidden, NH/KVH heads, HS head size, G = NH/KVH query heads per kv head, I intermediate.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/worker_pool.h"
#include "model/block_parts.h"
#include "model/kv_cache.h"
#include "ops/attention.h"
#include "ops/embedding.h"
#include "ops/kv_attention.h"
#include "ops/rmsnorm.h"
#include "ops/rope.h"
#include "ops/swiglu.h"
#include "quant/quant_matmul.h"

namespace rf {

struct ModelDecoder::Scratch {
    std::vector<float> x, h, q, q_raw, k, k_raw, v, att, tmp, gate, up, act, rstd, rstd_qk, u, lse, hf;
    std::vector<std::vector<float>> attn;  // per pool share
    std::vector<int> pos;
    std::vector<int32_t> tok;

    // The block buffers for `rows` rows (prefill: every prompt token; decode: one per sequence).
    void size_block(const ModelConfig& c, int rows) {
        const size_t n = size_t(rows), qd = size_t(c.num_attention_heads) * c.head_dim,
                     kd = size_t(c.num_key_value_heads) * c.head_dim, C = size_t(c.hidden_size),
                     I = size_t(c.intermediate_size);
        h.resize(n * C);
        rstd.resize(n);
        q.resize(n * qd);
        k.resize(n * kd);
        v.resize(n * kd);
        att.resize(n * qd);
        tmp.resize(n * C);
        gate.resize(n * I);
        up.resize(n * I);
        act.resize(n * I);
        if (c.qk_norm) {
            q_raw.resize(n * qd);
            k_raw.resize(n * kd);
            rstd_qk.resize(n * size_t(c.num_attention_heads));
        }
    }
};

void KvSegment::allocate(int L, int KVH, int HS, int capacity) {
    const size_t need = size_t(L) * 2 * KVH * size_t(std::max(capacity, 1)) * HS;
    if (capacity > cap || !data || size != size_t(L) * 2 * KVH * size_t(cap) * HS) {
        cap = std::max(capacity, 1);
        data.reset(new float[need]);
        size = need;
    }
    len = 0;
}

DecodeOptions sampling_decode_options(const Model& m, bool use_adapters, bool exact) {
    DecodeOptions o;
    o.use_adapters = use_adapters;
    if (!exact && m.packed_lm_head()) {
        o.lm_head_quant = Model::packed_lm_head_spec(m.config().hidden_size);
        o.int8_activations = true;
    }
    return o;
}

ModelDecoder::ModelDecoder(Model& model, DecodeOptions opt)
    : m_model(model), m_opt(opt), m_pool(WorkerPool::global()), m_s(std::make_unique<Scratch>()) {
    if (m_opt.bf16_weights || m_opt.lm_head_quant) refresh_weights();
    if (!m_opt.bf16_weights && model.bf16_compute()) {
        const ModelConfig& c = model.config();
        m_twin.assign(size_t(c.num_hidden_layers) * kNumProj + 1, nullptr);
        for (int l = 0; l < c.num_hidden_layers; ++l)
            for (int p = 0; p < kNumProj; ++p)
                if (const float* w = model.block(l).w[p]) m_twin[size_t(l) * kNumProj + p] = find_bf16_twin(w, model.proj_in(Proj(p)));
        m_twin.back() = find_bf16_twin(model.lm_head(), c.hidden_size);
    }
}

ModelDecoder::~ModelDecoder() = default;

int ModelDecoder::vocab_size() const { return m_model.config().vocab_size; }

void ModelDecoder::refresh_weights() {
    const ModelConfig& c = m_model.config();
    if (m_opt.use_adapters && m_model.has_finetune() && m_model.finetune().type == FineTuneType::dora)
        m_model.refresh_adapters();
    if (m_opt.lm_head_quant) {  // the copy a packed base keeps (its lm-head is frozen), else one of our own
        m_lm_q = *m_opt.lm_head_quant == Model::packed_lm_head_spec(c.hidden_size) ? m_model.packed_lm_head() : nullptr;
        if (!m_lm_q) m_lm_q = std::make_shared<const QuantizedMatrix>(quantize(m_model.lm_head(), c.vocab_size, c.hidden_size, *m_opt.lm_head_quant));
    }
    if (!m_opt.bf16_weights) return;
    const int L = c.num_hidden_layers;
    m_bf16.resize(size_t(L) * kNumProj + 1);
    for (int l = 0; l < L; ++l)
        for (int p = 0; p < kNumProj; ++p)
            if (!m_model.quantized(l, Proj(p)))  // packed projections decode from their packed words
                m_bf16[size_t(l) * kNumProj + p].assign(m_model.block(l).w[p], m_model.proj_out(Proj(p)),
                                                         m_model.proj_in(Proj(p)));
    if (!m_lm_q) m_bf16.back().assign(m_model.lm_head(), c.vocab_size, c.hidden_size);
}

void ModelDecoder::lm_head_logits(float* logits, const float* hf, int M) {
    const ModelConfig& c = m_model.config();
    if (m_lm_q) return (m_opt.int8_activations ? quant_matmul_int8 : quant_matmul)(logits, hf, *m_lm_q, M, false, &m_pool);
    DecodeWeight lm = m_opt.bf16_weights ? m_bf16.back().view()
                      : !m_twin.empty() && m_twin.back() ? DecodeWeight{nullptr, m_twin.back(), c.vocab_size, c.hidden_size}
                                                         : DecodeWeight{m_model.lm_head(), nullptr, c.vocab_size, c.hidden_size};
    product(logits, hf, lm, nullptr, M);
}

void ModelDecoder::product(float* y, const float* x, const DecodeWeight& w, const float* bias, int M) {
    // the model's own bf16 twins: round x as its bf16 forward does (AMX where the CPU has it)
    if (!m_twin.empty() && w.bf16) return decode_matmul_bf16_compute(y, x, w, bias, M, false, m_pool);
    decode_matmul(y, x, w, bias, M, false, m_pool);
}

DecodeWeight ModelDecoder::weight(int l, Proj p) const {
    if (m_opt.bf16_weights) return m_bf16[size_t(l) * kNumProj + int(p)].view();
    if (!m_twin.empty())
        if (const uint16_t* t = m_twin[size_t(l) * kNumProj + int(p)]) return DecodeWeight{nullptr, t, m_model.proj_out(p), m_model.proj_in(p)};
    return DecodeWeight{m_model.block(l).w[int(p)], nullptr, m_model.proj_out(p), m_model.proj_in(p)};
}

size_t ModelDecoder::weight_bytes_per_pass() const {
    const ModelConfig& c = m_model.config();
    const size_t per = m_opt.bf16_weights || !m_twin.empty() ? 2 : 4;
    const bool i8 = m_opt.int8_activations;
    size_t n = m_lm_q ? m_lm_q->read_bytes(i8 && quant_int8_active(*m_lm_q)) : size_t(c.vocab_size) * c.hidden_size * per;
    for (int l = 0; l < c.num_hidden_layers; ++l)
        for (int p = 0; p < kNumProj; ++p) {
            const QuantizedMatrix* q = m_model.quantized(l, Proj(p));
            n += q ? q->read_bytes(i8 && quant_int8_active(*q)) : size_t(m_model.proj_in(Proj(p))) * m_model.proj_out(Proj(p)) * per;
        }
    return n;
}

int ModelDecoder::position(int s) const {
    RF_CHECK(s >= 0 && size_t(s) < m_seq.size(), "no such sequence");
    return m_prefix[size_t(m_prefix_of[size_t(s)])].len + m_seq[size_t(s)].len;
}

void ModelDecoder::ensure_rope(int T) {
    if (T <= m_rope_T) return;
    const size_t half = m_model.rope_inv_freq().size();
    m_cos.resize(size_t(T) * half);
    m_sin.resize(size_t(T) * half);
    rope_table<float>(m_cos.data(), m_sin.data(), m_model.rope_inv_freq(), T);
    m_rope_T = T;
}

// y (M,out) = x W^T + adapter, for the decode rows. Adapters come live from params():
//   LoRA: y = x W^T + s (x A) B + b;  DoRA: y = (m / n) (x W^T + s (x A) B) + b   (ops/lora.h)
void ModelDecoder::project(int l, Proj p, const float* x, float* y, int M) {
    const float* bias = m_model.block(l).bias[int(p)];
    const Adapter* ad = m_opt.use_adapters ? m_model.adapter(l, p) : nullptr;
    if (const QuantizedMatrix* q = m_model.quantized(l, p)) {  // packed base: quant_matmul's small-M kernels
        (m_opt.int8_activations ? quant_matmul_int8 : quant_matmul)(y, x, *q, M, false, &m_pool);
        return adapter_and_bias(l, p, x, y, M);
    }
    if (!ad) return product(y, x, weight(l, p), bias, M);
    product(y, x, weight(l, p), nullptr, M);
    adapter_and_bias(l, p, x, y, M);
}

void ModelDecoder::project_same_x(int l, std::initializer_list<std::pair<Proj, float*>> outs, const float* x, int M) {
    const QuantizedMatrix* Ws[kNumProj] = {};
    float* ys[kNumProj] = {};
    int n = 0;
    for (const auto& [p, y] : outs) {
        Ws[n] = m_model.quantized(l, p);
        ys[n++] = y;
        if (!Ws[n - 1]) {  // a float projection among them: one by one
            for (const auto& [p2, y2] : outs) project(l, p2, x, y2, M);
            return;
        }
    }
    quant_matmul_same_x(ys, Ws, n, x, M, m_opt.int8_activations, &m_pool);
    for (const auto& [p, y] : outs) adapter_and_bias(l, p, x, y, M);
}

// After the base product y = x W^T: + the adapter (when used) and the bias.
void ModelDecoder::adapter_and_bias(int l, Proj p, const float* x, float* y, int M) {
    const float* bias = m_model.block(l).bias[int(p)];
    const Adapter* ad = m_opt.use_adapters ? m_model.adapter(l, p) : nullptr;
    if (!ad) {
        const int out = m_model.proj_out(p);
        if (bias)
            for (int m = 0; m < M; ++m)
                for (int j = 0; j < out; ++j) y[size_t(m) * out + j] += bias[j];
        return;
    }
    const int in = ad->in, out = ad->out, R = ad->rank;
    const float* P = m_model.params().data();
    const float* A = P + ad->a;  // (in,R)
    const float* B = P + ad->b;  // (R,out)
    std::vector<float>& u = m_s->u;
    u.assign(size_t(M) * R, 0.0f);
    for (int m = 0; m < M; ++m) {
        float* um = u.data() + size_t(m) * R;
        const float* xm = x + size_t(m) * in;
        for (int k = 0; k < in; ++k)
            for (int r = 0; r < R; ++r) um[r] += xm[k] * A[size_t(k) * R + r];
    }
    for (int m = 0; m < M; ++m) {
        float* ym = y + size_t(m) * out;
        for (int r = 0; r < R; ++r) {
            const float a = ad->scale * u[size_t(m) * R + r];
            const float* Br = B + size_t(r) * out;
            for (int j = 0; j < out; ++j) ym[j] += a * Br[j];
        }
        if (ad->dora()) {
            const float* mag = P + ad->m;
            for (int j = 0; j < out; ++j) ym[j] *= mag[j] / ad->norm[size_t(j)];
        }
        if (bias)
            for (int j = 0; j < out; ++j) ym[j] += bias[j];
    }
}

void ModelDecoder::prefill(const std::vector<std::vector<int>>& prompts, int max_new_tokens,
                           std::vector<float>& last_logits) {
    const ModelConfig& c = m_model.config();
    const int L = c.num_hidden_layers, C = c.hidden_size, V = c.vocab_size, KVH = c.num_key_value_heads;
    const int HS = c.head_dim, P = int(prompts.size());
    RF_CHECK(max_new_tokens >= 1, "prefill: max_new_tokens must be >= 1");
    std::vector<int> offsets;
    int N = 0, longest = 0;
    for (int p = 0; p < P; ++p) {
        if (prompts[size_t(p)].empty())
            throw InputError({}, 0, "prompt", "prompt " + std::to_string(p) + " has no tokens",
                             "every prompt needs at least one token (e.g. the chat template's header)");
        for (int id : prompts[size_t(p)])
            if (id < 0 || id >= V)
                throw InputError({}, 0, "prompt", "token id " + std::to_string(id) + " in prompt " +
                                                      std::to_string(p) + " is outside the vocabulary (size " +
                                                      std::to_string(V) + ")",
                                 "the tokenizer does not match the model");
        offsets.push_back(N);
        N += int(prompts[size_t(p)].size());
        longest = std::max(longest, int(prompts[size_t(p)].size()));
    }
    m_max_new = max_new_tokens;
    m_seq.clear();
    m_prefix_of.clear();
    m_prefix.resize(size_t(P));
    for (int p = 0; p < P; ++p) {
        m_prefix[size_t(p)].allocate(L, KVH, HS, int(prompts[size_t(p)].size()));
        m_prefix[size_t(p)].len = int(prompts[size_t(p)].size());
    }
    ensure_rope(longest + max_new_tokens);
    if (m_opt.use_adapters && m_model.has_finetune() && m_model.finetune().type == FineTuneType::dora)
        m_model.refresh_adapters();

    Scratch& s = *m_s;
    s.tok.clear();
    for (auto& pr : prompts) s.tok.insert(s.tok.end(), pr.begin(), pr.end());
    s.x.resize(size_t(N) * C);
    embedding_forward<float>(s.x.data(), s.tok.data(), m_model.embed_tokens(), N, C);
    for (int l = 0; l < L; ++l) block_prefill(l, prompts, offsets, s.x.data(), N);

    // only each prompt's last position needs logits
    s.h.resize(size_t(P) * C);
    for (int p = 0; p < P; ++p) {
        const size_t row = size_t(offsets[size_t(p)]) + prompts[size_t(p)].size() - 1;
        std::memcpy(s.h.data() + size_t(p) * C, s.x.data() + row * C, sizeof(float) * C);
    }
    s.hf.resize(size_t(P) * C);
    s.rstd.resize(size_t(P));
    rmsnorm_forward<float>(s.hf.data(), s.rstd.data(), s.h.data(), m_model.final_norm(), P, C, c.rms_norm_eps);
    last_logits.resize(size_t(P) * V);
    lm_head_logits(last_logits.data(), s.hf.data(), P);
}

void ModelDecoder::block_prefill(int l, const std::vector<std::vector<int>>& prompts, const std::vector<int>& offsets,
                                 float* x, int N) {
    const ModelConfig& c = m_model.config();
    const BlockWeights& bw = m_model.block(l);
    const int C = c.hidden_size, NH = c.num_attention_heads, KVH = c.num_key_value_heads;
    const int HS = c.head_dim, qd = NH * HS, kd = KVH * HS;
    const bool ad = m_opt.use_adapters;
    Scratch& s = *m_s;
    s.size_block(c, N);
    s.lse.resize(size_t(N) * NH);

    attention_inputs(c, bw, x, s.h.data(), s.rstd.data(), s.q.data(), s.k.data(), s.v.data(), s.q_raw.data(),
                     s.k_raw.data(), s.rstd_qk.data(), s.rstd_qk.data(), N,
                     [&](const float* h, float* q, float* k, float* v) {
                         m_model.project(l, Proj::q, h, q, N, ad);
                         m_model.project(l, Proj::k, h, k, N, ad);
                         m_model.project(l, Proj::v, h, v, N, ad);
                     });
    for (size_t p = 0; p < prompts.size(); ++p) {
        const int off = offsets[p], T = int(prompts[p].size());
        float* q = s.q.data() + size_t(off) * qd;
        float* k = s.k.data() + size_t(off) * kd;
        const float* v = s.v.data() + size_t(off) * kd;
        rope_forward<float>(q, q, m_cos.data(), m_sin.data(), 1, T, NH, HS);
        rope_forward<float>(k, k, m_cos.data(), m_sin.data(), 1, T, KVH, HS);
        KvSegment& seg = m_prefix[p];
        for (int h = 0; h < KVH; ++h) {
            float* kc = seg.k(l, h, KVH, HS);
            float* vc = seg.v(l, h, KVH, HS);
            for (int t = 0; t < T; ++t) {
                std::memcpy(kc + size_t(t) * HS, k + size_t(t) * kd + size_t(h) * HS, sizeof(float) * HS);
                std::memcpy(vc + size_t(t) * HS, v + size_t(t) * kd + size_t(h) * HS, sizeof(float) * HS);
            }
        }
        attention_forward<float>(s.att.data() + size_t(off) * qd, s.lse.data(), q, k, v, 1, T, NH, KVH, HS);
    }
    m_model.project(l, Proj::o, s.att.data(), s.tmp.data(), N, ad);
    const size_t NC = size_t(N) * C;
    for (size_t i = 0; i < NC; ++i) x[i] += s.tmp[i];

    mlp_half(c, bw, x, s.h.data(), s.rstd.data(), s.gate.data(), s.up.data(), s.act.data(), s.tmp.data(), x, N,
             [&](const float* h, float* gate, float* up) {
                 m_model.project(l, Proj::gate, h, gate, N, ad);
                 m_model.project(l, Proj::up, h, up, N, ad);
             },
             [&](const float* act, float* out) { m_model.project(l, Proj::down, act, out, N, ad); });
}

void ModelDecoder::fork(const std::vector<int>& prompt_of) {
    const ModelConfig& c = m_model.config();
    m_seq.resize(prompt_of.size());
    for (size_t s = 0; s < prompt_of.size(); ++s) {
        RF_CHECK(prompt_of[s] >= 0 && size_t(prompt_of[s]) < m_prefix.size(), "fork: no such prompt");
        m_seq[s].allocate(c.num_hidden_layers, c.num_key_value_heads, c.head_dim, m_max_new);
    }
    m_prefix_of = prompt_of;
}

void ModelDecoder::decode(const std::vector<int>& seqs, const std::vector<int>& tokens, std::vector<float>& logits) {
    const ModelConfig& c = m_model.config();
    const int L = c.num_hidden_layers, C = c.hidden_size, V = c.vocab_size, M = int(seqs.size());
    RF_CHECK(tokens.size() == seqs.size() && M > 0, "decode: one token per sequence");
    Scratch& s = *m_s;
    s.pos.resize(size_t(M));
    s.tok.assign(tokens.begin(), tokens.end());
    for (int i = 0; i < M; ++i) {
        const int q = seqs[size_t(i)];
        RF_CHECK(q >= 0 && size_t(q) < m_seq.size(), "decode: no such sequence");
        RF_CHECK(m_seq[size_t(q)].len < m_seq[size_t(q)].cap, "decode: sequence is past its max_new_tokens");
        RF_CHECK(tokens[size_t(i)] >= 0 && tokens[size_t(i)] < V, "decode: token id outside the vocabulary");
        for (int j = 0; j < i; ++j) RF_CHECK(seqs[size_t(j)] != q, "decode: a sequence appears twice");
        s.pos[size_t(i)] = position(q);
    }
    s.x.resize(size_t(M) * C);
    embedding_forward<float>(s.x.data(), s.tok.data(), m_model.embed_tokens(), M, C);
    for (int l = 0; l < L; ++l) block_decode(l, seqs, s.x.data(), M);
    for (int q : seqs) m_seq[size_t(q)].len++;

    s.hf.resize(size_t(M) * C);
    s.rstd.resize(size_t(M));
    rmsnorm_forward<float>(s.hf.data(), s.rstd.data(), s.x.data(), m_model.final_norm(), M, C, c.rms_norm_eps);
    logits.resize(size_t(M) * V);
    lm_head_logits(logits.data(), s.hf.data(), M);
}

void ModelDecoder::block_decode(int l, const std::vector<int>& seqs, float* x, int M) {
    const ModelConfig& c = m_model.config();
    const BlockWeights& bw = m_model.block(l);
    const int C = c.hidden_size, NH = c.num_attention_heads, KVH = c.num_key_value_heads;
    const int HS = c.head_dim, qd = NH * HS, kd = KVH * HS, G = NH / KVH;
    const size_t half = size_t(HS / 2);
    Scratch& s = *m_s;
    s.size_block(c, M);

    attention_inputs(c, bw, x, s.h.data(), s.rstd.data(), s.q.data(), s.k.data(), s.v.data(), s.q_raw.data(),
                     s.k_raw.data(), s.rstd_qk.data(), s.rstd_qk.data(), M,
                     [&](const float* h, float* q, float* k, float* v) {
                         project_same_x(l, {{Proj::q, q}, {Proj::k, k}, {Proj::v, v}}, h, M);
                     });
    // rotate each row at its own position, append its k/v to its own segment
    for (int i = 0; i < M; ++i) {
        const size_t pos = size_t(s.pos[size_t(i)]);
        float* q = s.q.data() + size_t(i) * qd;
        float* k = s.k.data() + size_t(i) * kd;
        rope_forward<float>(q, q, m_cos.data() + pos * half, m_sin.data() + pos * half, 1, 1, NH, HS);
        rope_forward<float>(k, k, m_cos.data() + pos * half, m_sin.data() + pos * half, 1, 1, KVH, HS);
        KvSegment& seg = m_seq[size_t(seqs[size_t(i)])];
        for (int h = 0; h < KVH; ++h) {
            std::memcpy(seg.k(l, h, KVH, HS) + size_t(seg.len) * HS, k + size_t(h) * HS, sizeof(float) * HS);
            std::memcpy(seg.v(l, h, KVH, HS) + size_t(seg.len) * HS, s.v.data() + size_t(i) * kd + size_t(h) * HS,
                        sizeof(float) * HS);
        }
    }
    // attention: one task per (prompt, kv head) over the rows of that prompt's active sequences
    std::vector<std::vector<int>> rows_of(m_prefix.size());
    for (int i = 0; i < M; ++i) rows_of[size_t(m_prefix_of[size_t(seqs[size_t(i)])])].push_back(i);
    std::vector<std::pair<int, int>> tasks;
    for (size_t p = 0; p < rows_of.size(); ++p)
        if (!rows_of[p].empty())
            for (int j = 0; j < KVH; ++j) tasks.push_back({int(p), j});
    if (s.attn.size() < size_t(m_pool.size())) s.attn.resize(size_t(m_pool.size()));
    const float scale = 1.0f / std::sqrt(float(HS));
    size_t work = 0;  // multiply-adds of the scores and the weighted sums
    for (int i = 0; i < M; ++i) work += size_t(4) * NH * HS * size_t(position(seqs[size_t(i)]) + 1);
    auto attend = [&](int share, int n_shares) {
        std::vector<const float*> qr;
        std::vector<float*> orow;
        std::vector<KvSpan> own;
        for (size_t t = size_t(share); t < tasks.size(); t += size_t(n_shares)) {
            const auto [p, j] = tasks[t];
            const std::vector<int>& rows = rows_of[size_t(p)];
            qr.clear();
            orow.clear();
            own.clear();
            for (int i : rows) {
                KvSegment& seg = m_seq[size_t(seqs[size_t(i)])];
                own.push_back({seg.k(l, j, KVH, HS), seg.v(l, j, KVH, HS), seg.len + 1});
                for (int g = 0; g < G; ++g) {
                    qr.push_back(s.q.data() + size_t(i) * qd + size_t(j * G + g) * HS);
                    orow.push_back(s.att.data() + size_t(i) * qd + size_t(j * G + g) * HS);
                }
            }
            KvSegment& pre = m_prefix[size_t(p)];
            KvSpan shared{pre.k(l, j, KVH, HS), pre.v(l, j, KVH, HS), pre.len};
            kv_attention(orow.data(), qr.data(), int(rows.size()), G, HS, shared, own.data(), scale,
                         s.attn[size_t(share)]);
        }
    };
    if (work < (size_t(1) << 18) || tasks.size() < 2)
        attend(0, 1);
    else
        m_pool.run(attend);
    project(l, Proj::o, s.att.data(), s.tmp.data(), M);
    const size_t MC = size_t(M) * C;
    for (size_t i = 0; i < MC; ++i) x[i] += s.tmp[i];

    mlp_half(c, bw, x, s.h.data(), s.rstd.data(), s.gate.data(), s.up.data(), s.act.data(), s.tmp.data(), x, M,
             [&](const float* h, float* gate, float* up) {
                 project_same_x(l, {{Proj::gate, gate}, {Proj::up, up}}, h, M);
             },
             [&](const float* act, float* out) { project(l, Proj::down, act, out, M); });
}

}  // namespace rf
