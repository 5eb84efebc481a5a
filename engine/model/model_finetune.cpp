// What is trained: LoRA / DoRA adapters in their own buffer (mlx-lm names and shapes), or every
// base tensor (full fine-tuning, HF names).
#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/rng.h"
#include "model/model.h"
#include "model/quant_linear.h"

namespace rf {

namespace {

std::string known_keys() {
    std::string s;
    for (int p = 0; p < kNumProj; ++p) s += std::string(p ? ", " : "") + proj_module_name(Proj(p));
    return s;
}

}  // namespace

// mlx-lm's LoRALinear/DoRALinear init (mlx_lm/tuner/lora.py, dora.py):
//   lora_a (in,R) ~ U(-1/sqrt(in), 1/sqrt(in)),  lora_b (R,out) = 0,  DoRA m (out) = ||W_j||
// applied to the listed modules of the last num_layers blocks (mlx_lm.tuner.utils.linear_to_lora_layers).
void Model::set_finetune(const AdapterSpec& spec, uint64_t seed) {
    const int L = m_cfg.num_hidden_layers;
    if (spec.type == FineTuneType::full) m_twins.clear();  // a trained base has no frozen twin
    if (spec.type != FineTuneType::full) {
        if (spec.rank < 1) throw InputError({}, 0, "lora_parameters.rank", "rank must be >= 1", "e.g. rank: 8");
        if (!std::isfinite(spec.scale))
            throw InputError({}, 0, "lora_parameters.scale", "scale must be a finite number", "e.g. scale: 20.0");
        if (!(spec.dropout >= 0.0f && spec.dropout < 1.0f))
            throw InputError({}, 0, "lora_parameters.dropout", "dropout must be in [0, 1)", "e.g. dropout: 0.0");
    }
    if (spec.type == FineTuneType::full && is_quantized())
        throw InputError({}, 0, "train_type",
                         "full fine-tuning needs a float base, but " + std::to_string(num_quantized()) +
                             " block projections of this model are quantized (packed)",
                         "use train_type: lora or dora (QLoRA), or quantization: none with a float checkpoint");
    if (spec.num_layers == 0 || spec.num_layers < -1)
        throw InputError({}, 0, "num_layers", "num_layers must be -1 (all blocks) or >= 1",
                         "the model has " + std::to_string(L) + " blocks");
    std::vector<int> procs;
    for (const std::string& k : spec.keys) {
        int found = -1;
        for (int p = 0; p < kNumProj; ++p)
            if (k == proj_module_name(Proj(p))) found = p;
        if (found < 0)
            throw InputError({}, 0, "lora_parameters.keys", "unknown module '" + k + "'", "known: " + known_keys());
        procs.push_back(found);
    }
    if (procs.empty())
        for (int p = 0; p < kNumProj; ++p) procs.push_back(p);
    std::sort(procs.begin(), procs.end());
    procs.erase(std::unique(procs.begin(), procs.end()), procs.end());

    m_spec = spec;
    m_spec.keys.clear();
    for (int p : procs) m_spec.keys.push_back(proj_module_name(Proj(p)));
    m_has_ft = true;
    m_saved.valid = false;
    for (auto& a : m_adapters) a.reset();
    m_train.clear();
    m_train_grad.clear();
    m_train_layout.clear();
    m_base_grad.clear();
    m_base_grad.shrink_to_fit();

    if (spec.type == FineTuneType::full) {
        m_base_grad.assign(m_base.size(), 0.0f);
        m_train_layout = m_base_layout;
        m_first_adapted = 0;
        return;
    }

    const bool dora = spec.type == FineTuneType::dora;
    const int first = spec.num_layers < 0 ? 0 : std::max(0, L - spec.num_layers);
    m_first_adapted = first;
    size_t off = 0;
    for (int l = first; l < L; ++l)
        for (int p : procs) {
            auto ad = std::make_unique<Adapter>();
            ad->in = proj_in(Proj(p));
            ad->out = proj_out(Proj(p));
            ad->rank = spec.rank;
            ad->scale = spec.scale;
            ad->dropout = spec.dropout;
            const std::string pre = "model.layers." + std::to_string(l) + "." + proj_module_name(Proj(p)) + ".";
            ad->a = off;
            m_train_layout.push_back({pre + "lora_a", {ad->in, spec.rank}, off, size_t(ad->in) * spec.rank});
            off += m_train_layout.back().numel;
            ad->b = off;
            m_train_layout.push_back({pre + "lora_b", {spec.rank, ad->out}, off, size_t(spec.rank) * ad->out});
            off += m_train_layout.back().numel;
            if (dora) {
                ad->m = off;
                m_train_layout.push_back({pre + "m", {ad->out}, off, size_t(ad->out)});
                off += ad->out;
            }
            m_adapters[size_t(l) * kNumProj + p] = std::move(ad);
        }
    m_train.assign(off, 0.0f);
    m_train_grad.assign(off, 0.0f);

    Rng rng(seed);
    for (int l = first; l < L; ++l)
        for (int p : procs) {
            Adapter& ad = *m_adapters[size_t(l) * kNumProj + p];
            const float bound = 1.0f / std::sqrt(float(ad.in));
            float* A = m_train.data() + ad.a;
            for (size_t i = 0; i < size_t(ad.in) * ad.rank; ++i) A[i] = bound * (2.0f * rng.uniform() - 1.0f);
            if (!dora) continue;
            ad.norm.assign(ad.out, 0.0f);
            if (const QuantizedMatrix* q = m_blocks[l].q[p]) {  // ||W_j|| of the dequantized rows
                ad.w_sq = quant_row_sq_norms(*q);
                for (int j = 0; j < ad.out; ++j) m_train[ad.m + j] = float(std::sqrt(ad.w_sq[size_t(j)]));
                continue;
            }
            const float* W = m_blocks[l].w[p];
            ad.w_sq.assign(ad.out, 0.0);
            for (int j = 0; j < ad.out; ++j) {
                double ss = 0;
                for (int i = 0; i < ad.in; ++i) ss += double(W[(long)j * ad.in + i]) * W[(long)j * ad.in + i];
                ad.w_sq[j] = ss;
                m_train[ad.m + j] = float(std::sqrt(ss));
            }
        }
    refresh_adapters();
}

std::span<float> Model::params() {
    if (!m_has_ft) return {};
    if (m_spec.type == FineTuneType::full) return {m_base.data(), m_base.size()};
    return {m_train.data(), m_train.size()};
}

std::span<float> Model::grads() {
    if (!m_has_ft) return {};
    if (m_spec.type == FineTuneType::full) return {m_base_grad.data(), m_base_grad.size()};
    return {m_train_grad.data(), m_train_grad.size()};
}

void Model::zero_grad() {
    std::span<float> g = grads();
    std::fill(g.begin(), g.end(), 0.0f);
}

const std::vector<ParamView>& Model::trainable_layout() const {
    return m_train_layout;
}

bool Model::adapters_on() const {
    return m_has_ft && m_spec.type != FineTuneType::full && !m_train.empty();
}

}  // namespace rf
