// reinforge-cli info MODEL_DIR_OR_ID [--json] | info --system
// --system: the math kernels in use (OpenBLAS kernel and threads, CPU model and vector features,
// whether bf16 compute (oneDNN) and the AMX decode kernel run here).
// Prints what the engine sees in a model folder (or an HF id resolved in the local cache): the
// architecture, sizes, parameter count from the stored tensor shapes, dtypes, bytes, quantization.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli_command.h"
#include "io/hub_client.h"
#include "cli_progress.h"
#include "core/error.h"
#include "ops/decode_matmul.h"
#include "ops/gemm_bf16.h"
#include "core/fp_mode.h"
#include "model/model_summary.h"

namespace {

using rf::human_bytes;

std::string human_count(int64_t n) {
    char buf[64];
    if (n >= 1000000000) std::snprintf(buf, sizeof buf, "%.2fB", double(n) / 1e9);
    else if (n >= 1000000) std::snprintf(buf, sizeof buf, "%.1fM", double(n) / 1e6);
    else if (n >= 1000) std::snprintf(buf, sizeof buf, "%.1fK", double(n) / 1e3);
    else std::snprintf(buf, sizeof buf, "%lld", (long long)n);
    return buf;
}

std::string quant_text(const rf::ModelSummary& s) {
    if (!s.quantized()) return "no";
    std::string t = "yes: " + (s.quantization.present ? rf::describe(s.quantization.defaults) : std::string("packed U32 weights, no quantization block in config.json"));
    int kept = 0, other = 0;
    for (auto& [k, v] : s.quantization.overrides) (v ? other : kept) += !v || *v != s.quantization.defaults;
    if (other) t += ", " + std::to_string(other) + " module override" + (other == 1 ? "" : "s");
    if (kept) t += ", " + std::to_string(kept) + " module" + (kept == 1 ? "" : "s") + " kept in float";
    return t + "; " + std::to_string(s.quantized_tensors) + " packed matrices";
}

int run_info(const std::vector<std::string>& args) {
    if (rf::cli::has_flag(args, "--system")) {
        std::printf("%s\n", rf::math_kernels().c_str());
        std::printf("bf16 compute: %s (%s); AMX decode: %s\n", rf::bf16_gemm_available() ? "yes" : "no",
                    rf::bf16_gemm_description().c_str(), rf::decode_amx_available() ? "yes" : "no");
        return 0;
    }
    auto pos = rf::cli::positionals(args, {});
    if (pos.size() != 1) throw rf::InputError({}, 0, "", "expects exactly one MODEL_DIR_OR_ID", "reinforge-cli info Qwen/Qwen3-0.6B");
    for (const auto& a : args)
        if (a.rfind("--", 0) == 0 && a != "--json") throw rf::InputError({}, 0, a, "unknown option", "options: --json");
    rf::cli::DownloadBar bar;
    rf::ModelSummary s = rf::summarize_model(rf::ensure_model(pos[0], [&](const rf::HubProgress& p) { return bar.update(p); }));
    bar.finish();
    const rf::ModelConfig& c = s.config;
    if (rf::cli::has_flag(args, "--json")) {
        nlohmann::ordered_json j;
        j["path"] = s.dir;
        j["model_type"] = c.model_type;
        j["architecture"] = s.architecture;
        j["layers"] = c.num_hidden_layers;
        j["hidden_size"] = c.hidden_size;
        j["intermediate_size"] = c.intermediate_size;
        j["heads"] = c.num_attention_heads;
        j["kv_heads"] = c.num_key_value_heads;
        j["head_dim"] = c.head_dim;
        j["vocab_size"] = c.vocab_size;
        j["tied"] = c.tie_word_embeddings;
        j["rope_theta"] = c.rope_theta;
        j["rope_type"] = c.rope_scaling.rope_type;
        j["parameters"] = s.parameters;
        j["tensors"] = s.tensors;
        j["dtypes"] = s.dtype_tensors;
        j["dtype_bytes"] = s.dtype_bytes;
        j["files"] = s.files;
        j["file_bytes"] = s.file_bytes;
        j["quantized"] = s.quantized();
        if (s.quantization.present) {
            j["quantization"] = {{"mode", rf::to_string(s.quantization.defaults.mode)},
                                 {"bits", s.quantization.defaults.bits},
                                 {"group_size", s.quantization.defaults.group_size}};
        }
        j["quantized_tensors"] = s.quantized_tensors;
        std::printf("%s\n", j.dump(2).c_str());
        return 0;
    }
    std::string dtypes;
    for (auto& [d, n] : s.dtype_tensors) dtypes += (dtypes.empty() ? "" : ", ") + d + " x" + std::to_string(n) + " (" + human_bytes(s.dtype_bytes[d]) + ")";
    auto line = [](const char* k, const std::string& v) { std::printf("%-13s %s\n", k, v.c_str()); };
    line("path", s.dir);
    line("architecture", c.model_type + (s.architecture.empty() ? "" : " (" + s.architecture + ")"));
    line("layers", std::to_string(c.num_hidden_layers));
    line("hidden", std::to_string(c.hidden_size));
    line("intermediate", std::to_string(c.intermediate_size));
    line("heads", std::to_string(c.num_attention_heads) + " (kv heads " + std::to_string(c.num_key_value_heads) + ")");
    line("head_dim", std::to_string(c.head_dim));
    line("vocab", std::to_string(c.vocab_size));
    line("tied", c.tie_word_embeddings ? "yes" : "no");
    char theta[64];
    std::snprintf(theta, sizeof theta, "theta %g, %s", double(c.rope_theta), c.rope_scaling.rope_type.c_str());
    line("rope", theta);
    line("parameters", std::to_string(s.parameters) + " (" + human_count(s.parameters) + ")");
    line("dtypes", dtypes);
    line("files", std::to_string(s.files) + " safetensors, " + human_bytes(s.file_bytes) + " (" + std::to_string(s.file_bytes) + " bytes)");
    line("quantized", quant_text(s));
    return 0;
}

rf::cli::Register reg{"info", "show a model's architecture, sizes, parameter count, dtypes and quantization",
                      "info MODEL_DIR_OR_ID [--json] | info --system", &run_info};

}  // namespace
