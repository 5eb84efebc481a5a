#include "export/hf_export.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"

namespace rf {

namespace fs = std::filesystem;

const std::vector<std::string> kTokenizerFiles = {
    "tokenizer.json",      "tokenizer.model",    "tokenizer_config.json", "special_tokens_map.json",
    "generation_config.json", "chat_template.jinja", "added_tokens.json",  "vocab.json", "merges.txt"};

DType weight_dtype_from_string(const std::string& s, const std::string& where) {
    if (s == "f32" || s == "float32" || s == "F32") return DType::F32;
    if (s == "bf16" || s == "bfloat16" || s == "BF16") return DType::BF16;
    if (s == "f16" || s == "float16" || s == "F16") return DType::F16;
    throw InputError({}, 0, where, "unknown weight dtype '" + s + "'", "use f32, bf16 or f16");
}

const char* torch_dtype_name(DType d) {
    switch (d) {
        case DType::BF16: return "bfloat16";
        case DType::F16: return "float16";
        default: return "float32";
    }
}

std::vector<std::string> copy_tokenizer_files(const std::string& src, const std::string& dst) {
    std::vector<std::string> copied;
    for (const std::string& f : kTokenizerFiles) {
        std::error_code ec;
        if (!fs::is_regular_file(src + "/" + f, ec)) continue;
        write_file_atomic(dst + "/" + f, read_file(src + "/" + f));
        copied.push_back(f);
    }
    return copied;
}

// config.json of an output folder: the source's, so keys this engine does not model survive; else a
// generated one. torch_dtype (and dtype, when present) say `dtype`.
nlohmann::ordered_json output_config_json(const Model& m, const std::string& source_dir, DType dtype) {
    std::error_code ec;
    nlohmann::ordered_json cfg;
    const std::string src_cfg = source_dir.empty() ? std::string() : source_dir + "/config.json";
    if (!src_cfg.empty() && fs::is_regular_file(src_cfg, ec)) {
        try {
            cfg = nlohmann::ordered_json::parse(read_file(src_cfg));
        } catch (const nlohmann::json::exception& e) {
            throw InputError(src_cfg, 0, {}, std::string("invalid JSON: ") + e.what());
        }
    } else {
        cfg = nlohmann::ordered_json::parse(m.config().to_json_text());
    }
    cfg["torch_dtype"] = torch_dtype_name(dtype);
    if (cfg.contains("dtype")) cfg["dtype"] = torch_dtype_name(dtype);
    return cfg;
}

std::vector<std::string> save_hf_folder(Model& m, const std::string& source_dir, const std::string& out_dir, DType dtype) {
    RF_CHECK(dtype == DType::F32 || dtype == DType::BF16 || dtype == DType::F16, "save_hf_folder: F32, BF16 or F16");
    if (m.is_quantized())  // packed projections are not in base_layout(): they would be left out
        throw InputError(out_dir, 0, {}, "an HF folder needs float weights, and this model holds " +
                                             std::to_string(m.num_quantized()) + " block projections packed",
                         "load the model without keep_packed (Model::load(dir) dequantizes), or dequantize_base() first; "
                         "a quantized folder is written by save_mlx_quantized_folder");
    std::error_code ec;
    if (!source_dir.empty() && fs::exists(out_dir, ec) && fs::equivalent(source_dir, out_dir, ec))
        throw InputError(out_dir, 0, {}, "refusing to write into the base model's own folder",
                         "choose another output folder (--out)");
    if (fs::exists(out_dir + "/model.safetensors.index.json", ec))
        throw InputError(out_dir, 0, {}, "the folder already holds a sharded model (model.safetensors.index.json)",
                         "choose an empty output folder");
    fs::create_directories(out_dir, ec);
    if (ec) throw InputError(out_dir, 0, {}, "cannot create the output folder: " + ec.message(), "check the path and permissions");

    nlohmann::ordered_json cfg = output_config_json(m, source_dir, dtype);
    cfg.erase("quantization");          // the fused weights are plain floats
    cfg.erase("quantization_config");
    std::vector<std::string> written;
    write_file_atomic(out_dir + "/config.json", cfg.dump(2) + "\n");
    written.push_back("config.json");

    std::vector<TensorToWrite> ts;
    const float* base = m.base_params().data();
    for (const ParamView& v : m.base_layout()) ts.push_back({v.name, v.shape, base + v.offset, dtype});
    write_safetensors(out_dir + "/model.safetensors", ts, {{"format", "pt"}});
    written.push_back("model.safetensors");

    if (!source_dir.empty())
        for (const std::string& f : copy_tokenizer_files(source_dir, out_dir)) written.push_back(f);
    return written;
}

}  // namespace rf
