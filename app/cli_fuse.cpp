// reinforge-cli fuse RUN_DIR [--out DIR] [--dtype f32|bf16|f16] [--checkpoint FILE] [--adapters latest|best]
// Folds a run's LoRA/DoRA adapters (or its full fine-tuned weights) into the base model and writes a
// standard Hugging Face folder (config.json, model.safetensors, tokenizer files). --adapters latest
// (default) fuses the last saved weights, best the ones keep_best kept (adapters/best_adapters.safetensors,
// see best.json). Default output: RUN_DIR/fused (RUN_DIR/fused-best with --adapters best); default
// dtype: the base model's. Nothing in the run folder is deleted.
#include <cstdio>

#include "cli_command.h"
#include "core/error.h"
#include "export/fuse.h"
#include "export/hf_export.h"

namespace {

int run_fuse(const std::vector<std::string>& args) {
    const std::vector<std::string> value_flags = {"--out", "--dtype", "--checkpoint", "--adapters"};
    auto pos = rf::cli::positionals(args, value_flags);
    if (pos.size() != 1)
        throw rf::InputError({}, 0, "", "expects exactly one RUN_DIR", "reinforge-cli fuse runs/my-run --out fused-model");
    for (const auto& a : args) {
        if (a.rfind("--", 0) != 0) continue;
        bool known = false;
        for (const auto& f : value_flags) known |= a == f || a.rfind(f + "=", 0) == 0;
        if (!known)
            throw rf::InputError({}, 0, a, "unknown option",
                                 "options: --out DIR, --dtype f32|bf16|f16, --checkpoint FILE, --adapters latest|best");
    }
    rf::FuseOptions opt;
    opt.out_dir = rf::cli::flag_value(args, "--out");
    opt.checkpoint = rf::cli::flag_value(args, "--checkpoint");
    opt.adapters = rf::adapter_choice_from_string(rf::cli::flag_value(args, "--adapters"), "--adapters");
    const std::string dtype = rf::cli::flag_value(args, "--dtype");
    if (!dtype.empty()) {
        opt.dtype = rf::weight_dtype_from_string(dtype, "--dtype");
        opt.dtype_from_base = false;
    }
    const std::string out = rf::fuse_run(pos[0], opt);
    std::printf("fused model%s written to %s\n", opt.adapters == rf::AdapterChoice::best ? " (best adapters)" : "",
                out.c_str());
    return 0;
}

rf::cli::Register reg{"fuse", "merge a run's adapters into its base model and save a Hugging Face folder",
                      "fuse RUN_DIR [--out DIR] [--dtype f32|bf16|f16] [--checkpoint FILE] [--adapters latest|best]",
                      &run_fuse};

}  // namespace
