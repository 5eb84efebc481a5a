// The local-model judge backend on the tiny Qwen3 fixture model (tests/fixtures/model/qwen3) with a
// byte tokenizer and the ChatML template: choice probabilities from the KV-cached prefill/decode
// path must equal those computed independently with the plain full-sequence forward
// (Model::forward_logits), multi-token choices ("10") included; greedy complete() must follow the
// argmax of that forward; and the LLM judge on top gives verdicts that never fail to parse.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "config/run_config.h"
#include "core/error.h"
#include "judge/judge_factory.h"
#include "judge/local_judge_backend.h"
#include "model/model.h"
#include "text/tokenizer.h"

using namespace rf;

namespace {

// id = byte + 3; 0..2 are special (2 = EOS), vocabulary 300 like the fixture model.
class ByteTokenizer : public Tokenizer {
public:
    ByteTokenizer() { m_eos_ids = {2}; }
    std::vector<int> encode(std::string_view text, bool) const override {
        std::vector<int> ids;
        for (unsigned char c : text) ids.push_back(int(c) + 3);
        return ids;
    }
    std::string decode_bytes(std::span<const int> ids, bool skip_special) const override {
        std::string s;
        for (int id : ids)
            if (id >= 3 && id < 259) s.push_back(char(id - 3));
        return s;
    }
    std::string token_text(int id) const override { return id >= 3 && id < 259 ? std::string(1, char(id - 3)) : ""; }
    int token_id(std::string_view t) const override { return t.size() == 1 ? int((unsigned char)t[0]) + 3 : -1; }
    int vocab_size() const override { return 300; }
    bool is_special(int id) const override { return id < 3 || id >= 259; }
    std::string kind() const override { return "test-bytes"; }
};

std::string fixture_model() { return std::string(REINFORGE_FIXTURES) + "/model/qwen3"; }

// log P(choice | prompt) with one full forward over prompt + choice.
double reference_logp(Model& m, const std::vector<int>& prompt, const std::vector<int>& choice) {
    std::vector<int> seq = prompt;
    seq.insert(seq.end(), choice.begin(), choice.end());
    TokenBatch b;
    b.B = 1;
    b.T = int(seq.size());
    b.tokens.assign(seq.begin(), seq.end());
    b.targets.assign(seq.size(), -1);
    const int V = m.config().vocab_size;
    std::vector<float> logits(seq.size() * size_t(V));
    m.forward_logits(b, logits.data());
    double lp = 0.0;
    for (size_t k = 0; k < choice.size(); ++k) {
        const float* row = logits.data() + (prompt.size() - 1 + k) * size_t(V);
        double mx = row[0], sum = 0.0;
        for (int v = 0; v < V; ++v) mx = std::max(mx, double(row[v]));
        for (int v = 0; v < V; ++v) sum += std::exp(double(row[v]) - mx);
        lp += double(row[choice[k]]) - mx - std::log(sum);
    }
    return lp;
}

}  // namespace

TEST(LocalJudge, ChoiceProbabilitiesMatchFullForward) {
    auto model = Model::load(fixture_model());
    ByteTokenizer tok;
    LocalModelBackend backend(*model, tok, ChatTemplate::chatml(), "tiny-qwen3");
    const std::string sys = "Be fair.", user = "Which is better? 0: yes 1: no";
    const std::string text = backend.prompt_text(sys, user);
    EXPECT_NE(text.find("<|im_start|>assistant"), std::string::npos) << text;
    const std::vector<int> ids = backend.prompt_ids(text);
    std::vector<std::string> choices;
    for (int k = 0; k <= 10; ++k) choices.push_back(std::to_string(k));
    std::vector<double> p = backend.choice_probabilities(sys, user, choices);
    ASSERT_EQ(p.size(), choices.size());
    // the reference: full-forward log-probs; "1" counts only where the answer stops there, i.e.
    // P("1") - P("1","0") (the byte tokenizer splits "10")
    std::vector<double> ref(choices.size());
    double sum = 0.0;
    for (size_t c = 0; c < choices.size(); ++c) ref[c] = std::exp(reference_logp(*model, ids, tok.encode(choices[c], false)));
    ref[1] -= ref[10];
    for (double r : ref) sum += r;
    double total = 0.0, worst = 0.0;
    for (size_t c = 0; c < choices.size(); ++c) {
        EXPECT_NEAR(p[c], ref[c] / sum, 1e-6) << choices[c];  // float32 cached vs full forward (measured 1.7e-8)
        worst = std::max(worst, std::fabs(p[c] - ref[c] / sum));
        total += p[c];
    }
    std::printf("max |P_cached - P_full| over 11 choices: %.3g\n", worst);
    EXPECT_NEAR(total, 1.0, 1e-9);
    EXPECT_EQ(backend.choice_tokens(text, ids, "10").size(), 2u);  // the multi-token path was used
}

// A judge certain of "10" on a tokenizer that splits it into "1","0" must score 10, not ~5.5: the
// prefix "1" counts only with the probability that the answer stops after it.
TEST(LocalJudge, ATenSplitIntoDigitsIsScoredAsTen) {
    std::vector<std::vector<int>> toks;
    for (int k = 0; k <= 9; ++k) toks.push_back({k});
    toks.push_back({1, 0});  // "10"
    std::vector<std::vector<double>> prefix(11);
    for (int k = 0; k <= 9; ++k) prefix[k] = {std::log(k == 1 ? 0.982 : 0.002)};
    prefix[10] = {std::log(0.982), std::log(0.982 * 0.99)};  // P("0" | "1") = 0.99
    std::vector<double> p = complete_answer_probabilities(toks, prefix);
    double sum = 0, score = 0;
    for (double x : p) sum += x;
    for (int k = 0; k <= 10; ++k) score += k * p[k] / sum;
    EXPECT_GT(score, 9.5);
    EXPECT_NEAR(p[1], 0.982 * 0.01, 1e-12);  // "1" and stop
    // the formula before the fix: normalising P("1") and P("10") side by side
    double old_sum = 0, old_score = 0;
    for (int k = 0; k <= 10; ++k) old_sum += std::exp(prefix[k].back());
    for (int k = 0; k <= 10; ++k) old_score += k * std::exp(prefix[k].back()) / old_sum;
    EXPECT_LT(old_score, 6.0);
    // a choice whose continuation was never scored keeps its whole mass; distinct next tokens of
    // several longer choices are each removed once
    std::vector<double> q = complete_answer_probabilities({{1}, {1, 2}, {1, 2, 3}, {1, 4}},
                                                          {{std::log(0.8)}, {std::log(0.8), std::log(0.4)},
                                                           {std::log(0.8), std::log(0.4), std::log(0.1)},
                                                           {std::log(0.8), std::log(0.3)}});
    EXPECT_NEAR(q[0], 0.8 - 0.4 - 0.3, 1e-12);
    EXPECT_NEAR(q[1], 0.4 - 0.1, 1e-12);
    EXPECT_NEAR(q[2], 0.1, 1e-12);
    EXPECT_NEAR(q[3], 0.3, 1e-12);
}

TEST(LocalJudge, GreedyCompleteFollowsArgmax) {
    auto model = Model::load(fixture_model());
    ByteTokenizer tok;
    LocalModelBackend backend(*model, tok, ChatTemplate::chatml(), "tiny-qwen3");
    const std::string text = backend.prompt_text("", "hello");
    std::vector<int> seq = backend.prompt_ids(text);
    std::string expected;
    const int V = model->config().vocab_size;
    for (int step = 0; step < 4; ++step) {  // argmax continuation with the plain forward
        TokenBatch b;
        b.B = 1;
        b.T = int(seq.size());
        b.tokens.assign(seq.begin(), seq.end());
        b.targets.assign(seq.size(), -1);
        std::vector<float> logits(seq.size() * size_t(V));
        model->forward_logits(b, logits.data());
        const float* row = logits.data() + (seq.size() - 1) * size_t(V);
        int best = int(std::max_element(row, row + V) - row);
        if (best == 2) break;
        seq.push_back(best);
        expected += tok.decode_bytes(std::vector<int>{best}, true);
    }
    EXPECT_EQ(backend.complete("", "hello", 4), expected);
}

TEST(LocalJudge, LlmJudgeOnLocalModelNeverFails) {
    auto model = Model::load(fixture_model());
    ByteTokenizer tok;
    LlmJudge judge(std::make_unique<LocalModelBackend>(*model, tok, ChatTemplate::chatml(), "tiny-qwen3"), {});
    auto pv = judge.compare({{"2+2?", {"4", "5"}, "", ""}, {"2+2?", {"5", "4"}, "", ""}});
    for (const auto& v : pv) {
        EXPECT_FALSE(v.failed);
        ASSERT_TRUE(v.scores);
        EXPECT_NEAR((*v.scores)[0] + (*v.scores)[1], 1.0f, 1e-5f);
        EXPECT_EQ(v.chosen(), (*v.scores)[1] > (*v.scores)[0] ? 1 : 0);
    }
    auto sv = judge.score({{"2+2?", "4", "", ""}});
    EXPECT_FALSE(sv[0].failed);
    EXPECT_GE(sv[0].score, 0.0f);
    EXPECT_LE(sv[0].score, 10.0f);
}

TEST(JudgeFactory, BuildsEachKind) {
    RunConfig cfg;
    cfg.judge = "";
    EXPECT_EQ(make_judge(cfg, {}), nullptr);
    cfg.judge = "rewards";
    cfg.reward_functions = {"r1_int_reward_func"};
    cfg.reward_weights = {3.0};
    auto rj = make_judge(cfg, {});
    ASSERT_NE(rj, nullptr);
    EXPECT_EQ(rj->name(), "rewards");
    EXPECT_EQ(rj->score({{"p", "<answer>12</answer>", "", ""}})[0].score, 1.5f);
    cfg.judge = "human";
    EXPECT_THROW(make_judge(cfg, {}), InputError);
    ScriptedAsker asker({ScriptedAsker::pair(Winner::first)});
    JudgeDeps deps;
    deps.asker = &asker;
    EXPECT_EQ(make_judge(cfg, deps)->compare({PairItem{}})[0].winner, Winner::first);
    cfg.judge = "http://127.0.0.1:9/v1";
    cfg.judge_model = "m";
    EXPECT_EQ(make_judge(cfg, {})->name(), "http:m@http://127.0.0.1:9/v1");
    cfg.judge_config.api_key_env = "REINFORGE_TEST_SURELY_UNSET_KEY";
    EXPECT_THROW(make_judge(cfg, {}), InputError);
    cfg.judge_config.api_key_env.clear();
    cfg.judge_config.system_prompt = "no placeholders";
    EXPECT_THROW(make_judge(cfg, {}), InputError);
    cfg.judge_config.system_prompt.clear();
    cfg.judge = "some/model";
    JudgeDeps local;
    std::string asked;
    local.load_model_backend = [&](const std::string& j) -> std::unique_ptr<ChatBackend> {
        asked = j;
        struct Fixed : ChatBackend {
            std::string name() const override { return "fixed"; }
            std::string complete(const std::string&, const std::string&, int) override { return "0"; }
        };
        return std::make_unique<Fixed>();
    };
    auto mj = make_judge(cfg, local);
    EXPECT_EQ(asked, "some/model");
    EXPECT_EQ(mj->compare({PairItem{}})[0].winner, Winner::first);
}
