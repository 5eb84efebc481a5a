#include "export/fuse.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "config/run_config.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "export/hf_export.h"
#include "io/hf_cache.h"
#include "model/adapter_io.h"

namespace rf {

namespace fs = std::filesystem;

namespace {

bool is_file(const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec);
}

// A string key of config.yaml ("" when absent or not a scalar).
std::string yaml_string(const YAML::Node& root, const char* key, const std::string& file) {
    try {
        YAML::Node n = root[key];
        if (!n || n.IsNull()) return {};
        if (!n.IsScalar())
            throw InputError(file, int(n.Mark().line) + 1, key, std::string("'") + key + "' must be a string", "");
        return n.as<std::string>();
    } catch (const YAML::Exception& e) {
        throw InputError(file, int(e.mark.line) + 1, key, e.msg, "");
    }
}

// A folder named in a run's config.yaml: absolute as is; relative to the run folder (config.yaml
// paths are relative to the file), else to the working directory, else to the run's two parents
// (runs/<name>/ under the folder training started in); else an HF id or a bundled resource
// (resolve_model_dir, which names every place it looked).
std::string resolve_in_run(const std::string& value, const fs::path& run_dir) {
    std::error_code ec;
    auto model_at = [&](const fs::path& p) { return fs::is_directory(p, ec) && is_file(p / "config.json"); };
    if (fs::path(value).is_relative()) {
        std::vector<fs::path> cands;
        if (!run_dir.empty()) cands.push_back(run_dir / value);
        cands.push_back(fs::absolute(value, ec));
        if (!run_dir.empty())
            for (fs::path at = run_dir.parent_path(); cands.size() < 5 && !at.empty(); at = at.parent_path())
                cands.push_back(at / value);
        for (const fs::path& c : cands)
            if (model_at(c)) return c.lexically_normal().string();
    }
    return resolve_model_dir(value);
}

// The load options a Session uses for this run's base (train/session_resources.cpp
// load_options): `quantization` packs a float checkpoint at load; an MLX folder keeps its packing.
ModelLoadOptions run_load_options(const RunConfig& c) {
    ModelLoadOptions lo;
    lo.keep_packed = true;
    switch (c.quantization) {
        case Quantization::none: break;
        case Quantization::q4: lo.quantize = QuantSpec{4, c.quantization_group_size, QuantMode::affine}; break;
        case Quantization::q6: lo.quantize = QuantSpec{6, c.quantization_group_size, QuantMode::affine}; break;
        case Quantization::q8: lo.quantize = QuantSpec{8, c.quantization_group_size, QuantMode::affine}; break;
        case Quantization::mxfp4: lo.quantize = QuantSpec{4, 32, QuantMode::mxfp4}; break;
    }
    return lo;
}

// A run's best.json (written by keep_best, train/session.cpp) and its best_adapters.safetensors
// beside the latest adapters: the file to load, and what best.json says about it.
std::string best_adapters_file(const fs::path& run_dir, const fs::path& adapter_dir, std::string& note) {
    const fs::path best_json = run_dir / "best.json";
    if (!is_file(best_json))
        throw InputError(best_json.string(), 0, "--adapters",
                         "the run kept no best adapters: best.json is missing",
                         "train with keep_best (a validation metric such as val_rewards) and steps_per_eval > 0, or "
                         "use --adapters latest");
    const fs::path file = adapter_dir / "best_adapters.safetensors";
    if (!is_file(file))
        throw InputError(file.string(), 0, "--adapters", "best.json is there but the best weights file is missing",
                         "use --adapters latest");
    nlohmann::json j = nlohmann::json::parse(read_file(best_json.string()), nullptr, false);
    if (!j.is_object() || !j.contains("metric") || !j["metric"].is_string() || !j.contains("value") ||
        !j["value"].is_number() || !j.contains("step") || !j["step"].is_number_integer())
        throw InputError(best_json.string(), 0, "--adapters", "damaged best.json (expected metric, value and step)",
                         "use --adapters latest");
    char value[32];
    std::snprintf(value, sizeof value, "%.6g", j["value"].get<double>());
    note = j["metric"].get<std::string>() + " " + value + " at step " + std::to_string(j["step"].get<int>());
    return file.string();
}

}  // namespace

AdapterChoice adapter_choice_from_string(const std::string& s, const std::string& flag) {
    if (s.empty() || s == "latest") return AdapterChoice::latest;
    if (s == "best") return AdapterChoice::best;
    throw InputError({}, 0, flag, "expected latest or best, got '" + s + "'",
                     "best: the weights keep_best kept (best_adapters.safetensors); latest: adapters.safetensors");
}

ExportSource open_export_source(const std::string& path, const std::string& checkpoint, AdapterChoice adapters) {
    if (adapters == AdapterChoice::best && !checkpoint.empty())
        throw InputError({}, 0, "--adapters", "--adapters best and --checkpoint name different weights",
                         "pass one of them");
    std::error_code ec;
    if (!fs::is_directory(path, ec))
        throw InputError(path, 0, {}, "no such folder", "pass a run folder (with config.yaml and adapters/) or a model folder");
    const fs::path dir = fs::absolute(path, ec).lexically_normal();
    ExportSource src;

    // Which kind of folder is this?
    fs::path adapter_dir, run_dir;
    if (is_file(dir / "adapter_config.json")) {
        adapter_dir = dir;
        if (is_file(dir.parent_path() / "config.yaml")) run_dir = dir.parent_path();
    } else if (is_file(dir / "config.yaml")) {
        run_dir = dir;
    } else if (is_file(dir / "adapters" / "adapter_config.json")) {
        run_dir = dir;
        adapter_dir = dir / "adapters";
    } else if (is_file(dir / "config.json")) {
        src.model_dir = dir.string();
        src.name = dir.filename().string();
        if (!checkpoint.empty())
            throw InputError(checkpoint, 0, "checkpoint", "a model folder has no adapter checkpoints", "pass a run folder");
        if (adapters == AdapterChoice::best)
            throw InputError(dir.string(), 0, "--adapters", "a model folder has no best adapters", "pass a run folder");
        src.model = Model::load(src.model_dir);
        return src;
    } else {
        throw InputError(dir.string(), 0, {}, "neither a run folder nor a model folder",
                         "expected config.yaml + adapters/adapter_config.json (a run) or config.json (a model)");
    }

    std::string base;
    ModelLoadOptions load_opt;  // a plain adapter folder: the base as stored (an MLX folder dequantized)
    if (!run_dir.empty()) {
        const std::string yaml_path = (run_dir / "config.yaml").string();
        YAML::Node root;
        try {
            root = YAML::LoadFile(yaml_path);
        } catch (const YAML::Exception& e) {
            throw InputError(yaml_path, int(e.mark.line) + 1, {}, e.msg, "the run's config.yaml is damaged");
        }
        base = yaml_string(root, "model", yaml_path);
        src.lm_studio_name = yaml_string(root, "lm_studio_name", yaml_path);
        const RunConfig rc = parse_run_config(read_file(yaml_path), yaml_path).config;  // defaults resolved
        load_opt = run_load_options(rc);
        src.fuse_dequantize = rc.fuse_dequantize;
        if (adapter_dir.empty()) {  // adapter_path as given, relative to the run, else <run>/adapters
            const std::string ap = yaml_string(root, "adapter_path", yaml_path);
            adapter_dir = run_dir / "adapters";
            for (const fs::path& cand : {fs::path(ap), run_dir / ap})
                if (!ap.empty() && is_file(cand / "adapter_config.json")) {
                    adapter_dir = fs::absolute(cand, ec).lexically_normal();
                    break;
                }
        }
        src.run_dir = run_dir.string();
    }
    const fs::path acfg = adapter_dir / "adapter_config.json";
    if (!is_file(acfg))
        throw InputError(acfg.string(), 0, {}, "the run has no adapter_config.json",
                         "has the run saved its adapters yet? (they are written at save_every and at the end)");
    std::string best_file;  // checked before the base is loaded
    if (adapters == AdapterChoice::best) {
        if (run_dir.empty())
            throw InputError(dir.string(), 0, "--adapters", "best adapters belong to a run folder (with best.json)",
                             "pass the run folder");
        best_file = best_adapters_file(run_dir, adapter_dir, src.best_note);
    }
    if (base.empty()) {  // mlx-lm-lora's adapter folders name the base model here
        nlohmann::json j = nlohmann::json::parse(read_file(acfg.string()), nullptr, false);
        if (j.is_object() && j.contains("model") && j["model"].is_string()) base = j["model"].get<std::string>();
    }
    if (base.empty())
        throw InputError(src.run_dir.empty() ? acfg.string() : src.run_dir + "/config.yaml", 0, "model",
                         "the base model is not named", "config.yaml needs `model:` (a folder or an HF id)");
    src.model_dir = resolve_in_run(base, run_dir.empty() ? adapter_dir.parent_path() : run_dir);
    src.adapter_dir = adapter_dir.string();
    src.name = (run_dir.empty() ? adapter_dir : run_dir).filename().string();
    // The base exactly as the run trained on it: packed where it was, then dequantized in place, so
    // the adapters are fused into the quantized weights they were trained against.
    src.model = Model::load(src.model_dir, load_opt);
    if (src.model->is_quantized()) {
        src.packed.resize(size_t(src.model->num_layers()) * kNumProj);
        for (int l = 0; l < src.model->num_layers(); ++l)
            for (int p = 0; p < kNumProj; ++p)
                if (const QuantizedMatrix* q = src.model->quantized(l, Proj(p))) src.packed[size_t(l) * kNumProj + p] = q->spec;
        src.model->dequantize_base();
    }
    load_adapters(*src.model, src.adapter_dir);
    if (!checkpoint.empty()) {
        const fs::path ck = is_file(checkpoint) ? fs::path(checkpoint) : adapter_dir / checkpoint;
        if (!is_file(ck))
            throw InputError(checkpoint, 0, "checkpoint", "no such adapter file (looked in the working directory and " +
                                                              adapter_dir.string() + ")",
                             "name a file like 0000100_adapters.safetensors");
        load_adapter_weights(*src.model, ck.string());
    }
    if (!best_file.empty()) load_adapter_weights(*src.model, best_file);
    return src;
}

void fuse_adapters(Model& m) {
    if (!m.has_finetune() || m.finetune().type == FineTuneType::full) return;
    std::vector<float> w;
    for (int l = 0; l < m.num_layers(); ++l)
        for (int p = 0; p < kNumProj; ++p) {
            if (!m.adapter(l, Proj(p))) continue;
            const size_t n = size_t(m.proj_in(Proj(p))) * size_t(m.proj_out(Proj(p)));
            w.resize(n);
            m.merged_weight(l, Proj(p), w.data());
            std::memcpy(m.block(l).w[p], w.data(), n * sizeof(float));
        }
    const AdapterSpec spec = m.finetune();  // a copy: set_finetune replaces it
    m.set_finetune(spec, 0);                // identity adapters over the fused weights
}

DType base_weight_dtype(const std::string& model_dir) {
    WeightStore store = WeightStore::open_dir(model_dir);
    for (const auto& f : store.files())
        for (const TensorInfo& t : f->tensors())
            if (t.shape.size() >= 2 && (t.dtype == DType::BF16 || t.dtype == DType::F16 || t.dtype == DType::F32))
                return t.dtype;
    return DType::F32;
}

std::string fuse_run(const std::string& run_dir, const FuseOptions& opt) {
    ExportSource src = open_export_source(run_dir, opt.checkpoint, opt.adapters);
    std::string out = opt.out_dir;
    if (out.empty()) {
        if (src.run_dir.empty() && src.adapter_dir.empty())
            throw InputError(run_dir, 0, {}, "a model folder has nothing to fuse", "pass a run folder, or use export --format hf");
        out = (src.run_dir.empty() ? fs::path(src.adapter_dir).parent_path() : fs::path(src.run_dir)).string() +
              (opt.adapters == AdapterChoice::best ? "/fused-best" : "/fused");
    }
    const DType dtype = opt.dtype_from_base ? base_weight_dtype(src.model_dir) : opt.dtype;
    fuse_adapters(*src.model);
    if (!src.packed.empty() && !opt.dequantize.value_or(src.fuse_dequantize))
        save_mlx_quantized_folder(*src.model, src.packed, src.model_dir, out, dtype);
    else
        save_hf_folder(*src.model, src.model_dir, out, dtype);
    return out;
}

}  // namespace rf
