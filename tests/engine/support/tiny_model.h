// For engine tests that run whole sessions: a tiny Llama (C=32, 2 layers, random weights) sharing the
// embedded default's SentencePiece tokenizer and chat template, written as a model folder.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "io/safetensors.h"
#include "model/model.h"

namespace rf::test {

inline const std::string kEmbeddedDefault = std::string(REINFORGE_SOURCE_DIR) + "/resources/models/reinforge-arith-tiny";

inline std::string make_tiny_model(const std::filesystem::path& dir, uint64_t seed = 7) {
    namespace fs = std::filesystem;
    fs::create_directories(dir);
    nlohmann::json cfg = nlohmann::json::parse(read_file(kEmbeddedDefault + "/config.json"));
    cfg["hidden_size"] = 32;
    cfg["intermediate_size"] = 64;
    cfg["num_hidden_layers"] = 2;
    cfg["num_attention_heads"] = 2;
    cfg["num_key_value_heads"] = 1;
    cfg["head_dim"] = 16;
    write_file_atomic((dir / "config.json").string(), cfg.dump(2));
    fs::copy_file(kEmbeddedDefault + "/tokenizer.model", dir / "tokenizer.model", fs::copy_options::overwrite_existing);
    fs::copy_file(kEmbeddedDefault + "/tokenizer_config.json", dir / "tokenizer_config.json", fs::copy_options::overwrite_existing);
    auto model = Model::random_init(ModelConfig::from_dir(dir.string()), seed);
    std::vector<TensorToWrite> ts;
    for (const ParamView& v : model->base_layout())
        ts.push_back({v.name, v.shape, model->base_params().data() + v.offset, DType::F32});
    write_safetensors((dir / "model.safetensors").string(), ts);
    return dir.string();
}

}  // namespace rf::test
