#include "export/gguf_export.h"

#include <cctype>
#include <cmath>
#include <filesystem>

#include "core/error.h"
#include "export/gguf_vocab.h"
#include "io/hf_cache.h"

namespace rf {

namespace fs = std::filesystem;

namespace {

// general.file_type (llama_ftype): ALL_F32 0, MOSTLY_F16 1, MOSTLY_Q8_0 7
uint32_t file_type(GgufQuant q) { return q == GgufQuant::f32 ? 0 : q == GgufQuant::f16 ? 1 : 7; }

const char* kProjGguf[kNumProj] = {"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"};

}  // namespace

const char* to_string(GgufQuant q) { return q == GgufQuant::f32 ? "f32" : q == GgufQuant::f16 ? "f16" : "q8_0"; }

GgufQuant gguf_quant_from_string(const std::string& s, const std::string& where) {
    if (s == "f32" || s == "F32") return GgufQuant::f32;
    if (s == "f16" || s == "F16") return GgufQuant::f16;
    if (s == "q8_0" || s == "Q8_0") return GgufQuant::q8_0;
    throw InputError({}, 0, where, "unknown GGUF type '" + s + "'", "use f16, q8_0 or f32");
}

std::vector<int32_t> llama_qk_row_perm(int n_head, int hd) {
    RF_CHECK(hd % 2 == 0, "head_dim must be even");
    std::vector<int32_t> perm(size_t(n_head) * hd);
    for (int h = 0; h < n_head; ++h)
        for (int j = 0; j < hd / 2; ++j)
            for (int i = 0; i < 2; ++i) perm[size_t(h) * hd + 2 * j + i] = h * hd + i * (hd / 2) + j;
    return perm;
}

std::vector<float> llama3_rope_factors(const Model& m) {
    const ModelConfig& c = m.config();
    const std::vector<float>& inv = m.rope_inv_freq();
    std::vector<float> f(inv.size());
    for (size_t i = 0; i < inv.size(); ++i) {
        const double base = 1.0 / std::pow(double(c.rope_theta), double(2 * i) / c.head_dim);
        f[i] = float(base / inv[i]);
    }
    return f;
}

GgufWriter build_gguf(Model& m, const std::string& tokenizer_dir, GgufQuant quant, const std::string& name,
                      std::vector<std::string>* notes) {
    const ModelConfig& c = m.config();
    if (m.is_quantized())  // packed projections are not in base_layout(): they would be left out
        throw InputError({}, 0, "model", "GGUF export needs float weights, and this model holds " +
                                             std::to_string(m.num_quantized()) + " block projections packed",
                         "load the model without keep_packed (Model::load(dir) dequantizes), or dequantize_base() first");
    if (c.model_type != "llama" && c.model_type != "qwen2" && c.model_type != "qwen3")
        throw InputError({}, 0, "model_type", "GGUF export supports llama, qwen2 and qwen3, not '" + c.model_type + "'");
    const std::string a = c.model_type;
    GgufWriter w;
    w.add_string("general.architecture", a);
    w.add_string("general.type", "model");
    w.add_string("general.name", name);
    w.add_u32("general.file_type", file_type(quant));
    w.add_u32("general.quantization_version", 2);
    w.add_u32(a + ".vocab_size", uint32_t(c.vocab_size));
    w.add_u32(a + ".context_length", uint32_t(c.max_position_embeddings));
    w.add_u32(a + ".embedding_length", uint32_t(c.hidden_size));
    w.add_u32(a + ".block_count", uint32_t(c.num_hidden_layers));
    w.add_u32(a + ".feed_forward_length", uint32_t(c.intermediate_size));
    w.add_u32(a + ".attention.head_count", uint32_t(c.num_attention_heads));
    w.add_u32(a + ".attention.head_count_kv", uint32_t(c.num_key_value_heads));
    w.add_u32(a + ".attention.key_length", uint32_t(c.head_dim));
    w.add_u32(a + ".attention.value_length", uint32_t(c.head_dim));
    w.add_f32(a + ".attention.layer_norm_rms_epsilon", c.rms_norm_eps);
    w.add_f32(a + ".rope.freq_base", c.rope_theta);
    w.add_u32(a + ".rope.dimension_count", uint32_t(c.head_dim));
    if (!tokenizer_dir.empty()) add_gguf_tokenizer(w, tokenizer_dir, c.model_type, c.vocab_size, notes);

    // Matrices in the requested type; 1-D tensors (norms, biases) in F32.
    auto matrix_type = [&](const std::string& gname, int64_t row) {
        if (quant == GgufQuant::f32) return GgmlType::f32;
        if (quant == GgufQuant::f16 || row % kQ8Block == 0) return quant == GgufQuant::f16 ? GgmlType::f16 : GgmlType::q8_0;
        if (notes) notes->push_back(gname + ": rows of " + std::to_string(row) + " are not a multiple of 32; written as F16");
        return GgmlType::f16;
    };
    auto add = [&](const std::string& gname, const float* data, std::vector<int64_t> shape,
                   std::vector<int32_t> perm = {}) {
        if (!data) return;
        GgufTensor t;
        t.name = gname;
        t.type = shape.size() >= 2 ? matrix_type(gname, shape.back()) : GgmlType::f32;
        t.shape = std::move(shape);
        t.data = data;
        t.row_perm = std::move(perm);
        w.add_tensor(std::move(t));
    };
    const int64_t C = c.hidden_size, V = c.vocab_size, HS = c.head_dim;
    add("token_embd.weight", m.embed_tokens(), {V, C});
    if (c.model_type == "llama" && c.rope_scaling.rope_type == "llama3") {
        GgufTensor t;
        t.name = "rope_freqs.weight";
        t.owned = llama3_rope_factors(m);
        t.shape = {int64_t(t.owned.size())};
        w.add_tensor(std::move(t));
    }
    const bool permute = c.model_type == "llama";
    const std::vector<int32_t> perm_q = permute ? llama_qk_row_perm(c.num_attention_heads, c.head_dim) : std::vector<int32_t>{};
    const std::vector<int32_t> perm_k = permute ? llama_qk_row_perm(c.num_key_value_heads, c.head_dim) : std::vector<int32_t>{};
    for (int l = 0; l < c.num_hidden_layers; ++l) {
        const BlockWeights& b = m.block(l);
        const std::string pre = "blk." + std::to_string(l) + ".";
        add(pre + "attn_norm.weight", b.input_layernorm, {C});
        for (int p = 0; p < kNumProj; ++p) {
            const std::vector<int32_t>& perm = p == int(Proj::q) ? perm_q : p == int(Proj::k) ? perm_k : std::vector<int32_t>{};
            add(pre + kProjGguf[p] + ".weight", b.w[p], {m.proj_out(Proj(p)), m.proj_in(Proj(p))}, perm);
            add(pre + kProjGguf[p] + ".bias", b.bias[p], {m.proj_out(Proj(p))}, perm);
        }
        add(pre + "attn_q_norm.weight", b.q_norm, {HS});
        add(pre + "attn_k_norm.weight", b.k_norm, {HS});
        add(pre + "ffn_norm.weight", b.post_attention_layernorm, {C});
    }
    add("output_norm.weight", m.final_norm(), {C});
    if (!c.tie_word_embeddings) add("output.weight", m.lm_head(), {V, C});
    return w;
}

GgufExportResult export_gguf(Model& m, const std::string& tokenizer_dir, GgufQuant quant, const std::string& name,
                             const std::string& out_path) {
    GgufExportResult r;
    GgufWriter w = build_gguf(m, tokenizer_dir, quant, name, &r.notes);
    std::error_code ec;
    const fs::path parent = fs::path(out_path).parent_path();
    if (!parent.empty()) fs::create_directories(parent, ec);
    if (ec) throw InputError(out_path, 0, {}, "cannot create the folder " + parent.string() + ": " + ec.message());
    w.write(out_path);
    r.path = out_path;
    r.bytes = fs::file_size(out_path, ec);
    r.tensors = w.tensors().size();
    return r;
}

std::string lm_studio_gguf_path(const std::string& name, GgufQuant quant) {
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos)
        throw InputError({}, 0, "lm_studio_name", "'" + name + "' is not a plain folder name",
                         "use a name like my-model (no slashes)");
    const std::vector<std::string> roots = lmstudio_model_dirs();
    std::string looked;
    for (const std::string& root : roots) {
        std::error_code ec;
        if (fs::is_directory(root, ec)) {
            std::string q = to_string(quant);
            for (char& ch : q) ch = char(std::toupper((unsigned char)ch));
            return root + "/reinforge/" + name + "/" + name + "-" + q + ".gguf";
        }
        looked += (looked.empty() ? "" : ", ") + root;
    }
    throw InputError(roots.empty() ? std::string() : roots.front(), 0, "lm_studio_name",
                     "LM Studio's models folder does not exist (looked in: " + looked + ")",
                     "install and start LM Studio once so it creates ~/.lmstudio/models, or export with --out PATH");
}

}  // namespace rf
