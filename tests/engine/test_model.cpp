// Behaviour of rf::Model beyond the PyTorch comparison (test_model_reference.cpp): determinism,
// adapters on/off, merged weights, dropout gradients, the trainable layout, bad input, adapter files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/rng.h"
#include "io/safetensors.h"
#include "model/adapter_io.h"
#include "model/model.h"

namespace {

rf::ModelConfig tiny(const std::string& type = "qwen3", bool tied = true) {
    rf::ModelConfig c;
    c.model_type = type;
    c.hidden_size = 32;
    c.intermediate_size = 48;
    c.num_hidden_layers = 3;
    c.num_attention_heads = 4;
    c.num_key_value_heads = 2;
    c.head_dim = type == "qwen3" ? 16 : 8;
    c.vocab_size = 97;
    c.rms_norm_eps = 1e-6f;
    c.rope_theta = 10000.0f;
    c.tie_word_embeddings = tied;
    c.qk_norm = type == "qwen3";
    c.attention_bias = type == "qwen2";
    return c;
}

rf::TokenBatch batch(int B, int T, int V, uint64_t seed) {
    rf::Rng r(seed);
    rf::TokenBatch b;
    b.B = B;
    b.T = T;
    for (int i = 0; i < B * T; ++i) b.tokens.push_back(int32_t(r.below(V)));
    for (int bb = 0; bb < B; ++bb)
        for (int t = 0; t < T; ++t) b.targets.push_back(t + 1 < T && t >= 2 ? b.tokens[bb * T + t + 1] : -1);
    return b;
}

void randomise(std::span<float> p, uint64_t seed, float scale) {
    rf::Rng r(seed);
    for (float& x : p) x += scale * r.normal();
}

struct Outputs {
    std::vector<float> logp, ent;
};

Outputs run(rf::Model& m, const rf::TokenBatch& b, bool adapters, bool train, float tau = 1.0f) {
    Outputs r{std::vector<float>(b.tokens.size()), std::vector<float>(b.tokens.size())};
    m.forward(b, tau, adapters, r.logp.data(), r.ent.data(), train);
    return r;
}

std::vector<float> sft_dlogp(const rf::TokenBatch& b) {
    int n = 0;
    for (int32_t t : b.targets) n += t >= 0;
    std::vector<float> d(b.targets.size());
    for (size_t i = 0; i < d.size(); ++i) d[i] = b.targets[i] >= 0 ? -1.0f / n : 0.0f;
    return d;
}

std::string temp_dir(const std::string& name) {
    auto d = std::filesystem::temp_directory_path() / ("rf_test_model_" + std::to_string(::getpid()) + "_" + name);
    std::filesystem::remove_all(d);
    std::filesystem::create_directories(d);
    return d.string();
}

}  // namespace

TEST(Model, SameSeedSameLossesBitForBit) {
    auto train = [](uint64_t seed) {
        auto m = rf::Model::random_init(tiny(), seed);
        m->set_finetune({.type = rf::FineTuneType::lora, .rank = 4, .scale = 2.0f, .dropout = 0.1f}, seed);
        rf::TokenBatch b = batch(2, 12, 97, 5);
        std::vector<float> d = sft_dlogp(b), losses;
        for (int step = 0; step < 4; ++step) {
            m->zero_grad();
            Outputs r = run(*m, b, true, true);
            float loss = 0;
            for (size_t i = 0; i < r.logp.size(); ++i) loss += d[i] * r.logp[i];
            losses.push_back(loss);
            m->backward(d.data());
            auto P = m->params();
            auto G = m->grads();
            for (size_t i = 0; i < P.size(); ++i) P[i] -= 0.5f * G[i];
        }
        return losses;
    };
    std::vector<float> a = train(42), b = train(42), c = train(43);
    ASSERT_EQ(a.size(), 4u);
    for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i], b[i]) << "step " << i;  // bitwise
    EXPECT_NE(a[0], c[0]);
    EXPECT_LT(a[3], a[0]);  // the steps do reduce the loss
}

TEST(Model, FreshLoraEqualsBaseAndAdaptersOffIsTheBase) {
    auto m = rf::Model::random_init(tiny("qwen2"), 1);
    rf::TokenBatch b = batch(2, 10, 97, 2);
    Outputs base = run(*m, b, false, false, 0.7f);
    m->set_finetune({.type = rf::FineTuneType::lora, .rank = 3}, 9);
    Outputs fresh = run(*m, b, true, false, 0.7f);
    EXPECT_EQ(fresh.logp, base.logp);  // B = 0: the adapter adds exactly 0
    randomise(m->params(), 3, 0.05f);
    Outputs adapted = run(*m, b, true, false, 0.7f);
    Outputs off = run(*m, b, false, false, 0.7f);
    EXPECT_EQ(off.logp, base.logp);
    EXPECT_EQ(off.ent, base.ent);
    double diff = 0;
    for (size_t i = 0; i < b.tokens.size(); ++i) diff += std::abs(adapted.logp[i] - base.logp[i]);
    EXPECT_GT(diff, 1e-3);
}

TEST(Model, EvalForwardBetweenForwardAndBackwardChangesNothing) {
    auto m = rf::Model::random_init(tiny(), 3);
    m->set_finetune({.type = rf::FineTuneType::dora, .rank = 2}, 4);
    randomise(m->params(), 5, 0.05f);
    rf::TokenBatch b = batch(2, 9, 97, 6), other = batch(3, 13, 97, 7);
    std::vector<float> d = sft_dlogp(b);
    m->zero_grad();
    run(*m, b, true, true);
    m->backward(d.data());
    std::vector<float> g1(m->grads().begin(), m->grads().end());
    m->zero_grad();
    run(*m, b, true, true);
    run(*m, other, false, false);  // e.g. the reference model's log-probs
    run(*m, other, true, false);
    m->backward(d.data());
    std::vector<float> g2(m->grads().begin(), m->grads().end());
    EXPECT_EQ(g1, g2);
}

TEST(Model, BackwardWithoutForwardIsAnInternalError) {
    auto m = rf::Model::random_init(tiny(), 3);
    m->set_finetune({}, 1);
    std::vector<float> d(10);
    EXPECT_THROW(m->backward(d.data()), rf::InternalError);
}

TEST(Model, CheckpointingGivesIdenticalFullGradients) {
    rf::TokenBatch b = batch(2, 11, 97, 8);
    std::vector<float> d = sft_dlogp(b), grads[2];
    for (int ckpt = 0; ckpt < 2; ++ckpt) {
        auto m = rf::Model::random_init(tiny("llama", false), 4);
        m->set_grad_checkpoint(ckpt);
        m->set_finetune({.type = rf::FineTuneType::full}, 0);
        run(*m, b, true, true);
        m->backward(d.data());
        grads[ckpt].assign(m->grads().begin(), m->grads().end());
    }
    EXPECT_EQ(grads[0], grads[1]);
}

// Fuse: a model whose base weights are replaced by merged_weight() and that has no adapters computes
// what the adapted model computes (mlx-lm's LoRALinear.fuse / DoRALinear.fuse).
TEST(Model, MergedWeightsReproduceTheAdaptedModel) {
    for (auto type : {rf::FineTuneType::lora, rf::FineTuneType::dora}) {
        auto m = rf::Model::random_init(tiny("qwen2"), 10);
        m->set_finetune({.type = type, .rank = 4, .scale = 3.0f, .num_layers = 2}, 11);
        randomise(m->params(), 12, 0.1f);
        rf::TokenBatch b = batch(1, 15, 97, 13);
        Outputs adapted = run(*m, b, true, false);
        auto fused = rf::Model::random_init(tiny("qwen2"), 10);
        for (int l = 0; l < m->num_layers(); ++l)
            for (int p = 0; p < rf::kNumProj; ++p) {
                const rf::Proj proj = rf::Proj(p);
                m->merged_weight(l, proj, fused->block(l).w[p]);
                // project() is the same map: x W'^T + b
                std::vector<float> x(3 * m->proj_in(proj)), y1(3 * m->proj_out(proj)), y2(y1.size());
                rf::Rng r(l * 7 + p);
                for (float& v : x) v = r.normal();
                m->project(l, proj, x.data(), y1.data(), 3, true);
                fused->project(l, proj, x.data(), y2.data(), 3, false);
                for (size_t i = 0; i < y1.size(); ++i) ASSERT_NEAR(y1[i], y2[i], 1e-4 * (1 + std::abs(y1[i])));
            }
        Outputs merged = run(*fused, b, false, false);
        for (size_t i = 0; i < b.tokens.size(); ++i)
            EXPECT_NEAR(merged.logp[i], adapted.logp[i], 1e-4 * (1 + std::abs(adapted.logp[i])));
    }
}

// With dropout the training forward draws a mask per (forward, block, projection); the backward must
// use the same masks. Checked by central differences in float on a few adapter entries with the
// dropout counter reset so each perturbed forward draws the same masks (h = 2e-3 in float: within 1%
// of the largest gradient; measured 0.05%).
TEST(Model, DropoutGradientMatchesFiniteDifferences) {
    auto m = rf::Model::random_init(tiny(), 14);
    m->set_finetune({.type = rf::FineTuneType::lora, .rank = 2, .scale = 2.0f, .dropout = 0.3f}, 15);
    randomise(m->params(), 16, 0.2f);
    rf::TokenBatch b = batch(1, 12, 97, 17);
    std::vector<float> d = sft_dlogp(b);
    const uint64_t counter = m->dropout_counter();
    auto loss = [&] {
        m->set_dropout_counter(counter);
        Outputs r = run(*m, b, true, true);
        double s = 0;
        for (size_t i = 0; i < d.size(); ++i) s += double(d[i]) * r.logp[i];
        return s;
    };
    Outputs eval1 = run(*m, b, true, false), eval2 = run(*m, b, true, false);
    EXPECT_EQ(eval1.logp, eval2.logp);  // no dropout outside training forwards
    m->zero_grad();
    loss();
    m->backward(d.data());
    std::vector<float> g(m->grads().begin(), m->grads().end());
    auto P = m->params();
    size_t largest = 0;
    for (size_t i = 0; i < g.size(); ++i) largest = std::abs(g[i]) > std::abs(g[largest]) ? i : largest;
    for (size_t i : {largest, g.size() / 3, g.size() - 1}) {
        const float saved = P[i], h = 2e-3f;
        P[i] = saved + h;
        double lp = loss();
        P[i] = saved - h;
        double lm = loss();
        P[i] = saved;
        double num = (lp - lm) / (2 * h);
        EXPECT_NEAR(num, g[i], 0.01 * std::abs(g[largest]) + 1e-5) << "param " << i;
    }
    EXPECT_GT(std::abs(g[largest]), 1e-4);
}

TEST(Model, TrainableLayoutNamesShapesAndOffsets) {
    auto m = rf::Model::random_init(tiny(), 1);
    m->set_finetune(
        {.type = rf::FineTuneType::dora, .rank = 5, .num_layers = 1, .keys = {"mlp.down_proj", "self_attn.q_proj"}}, 2);
    const auto& L = m->trainable_layout();
    ASSERT_EQ(L.size(), 6u);
    EXPECT_EQ(L[0].name, "model.layers.2.self_attn.q_proj.lora_a");
    EXPECT_EQ(L[0].shape, (std::vector<int64_t>{32, 5}));
    EXPECT_EQ(L[1].name, "model.layers.2.self_attn.q_proj.lora_b");
    EXPECT_EQ(L[1].shape, (std::vector<int64_t>{5, 64}));  // NH * head_dim = 4 * 16
    EXPECT_EQ(L[2].name, "model.layers.2.self_attn.q_proj.m");
    EXPECT_EQ(L[5].name, "model.layers.2.mlp.down_proj.m");
    EXPECT_EQ(L[5].shape, (std::vector<int64_t>{32}));
    size_t off = 0;
    for (const auto& v : L) {
        EXPECT_EQ(v.offset, off);
        off += v.numel;
    }
    EXPECT_EQ(off, m->params().size());
    EXPECT_EQ(m->grads().size(), off);
    EXPECT_EQ(m->finetune().keys, (std::vector<std::string>{"self_attn.q_proj", "mlp.down_proj"}));
    EXPECT_EQ(m->adapter(1, rf::Proj::q), nullptr);
    // DoRA m starts at the row norms of W, A in +-1/sqrt(in), B = 0
    const float* W = m->block(2).w[int(rf::Proj::down)];
    double n0 = 0;
    for (int i = 0; i < 48; ++i) n0 += double(W[i]) * W[i];
    EXPECT_NEAR(m->params()[L[5].offset], std::sqrt(n0), 1e-5);
    for (size_t i = 0; i < L[3].numel; ++i) EXPECT_LE(std::abs(m->params()[L[3].offset + i]), 1 / std::sqrt(48.0f));
    for (size_t i = 0; i < L[4].numel; ++i) EXPECT_EQ(m->params()[L[4].offset + i], 0.0f);

    m->set_finetune({.type = rf::FineTuneType::lora, .num_layers = 99}, 2);  // more than L: all blocks (mlx-lm)
    EXPECT_EQ(m->trainable_layout().size(), 3u * 7 * 2);
    m->set_finetune({.type = rf::FineTuneType::full}, 2);  // tied: no lm_head.weight
    EXPECT_EQ(m->trainable_layout().front().name, "model.embed_tokens.weight");
    EXPECT_EQ(m->trainable_layout().back().name, "model.norm.weight");
    EXPECT_EQ(m->params().size(), m->base_params().size());
}

TEST(Model, BadSpecsAndTokensAreInputErrors) {
    auto m = rf::Model::random_init(tiny(), 1);
    try {
        m->set_finetune({.keys = {"self_attn.qproj"}}, 1);
        FAIL();
    } catch (const rf::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("self_attn.q_proj"), std::string::npos) << e.what();
    }
    EXPECT_THROW(m->set_finetune({.rank = 0}, 1), rf::InputError);
    EXPECT_THROW(m->set_finetune({.dropout = 1.0f}, 1), rf::InputError);
    EXPECT_THROW(m->set_finetune({.num_layers = 0}, 1), rf::InputError);
    rf::TokenBatch b = batch(1, 5, 97, 1);
    b.tokens[3] = 97;
    std::vector<float> lp(5), en(5);
    EXPECT_THROW(m->forward(b, 1.0f, true, lp.data(), en.data(), false), rf::InputError);
    rf::ModelConfig c = tiny();
    c.model_type = "gpt2";
    EXPECT_THROW(rf::Model::random_init(c, 1), rf::InputError);
    c = tiny();
    c.num_key_value_heads = 3;
    EXPECT_THROW(rf::Model::random_init(c, 1), rf::InputError);
}

TEST(AdapterIo, RoundTripAndMlxConfig) {
    const std::string dir = temp_dir("roundtrip");
    auto m = rf::Model::random_init(tiny(), 20);
    m->set_finetune({.type = rf::FineTuneType::dora,
                     .rank = 3,
                     .scale = 0.1f,
                     .num_layers = 2,
                     .keys = {"self_attn.v_proj", "mlp.up_proj"}},
                    21);
    randomise(m->params(), 22, 0.1f);
    rf::save_adapters(*m, dir, {{"model", "tiny"}});
    auto cfg = nlohmann::json::parse(rf::read_file(dir + "/adapter_config.json"));
    EXPECT_EQ(cfg["fine_tune_type"], "dora");
    EXPECT_EQ(cfg["num_layers"], 2);
    EXPECT_EQ(cfg["model"], "tiny");
    EXPECT_EQ(cfg["lora_parameters"]["rank"], 3);
    EXPECT_EQ(cfg["lora_parameters"]["scale"], 0.1);  // not 0.10000000149
    EXPECT_EQ(cfg["lora_parameters"]["use_dora"], true);
    EXPECT_EQ(cfg["lora_parameters"]["keys"], (nlohmann::json{"self_attn.v_proj", "mlp.up_proj"}));
    auto file = rf::SafetensorsFile::open(dir + "/adapters.safetensors");
    EXPECT_EQ(file->tensors().size(), 2u * 2 * 3);
    EXPECT_NE(file->find("model.layers.1.mlp.up_proj.m"), nullptr);

    auto m2 = rf::Model::random_init(tiny(), 20);
    rf::load_adapters(*m2, dir);
    EXPECT_EQ(std::vector<float>(m2->params().begin(), m2->params().end()),
              std::vector<float>(m->params().begin(), m->params().end()));
    rf::TokenBatch b = batch(1, 8, 97, 23);
    EXPECT_EQ(run(*m2, b, true, false).logp, run(*m, b, true, false).logp);

    // mlx-lm-lora's config has no fine_tune_type and no keys: DoRA from use_dora, keys from the tensors
    rf::write_file_atomic(dir + "/adapter_config.json",
                          R"({"lora_parameters": {"dropout": 0.0, "num_layers": 2, "rank": 3, "scale": 0.1,
                              "use_dora": true}, "num_layers": 2})");
    auto m3 = rf::Model::random_init(tiny(), 20);
    rf::load_adapters(*m3, dir);
    EXPECT_EQ(m3->finetune().type, rf::FineTuneType::dora);
    EXPECT_EQ(m3->finetune().keys, (std::vector<std::string>{"self_attn.v_proj", "mlp.up_proj"}));

    // a file for another rank or other modules is refused with the tensor named
    auto m4 = rf::Model::random_init(tiny(), 20);
    m4->set_finetune(
        {.type = rf::FineTuneType::dora, .rank = 4, .num_layers = 2, .keys = {"self_attn.v_proj", "mlp.up_proj"}}, 1);
    try {
        rf::load_adapter_weights(*m4, dir + "/adapters.safetensors");
        FAIL();
    } catch (const rf::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("lora_a"), std::string::npos) << e.what();
    }
    m4->set_finetune({.type = rf::FineTuneType::dora, .rank = 3, .num_layers = 2, .keys = {"self_attn.v_proj"}}, 1);
    EXPECT_THROW(rf::load_adapter_weights(*m4, dir + "/adapters.safetensors"), rf::InputError);
    EXPECT_THROW(rf::parse_adapter_config("{\"fine_tune_type\": \"qlora\"}", "x.json"), rf::InputError);
    EXPECT_THROW(rf::parse_adapter_config("[1", "x.json"), rf::InputError);
    std::filesystem::remove_all(dir);
}
