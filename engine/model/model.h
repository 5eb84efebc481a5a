// A decoder-only LM (Hugging Face llama | qwen2 | qwen3) with a hand-written forward and backward
// (llm.c style, see STYLE.md), and LoRA / DoRA / full fine-tuning as mlx-lm does them.
//
//   embed -> L x [ RMSNorm -> q,k,v (+bias) -> (qwen3: per-head q/k RMSNorm) -> RoPE -> causal GQA
//                  attention -> o_proj -> residual -> RMSNorm -> SwiGLU MLP -> residual ]
//         -> RMSNorm -> lm_head (tied: embed_tokens) -> log-softmax(logits / temperature)
//
// Memory: all float base weights live in ONE float32 buffer with named views (BF16/F16 files are
// converted at load). A quantized base (QLoRA) holds the seven block projections packed instead
// (rf::QuantizedMatrix, BlockWeights::q; those are then absent from the float buffer and from
// base_layout()); embeddings, lm-head, norms and biases stay float. Trainable parameters and their gradients each live in ONE buffer as well (the base buffer
// itself for full fine-tuning, a separate adapter buffer for LoRA/DoRA), so the optimizer, gradient
// clipping and a data-parallel all-reduce each see one span.
//
// Files: model.cpp (layout, load, random init, bf16 compute twins), model_quant.cpp (packed base: quantize / dequantize
// in place), quant_linear.cpp (a linear + adapter on a packed W), model_finetune.cpp (adapters,
// trainable layout), model_forward.cpp, model_backward.cpp; the op kernels are in engine/ops/.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/adapter_spec.h"
#include "model/model_config.h"
#include "ops/gemm_bf16.h"
#include "ops/lm_head.h"
#include "quant/quant_matrix.h"

namespace rf {

// tokens [B*T] right-padded; targets[b*T+t] = the token predicted at position t (tokens[b*T+t+1])
// or -1 where position t is not scored.
struct TokenBatch {
    int B = 0, T = 0;
    std::vector<int32_t> tokens;
    std::vector<int32_t> targets;
};

// One named tensor inside params()/grads() (or base_params()).
struct ParamView {
    std::string name;
    std::vector<int64_t> shape;
    size_t offset = 0;
    size_t numel = 0;
};

// The seven linear projections of a block, in this order everywhere.
enum class Proj { q, k, v, o, gate, up, down };
constexpr int kNumProj = 7;
const char* proj_module_name(Proj p);  // "self_attn.q_proj", ..., "mlp.down_proj"

// Views of one block's base weights in the base buffer (HF layouts: linear weights [out, in]).
// Pointers are nullptr where the architecture has no such tensor.
struct BlockWeights {
    float* input_layernorm = nullptr;           // (C)
    std::array<float*, kNumProj> w{};           // q (NH*HS,C) k,v (KVH*HS,C) o (C,NH*HS) gate,up (I,C) down (C,I)
    std::array<float*, kNumProj> bias{};        // q,k,v: qwen2 / attention_bias; o: attention_bias (not qwen2);
                                                // gate,up,down: mlp_bias
    std::array<const QuantizedMatrix*, kNumProj> q{};  // packed projections (w[p] is nullptr then)
    float* q_norm = nullptr;                    // (HS) qwen3
    float* k_norm = nullptr;                    // (HS) qwen3
    float* post_attention_layernorm = nullptr;  // (C)
};

// A LoRA / DoRA adapter on one projection. a (in,R), b (R,out), m (out) are offsets into params().
struct Adapter {
    int in = 0, out = 0, rank = 0;
    float scale = 0.0f, dropout = 0.0f;
    size_t a = 0, b = 0;
    size_t m = SIZE_MAX;       // DoRA only
    std::vector<double> w_sq;  // DoRA: ||W_j||^2 of the frozen base row j
    std::vector<float> norm;   // DoRA: detached ||W + s (AB)^T||_row, refreshed by refresh_adapters()
    bool dora() const { return m != SIZE_MAX; }
};

// How Model::load treats quantized weights (docs/quantization.md):
//  * a folder whose config.json has `quantization` (MLX, e.g. mlx-community *-4bit): its packed block
//    projections stay packed when keep_packed, else everything is dequantized to float32 (what fuse
//    and export need); `quantize` is ignored (the folder's own packing wins). Packed embed_tokens /
//    lm_head are always dequantized (they stay float in the Model).
//  * a float folder: with `quantize`, each block projection whose input size is a multiple of the
//    group size is quantized at load (as mlx-lm skips the others) and never held as float32.
struct ModelLoadOptions {
    bool keep_packed = false;
    std::optional<QuantSpec> quantize;
};

class Model {
public:
    // config.json via ModelConfig::from_dir, weights via WeightStore::open_dir (HF names; tied
    // embeddings; qwen2 biases). Throws InputError naming the folder/tensor on any mismatch.
    static std::unique_ptr<Model> load(const std::string& dir, const ModelLoadOptions& opt = {});
    // Weights ~ U(-a, a) with a = 0.02 * sqrt(3) (std 0.02, HF's initializer_range), norms 1, biases 0.
    static std::unique_ptr<Model> random_init(const ModelConfig& cfg, uint64_t seed);

    const ModelConfig& config() const { return m_cfg; }

    // ---- fine-tuning -----------------------------------------------------------------------------
    // Replaces any previous choice. LoRA/DoRA: A ~ U(+-1/sqrt(in)) from `seed`, B = 0, DoRA m = ||W||_row.
    // Full: every base tensor becomes trainable. Throws InputError for an invalid spec, and for full
    // fine-tuning of a quantized base.
    void set_finetune(const AdapterSpec& spec, uint64_t seed);
    const AdapterSpec& finetune() const { return m_spec; }
    bool has_finetune() const { return m_has_ft; }
    std::span<float> params();
    std::span<float> grads();
    void zero_grad();
    // LoRA/DoRA: mlx-lm adapter keys (model.layers.{i}.self_attn.q_proj.lora_a [in,R], .lora_b [R,out],
    // DoRA .m [out]); full: HF tensor names. Offsets index params()/grads().
    const std::vector<ParamView>& trainable_layout() const;

    // ---- compute ---------------------------------------------------------------------------------
    // Per position: logp[b*T+t] = log softmax(logits/temperature)[target], entropy[b*T+t] of that
    // distribution; both 0 where target is -1. use_adapters=false runs the frozen base (the reference
    // model for LoRA/DoRA). want_backward keeps what backward() needs and turns LoRA dropout on.
    void forward(const TokenBatch& batch, float temperature, bool use_adapters, float* logp, float* entropy,
                 bool want_backward);
    // dL/dlogp per position (and optionally dL/dentropy), for the last forward(want_backward=true);
    // ACCUMULATES into grads(). May be called more than once for the same forward.
    void backward(const float* dlogp, const float* dentropy = nullptr);
    // Full logits [B*T*V] at temperature 1 with adapters (tests and small use; V floats per position).
    void forward_logits(const TokenBatch& batch, float* logits);
    // Block-level gradient checkpointing: keep only each block's input; recompute it in backward().
    void set_grad_checkpoint(bool on) { m_grad_ckpt = on; }
    bool grad_checkpoint() const { return m_grad_ckpt; }
    // lm-head: scored rows per pass over the vocabulary, and floats of logits scratch (see lm_head.h).
    void set_lm_head_blocking(int rows, long budget) {
        m_lm_work.row_block = rows;
        m_lm_work.budget = budget;
    }
    // LoRA dropout masks are drawn from (this counter, block, projection); the counter advances once
    // per training forward. Save/restore it for an exact resume.
    uint64_t dropout_counter() const { return m_dropout_counter; }
    void set_dropout_counter(uint64_t c) { m_dropout_counter = c; }

    // ---- for the KV-cache decoder (engine/model/model_decode.cpp), fuse and export ---------------
    // Public and stable: block(l), embed_tokens(), final_norm(), lm_head(), rope_inv_freq(),
    // adapter(l, p), project() and merged_weight(). The ops (engine/ops/) all take raw pointers and
    // run on any number of rows, a single token included; attention for one query over a cache is
    // the decoder's own kernel.
    int num_layers() const { return m_cfg.num_hidden_layers; }
    const BlockWeights& block(int l) const { return m_blocks[l]; }
    const float* embed_tokens() const { return m_wte; }   // (V,C)
    const float* final_norm() const { return m_norm_f; }  // (C)
    const float* lm_head() const { return m_lm_head; }    // (V,C); == embed_tokens() when tied
    const std::vector<float>& rope_inv_freq() const { return m_inv_freq; }
    int proj_in(Proj p) const;
    int proj_out(Proj p) const;
    // The adapter on projection p of block l, or nullptr (none, or full fine-tuning).
    const Adapter* adapter(int l, Proj p) const;
    // y (M,out) = projection p of block l applied to x (M,in), with its adapter when use_adapters
    // (no dropout, nothing saved). DoRA uses the norms of the last refresh_adapters().
    void project(int l, Proj p, const float* x, float* y, int M, bool use_adapters) const;
    // The effective weight (out,in) of projection p: W, W + s (AB)^T, or DoRA's m * (W + s (AB)^T) / norm.
    void merged_weight(int l, Proj p, float* dst) const;
    // Recomputes the DoRA norms from the current params() (forward() does this itself).
    void refresh_adapters();
    // Every float base tensor, HF names, offsets into base_params(). Packed projections are not in
    // it: check is_quantized() and use merged_weight() (dequantizes) or dequantize_base().
    const std::vector<ParamView>& base_layout() const { return m_base_layout; }
    std::span<float> base_params() { return {m_base.data(), m_base.size()}; }

    // ---- compute precision (ops/gemm_bf16.h, docs/algorithms.md "Compute precision") -------------
    // On: every float block projection of the frozen base and the lm-head get bfloat16 twins, so the
    // products with them (forward, input-gradient backward, prefill, reference log-probs) run on the
    // CPU's bf16 units (packed projections: QuantizedMatrix::bf16_products, tiles of W dequantized to
    // bf16); adapters, gradients, norms, softmax and the loss stay float32. Refused (returns
    // false) when the base is trained (full fine-tuning) or bf16_gemm_available() is false. Turned
    // off by set_finetune(full) and by anything that changes the base layout; call again after.
    bool set_bf16_compute(bool on);
    bool bf16_compute() const { return !m_twins.empty(); }

    // ---- quantized base (model_quant.cpp) ---------------------------------------------------------
    // Packed projection p of block l, or nullptr when it is float.
    const QuantizedMatrix* quantized(int l, Proj p) const { return m_blocks[l].q[int(p)]; }
    int num_quantized() const;  // packed projections over all blocks
    bool is_quantized() const { return num_quantized() > 0; }
    // Quantizes in place every float block projection whose input size is a multiple of the group
    // size (scales rounded to scale_dtype, as MLX stores them in the model dtype), releasing its
    // float storage. Before set_finetune() only. Returns how many were packed.
    int quantize_base(const QuantSpec& spec, DType scale_dtype = DType::F32);
    // Turns every packed projection back into float32 (dequantized). Before set_finetune() only.
    void dequantize_base();
    // Bytes held by the base weights: the float buffer plus the packed matrices.
    size_t base_bytes() const;
    // The lm-head packed in affine 8-bit (group 64, or 32 where the width needs it; scales rounded to
    // bf16) whatever the base's bits: a 4-bit copy would move sampling log-probs by ~0.2, an 8-bit one
    // stays within the fast-sampling bound. Made on first use and kept (the lm-head of a quantized base
    // is frozen): what fast sampling reads (kv_cache.h sampling_decode_options); training keeps the
    // float lm-head. nullptr for a float base.
    static QuantSpec packed_lm_head_spec(int hidden_size);
    std::shared_ptr<const QuantizedMatrix> packed_lm_head() const;

private:
    explicit Model(const ModelConfig& cfg);  // validates cfg; build_layout() comes next
    // packed[l * kNumProj + p]: that projection lives in m_qw (not in the float buffer).
    void build_layout(const std::vector<char>& packed = {});
    // Rebuilds the float buffer for a new packed mask, keeping the values of the tensors in both.
    void relayout(const std::vector<char>& packed);
    float* grad_of(const float* base_ptr);  // full fine-tuning: the gradient of a base tensor

    // Saved per block for the backward (sizes set by prepare()).
    struct LayerActs {
        std::vector<float> h1, rstd1;                // input RMSNorm out (BT,C), (BT)
        std::vector<float> q_raw, q_rstd;            // qwen3: q before q_norm (BT,NH*HS), (BT*NH)
        std::vector<float> k_raw, k_rstd;            // qwen3: k before k_norm (BT,KVH*HS), (BT*KVH)
        std::vector<float> q, k, v;                  // after norm + RoPE (BT,NH*HS), (BT,KVH*HS) x2
        std::vector<float> lse;                      // attention log-sum-exp (B,NH,T)
        std::vector<float> att;                      // attention output (BT,NH*HS)
        std::vector<float> x_mid;                    // residual after attention (BT,C)
        std::vector<float> h2, rstd2;                // post-attention RMSNorm (BT,C), (BT)
        std::vector<float> gate, up, act;            // (BT,I) x3
        std::array<std::vector<float>, kNumProj> u;  // adapter: dropout(x) A (BT,R)
        std::array<std::vector<float>, kNumProj> z;  // DoRA: pre-magnitude output (BT,out)
    };
    // Buffers of one forward: the training one (kept for backward) and an evaluation one, so that
    // e.g. a reference-model forward between forward(want_backward) and backward() is allowed.
    struct Workspace {
        std::vector<LayerActs> acts;  // L slots when keeping every block, else 1
        std::vector<float> res;       // residual stream: (L+1, BT, C) when keeping, else 2 ping-pong slots
        bool keep_all = false;
        bool per_layer = false;                         // acts has one slot per block
        std::vector<float> hf, rstdf, lse_lm, entropy;  // final norm out (BT,C), (BT), lm-head lse, entropy
        std::vector<float> pw;  // E_p[lm_head] per position (BT,C), when the backward can use it
    };
    struct Pass {
        int B = 0, T = 0;
        bool adapters = false;  // LoRA/DoRA adapters applied
        bool train = false;     // kept for backward; dropout on
        bool pw = false;        // the lm-head forward saved E_p[W] (Workspace::pw)
        uint64_t dropout_seed = 0;
    };
    void prepare(Workspace& ws, const Pass& ps, bool keep_all);
    void size_acts(LayerActs& a, const Pass& ps);
    float* res(Workspace& ws, const Pass& ps, int l);  // residual entering block l (l == L: final)
    LayerActs& slot(Workspace& ws, int l) { return ws.per_layer ? ws.acts[l] : ws.acts[0]; }
    void block_forward(int l, const Pass& ps, LayerActs& a, const float* x_in, float* x_out);
    void block_backward(int l, const Pass& ps, LayerActs& a, const float* x_in, float* dres);
    void linear_forward(int l, Proj p, const Pass& ps, LayerActs& a, const float* x, float* y);
    void linear_backward(int l, Proj p, const Pass& ps, LayerActs& a, const float* dy, const float* x, float* dx);
    // the dropped input of projection p of block l in this pass (x itself without dropout); fills m_keep
    const float* dropout_input(int l, Proj p, const Pass& ps, const float* x);
    void validate(const TokenBatch& batch) const;
    bool adapters_on() const;

    ModelConfig m_cfg;
    int m_qd = 0, m_kd = 0;  // NH*HS, KVH*HS

    std::vector<float> m_base;  // every base weight (HF order, names in m_base_layout)
    std::vector<ParamView> m_base_layout;
    float* m_wte = nullptr;
    float* m_norm_f = nullptr;
    float* m_lm_head = nullptr;
    std::vector<BlockWeights> m_blocks;
    std::vector<std::unique_ptr<QuantizedMatrix>> m_qw;  // [l * kNumProj + p], packed projections
    mutable std::mutex m_lm_q_mu;                        // guards m_lm_q (decoders on several threads)
    mutable std::shared_ptr<const QuantizedMatrix> m_lm_q;  // packed_lm_head()
    std::vector<float> m_inv_freq;

    // fine-tuning
    AdapterSpec m_spec;
    bool m_has_ft = false;
    std::vector<float> m_train, m_train_grad;  // LoRA/DoRA adapter buffer and its gradient
    std::vector<float> m_base_grad;            // full fine-tuning
    std::vector<ParamView> m_train_layout;
    std::vector<std::unique_ptr<Adapter>> m_adapters;  // [l * kNumProj + p]
    int m_first_adapted = 0;                           // lowest block with an adapter (L when none)
    std::vector<float> m_lora_work;                    // scratch for the adapter ops

    // the last forward(want_backward = true)
    struct Saved {
        bool valid = false;
        Pass pass;
        float temperature = 1.0f;
        std::vector<int32_t> tokens, targets;
    } m_saved;
    bool m_grad_ckpt = false;
    uint64_t m_dropout_counter = 0;
    Workspace m_train_ws, m_eval_ws;
    std::vector<float> m_cos, m_sin;  // RoPE table (T, HS/2) for positions < m_rope_T
    int m_rope_T = 0;
    LmHeadWork<float> m_lm_work;
    // backward scratch
    std::vector<float> m_dres, m_dh, m_dhf, m_datt, m_dq, m_dq2, m_dk, m_dk2, m_dv, m_dgate, m_dup, m_dact;
    std::vector<float> m_keep, m_xd;  // dropout scale and dropped input (BT, max in)
    Bf16Twins m_twins;                // bf16 twins of the frozen base (set_bf16_compute)
};

}  // namespace rf
