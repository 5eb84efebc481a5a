// An MLX-format quantized folder from a fused float model (see fuse.h save_mlx_quantized_folder):
// the projections a run trained against packed are re-quantized with their own specs, as mlx-lm's
// fuse does without --dequantize (reference: ml-explore/mlx-lm mlx_lm/fuse.py, utils.py
// save_model / quantize_model; the tensor layout of quant/mlx_weights.h).
#include <deque>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "export/fuse.h"
#include "export/hf_export.h"
#include "quant/mlx_weights.h"
#include "quant/quant_matrix.h"

namespace rf {

namespace fs = std::filesystem;

namespace {

nlohmann::ordered_json spec_json(const QuantSpec& s) {
    nlohmann::ordered_json j;
    j["group_size"] = s.group_size;
    j["bits"] = s.bits;
    j["mode"] = to_string(s.mode);
    return j;
}

}  // namespace

std::vector<std::string> save_mlx_quantized_folder(Model& m, const std::vector<std::optional<QuantSpec>>& packed,
                                                   const std::string& source_dir, const std::string& out_dir, DType dtype) {
    RF_CHECK(dtype == DType::F32 || dtype == DType::BF16 || dtype == DType::F16, "save_mlx_quantized_folder: F32, BF16 or F16");
    RF_CHECK(packed.size() == size_t(m.num_layers()) * kNumProj, "save_mlx_quantized_folder: one entry per projection");
    if (m.is_quantized())
        throw InputError(out_dir, 0, {}, "save_mlx_quantized_folder re-quantizes float weights; this model is packed",
                         "dequantize_base() first");
    std::error_code ec;
    if (!source_dir.empty() && fs::exists(out_dir, ec) && fs::equivalent(source_dir, out_dir, ec))
        throw InputError(out_dir, 0, {}, "refusing to write into the base model's own folder", "choose another output folder");
    if (fs::exists(out_dir + "/model.safetensors.index.json", ec))
        throw InputError(out_dir, 0, {}, "the folder already holds a sharded model (model.safetensors.index.json)",
                         "choose an empty output folder");
    fs::create_directories(out_dir, ec);
    if (ec) throw InputError(out_dir, 0, {}, "cannot create the output folder: " + ec.message(), "check the path and permissions");

    // The most common spec is the block's default; the others are per-module entries.
    std::map<std::string, int> count;
    std::optional<QuantSpec> defaults;
    int best = 0;
    for (const auto& s : packed)
        if (s && ++count[describe(*s)] > best) best = count[describe(*s)], defaults = s;
    RF_CHECK(defaults.has_value(), "save_mlx_quantized_folder: nothing to quantize");
    nlohmann::ordered_json qblock = spec_json(*defaults);
    std::map<std::string, QuantSpec> module_spec;  // "model.layers.3.mlp.down_proj" -> spec
    for (int l = 0; l < m.num_layers(); ++l)
        for (int p = 0; p < kNumProj; ++p)
            if (const auto& s = packed[size_t(l) * kNumProj + p]) {
                const std::string mod = "model.layers." + std::to_string(l) + "." + proj_module_name(Proj(p));
                module_spec[mod] = *s;
                if (!(*s == *defaults)) qblock[mod] = spec_json(*s);
            }

    nlohmann::ordered_json cfg = output_config_json(m, source_dir, dtype);
    cfg["quantization"] = qblock;  // replaces a source MLX folder's block: only what is packed here
    cfg["quantization_config"] = qblock;
    std::vector<std::string> written;
    write_file_atomic(out_dir + "/config.json", cfg.dump(2) + "\n");
    written.push_back("config.json");

    // Tensors in base_layout order; a packed projection's ".weight" becomes .weight/.scales(/.biases).
    std::deque<QuantizedMatrix> held;  // stable addresses until the write
    std::vector<TensorToWrite> ts;
    const float* base = m.base_params().data();
    const std::string suffix = ".weight";
    for (const ParamView& v : m.base_layout()) {
        const std::string mod = v.name.size() > suffix.size() ? v.name.substr(0, v.name.size() - suffix.size()) : "";
        auto it = module_spec.find(mod);
        if (it == module_spec.end() || v.name.compare(mod.size(), suffix.size(), suffix) != 0 || v.shape.size() != 2) {
            ts.push_back({v.name, v.shape, base + v.offset, dtype});
            continue;
        }
        held.push_back(quantize(base + v.offset, int(v.shape[0]), int(v.shape[1]), it->second, dtype));
        for (TensorToWrite& t : mlx_tensors(held.back(), mod, dtype)) ts.push_back(t);
    }
    write_safetensors(out_dir + "/model.safetensors", ts, {{"format", "mlx"}});
    written.push_back("model.safetensors");
    if (!source_dir.empty())
        for (const std::string& f : copy_tokenizer_files(source_dir, out_dir)) written.push_back(f);
    return written;
}

}  // namespace rf
