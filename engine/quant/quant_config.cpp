#include "quant/quant_config.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"

namespace rf {

using nlohmann::json;

const char* to_string(QuantMode m) { return m == QuantMode::mxfp4 ? "mxfp4" : "affine"; }

void validate_quant_spec(const QuantSpec& s, const std::string& file, const std::string& where) {
    if (s.mode == QuantMode::mxfp4) {
        if (s.bits != 4 || s.group_size != 32)
            throw InputError(file, 0, where, "mxfp4 needs bits 4 and group_size 32, got bits " + std::to_string(s.bits) + ", group_size " + std::to_string(s.group_size));
        return;
    }
    if (s.bits != 2 && s.bits != 3 && s.bits != 4 && s.bits != 5 && s.bits != 6 && s.bits != 8)
        throw InputError(file, 0, where, "affine quantization with " + std::to_string(s.bits) + " bits is not supported", "bits: 2, 3, 4, 5, 6 or 8");
    if (s.group_size != 32 && s.group_size != 64 && s.group_size != 128)
        throw InputError(file, 0, where, "group_size " + std::to_string(s.group_size) + " is not supported", "group_size: 32, 64 or 128");
}

std::string describe(const QuantSpec& s) {
    if (s.mode == QuantMode::mxfp4) return "mxfp4 (group 32)";
    return "affine " + std::to_string(s.bits) + "-bit, group " + std::to_string(s.group_size);
}

std::optional<QuantSpec> QuantizationConfig::spec_for(const std::string& module_path) const {
    if (!present) return std::nullopt;
    auto it = overrides.find(module_path);
    if (it != overrides.end()) return it->second;
    return defaults;
}

namespace {

int int_field(const json& o, const char* k, int fallback, const std::string& file, const std::string& where) {
    auto it = o.find(k);
    if (it == o.end() || it->is_null()) return fallback;
    if (!it->is_number_integer() || it->get<int64_t>() <= 0 || it->get<int64_t>() > 1024)
        throw InputError(file, 0, where + "." + k, "expected a small positive integer, got " + it->dump());
    return int(it->get<int64_t>());
}

QuantSpec spec_from(const json& o, const QuantSpec& base, const std::string& file, const std::string& where) {
    QuantSpec s = base;
    auto m = o.find("mode");
    if (m != o.end() && !m->is_null()) {
        if (!m->is_string()) throw InputError(file, 0, where + ".mode", "expected a string");
        std::string mode = m->get<std::string>();
        if (mode == "affine") {
            s.mode = QuantMode::affine;
        } else if (mode == "mxfp4") {
            s = {4, 32, QuantMode::mxfp4};
        } else {
            throw InputError(file, 0, where + ".mode", "quantization mode '" + mode + "' is not supported", "supported: affine, mxfp4");
        }
    }
    s.bits = int_field(o, "bits", s.bits, file, where);
    s.group_size = int_field(o, "group_size", s.group_size, file, where);
    validate_quant_spec(s, file, where);
    return s;
}

}  // namespace

QuantizationConfig QuantizationConfig::from_config_json(const std::string& text, const std::string& file) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw InputError(file, 0, {}, "not a JSON object");
    QuantizationConfig q;
    std::string key = "quantization";
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
        key = "quantization_config";
        it = j.find(key);
    }
    if (it == j.end() || it->is_null()) return q;
    if (!it->is_object()) throw InputError(file, 0, key, "expected an object");
    const json& o = *it;
    if (auto qm = o.find("quant_method"); qm != o.end() && !qm->is_null()) {
        std::string method = qm->is_string() ? qm->get<std::string>() : qm->dump();
        if (method == "mxfp4") {
            q.present = true;
            q.defaults = {4, 32, QuantMode::mxfp4};
            return q;
        }
        throw InputError(file, 0, key + ".quant_method", "quantization method '" + method + "' is not supported",
                         "supported: MLX affine (bits 2-8) and mxfp4 checkpoints; use an unquantized or mlx-community model");
    }
    q.present = true;
    q.defaults = spec_from(o, QuantSpec{}, file, key);
    for (auto e = o.begin(); e != o.end(); ++e) {
        if (e.key() == "bits" || e.key() == "group_size" || e.key() == "mode" || e.key() == "quant_method") continue;
        if (e->is_boolean()) {
            if (e->get<bool>())
                q.overrides[e.key()] = q.defaults;
            else
                q.overrides[e.key()] = std::nullopt;
        } else if (e->is_object()) {
            q.overrides[e.key()] = spec_from(*e, q.defaults, file, key + "." + e.key());
        }
        // other scalar keys (e.g. "linear_class") are not module entries: ignored
    }
    return q;
}

QuantizationConfig QuantizationConfig::from_dir(const std::string& dir) {
    const std::string path = (std::filesystem::path(dir) / "config.json").string();
    return from_config_json(read_file(path), path);
}

}  // namespace rf
