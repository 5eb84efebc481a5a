// reinforge-cli init-model MODEL_DIR --seed N [--force]
// Writes MODEL_DIR/model.safetensors (float32, HF tensor names) with the random initialisation of
// Model::random_init for the config.json already in MODEL_DIR. Used by the recipe of the embedded
// default model (resources/models/make_default.sh) before its SFT.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "cli_command.h"
#include "core/error.h"
#include "io/safetensors.h"
#include "model/model.h"

namespace {

int run_init_model(const std::vector<std::string>& args) {
    auto pos = rf::cli::positionals(args, {"--seed"});
    if (pos.size() != 1)
        throw rf::InputError({}, 0, "", "expects exactly one MODEL_DIR (a folder holding config.json)",
                             "reinforge-cli init-model resources/models/my-model --seed 1234");
    for (const auto& a : args)
        if (a.rfind("--", 0) == 0 && a != "--force" && a != "--seed" && a.rfind("--seed=", 0) != 0)
            throw rf::InputError({}, 0, a, "unknown option", "options: --seed N, --force");
    const std::string seed_text = rf::cli::flag_value(args, "--seed", "");
    if (seed_text.empty()) throw rf::InputError({}, 0, "--seed", "is required", "write --seed 1234");
    char* end = nullptr;
    errno = 0;
    const unsigned long long seed = std::strtoull(seed_text.c_str(), &end, 10);
    if (end == seed_text.c_str() || *end || errno || seed_text[0] == '-')
        throw rf::InputError({}, 0, "--seed", "'" + seed_text + "' is not a non-negative integer", "write --seed 1234");
    const std::string dir = pos[0];
    const std::string out = dir + "/model.safetensors";
    std::error_code ec;
    if (std::filesystem::exists(out, ec) && !rf::cli::has_flag(args, "--force"))
        throw rf::InputError(out, 0, {}, "already exists", "pass --force to overwrite it with fresh random weights");

    rf::ModelConfig cfg = rf::ModelConfig::from_dir(dir);
    auto model = rf::Model::random_init(cfg, seed);
    std::vector<rf::TensorToWrite> ts;
    const float* base = model->base_params().data();
    size_t n = 0;
    for (const rf::ParamView& v : model->base_layout()) {
        ts.push_back({v.name, v.shape, base + v.offset, rf::DType::F32});
        n += v.numel;
    }
    rf::write_safetensors(out, ts, {{"format", "pt"}});
    std::printf("wrote %s: %zu tensors, %zu parameters (%s, seed %llu)\n", out.c_str(), ts.size(), n,
                cfg.model_type.c_str(), seed);
    return 0;
}

rf::cli::Register reg{"init-model", "write random float32 weights for the config.json in a folder",
                      "init-model MODEL_DIR --seed N [--force]", &run_init_model};

}  // namespace
