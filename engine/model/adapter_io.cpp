#include "model/adapter_io.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>

#include "core/atomic_file.h"
#include "core/error.h"
#include "io/safetensors.h"

namespace rf {

namespace {

// The shortest decimal that reads back as the same float (20.0 stays 20.0, 0.1f becomes 0.1).
double clean(float f) {
    char buf[32];
    for (int prec = 6; prec <= 9; ++prec) {
        std::snprintf(buf, sizeof buf, "%.*g", prec, double(f));
        if (std::strtof(buf, nullptr) == f) break;
    }
    return std::strtod(buf, nullptr);
}

}  // namespace

void save_adapter_weights(Model& m, const std::string& path) {
    RF_CHECK(m.has_finetune(), "save_adapter_weights: no fine-tuning set up");
    std::vector<TensorToWrite> ts;
    const float* p = m.params().data();
    for (const ParamView& v : m.trainable_layout()) ts.push_back({v.name, v.shape, p + v.offset, DType::F32});
    write_safetensors(path, ts, {{"format", "mlx"}});
}

void load_adapter_weights(Model& m, const std::string& path) {
    RF_CHECK(m.has_finetune(), "load_adapter_weights: call set_finetune first");
    auto file = SafetensorsFile::open(path);
    std::set<std::string> expected;
    float* p = m.params().data();
    for (const ParamView& v : m.trainable_layout()) {
        expected.insert(v.name);
        const TensorInfo* t = file->find(v.name);
        if (!t)
            throw InputError(path, 0, v.name, "tensor '" + v.name + "' is missing",
                             "the adapter file was written for another model, rank, num_layers or keys");
        if (t->shape != v.shape) {
            auto str = [](const std::vector<int64_t>& s) {
                std::string r = "[";
                for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
                return r + "]";
            };
            throw InputError(path, 0, v.name,
                             "tensor '" + v.name + "' has shape " + str(t->shape) + ", expected " + str(v.shape),
                             "the adapter file was written for another model or rank");
        }
        file->read_f32(*t, p + v.offset);
    }
    for (const TensorInfo& t : file->tensors())
        if (!expected.count(t.name))
            throw InputError(path, 0, t.name, "unexpected tensor '" + t.name + "'",
                             "the adapter file holds modules this configuration does not adapt");
}

std::string adapter_config_json(const AdapterSpec& spec, const nlohmann::json& extra) {
    nlohmann::json j = extra.is_object() ? extra : nlohmann::json::object();
    j["fine_tune_type"] = to_string(spec.type);
    j["num_layers"] = spec.num_layers;
    j["lora_parameters"] = {{"rank", spec.rank},
                            {"scale", clean(spec.scale)},
                            {"dropout", clean(spec.dropout)},
                            {"keys", spec.keys},
                            {"use_dora", spec.type == FineTuneType::dora}};
    return j.dump(4) + "\n";
}

AdapterSpec parse_adapter_config(const std::string& text, const std::string& file) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range 406 for 1e309 (fuzz_adapter_config)
        throw InputError(file, 0, {}, std::string("not valid JSON: ") + e.what(), "");
    }
    if (!j.is_object()) throw InputError(file, 0, {}, "expected a JSON object", "");
    AdapterSpec s;
    auto number = [&](const nlohmann::json& o, const std::string& key, bool required, double fallback) {
        if (!o.contains(key)) {
            if (required) throw InputError(file, 0, key, "missing key '" + key + "'", "");
            return fallback;
        }
        if (!o.at(key).is_number()) throw InputError(file, 0, key, "'" + key + "' must be a number", "");
        return o.at(key).get<double>();
    };
    const nlohmann::json empty = nlohmann::json::object();
    const nlohmann::json& lp = j.contains("lora_parameters") ? j.at("lora_parameters") : empty;
    if (!lp.is_object()) throw InputError(file, 0, "lora_parameters", "'lora_parameters' must be an object", "");
    if (j.contains("fine_tune_type")) {
        if (!j.at("fine_tune_type").is_string())
            throw InputError(file, 0, "fine_tune_type", "'fine_tune_type' must be a string", "lora, dora or full");
        s.type = fine_tune_type_from_string(j.at("fine_tune_type").get<std::string>(), file);
    } else {
        s.type = lp.contains("use_dora") && lp.at("use_dora") == true ? FineTuneType::dora : FineTuneType::lora;
    }
    // A whole number in [lo, 2^31): a double outside int's range cast to int is undefined (fuzz_adapter_config).
    auto integer = [&](const nlohmann::json& o, const std::string& key, bool required, double fallback, double lo) {
        double v = number(o, key, required, fallback);
        if (!(v >= lo && v < 2147483648.0) || v != std::floor(v))
            throw InputError(file, 0, key, "'" + key + "' must be a whole number >= " + std::to_string(int(lo)), "");
        return int(v);
    };
    auto finite = [&](const nlohmann::json& o, const std::string& key, bool required, double fallback) {
        double v = number(o, key, required, fallback);
        if (!(std::fabs(v) <= 3.4e38)) throw InputError(file, 0, key, "'" + key + "' must be a finite number", "");
        return float(v);
    };
    s.num_layers = integer(j, "num_layers", false, -1, -1);
    if (s.type != FineTuneType::full) {
        s.rank = integer(lp, "rank", true, 8, 1);
        s.scale = finite(lp, "scale", true, 20.0);
        s.dropout = finite(lp, "dropout", false, 0.0);
    }
    if (lp.contains("keys") && !lp.at("keys").is_null()) {
        if (!lp.at("keys").is_array()) throw InputError(file, 0, "keys", "'keys' must be a list of module names", "");
        for (const auto& k : lp.at("keys")) {
            if (!k.is_string()) throw InputError(file, 0, "keys", "'keys' must be a list of module names", "");
            s.keys.push_back(k.get<std::string>());
        }
    }
    return s;
}

void save_adapters(Model& m, const std::string& dir, const nlohmann::json& extra) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw InputError(dir, 0, {}, "cannot create the adapter folder: " + ec.message(), "");
    save_adapter_weights(m, dir + "/adapters.safetensors");
    write_file_atomic(dir + "/adapter_config.json", adapter_config_json(m.finetune(), extra));
}

void load_adapters(Model& m, const std::string& dir) {
    const std::string cfg_path = dir + "/adapter_config.json", w_path = dir + "/adapters.safetensors";
    AdapterSpec spec = parse_adapter_config(read_file(cfg_path), cfg_path);
    if (spec.type != FineTuneType::full && spec.keys.empty()) {
        auto file = SafetensorsFile::open(w_path);
        std::set<std::string> keys;
        for (const TensorInfo& t : file->tensors())
            for (int p = 0; p < kNumProj; ++p)
                if (t.name.find(std::string(".") + proj_module_name(Proj(p)) + ".") != std::string::npos)
                    keys.insert(proj_module_name(Proj(p)));
        spec.keys.assign(keys.begin(), keys.end());
        if (spec.keys.empty())
            throw InputError(w_path, 0, {}, "no adapter tensors found",
                             "expected names like model.layers.0.self_attn.q_proj.lora_a");
    }
    m.set_finetune(spec, 0);
    load_adapter_weights(m, w_path);
}

}  // namespace rf
