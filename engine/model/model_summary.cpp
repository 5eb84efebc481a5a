#include "model/model_summary.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "io/hf_cache.h"
#include "io/safetensors.h"

namespace rf {

static bool ends_with(const std::string& s, const std::string& suf) {
    return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
}

ModelSummary summarize_model(const std::string& id_or_path) {
    ModelSummary s;
    s.dir = resolve_model_dir(id_or_path);
    s.config = ModelConfig::from_dir(s.dir);
    const std::string cfg_path = (std::filesystem::path(s.dir) / "config.json").string();
    const std::string cfg_text = read_file(cfg_path);
    s.quantization = QuantizationConfig::from_config_json(cfg_text, cfg_path);
    nlohmann::json j = nlohmann::json::parse(cfg_text, nullptr, false);
    if (j.is_object() && j.contains("architectures") && j["architectures"].is_array() && !j["architectures"].empty() && j["architectures"][0].is_string())
        s.architecture = j["architectures"][0].get<std::string>();

    WeightStore ws = WeightStore::open_dir(s.dir);
    for (const auto& f : ws.files()) s.file_bytes += int64_t(f->size_bytes());
    s.files = int(ws.files().size());
    for (const std::string& name : ws.names()) {
        const TensorInfo* t = ws.find(name);
        ++s.tensors;
        s.dtype_tensors[dtype_name(t->dtype)] += 1;
        s.dtype_bytes[dtype_name(t->dtype)] += int64_t(t->nbytes);
        // Packed matrix P.weight (U32) with P.scales: count its logical elements; P.scales and
        // P.biases are quantization data, not parameters.
        if (ends_with(name, ".scales") || ends_with(name, ".biases")) {
            std::string base = name.substr(0, name.size() - 7);
            const TensorInfo* w = ws.find(base + ".weight");
            if (w && w->dtype == DType::U32) continue;
        }
        if (ends_with(name, ".weight") && t->dtype == DType::U32 && !t->shape.empty()) {
            std::string base = name.substr(0, name.size() - 7);
            if (ws.find(base + ".scales")) {
                int bits = s.quantization.spec_for(base).value_or(QuantSpec{}).bits;
                ++s.quantized_tensors;
                s.parameters += t->numel() / t->shape.back() * (t->shape.back() * 32 / bits);
                continue;
            }
        }
        s.parameters += t->numel();
    }
    return s;
}

}  // namespace rf
