// QuantizationConfig: the `quantization` block of MLX checkpoints' config.json.
#include <gtest/gtest.h>

#include "core/error.h"
#include "quant/quant_config.h"

using rf::QuantMode;
using rf::QuantSpec;
using rf::QuantizationConfig;

TEST(QuantConfig, Variants) {
    auto q = QuantizationConfig::from_config_json(R"({"model_type": "qwen3"})", "c.json");
    EXPECT_FALSE(q.present);
    EXPECT_EQ(q.spec_for("model.layers.0.mlp.up_proj"), std::nullopt);

    q = QuantizationConfig::from_config_json(R"({"quantization": {"group_size": 64, "bits": 4}})", "c.json");
    EXPECT_TRUE(q.present);
    EXPECT_EQ(q.defaults, (QuantSpec{4, 64, QuantMode::affine}));  // mode absent = affine (older conversions)

    q = QuantizationConfig::from_config_json(R"({"quantization_config": {"group_size": 128, "bits": 8, "mode": "affine"}})", "c.json");
    EXPECT_EQ(q.defaults, (QuantSpec{8, 128, QuantMode::affine}));

    q = QuantizationConfig::from_config_json(R"({"quantization": {"group_size": 32, "bits": 4, "mode": "mxfp4"}})", "c.json");
    EXPECT_EQ(q.defaults, (QuantSpec{4, 32, QuantMode::mxfp4}));
    q = QuantizationConfig::from_config_json(R"({"quantization": {"mode": "mxfp4"}})", "c.json");
    EXPECT_EQ(q.defaults, (QuantSpec{4, 32, QuantMode::mxfp4}));
    q = QuantizationConfig::from_config_json(R"({"quantization_config": {"quant_method": "mxfp4"}})", "c.json");  // legacy HF
    EXPECT_EQ(q.defaults, (QuantSpec{4, 32, QuantMode::mxfp4}));

    q = QuantizationConfig::from_config_json(R"({"quantization": {"group_size": 64, "bits": 4,
        "model.layers.0.mlp.down_proj": {"group_size": 64, "bits": 6}, "lm_head": false, "model.embed_tokens": true}})", "c.json");
    EXPECT_EQ(q.spec_for("model.layers.0.mlp.down_proj"), (QuantSpec{6, 64, QuantMode::affine}));
    EXPECT_EQ(q.spec_for("lm_head"), std::nullopt);
    EXPECT_EQ(q.spec_for("model.embed_tokens"), (QuantSpec{4, 64, QuantMode::affine}));
    EXPECT_EQ(q.spec_for("model.layers.1.mlp.down_proj"), (QuantSpec{4, 64, QuantMode::affine}));
}

TEST(QuantConfig, Refusals) {
    auto key_of = [](const std::string& text) {
        try {
            QuantizationConfig::from_config_json(text, "c.json");
        } catch (const rf::InputError& e) {
            EXPECT_EQ(e.file, "c.json");
            return e.key;
        }
        return std::string("(accepted)");
    };
    EXPECT_EQ(key_of(R"({"quantization_config": {"quant_method": "gptq", "bits": 4}})"), "quantization_config.quant_method");
    EXPECT_EQ(key_of(R"({"quantization_config": {"quant_method": "bitsandbytes"}})"), "quantization_config.quant_method");
    EXPECT_EQ(key_of(R"({"quantization": {"bits": 7, "group_size": 64}})"), "quantization");
    EXPECT_EQ(key_of(R"({"quantization": {"bits": 4, "group_size": 48}})"), "quantization");
    EXPECT_EQ(key_of(R"({"quantization": {"mode": "nvfp4"}})"), "quantization.mode");
    EXPECT_EQ(key_of(R"({"quantization": {"mode": "mxfp4", "group_size": 64}})"), "quantization");
    EXPECT_EQ(key_of(R"({"quantization": {"bits": 4, "m.x": {"bits": 9}}})"), "quantization.m.x");
    EXPECT_EQ(key_of(R"({"quantization": {"bits": "4"}})"), "quantization.bits");
    EXPECT_EQ(key_of(R"({"quantization": 4})"), "quantization");
}
