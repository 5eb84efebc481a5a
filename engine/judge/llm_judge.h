// The LLM judge (SPEC §9): one chat turn per verdict, the prompt from judge_prompts.h, the reply
// parsed robustly or, better, the verdict read from the next-token distribution over the answer
// tokens so that it can never fail to parse.
//
// Where the model runs is a ChatBackend:
//   - HttpChatBackend (http_backend.h): an OpenAI-compatible http(s)://…/v1 endpoint;
//   - the local judge model (`judge: <HF folder or id>`), loaded once by the engine: a backend
//     implementing choice_probabilities() from the model's next-token logits after the chat-templated
//     prompt (enable_thinking off, add_generation_prompt on). Its implementation lands with the
//     model/generation code (engine/model, engine/gen); this interface is what it implements.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "judge/judge.h"
#include "judge/judge_prompts.h"

namespace rf {

class ChatBackend {
public:
    virtual ~ChatBackend() = default;
    // For judgments.jsonl: "http:<model>@<url>", the local model's path, ...
    virtual std::string name() const = 0;
    // One chat completion: an optional system message (empty = none) and one user message; returns
    // the assistant's reply text. Throws JudgeError when the backend cannot answer at all,
    // JudgeCancelled when the run's stop flag was raised.
    virtual std::string complete(const std::string& system, const std::string& user, int max_tokens) = 0;
    // Probability of each choice being the reply (e.g. {"0", "1"} or {"0", …, "10"}), normalised
    // over the choices. Empty when the backend cannot tell (an HTTP endpoint): complete() is used then.
    virtual std::vector<double> choice_probabilities(const std::string& system, const std::string& user,
                                                     const std::vector<std::string>& choices) {
        return {};
    }
};

struct LlmJudgeOptions {
    std::string judge_system;     // the rubric (system message); "" = kDefaultJudgeRubric with the
                                  // built-in template, no system message with a custom template
    std::string template_text;    // judge_config.system_prompt; "" = the built-in template of the mode
    int max_tokens_pairwise = 16;  // mlx-lm-lora: 16 for the pairwise judge
    int max_tokens_scalar = 200;   // mlx-lm-lora: 200 for the scalar (JSON scores) judge
};

class LlmJudge : public Judge {
public:
    // Throws InputError (judge_config.system_prompt) for a template lacking its placeholders.
    LlmJudge(std::unique_ptr<ChatBackend> backend, LlmJudgeOptions options);

    std::string name() const override { return m_backend->name(); }
    // 0..10 per completion. With a probability-capable backend: the expected score
    // sum_k k * P("k") over k = 0..10. A custom template with {response1} scores completions two at a
    // time (consecutive items of the same prompt), parsing {"scores": [...]} as mlx-lm-lora's
    // REINFORCE judge does; an unpaired item is shown against itself.
    std::vector<ScalarVerdict> score(const std::vector<JudgeItem>& items) override;
    // Winner 0 or 1 (never tie/skip). With a probability-capable backend the winner is the likelier
    // identifier and `scores` holds the two probabilities.
    std::vector<PairVerdict> compare(const std::vector<PairItem>& items) override;

    ChatBackend& backend() { return *m_backend; }

private:
    std::string system_for(bool custom_template) const;

    std::unique_ptr<ChatBackend> m_backend;
    LlmJudgeOptions m_options;
    bool m_scalar_pairs = false;  // the scalar template takes two responses
};

}  // namespace rf
