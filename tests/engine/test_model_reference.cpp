// The model against PyTorch: tests/reference/model_reference.py computes tiny random Llama / Qwen2 /
// Qwen3 models in float64 as transformers does (LoRA / DoRA as mlx-lm) and writes a model folder plus
// the expected logits, log-probs, entropies, every trainable gradient (full, LoRA, DoRA) and a
// 10-step AdamW loss trajectory into tests/fixtures/model/<arch>/. The engine runs in float32.
//
// Tolerances (float32 against float64), about 10x the worst error measured when this was written
// (logits 2.4e-6, gradients 1.6e-6 of the tensor's scale, AdamW losses 1e-6):
//   logits, logp, entropy:  |got - want| <= 2e-5 * (1 + |want|)
//   each gradient tensor:   max |got - want| <= 2e-5 * max(max |want|, 1e-3)   (relative to the tensor's scale)
//   AdamW losses:           |got - want| <= 1e-4 * (1 + |want|) over 10 steps
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "io/safetensors.h"
#include "model/model.h"

namespace {

const std::string kDir = std::string(REINFORGE_FIXTURES) + "/model/";

struct Expected {
    std::unique_ptr<rf::SafetensorsFile> file;
    nlohmann::json meta;

    explicit Expected(const std::string& arch) {
        file = rf::SafetensorsFile::open(kDir + arch + "/expected.safetensors");
        meta = nlohmann::json::parse(rf::read_file(kDir + arch + "/expected.json"));
    }
    bool has(const std::string& name) const { return file->find(name) != nullptr; }
    std::vector<float> f32(const std::string& name) const {
        const rf::TensorInfo* t = file->find(name);
        EXPECT_NE(t, nullptr) << name;
        if (!t) return {};
        std::vector<float> v(t->numel());
        file->read_f32(*t, v.data());
        return v;
    }
    std::vector<int32_t> i32(const std::string& name) const {
        const rf::TensorInfo* t = file->find(name);
        EXPECT_NE(t, nullptr) << name;
        if (!t || t->dtype != rf::DType::I32) return {};
        std::vector<int32_t> v(t->numel());
        std::memcpy(v.data(), t->data, t->nbytes);
        return v;
    }
    rf::TokenBatch batch() const {
        rf::TokenBatch b;
        const rf::TensorInfo* t = file->find("tokens");
        b.B = int(t->shape[0]);
        b.T = int(t->shape[1]);
        b.tokens = i32("tokens");
        b.targets = i32("targets");
        return b;
    }
    rf::AdapterSpec spec(rf::FineTuneType type) const {
        const auto& lp = meta.at("lora_parameters");
        rf::AdapterSpec s;
        s.type = type;
        s.rank = lp.at("rank");
        s.scale = lp.at("scale");
        s.num_layers = lp.at("num_layers");
        s.keys = lp.at("keys").get<std::vector<std::string>>();
        return s;
    }
};

void expect_values(const std::vector<float>& got, const std::vector<float>& want, const std::string& what) {
    ASSERT_EQ(got.size(), want.size()) << what;
    double worst = 0;
    size_t at = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        double err = std::abs(double(got[i]) - want[i]) / (1 + std::abs(double(want[i])));
        if (err > worst) worst = err, at = i;
    }
    EXPECT_LE(worst, 2e-5) << what << "[" << at << "]: " << got[at] << " vs " << want[at];
    std::printf("  %-58s max rel err %.2e\n", what.c_str(), worst);
}

void expect_grad(const float* got, const std::vector<float>& want, const std::string& what) {
    double scale = 1e-3, worst = 0;
    size_t at = 0;
    for (float w : want) scale = std::max(scale, double(std::abs(w)));
    for (size_t i = 0; i < want.size(); ++i) {
        double err = std::abs(double(got[i]) - want[i]);
        if (err > worst) worst = err, at = i;
    }
    EXPECT_LE(worst, 2e-5 * scale) << what << "[" << at << "]: " << got[at] << " vs " << want[at] << " (scale " << scale
                                   << ")";
    std::printf("  %-58s max err %.2e (scale %.2e)\n", what.c_str(), worst, scale);
}

// forward(want_backward) + backward with the fixture's loss weights; compares logp, entropy, grads
void check_finetune(rf::Model& m, const Expected& e, rf::FineTuneType type, const std::string& prefix) {
    rf::TokenBatch b = e.batch();
    const float tau = e.meta.at("temperature");
    const size_t n = size_t(b.B) * b.T;
    if (type != rf::FineTuneType::full) {  // adapter values from the fixture (B nonzero, DoRA m != ||W||)
        size_t seen = 0;
        for (const rf::ParamView& v : m.trainable_layout()) {
            std::vector<float> p = e.f32(prefix + ".param." + v.name);
            ASSERT_EQ(p.size(), v.numel) << v.name;
            std::memcpy(m.params().data() + v.offset, p.data(), sizeof(float) * v.numel);
            ++seen;
        }
        size_t in_file = 0;
        for (const rf::TensorInfo& t : e.file->tensors()) in_file += t.name.rfind(prefix + ".param.", 0) == 0;
        EXPECT_EQ(seen, in_file) << "the trainable layout must name exactly the reference's adapter tensors";
    }
    std::vector<float> logp(n), ent(n);
    m.zero_grad();
    m.forward(b, tau, true, logp.data(), ent.data(), true);
    const std::string out = type == rf::FineTuneType::full ? "base" : prefix;
    expect_values(logp, e.f32(out + ".logp"), out + ".logp");
    expect_values(ent, e.f32(out + ".entropy"), out + ".entropy");
    m.backward(e.f32("loss_weight_logp").data(), e.f32("loss_weight_entropy").data());
    size_t checked = 0;
    for (const rf::ParamView& v : m.trainable_layout()) {
        std::vector<float> want = e.f32(prefix + ".grad." + v.name);
        ASSERT_EQ(want.size(), v.numel) << v.name;
        expect_grad(m.grads().data() + v.offset, want, prefix + ".grad." + v.name);
        ++checked;
    }
    EXPECT_GT(checked, 0u);
}

class ModelReference : public ::testing::TestWithParam<std::string> {};

TEST_P(ModelReference, LogitsLogpEntropy) {
    Expected e(GetParam());
    auto m = rf::Model::load(kDir + GetParam());
    rf::TokenBatch b = e.batch();
    const size_t n = size_t(b.B) * b.T, V = m->config().vocab_size;
    std::vector<float> logits(n * V);
    m->forward_logits(b, logits.data());
    expect_values(logits, e.f32("base.logits"), "base.logits");
    std::vector<float> logp(n), ent(n);
    m->forward(b, e.meta.at("temperature"), false, logp.data(), ent.data(), false);
    expect_values(logp, e.f32("base.logp"), "base.logp");
    expect_values(ent, e.f32("base.entropy"), "base.entropy");
    for (size_t i = 0; i < n; ++i)
        if (b.targets[i] < 0) EXPECT_TRUE(logp[i] == 0.0f && ent[i] == 0.0f);
}

TEST_P(ModelReference, FullGradients) {
    Expected e(GetParam());
    auto m = rf::Model::load(kDir + GetParam());
    m->set_finetune({.type = rf::FineTuneType::full}, 0);
    check_finetune(*m, e, rf::FineTuneType::full, "full");
}

TEST_P(ModelReference, LoraGradients) {
    Expected e(GetParam());
    auto m = rf::Model::load(kDir + GetParam());
    m->set_finetune(e.spec(rf::FineTuneType::lora), 7);
    check_finetune(*m, e, rf::FineTuneType::lora, "lora");
}

TEST_P(ModelReference, DoraGradients) {
    Expected e(GetParam());
    auto m = rf::Model::load(kDir + GetParam());
    m->set_finetune(e.spec(rf::FineTuneType::dora), 7);
    check_finetune(*m, e, rf::FineTuneType::dora, "dora");
}

TEST_P(ModelReference, GradientCheckpointingGivesTheSameGradients) {
    Expected e(GetParam());
    auto m = rf::Model::load(kDir + GetParam());
    m->set_grad_checkpoint(true);
    m->set_finetune(e.spec(rf::FineTuneType::dora), 7);
    check_finetune(*m, e, rf::FineTuneType::dora, "dora");
}

// torch.optim.AdamW (decoupled weight decay, bias correction), written out here so the test does not
// depend on engine/train:
//   p *= 1 - lr wd;  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2
//   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
TEST_P(ModelReference, AdamWTrajectory) {
    Expected e(GetParam());
    const auto& tj = e.meta.at("trajectory");
    const std::string type = tj.at("type");
    auto m = rf::Model::load(kDir + GetParam());
    rf::FineTuneType ft = rf::fine_tune_type_from_string(type);
    m->set_finetune(e.spec(ft), 7);
    if (ft != rf::FineTuneType::full)
        for (const rf::ParamView& v : m->trainable_layout()) {
            std::vector<float> p = e.f32(type + ".param." + v.name);
            std::memcpy(m->params().data() + v.offset, p.data(), sizeof(float) * v.numel);
        }
    const double lr = tj.at("lr"), wd = tj.at("weight_decay"), eps = tj.at("eps");
    const double b1 = tj.at("betas")[0], b2 = tj.at("betas")[1];
    const std::vector<double> want = tj.at("losses");
    rf::TokenBatch b = e.batch();
    const size_t n = size_t(b.B) * b.T;
    int scored = 0;
    for (int32_t t : b.targets) scored += t >= 0;
    std::vector<float> logp(n), ent(n), dlogp(n);
    for (size_t i = 0; i < n; ++i) dlogp[i] = b.targets[i] >= 0 ? -1.0f / scored : 0.0f;
    std::span<float> P = m->params();
    std::vector<double> mom(P.size(), 0.0), var(P.size(), 0.0);
    for (size_t step = 0; step < want.size(); ++step) {
        m->zero_grad();
        m->forward(b, 1.0f, true, logp.data(), ent.data(), true);
        double loss = 0;
        for (size_t i = 0; i < n; ++i) loss -= b.targets[i] >= 0 ? logp[i] : 0.0;
        loss /= scored;
        std::printf("  step %zu loss %.6f (torch %.6f)\n", step, loss, want[step]);
        EXPECT_NEAR(loss, want[step], 1e-4 * (1 + std::abs(want[step]))) << "step " << step;
        m->backward(dlogp.data());
        std::span<float> G = m->grads();
        const double t = double(step + 1), bc1 = 1 - std::pow(b1, t), bc2 = 1 - std::pow(b2, t);
        for (size_t i = 0; i < P.size(); ++i) {
            double p = P[i] * (1 - lr * wd), g = G[i];
            mom[i] = b1 * mom[i] + (1 - b1) * g;
            var[i] = b2 * var[i] + (1 - b2) * g * g;
            p -= lr / bc1 * mom[i] / (std::sqrt(var[i]) / std::sqrt(bc2) + eps);
            P[i] = float(p);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Archs, ModelReference, ::testing::Values("llama", "qwen2", "qwen3"),
                         [](const auto& info) { return info.param; });

}  // namespace
