// reinforge-cli export (RUN_DIR | MODEL_DIR) [--format gguf|hf] [--quant f16|q8_0|f32] [--out PATH]
//                      [--lm-studio NAME] [--checkpoint FILE] [--adapters latest|best]
// A run is fused first (its adapters folded into the base; --adapters best: the weights keep_best kept,
// latest (default): the last saved ones); a plain model folder exports as is.
//   gguf: one GGUF v3 file for llama.cpp / Ollama / LM Studio (--quant f16 (default), q8_0, f32).
//         --out FILE.gguf, or --out DIR (writes DIR/<name>-<QUANT>.gguf). --lm-studio NAME (or the
//         run's lm_studio_name when no --out is given) writes ~/.lmstudio/models/reinforge/NAME/.
//   hf:   a Hugging Face folder (--quant f32|bf16|f16; default: the base model's dtype).
#include <cstdio>
#include <cctype>
#include <filesystem>
#include <optional>

#include "cli_command.h"
#include "core/error.h"
#include "export/fuse.h"
#include "export/gguf_export.h"
#include "export/hf_export.h"

namespace {

namespace fs = std::filesystem;

std::string upper(std::string s) {
    for (char& c : s) c = char(std::toupper((unsigned char)c));
    return s;
}

int run_export(const std::vector<std::string>& args) {
    const std::vector<std::string> value_flags = {"--format",    "--quant",      "--dtype",   "--out",
                                                  "--lm-studio", "--checkpoint", "--adapters"};
    auto pos = rf::cli::positionals(args, value_flags);
    if (pos.size() != 1)
        throw rf::InputError({}, 0, "", "expects exactly one RUN_DIR or MODEL_DIR",
                             "reinforge-cli export runs/my-run --format gguf --quant q8_0 --out my-model.gguf");
    for (const auto& a : args) {
        if (a.rfind("--", 0) != 0) continue;
        bool known = false;
        for (const auto& f : value_flags) known |= a == f || a.rfind(f + "=", 0) == 0;
        if (!known)
            throw rf::InputError({}, 0, a, "unknown option",
                                 "options: --format gguf|hf, --quant f16|q8_0|f32 (hf: f32|bf16|f16), --out PATH, "
                                 "--lm-studio NAME, --checkpoint FILE, --adapters latest|best");
    }
    const std::string lm_flag = rf::cli::flag_value(args, "--lm-studio");
    const std::string format = rf::cli::flag_value(args, "--format", "gguf");
    if (format != "gguf" && format != "hf")
        throw rf::InputError({}, 0, "--format", "unknown format '" + format + "'", "use gguf or hf");
    std::string quant = rf::cli::flag_value(args, "--quant");
    if (quant.empty()) quant = rf::cli::flag_value(args, "--dtype");
    std::string out = rf::cli::flag_value(args, "--out");
    if (format == "hf" && !lm_flag.empty())
        throw rf::InputError({}, 0, "--lm-studio", "LM Studio on Linux loads GGUF files", "use --format gguf");

    // Validate the cheap things before loading the model.
    std::optional<rf::GgufQuant> gq;
    std::optional<rf::DType> hdt;
    if (format == "gguf") gq = rf::gguf_quant_from_string(quant.empty() ? "f16" : quant, "--quant");
    else if (!quant.empty()) hdt = rf::weight_dtype_from_string(quant, "--quant");
    if (format == "hf" && out.empty()) throw rf::InputError({}, 0, "--out", "is required for --format hf", "--out DIR");
    if (!lm_flag.empty()) rf::lm_studio_gguf_path(lm_flag, *gq);  // fails early when LM Studio is absent
    const rf::AdapterChoice adapters =
        rf::adapter_choice_from_string(rf::cli::flag_value(args, "--adapters"), "--adapters");

    rf::ExportSource src = rf::open_export_source(pos[0], rf::cli::flag_value(args, "--checkpoint"), adapters);
    if (!src.best_note.empty()) std::fprintf(stderr, "note: the best adapters: %s\n", src.best_note.c_str());
    std::string lm_name = lm_flag;
    if (lm_name.empty() && out.empty() && format == "gguf") lm_name = src.lm_studio_name;
    if (format == "gguf" && out.empty() && lm_name.empty())
        throw rf::InputError({}, 0, "--out", "says where to write the GGUF file",
                             "--out model.gguf, or --lm-studio NAME (or lm_studio_name in the run's config)");
    rf::fuse_adapters(*src.model);

    if (format == "hf") {
        const rf::DType dt = hdt ? *hdt : rf::base_weight_dtype(src.model_dir);
        auto files = rf::save_hf_folder(*src.model, src.model_dir, out, dt);
        std::printf("wrote %s (%s): ", out.c_str(), rf::torch_dtype_name(dt));
        for (size_t i = 0; i < files.size(); ++i) std::printf("%s%s", i ? ", " : "", files[i].c_str());
        std::printf("\n");
        return 0;
    }
    std::vector<std::string> targets;
    if (!out.empty()) {
        std::error_code ec;
        const bool dir = fs::is_directory(out, ec) || out.back() == '/';
        targets.push_back(dir ? (fs::path(out) / (src.name + "-" + upper(rf::to_string(*gq)) + ".gguf")).string() : out);
    }
    if (!lm_name.empty()) targets.push_back(rf::lm_studio_gguf_path(lm_name, *gq));
    for (const std::string& t : targets) {
        rf::GgufExportResult r = rf::export_gguf(*src.model, src.model_dir, *gq, lm_name.empty() ? src.name : lm_name, t);
        for (const std::string& n : r.notes) std::fprintf(stderr, "note: %s\n", n.c_str());
        std::printf("wrote %s (%s, %zu tensors, %llu bytes)\n", r.path.c_str(), upper(rf::to_string(*gq)).c_str(),
                    r.tensors, (unsigned long long)r.bytes);
    }
    return 0;
}

rf::cli::Register reg{"export", "export a run (fused) or a model as GGUF (llama.cpp, LM Studio) or a Hugging Face folder",
                      "export (RUN_DIR | MODEL_DIR) [--format gguf|hf] [--quant f16|q8_0|f32] [--out PATH] "
                      "[--lm-studio NAME] [--checkpoint FILE] [--adapters latest|best]",
                      &run_export};

}  // namespace
