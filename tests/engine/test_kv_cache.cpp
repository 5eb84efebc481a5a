// Consistency of KV-cached decoding with the full forward pass (issue 4, item 4): for every
// architecture, with and without adapters, the logits / log-probs of incremental decoding (batched
// prefill of prompts of different lengths, a shared prefix per group, sequences of different lengths
// decoded together and dropping out at different steps) equal those of Model::forward over the same
// tokens.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "core/rng.h"
#include "io/safetensors.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "sampling/generate.h"

namespace {

struct Arch {
    const char* name;
    const char* json;
};

// Tiny models of each family: llama (untied, llama3 rope scaling, GQA 4/2), qwen2 (qkv bias, tied,
// GQA 4/1), qwen3 (q/k norm, head_dim 24 != C / NH, GQA 6/2).
const Arch kArchs[] = {
    {"llama", R"({"model_type": "llama", "hidden_size": 48, "intermediate_size": 80, "num_hidden_layers": 2,
       "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 61, "rms_norm_eps": 1e-5,
       "rope_theta": 10000.0, "tie_word_embeddings": false,
       "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                        "original_max_position_embeddings": 16}})"},
    {"qwen2", R"({"model_type": "qwen2", "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
       "num_attention_heads": 4, "num_key_value_heads": 1, "vocab_size": 53, "rms_norm_eps": 1e-6,
       "rope_theta": 1000000.0, "tie_word_embeddings": true})"},
    {"qwen3", R"({"model_type": "qwen3", "hidden_size": 40, "intermediate_size": 72, "num_hidden_layers": 3,
       "num_attention_heads": 6, "num_key_value_heads": 2, "head_dim": 24, "vocab_size": 67,
       "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "tie_word_embeddings": true})"},
};

enum class Ft { none, lora, dora, full };
const char* ft_name(Ft f) { return f == Ft::none ? "none" : f == Ft::lora ? "lora" : f == Ft::dora ? "dora" : "full"; }

// A model with weights large enough that attention and the MLP are far from uniform, and adapters
// that change the output (B != 0, DoRA m != ||W||).
std::unique_ptr<rf::Model> make_model(const Arch& a, Ft ft, bool round_to_bf16 = false) {
    auto cfg = rf::ModelConfig::from_json_text(a.json, a.name);
    auto m = rf::Model::random_init(cfg, 7);
    rf::Rng r(11);
    for (const rf::ParamView& v : m->base_layout()) {
        float* p = m->base_params().data() + v.offset;
        const bool norm = v.name.find("norm") != std::string::npos;
        for (size_t i = 0; i < v.numel; ++i) p[i] = norm ? 1.0f + 0.3f * r.normal() : 0.15f * r.normal();
        if (round_to_bf16)
            for (size_t i = 0; i < v.numel; ++i) p[i] = rf::bf16_to_f32(rf::f32_to_bf16(p[i]));
    }
    if (ft == Ft::none) return m;
    rf::AdapterSpec spec;
    spec.type = ft == Ft::lora ? rf::FineTuneType::lora : ft == Ft::dora ? rf::FineTuneType::dora : rf::FineTuneType::full;
    spec.rank = 4;
    spec.scale = 2.0f;
    spec.num_layers = cfg.num_hidden_layers - 1;  // leave block 0 without adapters
    m->set_finetune(spec, 5);
    if (ft == Ft::full) return m;
    auto params = m->params();
    for (const rf::ParamView& v : m->trainable_layout()) {
        const bool mag = v.name.size() > 2 && v.name.compare(v.name.size() - 2, 2, ".m") == 0;
        for (size_t i = 0; i < v.numel; ++i)
            params[v.offset + i] = mag ? params[v.offset + i] * (1.0f + 0.2f * r.normal()) : params[v.offset + i] + 0.2f * r.normal();
    }
    return m;
}

// log softmax(logits / T) of every target under Model::forward, for one sequence.
std::vector<float> forward_logp(rf::Model& m, const std::vector<int>& tokens, float T, bool adapters) {
    rf::TokenBatch b;
    b.B = 1;
    b.T = int(tokens.size());
    b.tokens.assign(tokens.begin(), tokens.end());
    b.targets.assign(tokens.size(), -1);
    for (size_t t = 0; t + 1 < tokens.size(); ++t) b.targets[t] = tokens[t + 1];
    std::vector<float> logp(tokens.size()), ent(tokens.size());
    m.forward(b, T, adapters, logp.data(), ent.data(), false);
    return logp;
}

struct Trace {
    std::vector<std::vector<int>> tokens;         // per sequence: prompt + fed/sampled tokens
    std::vector<std::vector<std::vector<float>>> logits;  // per sequence, per generated token: V logits
};

// Drives the decoder by hand: 3 prompts (lengths 5, 1, 8), 2 sequences each, planned completion
// lengths {6, 3, 5, 1, 4, 6}, random tokens. Sequences drop out of the batch when done.
Trace run_decoder(rf::ModelDecoder& dec, int V, uint64_t seed) {
    rf::Rng r(seed);
    const std::vector<int> plen = {5, 1, 8};
    std::vector<std::vector<int>> prompts;
    for (int n : plen) {
        std::vector<int> p;
        for (int i = 0; i < n; ++i) p.push_back(int(r.below(uint32_t(V))));
        prompts.push_back(p);
    }
    const std::vector<int> prompt_of = {0, 0, 1, 1, 2, 2}, want = {6, 3, 5, 1, 4, 6};
    std::vector<float> logits;
    dec.prefill(prompts, 6, logits);
    dec.fork(prompt_of);
    Trace tr;
    const int S = int(prompt_of.size());
    tr.tokens.resize(size_t(S));
    tr.logits.resize(size_t(S));
    for (int s = 0; s < S; ++s) {
        tr.tokens[size_t(s)] = prompts[size_t(prompt_of[size_t(s)])];
        const float* row = logits.data() + size_t(prompt_of[size_t(s)]) * V;
        tr.logits[size_t(s)].push_back(std::vector<float>(row, row + V));
        tr.tokens[size_t(s)].push_back(int(r.below(uint32_t(V))));
    }
    for (int step = 1;; ++step) {
        std::vector<int> seqs, toks;
        for (int s = 0; s < S; ++s)
            if (int(tr.logits[size_t(s)].size()) < want[size_t(s)]) {
                seqs.push_back(s);
                toks.push_back(tr.tokens[size_t(s)].back());
                EXPECT_EQ(dec.position(s), int(tr.tokens[size_t(s)].size()) - 1);
            }
        if (seqs.empty()) break;
        dec.decode(seqs, toks, logits);
        for (size_t i = 0; i < seqs.size(); ++i) {
            const int s = seqs[i];
            const float* row = logits.data() + i * size_t(V);
            tr.logits[size_t(s)].push_back(std::vector<float>(row, row + V));
            tr.tokens[size_t(s)].push_back(int(r.below(uint32_t(V))));
        }
    }
    return tr;
}

// Tolerance: float32 through 2-3 blocks with two different summation orders (BLAS vs the decode
// kernels); observed differences are ~1e-6.
void expect_consistent(rf::Model& m, const Trace& tr, bool adapters, const std::string& what) {
    const int V = m.config().vocab_size;
    const float T = 0.7f;
    for (size_t s = 0; s < tr.tokens.size(); ++s) {
        const std::vector<int>& tok = tr.tokens[s];
        const size_t n_gen = tr.logits[s].size();
        const size_t first = tok.size() - n_gen - 1;  // position of the last prompt token
        auto ref = forward_logp(m, tok, T, adapters);
        for (size_t i = 0; i < n_gen; ++i) {
            const float got = rf::sampling_logprob(tr.logits[s][i].data(), V, tok[first + i + 1], T);
            EXPECT_NEAR(got, ref[first + i], 2e-4) << what << " seq " << s << " token " << i;
        }
        if (!adapters) continue;
        rf::TokenBatch b;  // full logits (forward_logits runs with adapters)
        b.B = 1;
        b.T = int(tok.size());
        b.tokens.assign(tok.begin(), tok.end());
        std::vector<float> full(tok.size() * size_t(V));
        m.forward_logits(b, full.data());
        for (size_t i = 0; i < n_gen; ++i)
            for (int v = 0; v < V; ++v)
                ASSERT_NEAR(tr.logits[s][i][size_t(v)], full[(first + i) * V + v], 2e-4)
                    << what << " seq " << s << " token " << i << " vocab " << v;
    }
}

}  // namespace

TEST(KvCache, IncrementalDecodingEqualsFullForward) {
    for (const Arch& a : kArchs)
        for (Ft ft : {Ft::none, Ft::lora, Ft::dora, Ft::full}) {
            auto m = make_model(a, ft);
            const bool adapters = ft == Ft::lora || ft == Ft::dora;
            for (bool use : {true, false}) {
                if (!adapters && !use) continue;
                rf::DecodeOptions opt;
                opt.use_adapters = use;
                rf::ModelDecoder dec(*m, opt);
                auto tr = run_decoder(dec, m->config().vocab_size, 3);
                expect_consistent(*m, tr, use, std::string(a.name) + "/" + ft_name(ft) + (use ? "" : "/base"));
                // a second generation on the same decoder reuses its buffers
                auto tr2 = run_decoder(dec, m->config().vocab_size, 4);
                expect_consistent(*m, tr2, use, std::string(a.name) + "/" + ft_name(ft) + "/again");
            }
        }
}

// bf16 decode copies: exact when the weights are bf16 values to begin with (a BF16 checkpoint).
TEST(KvCache, Bf16DecodeWeightsEqualForwardOnBf16Checkpoint) {
    for (const Arch& a : kArchs) {
        auto m = make_model(a, Ft::lora, true);
        rf::DecodeOptions opt;
        opt.bf16_weights = true;
        rf::ModelDecoder dec(*m, opt);
        EXPECT_EQ(dec.weight_bytes_per_pass() * 2, rf::ModelDecoder(*m).weight_bytes_per_pass());
        auto tr = run_decoder(dec, m->config().vocab_size, 5);
        expect_consistent(*m, tr, true, std::string(a.name) + "/bf16");
    }
}

// The sampler's recorded log-probs are Model::forward's at the sampling temperature, prompt as context.
TEST(KvCache, SampledCompletionLogprobsMatchForward) {
    auto m = make_model(kArchs[2], Ft::lora);
    rf::ModelDecoder dec(*m);
    rf::SamplingParams sp;
    sp.temperature = 0.8f;
    sp.top_p = 0.95f;
    sp.top_k = 20;
    rf::StopCriteria stop;
    stop.eos_ids = {0};
    stop.max_completion_length = 12;
    rf::Rng rng(1);
    const std::vector<std::vector<int>> prompts = {{3, 9, 27, 14}, {5}};
    auto detok = [](const std::vector<int>& ids) { return std::string(ids.size(), 'x'); };
    auto out = rf::generate_batch(dec, prompts, 4, sp, stop, detok, rng);
    for (size_t p = 0; p < prompts.size(); ++p)
        for (const rf::Completion& c : out[p]) {
            std::vector<int> tok = prompts[p];
            tok.insert(tok.end(), c.ids.begin(), c.ids.end());
            auto ref = forward_logp(*m, tok, sp.temperature, true);
            for (size_t i = 0; i < c.ids.size(); ++i) EXPECT_NEAR(c.logps[i], ref[prompts[p].size() - 1 + i], 2e-4);
        }
}

TEST(KvCache, BadPromptsAreInputErrors) {
    auto m = make_model(kArchs[0], Ft::none);
    rf::ModelDecoder dec(*m);
    std::vector<float> logits;
    EXPECT_THROW(dec.prefill({{1, 2}, {}}, 4, logits), rf::InputError);
    EXPECT_THROW(dec.prefill({{1, 999}}, 4, logits), rf::InputError);
}
