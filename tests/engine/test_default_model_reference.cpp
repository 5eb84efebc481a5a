// The embedded default model folder loads as Hugging Face would load it (issue 8, SPEC §14): the
// reference (tests/reference/check_default_model.py: transformers' Llama math in float64 torch and
// the sentencepiece binding that transformers' LlamaTokenizer wraps) checked the folder's tensor
// names and shapes and wrote the ids, logits and greedy continuation of one ChatML conversation;
// the engine must reproduce them from the same folder with its own template, tokenizer and model.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/model.h"
#include "text/chat_template.h"
#include "text/tokenizer.h"

namespace {

const std::string kModel = std::string(REINFORGE_SOURCE_DIR) + "/resources/models/reinforge-arith-tiny";
const char* kRerun = "the bundled model changed? rerun /usr/bin/python3 tests/reference/check_default_model.py";

nlohmann::json expected() {
    std::ifstream f(std::string(REINFORGE_FIXTURES) + "/default_model/expected.json");
    return nlohmann::json::parse(f);
}

TEST(DefaultModelReference, TemplateAndTokenizerMatchSentencepiece) {
    nlohmann::json e = expected();
    const std::string text = e["text"];
    rf::ChatTemplate tpl = rf::ChatTemplate::from_dir(kModel);
    EXPECT_FALSE(tpl.is_fallback());
    const std::string prompt = tpl.render({{"system",
                                             "You are given a problem. Think about the problem and provide your working "
                                             "out. Place it between <think> and </think>. Then, provide your solution "
                                             "between <answer> </answer>."},
                                            {"user", "What is 47 + 38?"}},
                                           true);
    ASSERT_EQ(text.substr(0, prompt.size()), prompt);
    auto tok = rf::load_tokenizer(kModel);
    EXPECT_EQ(tok->encode(text), e["ids"].get<std::vector<int>>());
    EXPECT_EQ(int(tok->encode(prompt).size()), e["prompt_tokens"].get<int>());
}

TEST(DefaultModelReference, LogitsAndGreedyMatchTorch) {
    nlohmann::json e = expected();
    auto m = rf::Model::load(kModel);
    const int V = m->config().vocab_size;
    std::vector<int> ids = e["ids"];
    rf::TokenBatch b;
    b.B = 1;
    b.T = int(ids.size());
    b.tokens.assign(ids.begin(), ids.end());
    b.targets.assign(ids.size(), -1);
    std::vector<float> logits(ids.size() * V);
    m->forward_logits(b, logits.data());
    const auto& want = e["logits_last"];
    for (size_t r = 0; r < want.size(); ++r) {
        const size_t row = ids.size() - want.size() + r;
        for (int v = 0; v < V; ++v) {
            const double w = want[r][v];
            ASSERT_NEAR(logits[row * V + v], w, 1e-4 + 1e-5 * std::fabs(w)) << "position " << row << " token " << v
                                                                           << ": " << kRerun;
        }
    }
    // greedy continuation of the prompt
    std::vector<int> seq(ids.begin(), ids.begin() + e["prompt_tokens"].get<int>());
    std::vector<int> greedy;
    for (int i = 0; i < int(e["greedy"].size()); ++i) {
        b.T = int(seq.size());
        b.tokens.assign(seq.begin(), seq.end());
        b.targets.assign(seq.size(), -1);
        std::vector<float> lg(seq.size() * V);
        m->forward_logits(b, lg.data());
        const float* last = lg.data() + (seq.size() - 1) * V;
        const int next = int(std::max_element(last, last + V) - last);
        greedy.push_back(next);
        seq.push_back(next);
    }
    EXPECT_EQ(greedy, e["greedy"].get<std::vector<int>>()) << kRerun;
}

}  // namespace
