// KV-cached decoding of a Model (engine/model/model_decode.cpp), the StepModel the group sampler
// (engine/sampling/generate.h) drives.
//
// Cache layout: segments of cached tokens, one per prompt ("prefix") and one per sequence (its
// completion so far). A segment holds, per layer l and kv head h, K and V as [cap][HS] rows (K after
// k_norm and RoPE, as attention consumes it). A sequence attends to its prefix segment and then its
// own: the prompt is prefilled once per group and its cache is shared by the G sequences, never
// copied. Memory per cached token: L * 2 * KVH * HS floats (Qwen3-0.6B: 229 KB).
//
// Prefill runs all prompts in one batched pass (rows of every prompt concatenated; the GEMMs see
// M = total prompt tokens; attention is causal within each prompt). Decode runs the M active
// sequences in one pass over the weights (engine/ops/decode_matmul.h), each at its own position.
//
// Weights: the model's float32 weights (no copy), or bfloat16 decode copies (DecodeOptions::
// bf16_weights; half the bytes read per token); packed projections of a quantized base are always
// read packed (quant_matmul), whatever bf16_weights says. LoRA/DoRA adapters are applied on the fly from the
// model's live params() (never merged), so an optimizer step needs no refresh; full fine-tuning with
// bf16 copies needs refresh_weights() after the weights change.
#pragma once
#include <initializer_list>
#include <memory>
#include <optional>
#include <vector>

#include "model/model.h"
#include "ops/decode_matmul.h"
#include "sampling/generate.h"

namespace rf {

class WorkerPool;

struct DecodeOptions {
    bool bf16_weights = false;  // decode copies of the 7 projections and the lm-head in bfloat16
                                // (a model with bf16 compute on decodes from its own twins anyway)
    bool use_adapters = true;   // false: the frozen base (the reference model of LoRA/DoRA)
    // A packed decode copy of the lm-head (takes precedence over its bf16 copy): what an MLX 4-bit
    // checkpoint with quantized embeddings computes. Sampling then reads the lm-head at that
    // precision; training log-probs (Model::forward) keep the float one.
    std::optional<QuantSpec> lm_head_quant;
    // Packed projections (and the packed lm-head copy) at decode batch <= 16 take x quantized to int8
    // per 32 columns and VNNI int8 dot products (quant_matmul_int8): ~2x faster, ~4e-3 relative error
    // per projection; off, decode equals Model::forward to float rounding.
    bool int8_activations = false;
};

// What sampling, `generate` and the local judge decode with (docs/algorithms.md "Fast sampling"):
// a quantized base reads its lm-head packed in 8 bits (Model::packed_lm_head, made once and kept)
// and takes int8 activations in its packed products, both within the stated error of decode log-probs
// against Model::forward (tests/engine/test_quant_model.cpp, FastSampling…); a float base decodes exactly. `exact`
// (the loss reads the sampling log-probs, i.e. num_iterations > 1; `generate --exact`) turns both off.
DecodeOptions sampling_decode_options(const Model& m, bool use_adapters, bool exact);

// Tokens of one segment: K and V for every layer and kv head.
struct KvSegment {
    int cap = 0, len = 0;
    std::unique_ptr<float[]> data;  // [L][2][KVH][cap][HS], uninitialised until written
    size_t size = 0;
    // Sets len = 0; reallocates only when the rows do not fit (the stride `cap` may stay larger).
    void allocate(int L, int KVH, int HS, int capacity);
    float* k(int l, int h, int KVH, int HS) { return data.get() + ((size_t(l) * 2 * KVH + h) * cap) * HS; }
    float* v(int l, int h, int KVH, int HS) { return data.get() + ((size_t(l) * 2 * KVH + KVH + h) * cap) * HS; }
};

class ModelDecoder final : public StepModel {
public:
    ModelDecoder(Model& model, DecodeOptions opt = {});
    ~ModelDecoder() override;

    int vocab_size() const override;
    void prefill(const std::vector<std::vector<int>>& prompts, int max_new_tokens,
                 std::vector<float>& last_logits) override;
    void fork(const std::vector<int>& prompt_of) override;
    void decode(const std::vector<int>& seqs, const std::vector<int>& tokens, std::vector<float>& logits) override;

    // Rebuilds the bf16 copies from the model's current weights (after a full fine-tuning step) and
    // the DoRA row norms (after an adapter update; also done by every prefill).
    void refresh_weights();
    const DecodeOptions& options() const { return m_opt; }
    // Bytes of weights one decode pass reads (7 projections x L + lm-head), for bandwidth figures.
    size_t weight_bytes_per_pass() const;
    // Position (tokens before it) the next token of sequence s gets.
    int position(int s) const;

private:
    struct Scratch;
    void project(int l, Proj p, const float* x, float* y, int M);
    // Projections of the same x (q/k/v, gate/up): when all are packed, their base products run in
    // one pass over the worker pool (quant_matmul_same_x); else one project() each.
    void project_same_x(int l, std::initializer_list<std::pair<Proj, float*>> outs, const float* x, int M);
    void adapter_and_bias(int l, Proj p, const float* x, float* y, int M);
    DecodeWeight weight(int l, Proj p) const;
    void block_decode(int l, const std::vector<int>& seqs, float* x, int M);
    void block_prefill(int l, const std::vector<std::vector<int>>& prompts, const std::vector<int>& offsets, float* x,
                       int N);
    void ensure_rope(int T);
    void lm_head_logits(float* logits, const float* hf, int M);
    // y (M, w.N) = x w^T (+ bias) on float/bf16 weights (decode_matmul, or decode_matmul_bf16_compute
    // when w is the model's own bf16 twin)
    void product(float* y, const float* x, const DecodeWeight& w, const float* bias, int M);

    Model& m_model;
    DecodeOptions m_opt;
    WorkerPool& m_pool;
    std::vector<Bf16Matrix> m_bf16;  // [l * kNumProj + p], then the lm-head
    // The model's own bf16 twins (Model::set_bf16_compute) when it has them and bf16_weights is off:
    // sampling then reads the weights at the precision training computes with, with no extra copy.
    std::vector<const uint16_t*> m_twin;  // [l * kNumProj + p], then the lm-head; nullptr: float32
    std::shared_ptr<const QuantizedMatrix> m_lm_q;  // DecodeOptions::lm_head_quant (the model's when the spec is its base's)
    std::vector<KvSegment> m_prefix;
    std::vector<KvSegment> m_seq;
    std::vector<int> m_prefix_of;
    int m_max_new = 0;
    std::vector<float> m_cos, m_sin;
    int m_rope_T = 0;
    std::unique_ptr<Scratch> m_s;
};

}  // namespace rf
