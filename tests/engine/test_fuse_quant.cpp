// Fuse of a run trained on a base quantized at load (config.yaml `quantization`): the adapters must be
// folded into the dequantized QUANTIZED weights they were trained against, not the checkpoint's
// original floats. fuse_dequantize: true writes that as an HF float folder; false re-quantizes the
// fused projections into an MLX folder. Exporters refuse a packed model instead of dropping its
// packed projections.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/rng.h"
#include "export/fuse.h"
#include "export/gguf_export.h"
#include "export/hf_export.h"
#include "model/adapter_io.h"
#include "model/model.h"
#include "quant/quant_config.h"

namespace fs = std::filesystem;
using namespace rf;

namespace {

const std::string kFixtures = REINFORGE_FIXTURES;

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "rf-fuseq-XXXXXX").string();
        path = ::mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

std::string make_base(const fs::path& root, const std::string& arch) {
    const fs::path base = root / ("base-" + arch);
    fs::create_directories(base);
    fs::copy_file(kFixtures + "/model/" + arch + "/config.json", base / "config.json");
    fs::copy_file(kFixtures + "/model/" + arch + "/model.safetensors", base / "model.safetensors");
    fs::copy_file(kFixtures + "/export/sp-tiny/tokenizer.model", base / "tokenizer.model");
    return base.string();
}

std::vector<float> logits(Model& m) {
    TokenBatch b;
    b.B = 2;
    b.T = 7;
    Rng rng(99);
    for (int i = 0; i < b.B * b.T; ++i) b.tokens.push_back(int32_t(rng.uniform() * (m.config().vocab_size - 1)));
    b.targets.assign(b.tokens.size(), -1);
    std::vector<float> out(size_t(b.B) * b.T * m.config().vocab_size);
    m.forward_logits(b, out.data());
    return out;
}

double max_diff(const std::vector<float>& a, const std::vector<float>& b) {
    double r = 0;
    for (size_t i = 0; i < a.size(); ++i) r = std::max(r, double(std::fabs(a[i] - b[i])));
    return r;
}
double max_abs(const std::vector<float>& a) {
    double r = 0;
    for (float x : a) r = std::max(r, double(std::fabs(x)));
    return r;
}

struct Case {
    std::string arch, yaml;  // yaml: the quantization lines of config.yaml
    QuantSpec spec;
    FineTuneType type;
};

}  // namespace

class FuseQuant : public ::testing::TestWithParam<Case> {};

TEST_P(FuseQuant, FusesIntoTheQuantizedWeightsTheAdaptersTrainedOn) {
    const Case& c = GetParam();
    TempDir tmp;
    const std::string base = make_base(tmp.path, c.arch);
    ModelLoadOptions lo;
    lo.keep_packed = true;
    lo.quantize = c.spec;
    auto m = Model::load(base, lo);  // what Session trains on
    ASSERT_EQ(m->num_quantized(), m->num_layers() * kNumProj);
    AdapterSpec as;
    as.type = c.type;
    as.rank = 4;
    as.scale = 2.0f;
    m->set_finetune(as, 3);
    Rng rng(5);
    for (float& x : m->params()) x += 0.05f * (2.0f * float(rng.uniform()) - 1.0f);
    const std::vector<float> want = logits(*m);  // adapters on the packed base

    const fs::path run = tmp.path / "run";
    fs::create_directories(run);
    write_file_atomic((run / "config.yaml").string(), "model: " + base + "\ntrain_mode: grpo\nseed: 1\n" + c.yaml);
    save_adapters(*m, (run / "adapters").string());

    // fuse_dequantize (default true): an HF float folder; F32 output so the comparison is exact
    FuseOptions fo;
    fo.dtype_from_base = false;
    fo.dtype = DType::F32;
    fo.out_dir = (tmp.path / "fused").string();
    fuse_run(run.string(), fo);
    auto fused = Model::load(fo.out_dir);
    EXPECT_FALSE(fused->is_quantized());
    const std::vector<float> got = logits(*fused);
    const double tol = 2e-5 * (1.0 + max_abs(want));  // float32 reassociation (merged W vs W x + s (x A) B)
    EXPECT_LT(max_diff(got, want), tol);
    // ... and the old behaviour (adapters on the ORIGINAL float weights) is measurably different
    auto orig = Model::load(base);
    load_adapters(*orig, (run / "adapters").string());
    EXPECT_GT(max_diff(logits(*orig), want), 50 * tol) << "the quantization error must show";

    // fuse_dequantize: false -> an MLX folder holding quantize(fused weights) with the run's spec
    FuseOptions fq = fo;
    fq.dequantize = false;
    fq.out_dir = (tmp.path / "fused-q").string();
    fuse_run(run.string(), fq);
    const QuantizationConfig qc = QuantizationConfig::from_dir(fq.out_dir);
    ASSERT_TRUE(qc.present);
    EXPECT_EQ(qc.defaults, c.spec);
    ModelLoadOptions keep;
    keep.keep_packed = true;
    auto mq = Model::load(fq.out_dir, keep);
    ASSERT_EQ(mq->num_quantized(), mq->num_layers() * kNumProj);
    auto requant = Model::load(fo.out_dir);
    requant->quantize_base(c.spec);  // the dequantized fused folder, quantized the same way
    for (int l = 0; l < mq->num_layers(); ++l)
        for (int p = 0; p < kNumProj; ++p) {
            const QuantizedMatrix *a = mq->quantized(l, Proj(p)), *b = requant->quantized(l, Proj(p));
            EXPECT_EQ(a->words, b->words) << l << " " << p;
            EXPECT_EQ(a->scales, b->scales) << l << " " << p;
            EXPECT_EQ(a->biases, b->biases) << l << " " << p;
        }
    EXPECT_LT(max_diff(logits(*mq), logits(*requant)), 1e-5 * (1.0 + max_abs(want)));

    // a run with `fuse_dequantize: false` in its config.yaml takes the MLX path by itself
    write_file_atomic((run / "config.yaml").string(),
                      "model: " + base + "\ntrain_mode: grpo\nseed: 1\nfuse_dequantize: false\n" + c.yaml);
    FuseOptions fr = fo;
    fr.out_dir = (tmp.path / "fused-run").string();
    fuse_run(run.string(), fr);
    EXPECT_TRUE(QuantizationConfig::from_dir(fr.out_dir).present);
}

INSTANTIATE_TEST_SUITE_P(Runs, FuseQuant,
                         ::testing::Values(Case{"qwen3", "quantization: 4\nquantization_group_size: 32\n", {4, 32, QuantMode::affine}, FineTuneType::lora},
                                           Case{"qwen2", "quantization: 8\nquantization_group_size: 32\n", {8, 32, QuantMode::affine}, FineTuneType::dora},
                                           Case{"llama", "quantization: mxfp4\n", {4, 32, QuantMode::mxfp4}, FineTuneType::lora}),
                         [](const auto& info) { return info.param.arch; });

// A float run fuses as before (no quantization: the original weights), and exporters refuse a packed
// model rather than silently leaving its packed projections out.
TEST(FuseQuantExport, RefusesPackedModels) {
    TempDir tmp;
    const std::string base = make_base(tmp.path, "qwen3");
    ModelLoadOptions lo;
    lo.keep_packed = true;
    lo.quantize = QuantSpec{4, 32, QuantMode::affine};
    auto m = Model::load(base, lo);
    ASSERT_TRUE(m->is_quantized());
    EXPECT_THROW(save_hf_folder(*m, base, (tmp.path / "hf").string(), DType::F32), InputError);
    EXPECT_THROW(export_gguf(*m, base, GgufQuant::q8_0, "x", (tmp.path / "x.gguf").string()), InputError);
    EXPECT_FALSE(fs::exists(tmp.path / "hf" / "model.safetensors"));
    EXPECT_FALSE(fs::exists(tmp.path / "x.gguf"));
    m->dequantize_base();
    EXPECT_NO_THROW(save_hf_folder(*m, base, (tmp.path / "hf").string(), DType::F32));
}
