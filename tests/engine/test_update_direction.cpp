// One policy-gradient update moves the weights the right way: after a GRPO / REINFORCE / PPO step on
// two completions with opposite advantages, the log-prob of the high-advantage completion rises and
// the other one falls (LoRA adapters only; the base is frozen). This is the check the reference
// backend's REINFORCE/PPO would fail (their gradients are structurally zero).
#include <gtest/gtest.h>

#include <numeric>

#include "model/model.h"
#include "optim/optimizer.h"
#include "rl/losses.h"

namespace {

rf::ModelConfig tiny() {
    rf::ModelConfig c;
    c.model_type = "llama";
    c.hidden_size = 32;
    c.intermediate_size = 64;
    c.num_hidden_layers = 2;
    c.num_attention_heads = 4;
    c.num_key_value_heads = 2;
    c.head_dim = 8;
    c.vocab_size = 50;
    c.rms_norm_eps = 1e-5f;
    c.tie_word_embeddings = true;
    return c;
}

// Two rows: the same 4-token prompt, then two different 5-token completions.
rf::TokenBatch pair_batch() {
    rf::TokenBatch b;
    b.B = 2;
    b.T = 9;
    std::vector<int> prompt = {1, 7, 3, 9};
    std::vector<std::vector<int>> comp = {{11, 12, 13, 14, 15}, {21, 22, 23, 24, 25}};
    for (int r = 0; r < 2; ++r) {
        std::vector<int> seq = prompt;
        seq.insert(seq.end(), comp[r].begin(), comp[r].end());
        for (int t = 0; t < b.T; ++t) {
            b.tokens.push_back(seq[t]);
            b.targets.push_back(t >= 3 && t + 1 < b.T ? seq[t + 1] : -1);
        }
    }
    return b;
}

// Completion log-prob per row (sum over the scored positions).
std::array<double, 2> seq_logp(rf::Model& m, const rf::TokenBatch& b, std::vector<float>* per_token = nullptr) {
    std::vector<float> lp(b.tokens.size()), ent(b.tokens.size());
    m.forward(b, 1.0f, true, lp.data(), ent.data(), per_token != nullptr);
    if (per_token) *per_token = lp;
    std::array<double, 2> s{0, 0};
    for (int r = 0; r < 2; ++r)
        for (int t = 0; t < b.T; ++t) s[r] += lp[r * b.T + t];
    return s;
}

enum class Algo { grpo, reinforce, ppo };

void check_direction(Algo algo) {
    auto m = rf::Model::random_init(tiny(), 11);
    rf::AdapterSpec spec;
    spec.rank = 4;
    m->set_finetune(spec, 5);
    rf::TokenBatch b = pair_batch();
    std::vector<float> logp;
    auto before = seq_logp(*m, b, &logp);
    std::vector<float> mask(b.tokens.size());
    for (size_t i = 0; i < mask.size(); ++i) mask[i] = b.targets[i] >= 0 ? 1.0f : 0.0f;
    rf::LossBatch<float> lb;
    lb.N = 2;
    lb.T = b.T;
    lb.logp = logp;
    lb.mask = mask;
    rf::LossOutput<float> out;
    if (algo == Algo::grpo) {
        rf::GrpoOptions o;
        o.beta = 0.0;
        std::vector<double> adv = {1.0, -1.0};
        out = rf::grpo_loss(lb, adv, {}, o);
    } else if (algo == Algo::reinforce) {
        rf::ReinforceOptions o;
        o.beta = 0.0;
        o.baseline = rf::Baseline::batch_mean;
        std::vector<double> rewards = {2.0, 0.0};
        out = rf::reinforce_loss(lb, rewards, o);
    } else {
        rf::PpoOptions o;
        o.beta = 0.0;  // row 0 chosen, row 1 rejected
        out = rf::ppo_loss(lb, std::vector<double>{}, o);
    }
    m->zero_grad();
    m->backward(out.dlogp.data());
    double gnorm = 0;
    for (float g : m->grads()) gnorm += double(g) * g;
    ASSERT_GT(gnorm, 0.0) << "the update has no gradient";
    auto opt = rf::make_optimizer("sgd", nlohmann::json::object());
    opt->step(m->params(), m->grads(), 0.05f);
    m->refresh_adapters();
    auto after = seq_logp(*m, b);
    EXPECT_GT(after[0], before[0]) << "high-advantage completion";
    EXPECT_LT(after[1], before[1]) << "low-advantage completion";
}

}  // namespace

TEST(UpdateDirection, Grpo) { check_direction(Algo::grpo); }
TEST(UpdateDirection, Reinforce) { check_direction(Algo::reinforce); }
TEST(UpdateDirection, Ppo) { check_direction(Algo::ppo); }
