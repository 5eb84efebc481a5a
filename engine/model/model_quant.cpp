// A quantized frozen base (QLoRA): packing the block projections of a float model in place, turning
// them back into float32, and what they cost in memory. Loading an MLX folder or quantizing at load
// is Model::load (model.cpp); the compute on packed weights is quant_linear.cpp.
#include <cstring>
#include <map>

#include "core/error.h"
#include "model/model.h"

namespace rf {

int Model::num_quantized() const {
    int n = 0;
    for (const auto& q : m_qw) n += q != nullptr;
    return n;
}

size_t Model::base_bytes() const {
    size_t n = m_base.size() * sizeof(float);
    for (const auto& q : m_qw)
        if (q) n += q->bytes();
    return n;
}

void Model::relayout(const std::vector<char>& packed) {
    m_twins.clear();  // the float buffer moves
    std::vector<float> old = std::move(m_base);
    std::map<std::string, ParamView> old_views;
    for (const ParamView& v : m_base_layout) old_views[v.name] = v;
    build_layout(packed);
    for (const ParamView& v : m_base_layout) {
        auto it = old_views.find(v.name);
        if (it != old_views.end())
            std::memcpy(m_base.data() + v.offset, old.data() + it->second.offset, sizeof(float) * v.numel);
    }
}

QuantSpec Model::packed_lm_head_spec(int hidden_size) {
    return QuantSpec{8, hidden_size % 64 == 0 ? 64 : 32, QuantMode::affine};
}

std::shared_ptr<const QuantizedMatrix> Model::packed_lm_head() const {
    const QuantSpec spec = packed_lm_head_spec(m_cfg.hidden_size);
    if (!is_quantized() || m_cfg.hidden_size % spec.group_size != 0) return nullptr;
    std::lock_guard<std::mutex> lock(m_lm_q_mu);
    if (!m_lm_q)
        m_lm_q = std::make_shared<const QuantizedMatrix>(quantize(m_lm_head, m_cfg.vocab_size, m_cfg.hidden_size, spec, DType::BF16));
    return m_lm_q;
}

int Model::quantize_base(const QuantSpec& spec, DType scale_dtype) {
    if (m_has_ft) throw InputError({}, 0, "quantization", "the base must be quantized before adapters are added",
                                   "call quantize_base() before set_finetune()");
    validate_quant_spec(spec, {}, "quantization");
    const int L = m_cfg.num_hidden_layers;
    std::vector<char> packed(size_t(L) * kNumProj, 0);
    int added = 0;
    for (int l = 0; l < L; ++l)
        for (int p = 0; p < kNumProj; ++p) {
            const size_t i = size_t(l) * kNumProj + p;
            packed[i] = m_qw[i] != nullptr;
            if (packed[i] || proj_in(Proj(p)) % spec.group_size != 0) continue;
            m_qw[i] = std::make_unique<QuantizedMatrix>(
                quantize(m_blocks[l].w[p], proj_out(Proj(p)), proj_in(Proj(p)), spec, scale_dtype));
            packed[i] = 1;
            ++added;
        }
    relayout(packed);
    std::lock_guard<std::mutex> lock(m_lm_q_mu);
    m_lm_q.reset();  // the float buffer moved
    return added;
}

void Model::dequantize_base() {
    if (m_has_ft) throw InputError({}, 0, "quantization", "the base must be dequantized before adapters are added",
                                   "call dequantize_base() before set_finetune()");
    if (!is_quantized()) return;
    // keep the packed matrices alive until their rows are copied into the new float buffer
    std::vector<std::unique_ptr<QuantizedMatrix>> packed_now(m_qw.size());
    for (size_t i = 0; i < m_qw.size(); ++i) packed_now[i] = std::move(m_qw[i]);
    relayout({});
    {
        std::lock_guard<std::mutex> lock(m_lm_q_mu);
        m_lm_q.reset();
    }
    for (int l = 0; l < m_cfg.num_hidden_layers; ++l)
        for (int p = 0; p < kNumProj; ++p)
            if (const auto& q = packed_now[size_t(l) * kNumProj + p]) dequantize(*q, m_blocks[l].w[p]);
}

}  // namespace rf
