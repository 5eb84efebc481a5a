// Fuse: a run folder (config.yaml + adapters/) folded into its base and saved as a Hugging Face folder.
// The fused model, loaded back by Model::load, must give the adapter model's logits (the adapter
// forward is itself checked against PyTorch in test_model_reference.cpp) for LoRA and DoRA on each
// architecture; full fine-tuning must give back the trained tensors exactly; BF16/F16 output must be
// the RNE rounding of the F32 fused weights; nothing in the run folder may disappear.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/rng.h"
#include "export/fuse.h"
#include "export/hf_export.h"
#include "io/safetensors.h"
#include "model/adapter_io.h"
#include "model/model.h"

namespace fs = std::filesystem;
using namespace rf;

namespace {

const std::string kFixtures = REINFORGE_FIXTURES;

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "rf-fuse-XXXXXX").string();
        path = ::mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

// A base model folder: the fixture's config.json and weights, plus the sp-tiny tokenizer files.
std::string make_base(const fs::path& root, const std::string& arch) {
    const fs::path base = root / ("base-" + arch);
    fs::create_directories(base);
    fs::copy_file(kFixtures + "/model/" + arch + "/config.json", base / "config.json");
    fs::copy_file(kFixtures + "/model/" + arch + "/model.safetensors", base / "model.safetensors");
    fs::copy_file(kFixtures + "/export/sp-tiny/tokenizer.model", base / "tokenizer.model");
    fs::copy_file(kFixtures + "/export/sp-tiny/tokenizer_config.json", base / "tokenizer_config.json");
    return base.string();
}

TokenBatch batch_for(const Model& m) {
    TokenBatch b;
    b.B = 2;
    b.T = 7;
    Rng rng(99);
    for (int i = 0; i < b.B * b.T; ++i) b.tokens.push_back(int32_t(rng.uniform() * (m.config().vocab_size - 1)));
    b.targets.assign(b.tokens.size(), -1);
    return b;
}

std::vector<float> logits(Model& m) {
    TokenBatch b = batch_for(m);
    std::vector<float> out(size_t(b.B) * b.T * m.config().vocab_size);
    m.forward_logits(b, out.data());
    return out;
}

double max_abs(const std::vector<float>& a) {
    double r = 0;
    for (float x : a) r = std::max(r, double(std::fabs(x)));
    return r;
}

double max_diff(const std::vector<float>& a, const std::vector<float>& b) {
    EXPECT_EQ(a.size(), b.size());
    double r = 0;
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) r = std::max(r, double(std::fabs(a[i] - b[i])));
    return r;
}

// Every trainable value drawn from U(-amp, amp): B != 0 so the adapters change the model.
void perturb(Model& m, uint64_t seed, float amp) {
    Rng rng(seed);
    for (float& x : m.params()) x += amp * (2.0f * float(rng.uniform()) - 1.0f);
}

// A run folder as train/Session writes it: config.yaml naming the base, adapters/ with the files.
std::string make_run(const fs::path& root, const std::string& name, Model& m, const std::string& base) {
    const fs::path run = root / name;
    fs::create_directories(run);
    write_file_atomic((run / "config.yaml").string(), "model: " + base + "\ntrain_mode: grpo\nseed: 1\n");
    save_adapters(m, (run / "adapters").string());
    return run.string();
}

AdapterSpec spec_of(FineTuneType t) {
    AdapterSpec s;
    s.type = t;
    s.rank = 4;
    s.scale = 2.0f;
    return s;
}

}  // namespace

class FuseArch : public ::testing::TestWithParam<std::tuple<std::string, FineTuneType>> {};

TEST_P(FuseArch, FusedLogitsEqualAdapterLogits) {
    const auto& [arch, type] = GetParam();
    TempDir tmp;
    const std::string base = make_base(tmp.path, arch);
    auto m = Model::load(base);
    const std::vector<float> base_logits = logits(*m);
    AdapterSpec spec = spec_of(type);
    spec.num_layers = 1;  // the last block only: the others must come out unchanged
    m->set_finetune(spec, 7);
    perturb(*m, 11, 0.05f);
    const std::vector<float> want = logits(*m);
    const std::string run = make_run(tmp.path, "run", *m, base);
    write_file_atomic(run + "/adapters/0000010_adapters.safetensors", read_file(run + "/adapters/adapters.safetensors"));

    FuseOptions def;  // defaults: <run>/fused, in the base's dtype (qwen2's fixture is BF16)
    EXPECT_EQ(fuse_run(run, def), run + "/fused");
    auto def_file = SafetensorsFile::open(run + "/fused/model.safetensors");
    for (const TensorInfo& t : def_file->tensors())
        EXPECT_EQ(t.dtype, base_weight_dtype(base)) << t.name;

    FuseOptions opt;
    opt.out_dir = run + "/fused-f32";
    opt.dtype = DType::F32;
    opt.dtype_from_base = false;
    const std::string out = fuse_run(run, opt);
    auto fused = Model::load(out);
    const std::vector<float> got = logits(*fused);
    // float32 through a different order of operations: x W^T + s (x A) B  vs  x (W + s (AB)^T)^T
    const double tol = 1e-5 * std::max(1.0, max_abs(want));
    EXPECT_LE(max_diff(got, want), tol) << arch;
    EXPECT_GT(max_diff(got, base_logits), 100 * tol) << "the adapters did not change the model";

    // The run folder is intact; the tokenizer was copied; config.json carries the dtype written.
    for (const char* f : {"/config.yaml", "/adapters/adapters.safetensors", "/adapters/adapter_config.json",
                          "/adapters/0000010_adapters.safetensors"})
        EXPECT_TRUE(fs::exists(run + f)) << f;
    EXPECT_TRUE(fs::exists(out + "/tokenizer.model"));
    EXPECT_EQ(read_file(out + "/tokenizer_config.json"), read_file(base + "/tokenizer_config.json"));
    auto cfg = nlohmann::json::parse(read_file(out + "/config.json"));
    EXPECT_EQ(cfg["torch_dtype"], "float32");
    EXPECT_EQ(nlohmann::json::parse(read_file(run + "/fused/config.json"))["torch_dtype"],
              torch_dtype_name(base_weight_dtype(base)));
    // Blocks without an adapter are bit-identical to the base.
    auto base_m = Model::load(base);
    for (int p = 0; p < kNumProj; ++p) {
        const size_t n = size_t(fused->proj_in(Proj(p))) * fused->proj_out(Proj(p));
        EXPECT_EQ(0, std::memcmp(fused->block(0).w[p], base_m->block(0).w[p], n * sizeof(float))) << p;
    }
}

INSTANTIATE_TEST_SUITE_P(All, FuseArch,
                         ::testing::Combine(::testing::Values("llama", "qwen2", "qwen3"),
                                            ::testing::Values(FineTuneType::lora, FineTuneType::dora)),
                         [](const auto& info) {
                             return std::get<0>(info.param) + "_" + to_string(std::get<1>(info.param));
                         });

TEST(Fuse, InPlaceFuseLeavesIdentityAdapters) {
    for (FineTuneType t : {FineTuneType::lora, FineTuneType::dora}) {
        auto m = Model::load(kFixtures + "/model/qwen3");
        m->set_finetune(spec_of(t), 3);
        perturb(*m, 5, 0.05f);
        const std::vector<float> want = logits(*m);
        fuse_adapters(*m);
        const std::vector<float> got = logits(*m);  // forward_logits runs with the (reset) adapters
        EXPECT_LE(max_diff(got, want), 1e-5 * std::max(1.0, max_abs(want))) << to_string(t);
        TokenBatch b = batch_for(*m);
        std::vector<float> lp_with(b.tokens.size()), lp_without(b.tokens.size()), ent(b.tokens.size());
        b.targets = b.tokens;
        m->forward(b, 1.0f, true, lp_with.data(), ent.data(), false);
        m->forward(b, 1.0f, false, lp_without.data(), ent.data(), false);
        EXPECT_LE(max_diff(lp_with, lp_without), 1e-5) << "adapters are identities after the fuse";
    }
}

TEST(Fuse, FullFineTuneGivesTheTrainedTensors) {
    TempDir tmp;
    const std::string base = make_base(tmp.path, "qwen2");
    auto m = Model::load(base);
    AdapterSpec spec;
    spec.type = FineTuneType::full;
    m->set_finetune(spec, 0);
    perturb(*m, 17, 0.01f);
    const std::string run = make_run(tmp.path, "full-run", *m, base);
    FuseOptions opt;
    opt.out_dir = (tmp.path / "out").string();
    opt.dtype = DType::F32;
    opt.dtype_from_base = false;
    fuse_run(run, opt);
    auto fused = Model::load(opt.out_dir);
    ASSERT_EQ(fused->base_params().size(), m->base_params().size());
    EXPECT_EQ(0, std::memcmp(fused->base_params().data(), m->base_params().data(), m->base_params().size() * sizeof(float)));
}

TEST(Fuse, HalfPrecisionOutputIsTheRoundedFusedWeights) {
    TempDir tmp;
    const std::string base = make_base(tmp.path, "llama");
    auto m = Model::load(base);
    m->set_finetune(spec_of(FineTuneType::dora), 1);
    perturb(*m, 2, 0.05f);
    const std::string run = make_run(tmp.path, "run", *m, base);
    FuseOptions f32;
    f32.out_dir = (tmp.path / "f32").string();
    f32.dtype = DType::F32;
    f32.dtype_from_base = false;
    fuse_run(run, f32);
    auto ref = Model::load(f32.out_dir);
    for (DType dt : {DType::BF16, DType::F16}) {
        FuseOptions o = f32;
        o.out_dir = (tmp.path / dtype_name(dt)).string();
        o.dtype = dt;
        fuse_run(run, o);
        auto file = SafetensorsFile::open(o.out_dir + "/model.safetensors");
        for (const TensorInfo& t : file->tensors()) EXPECT_EQ(t.dtype, dt) << t.name;
        EXPECT_EQ(file->metadata().at("format"), "pt");
        auto half = Model::load(o.out_dir);
        auto a = ref->base_params(), b = half->base_params();
        ASSERT_EQ(a.size(), b.size());
        size_t bad = 0;
        for (size_t i = 0; i < a.size(); ++i) {
            const float r = dt == DType::BF16 ? bf16_to_f32(f32_to_bf16(a[i])) : f16_to_f32(f32_to_f16(a[i]));
            bad += r != b[i];
        }
        EXPECT_EQ(bad, 0u) << dtype_name(dt);
        EXPECT_EQ(nlohmann::json::parse(read_file(o.out_dir + "/config.json"))["torch_dtype"], torch_dtype_name(dt));
    }
}

TEST(Fuse, CheckpointFileIsUsedWhenNamed) {
    TempDir tmp;
    const std::string base = make_base(tmp.path, "qwen3");
    auto m = Model::load(base);
    m->set_finetune(spec_of(FineTuneType::lora), 4);
    perturb(*m, 8, 0.05f);
    const std::string run = make_run(tmp.path, "run", *m, base);
    perturb(*m, 9, 0.05f);  // a later state, saved as a numbered checkpoint
    save_adapter_weights(*m, run + "/adapters/0000020_adapters.safetensors");
    const std::vector<float> want = logits(*m);
    FuseOptions o;
    o.out_dir = (tmp.path / "ck").string();
    o.checkpoint = "0000020_adapters.safetensors";
    fuse_run(run, o);
    auto fused = Model::load(o.out_dir);
    EXPECT_LE(max_diff(logits(*fused), want), 1e-5 * std::max(1.0, max_abs(want)));
}

TEST(Fuse, BaseFoundRelativeToTheRunAndFromAdapterConfig) {
    TempDir tmp;
    make_base(tmp.path, "qwen3");
    auto m = Model::load((tmp.path / "base-qwen3").string());
    m->set_finetune(spec_of(FineTuneType::lora), 4);
    // runs/<name>/ under the folder training started in, with `model:` relative to that folder
    const fs::path run = tmp.path / "runs" / "r1";
    fs::create_directories(run);
    write_file_atomic((run / "config.yaml").string(), "model: base-qwen3\n");
    save_adapters(*m, (run / "adapters").string());
    ExportSource src = open_export_source(run.string());
    EXPECT_EQ(fs::canonical(src.model_dir), fs::canonical(tmp.path / "base-qwen3"));
    EXPECT_EQ(src.name, "r1");
    // an mlx-lm style adapter folder naming its base in adapter_config.json
    const fs::path ad = tmp.path / "adapters-only";
    save_adapters(*m, ad.string(), {{"model", (tmp.path / "base-qwen3").string()}});
    ExportSource s2 = open_export_source(ad.string());
    EXPECT_EQ(s2.adapter_dir, ad.string());
}

TEST(Fuse, BadInputIsAClearError) {
    TempDir tmp;
    const std::string base = make_base(tmp.path, "qwen3");
    // no such folder
    EXPECT_THROW(open_export_source((tmp.path / "nope").string()), InputError);
    // a run without adapters yet
    fs::create_directories(tmp.path / "empty-run");
    write_file_atomic((tmp.path / "empty-run/config.yaml").string(), "model: " + base + "\n");
    try {
        open_export_source((tmp.path / "empty-run").string());
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("adapter_config.json"), std::string::npos) << e.what();
    }
    // a run whose config.yaml does not name the model
    auto m = Model::load(base);
    m->set_finetune(spec_of(FineTuneType::lora), 4);
    const fs::path r = tmp.path / "no-model";
    fs::create_directories(r);
    write_file_atomic((r / "config.yaml").string(), "seed: 3\n");
    save_adapters(*m, (r / "adapters").string());
    try {
        open_export_source(r.string());
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_EQ(e.key, "model") << e.what();
    }
    // writing into the base model's own folder is refused
    auto plain = Model::load(base);
    EXPECT_THROW(save_hf_folder(*plain, base, base, DType::F32), InputError);
    // an unknown dtype name
    EXPECT_THROW(weight_dtype_from_string("int4", "--dtype"), InputError);
}
