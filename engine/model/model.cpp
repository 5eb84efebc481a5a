// Model construction: the base-parameter layout (one buffer, HF names), loading from a Hugging Face
// folder (float or MLX-quantized), random initialisation, and the per-projection helpers the decoder
// and fuse use.
#include "model/model.h"

#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/rng.h"
#include "core/worker_pool.h"
#include "io/safetensors.h"
#include "model/quant_linear.h"
#include "ops/gemm.h"
#include "ops/lora.h"
#include "ops/matmul.h"
#include "ops/rope.h"
#include "quant/mlx_weights.h"

namespace rf {

namespace {

const char* const kProjNames[kNumProj] = {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
                                          "self_attn.o_proj", "mlp.gate_proj",    "mlp.up_proj",
                                          "mlp.down_proj"};

// Which projections carry a bias, as the transformers modules are built:
//   llama:  q,k,v,o bias = attention_bias; gate,up,down bias = mlp_bias
//   qwen2:  q,k,v bias always (hard-coded bias=True); o and the MLP never
//   qwen3:  q,k,v,o bias = attention_bias; the MLP never
bool has_bias(const ModelConfig& c, Proj p) {
    const bool qwen2 = c.model_type == "qwen2";
    switch (p) {
        case Proj::q:
        case Proj::k:
        case Proj::v:
            return qwen2 || c.attention_bias;
        case Proj::o:
            return !qwen2 && c.attention_bias;
        default:
            return c.model_type == "llama" && c.mlp_bias;
    }
}

void bad_config(const std::string& key, const std::string& msg) {
    throw InputError("config.json", 0, key, msg, "check the model's config.json");
}

}  // namespace

const char* to_string(FineTuneType t) {
    return enum_name(t).data();  // the names are string literals
}

FineTuneType fine_tune_type_from_string(const std::string& s, const std::string& where) {
    if (auto t = enum_from_name<FineTuneType>(s)) return *t;
    throw InputError(where, 0, "fine_tune_type", "unknown fine-tune type '" + s + "'", "use lora, dora or full");
}

const char* proj_module_name(Proj p) {
    return kProjNames[int(p)];
}

Model::Model(const ModelConfig& cfg) : m_cfg(cfg) {
    ModelConfig& c = m_cfg;
    if (c.model_type != "llama" && c.model_type != "qwen2" && c.model_type != "qwen3")
        bad_config("model_type", "unsupported model_type '" + c.model_type + "' (supported: llama, qwen2, qwen3)");
    if (c.model_type == "qwen3") c.qk_norm = true;
    if (c.num_key_value_heads <= 0) c.num_key_value_heads = c.num_attention_heads;
    if (c.head_dim <= 0 && c.num_attention_heads > 0) c.head_dim = c.hidden_size / c.num_attention_heads;
    if (c.hidden_size <= 0) bad_config("hidden_size", "must be > 0");
    if (c.intermediate_size <= 0) bad_config("intermediate_size", "must be > 0");
    if (c.num_hidden_layers <= 0) bad_config("num_hidden_layers", "must be > 0");
    if (c.num_attention_heads <= 0) bad_config("num_attention_heads", "must be > 0");
    if (c.num_attention_heads % c.num_key_value_heads != 0)
        bad_config("num_key_value_heads", "num_attention_heads must be a multiple of num_key_value_heads");
    if (c.head_dim <= 0 || c.head_dim % 2 != 0) bad_config("head_dim", "must be a positive even number");
    if (c.vocab_size <= 0) bad_config("vocab_size", "must be > 0");
    if (!(c.rms_norm_eps > 0)) bad_config("rms_norm_eps", "must be > 0");
    if (!(c.rope_theta > 0)) bad_config("rope_theta", "must be > 0");
    m_qd = c.num_attention_heads * c.head_dim;
    m_kd = c.num_key_value_heads * c.head_dim;
    m_inv_freq = ::rf::rope_inv_freq(c.head_dim, c.rope_theta, c.rope_scaling);
}

int Model::proj_in(Proj p) const {
    switch (p) {
        case Proj::o:
            return m_qd;
        case Proj::down:
            return m_cfg.intermediate_size;
        default:
            return m_cfg.hidden_size;
    }
}

int Model::proj_out(Proj p) const {
    switch (p) {
        case Proj::q:
            return m_qd;
        case Proj::k:
        case Proj::v:
            return m_kd;
        case Proj::gate:
        case Proj::up:
            return m_cfg.intermediate_size;
        default:
            return m_cfg.hidden_size;
    }
}

// Base buffer, in HF order: embed_tokens, then per block input_layernorm, q,k,v,o (weight, bias),
// q_norm, k_norm, post_attention_layernorm, gate, up, down; model.norm; lm_head when untied.
// A packed projection (packed[l * kNumProj + p]) has no weight in it; its bias stays.
void Model::build_layout(const std::vector<char>& packed) {
    const ModelConfig& c = m_cfg;
    const int64_t C = c.hidden_size, V = c.vocab_size, HS = c.head_dim;
    size_t off = 0;
    auto add = [&](const std::string& name, std::vector<int64_t> shape) {
        size_t n = 1;
        for (int64_t d : shape) n *= size_t(d);
        m_base_layout.push_back({name, std::move(shape), off, n});
        off += n;
        return m_base_layout.size() - 1;
    };
    m_base_layout.clear();
    m_qw.resize(size_t(c.num_hidden_layers) * kNumProj);
    auto is_packed = [&](int l, int p) { return !packed.empty() && packed[size_t(l) * kNumProj + p]; };
    struct BlockIdx {
        size_t ln1, ln2, qn = SIZE_MAX, kn = SIZE_MAX;
        std::array<size_t, kNumProj> w{}, b{};
    };
    size_t wte = add("model.embed_tokens.weight", {V, C});
    std::vector<BlockIdx> idx(c.num_hidden_layers);
    for (int l = 0; l < c.num_hidden_layers; ++l) {
        const std::string pre = "model.layers." + std::to_string(l) + ".";
        BlockIdx& bi = idx[l];
        bi.ln1 = add(pre + "input_layernorm.weight", {C});
        for (int p = 0; p < kNumProj; ++p) {
            if (p == int(Proj::gate)) {
                if (c.qk_norm) {
                    bi.qn = add(pre + "self_attn.q_norm.weight", {HS});
                    bi.kn = add(pre + "self_attn.k_norm.weight", {HS});
                }
                bi.ln2 = add(pre + "post_attention_layernorm.weight", {C});
            }
            bi.w[p] = is_packed(l, p) ? SIZE_MAX : add(pre + kProjNames[p] + ".weight", {proj_out(Proj(p)), proj_in(Proj(p))});
            bi.b[p] = has_bias(c, Proj(p)) ? add(pre + kProjNames[p] + ".bias", {proj_out(Proj(p))}) : SIZE_MAX;
        }
    }
    size_t norm = add("model.norm.weight", {C});
    size_t lm = c.tie_word_embeddings ? SIZE_MAX : add("lm_head.weight", {V, C});

    m_base.assign(off, 0.0f);
    m_base.shrink_to_fit();
    auto at = [&](size_t i) { return i == SIZE_MAX ? nullptr : m_base.data() + m_base_layout[i].offset; };
    m_wte = at(wte);
    m_norm_f = at(norm);
    m_lm_head = c.tie_word_embeddings ? m_wte : at(lm);
    m_blocks.resize(c.num_hidden_layers);
    for (int l = 0; l < c.num_hidden_layers; ++l) {
        BlockWeights& bw = m_blocks[l];
        bw.input_layernorm = at(idx[l].ln1);
        bw.post_attention_layernorm = at(idx[l].ln2);
        bw.q_norm = at(idx[l].qn);
        bw.k_norm = at(idx[l].kn);
        for (int p = 0; p < kNumProj; ++p) {
            bw.w[p] = at(idx[l].w[p]);
            bw.bias[p] = at(idx[l].b[p]);
            if (!is_packed(l, p)) m_qw[size_t(l) * kNumProj + p].reset();
            bw.q[p] = m_qw[size_t(l) * kNumProj + p].get();
            RF_CHECK(!is_packed(l, p) || bw.q[p], "build_layout: a packed projection has no matrix");
        }
    }
    m_adapters.resize(size_t(c.num_hidden_layers) * kNumProj);
    m_first_adapted = c.num_hidden_layers;
}

float* Model::grad_of(const float* base_ptr) {
    if (!base_ptr || m_base_grad.empty()) return nullptr;
    return m_base_grad.data() + (base_ptr - m_base.data());
}

std::unique_ptr<Model> Model::random_init(const ModelConfig& cfg, uint64_t seed) {
    std::unique_ptr<Model> m(new Model(cfg));
    m->build_layout();
    Rng rng(seed);
    const float a = 0.02f * std::sqrt(3.0f);
    for (const ParamView& v : m->m_base_layout) {
        float* p = m->m_base.data() + v.offset;
        const bool is_norm = v.shape.size() == 1 && v.name.find("norm") != std::string::npos;
        const bool is_bias = v.name.size() > 5 && v.name.compare(v.name.size() - 5, 5, ".bias") == 0;
        for (size_t i = 0; i < v.numel; ++i) p[i] = is_norm ? 1.0f : is_bias ? 0.0f : a * (2.0f * rng.uniform() - 1.0f);
    }
    return m;
}

std::unique_ptr<Model> Model::load(const std::string& dir, const ModelLoadOptions& opt) {
    ModelConfig cfg = ModelConfig::from_dir(dir);
    const QuantizationConfig qc = QuantizationConfig::from_dir(dir);
    std::unique_ptr<Model> m(new Model(cfg));
    WeightStore store = WeightStore::open_dir(dir);
    if (opt.quantize && !qc.present) validate_quant_spec(*opt.quantize, dir, "quantization");
    const int L = m->m_cfg.num_hidden_layers;
    // which projections are packed: the folder's own (kept), or quantized now (a float folder)
    std::vector<char> packed(size_t(L) * kNumProj, 0), quantize_now(packed.size(), 0);
    m->m_qw.resize(packed.size());
    for (int l = 0; l < L; ++l)
        for (int p = 0; p < kNumProj; ++p) {
            const std::string module = "model.layers." + std::to_string(l) + "." + kProjNames[p];
            const size_t i = size_t(l) * kNumProj + p;
            if (qc.present) {
                if (!opt.keep_packed || !is_quantized_module(store, module)) continue;
                auto q = std::make_unique<QuantizedMatrix>(load_quantized(store, qc, module));
                if (q->rows != m->proj_out(Proj(p)) || q->cols != m->proj_in(Proj(p)))
                    throw InputError(store.file_of(module + ".weight")->path(), 0, module + ".weight",
                                     "quantized matrix is [" + std::to_string(q->rows) + ", " + std::to_string(q->cols) +
                                         "] but config.json implies [" + std::to_string(m->proj_out(Proj(p))) + ", " +
                                         std::to_string(m->proj_in(Proj(p))) + "]",
                                     "the config.json does not belong to these weights");
                m->m_qw[i] = std::move(q);
                packed[i] = 1;
            } else if (opt.quantize && m->proj_in(Proj(p)) % opt.quantize->group_size == 0) {
                packed[i] = quantize_now[i] = 1;
                m->m_qw[i] = std::make_unique<QuantizedMatrix>();  // filled below
            }
        }
    m->build_layout(packed);
    for (const ParamView& v : m->m_base_layout) read_f32_dequantized(store, qc, v.name, m->m_base.data() + v.offset, v.shape);
    // A tied model may still ship lm_head.weight (some exports do); transformers ignores it then.
    std::vector<float> w;
    for (int l = 0; l < L; ++l)
        for (int p = 0; p < kNumProj; ++p) {
            const size_t i = size_t(l) * kNumProj + p;
            if (!quantize_now[i]) continue;
            const std::string name = "model.layers." + std::to_string(l) + "." + kProjNames[p] + ".weight";
            const int out = m->proj_out(Proj(p)), in = m->proj_in(Proj(p));
            w.resize(size_t(out) * in);
            store.read_f32(name, w.data(), {out, in});
            // scales rounded to the checkpoint's dtype, as MLX quantizes a model in its own dtype
            const DType d = store.find(name)->dtype;
            *m->m_qw[i] = quantize(w.data(), out, in, *opt.quantize, d == DType::BF16 || d == DType::F16 ? d : DType::F32);
        }
    return m;
}

const Adapter* Model::adapter(int l, Proj p) const {
    RF_CHECK(l >= 0 && l < m_cfg.num_hidden_layers, "adapter: layer out of range");
    return m_adapters[size_t(l) * kNumProj + int(p)].get();
}

void Model::refresh_adapters() {
    for (int l = 0; l < m_cfg.num_hidden_layers; ++l)
        for (int p = 0; p < kNumProj; ++p) {
            Adapter* ad = m_adapters[size_t(l) * kNumProj + p].get();
            if (!ad || !ad->dora()) continue;
            if (const QuantizedMatrix* q = m_blocks[l].q[p]) {
                qdora_row_norms(ad->norm.data(), *q, ad->w_sq.data(), m_train.data() + ad->a, m_train.data() + ad->b,
                                ad->scale, ad->rank, m_lora_work, &WorkerPool::global());
                continue;
            }
            dora_row_norms<float>(ad->norm.data(), m_blocks[l].w[p], ad->w_sq.data(), m_train.data() + ad->a,
                                  m_train.data() + ad->b, ad->scale, ad->out, ad->in, ad->rank, m_lora_work);
        }
}

void Model::project(int l, Proj p, const float* x, float* y, int M, bool use_adapters) const {
    const BlockWeights& bw = block(l);
    const Adapter* ad = use_adapters ? adapter(l, p) : nullptr;
    const int in = proj_in(p), out = proj_out(p);
    const float* base = m_train.data();
    if (const QuantizedMatrix* q = bw.q[int(p)]) {
        if (!ad) return qlora_forward(y, nullptr, nullptr, x, x, *q, bw.bias[int(p)], nullptr, nullptr, nullptr, nullptr,
                                      0.0f, M, 0, &WorkerPool::global());
        std::vector<float> u((size_t)M * ad->rank), z(ad->dora() ? (size_t)M * out : 0);
        return qlora_forward(y, u.data(), ad->dora() ? z.data() : nullptr, x, x, *q, bw.bias[int(p)], base + ad->a,
                             base + ad->b, ad->dora() ? base + ad->m : nullptr, ad->dora() ? ad->norm.data() : nullptr,
                             ad->scale, M, ad->rank, &WorkerPool::global());
    }
    if (!ad) return matmul_forward<float>(y, x, bw.w[int(p)], bw.bias[int(p)], M, out, in);
    std::vector<float> u((size_t)M * ad->rank), z(ad->dora() ? (size_t)M * out : 0);
    lora_forward<float>(y, u.data(), ad->dora() ? z.data() : nullptr, x, x, bw.w[int(p)], bw.bias[int(p)], base + ad->a,
                        base + ad->b, ad->dora() ? base + ad->m : nullptr, ad->dora() ? ad->norm.data() : nullptr,
                        ad->scale, M, in, out, ad->rank);
}

// W' = W + s (A B)^T;  DoRA: W' = (m / ||W + s (AB)^T||_row) * (W + s (AB)^T)   (mlx-lm fuse())
void Model::merged_weight(int l, Proj p, float* dst) const {
    const int in = proj_in(p), out = proj_out(p);
    if (const QuantizedMatrix* q = block(l).q[int(p)])
        dequantize(*q, dst);
    else
        std::memcpy(dst, block(l).w[int(p)], sizeof(float) * size_t(in) * out);
    const Adapter* ad = adapter(l, p);
    if (!ad) return;
    const float* A = m_train.data() + ad->a;  // (in,R)
    const float* B = m_train.data() + ad->b;  // (R,out)
    gemm<float>(true, true, out, in, ad->rank, ad->scale, B, out, A, ad->rank, 1.0f, dst, in);
    if (!ad->dora()) return;
    const float* mag = m_train.data() + ad->m;
    for (int j = 0; j < out; ++j) {
        float* row = dst + (long)j * in;
        double ss = 0;
        for (int i = 0; i < in; ++i) ss += double(row[i]) * row[i];
        const float r = float(mag[j] / std::sqrt(ss));
        for (int i = 0; i < in; ++i) row[i] *= r;
    }
}

// bf16 twins of the frozen base's linear weights and the lm-head (ops/gemm_bf16.h).
bool Model::set_bf16_compute(bool on) {
    m_twins.clear();
    for (auto& q : m_qw)
        if (q) q->bf16_products = false;
    if (!on || !bf16_gemm_available() || (m_has_ft && m_spec.type == FineTuneType::full)) return false;
    for (auto& q : m_qw)
        if (q) q->bf16_products = true;
    for (int l = 0; l < m_cfg.num_hidden_layers; ++l)
        for (int p = 0; p < kNumProj; ++p)
            if (const float* w = m_blocks[l].w[p]) m_twins.add(w, proj_out(Proj(p)), proj_in(Proj(p)));
    m_twins.add(m_lm_head, m_cfg.vocab_size, m_cfg.hidden_size);
    return true;
}

}  // namespace rf
