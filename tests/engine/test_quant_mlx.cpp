// MLX checkpoint format: tensors written by tests/reference/mlx_format.py (numpy, following MLX's
// definitions and a bit-stream formulation of the packing) are read, dequantized and re-quantized
// by the engine; an mlx-community style folder loads through WeightStore + QuantizationConfig; the
// engine's own MLX writer round-trips; hostile quantized tensors are InputErrors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "quant/mlx_weights.h"

namespace fs = std::filesystem;
using rf::DType;
using rf::QuantMode;

namespace {

std::string fx(const std::string& p) { return std::string(REINFORGE_FIXTURES) + "/" + p; }

std::vector<float> read_all(const rf::SafetensorsFile& f, const std::string& name) {
    const rf::TensorInfo* t = f.find(name);
    EXPECT_NE(t, nullptr) << name;
    if (!t) return {};
    std::vector<float> v(size_t(t->numel()));
    f.read_f32(*t, v.data());
    return v;
}

}  // namespace

TEST(QuantMlx, ReferenceCasesDequantizeAndRequantizeExactly) {
    auto meta = nlohmann::json::parse(rf::read_file(fx("quant/mlx_cases.json")));
    auto f = rf::SafetensorsFile::open(fx("quant/mlx_cases.safetensors"));
    ASSERT_EQ(meta["cases"].size(), 10u);
    for (auto& c : meta["cases"]) {
        const std::string name = c["name"];
        SCOPED_TRACE(name);
        rf::QuantSpec spec{c["bits"].get<int>(), c["group_size"].get<int>(), c["mode"] == "mxfp4" ? QuantMode::mxfp4 : QuantMode::affine};
        const int rows = c["rows"], cols = c["cols"];
        rf::QuantizedMatrix q = rf::quantized_from_tensors(*f->find(name + ".weight"), *f->find(name + ".scales"), f->find(name + ".biases"), spec, f->path());
        ASSERT_EQ(q.rows, rows);
        ASSERT_EQ(q.cols, cols);
        // (1) dequantization equals numpy's (s * q + b in float32: equal up to one rounding of the
        //     product when the compiler fuses it into an FMA)
        std::vector<float> deq(size_t(rows) * cols), want = read_all(*f, name + ".dequant");
        rf::dequantize(q, deq.data());
        for (size_t i = 0; i < deq.size(); ++i) {
            const float s = std::fabs(q.scales[i / cols * q.groups_per_row() + (i % cols) / spec.group_size]);
            ASSERT_NEAR(deq[i], want[i], 6e-8f * (s * 255.0f + std::fabs(want[i]))) << i;
        }
        // (2) the engine's quantizer, given the same float weights and the model dtype, produces
        //     MLX's bytes: identical words, scales and biases
        const std::string sd = c["scale_dtype"];
        const DType scale_dtype = sd == "BF16" ? DType::BF16 : sd == "F16" ? DType::F16 : DType::F32;
        auto w = read_all(*f, name + ".w");
        rf::QuantizedMatrix mine = rf::quantize(w.data(), rows, cols, spec, scale_dtype);
        EXPECT_EQ(mine.words, q.words);
        EXPECT_EQ(mine.scales, q.scales);
        EXPECT_EQ(mine.biases, q.biases);
        EXPECT_EQ(mine.e8m0, q.e8m0);
    }
}

TEST(QuantMlx, EngineWriterRoundTrips) {
    fs::path d = fs::temp_directory_path() / ("rf_test_quant_mlx_" + std::to_string(::getpid()));
    fs::create_directories(d);
    auto f = rf::SafetensorsFile::open(fx("quant/mlx_cases.safetensors"));
    std::vector<rf::QuantizedMatrix> qs;
    const char* names[] = {"a4g64_bf16", "a8g64_f16", "a6g128_f32", "mxfp4"};
    const DType dts[] = {DType::BF16, DType::F16, DType::F32, DType::F32};
    const rf::QuantSpec specs[] = {{4, 64}, {8, 64}, {6, 128}, {4, 32, QuantMode::mxfp4}};
    for (int i = 0; i < 4; ++i)
        qs.push_back(rf::quantized_from_tensors(*f->find(std::string(names[i]) + ".weight"), *f->find(std::string(names[i]) + ".scales"),
                                                f->find(std::string(names[i]) + ".biases"), specs[i], f->path()));
    std::vector<rf::TensorToWrite> all;
    for (int i = 0; i < 4; ++i)
        for (auto& t : rf::mlx_tensors(qs[i], std::string("m") + std::to_string(i), dts[i])) all.push_back(t);
    const std::string out = (d / "q.safetensors").string();
    rf::write_safetensors(out, all);
    auto g = rf::SafetensorsFile::open(out);
    for (int i = 0; i < 4; ++i) {
        const std::string m = "m" + std::to_string(i);
        auto back = rf::quantized_from_tensors(*g->find(m + ".weight"), *g->find(m + ".scales"), g->find(m + ".biases"), specs[i], out);
        EXPECT_EQ(back.words, qs[i].words) << m;
        EXPECT_EQ(back.scales, qs[i].scales) << m;  // the scales were already representable in dts[i]
        EXPECT_EQ(back.biases, qs[i].biases) << m;
        EXPECT_EQ(g->find(m + ".scales")->dtype, specs[i].mode == QuantMode::mxfp4 ? DType::U8 : dts[i]);
    }
    fs::remove_all(d);
}

TEST(QuantMlx, MlxCommunityFolderLoads) {
    const std::string dir = fx("io/tiny-qwen3-mlx");
    rf::WeightStore ws = rf::WeightStore::open_dir(dir);
    rf::QuantizationConfig qc = rf::QuantizationConfig::from_dir(dir);
    ASSERT_TRUE(qc.present);
    EXPECT_EQ(qc.defaults, (rf::QuantSpec{4, 64, QuantMode::affine}));
    EXPECT_EQ(qc.spec_for("model.layers.0.mlp.down_proj"), (rf::QuantSpec{8, 64, QuantMode::affine}));
    EXPECT_EQ(qc.spec_for("model.layers.0.self_attn.v_proj"), std::nullopt);
    EXPECT_FALSE(rf::is_quantized_module(ws, "model.layers.0.self_attn.v_proj"));
    EXPECT_TRUE(rf::is_quantized_module(ws, "model.embed_tokens"));
    EXPECT_EQ(rf::load_quantized(ws, qc, "model.layers.0.mlp.down_proj").spec.bits, 8);

    auto expected = rf::SafetensorsFile::open(fx("quant/tiny_qwen3_mlx_expected.safetensors"));
    for (const rf::TensorInfo& t : expected->tensors()) {
        SCOPED_TRACE(t.name);
        std::vector<float> got(size_t(t.numel())), want(size_t(t.numel()));
        expected->read_f32(t, want.data());
        rf::read_f32_dequantized(ws, qc, t.name, got.data(), t.shape);
        for (size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], want[i], 1e-6f * (1.0f + std::fabs(want[i]))) << i;
    }
    // the logical shape is checked
    std::vector<float> buf(96 * 64);
    EXPECT_THROW(rf::read_f32_dequantized(ws, qc, "model.embed_tokens.weight", buf.data(), {64, 96}), rf::InputError);
}

TEST(QuantMlx, HostileQuantizedTensorsAreInputErrors) {
    auto f = rf::SafetensorsFile::open(fx("quant/mlx_cases.safetensors"));
    const rf::TensorInfo& w = *f->find("a4g64_bf16.weight");
    const rf::TensorInfo& s = *f->find("a4g64_bf16.scales");
    const rf::TensorInfo& b = *f->find("a4g64_bf16.biases");
    auto err = [&](const rf::TensorInfo& ww, const rf::TensorInfo& ss, const rf::TensorInfo* bb, rf::QuantSpec spec) -> std::string {
        try {
            rf::quantized_from_tensors(ww, ss, bb, spec, "x.safetensors");
        } catch (const rf::InputError& e) {
            EXPECT_EQ(e.file, "x.safetensors");
            return e.key;
        }
        return "(accepted)";
    };
    EXPECT_EQ(err(w, s, &b, {8, 64}), "a4g64_bf16.scales");       // wrong bits: scales shape mismatch
    EXPECT_EQ(err(w, s, &b, {4, 128}), "a4g64_bf16.scales");      // wrong group size
    EXPECT_EQ(err(w, s, nullptr, {4, 64}), "a4g64_bf16.weight");  // missing biases
    EXPECT_EQ(err(s, s, &b, {4, 64}), "a4g64_bf16.scales");       // scales given as the weight: not U32
    rf::TensorInfo bad_bias = b;
    bad_bias.dtype = DType::F16;
    EXPECT_EQ(err(w, s, &bad_bias, {4, 64}), "a4g64_bf16.biases");
    // mxfp4 with scales of the wrong dtype, and the NaN scale byte
    const rf::TensorInfo& mw = *f->find("mxfp4.weight");
    const rf::TensorInfo& ms = *f->find("mxfp4.scales");
    EXPECT_EQ(err(mw, s, nullptr, {4, 32, QuantMode::mxfp4}), "a4g64_bf16.scales");
    std::vector<uint8_t> nan_scales(ms.data, ms.data + ms.nbytes);
    nan_scales[3] = 255;
    rf::TensorInfo ms2 = ms;
    ms2.data = nan_scales.data();
    EXPECT_EQ(err(mw, ms2, nullptr, {4, 32, QuantMode::mxfp4}), "mxfp4.scales");
    EXPECT_EQ(err(mw, ms, &b, {4, 32, QuantMode::mxfp4}), "a4g64_bf16.biases");
}
