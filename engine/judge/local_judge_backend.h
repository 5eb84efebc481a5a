// judge: <HF folder or id>: the LLM judge run by the engine on a local model, loaded once.
//
// The judge prompt goes through the model's chat template ([system?, user], add_generation_prompt,
// enable_thinking off where the template reads it, as mlx-lm-lora sends it). The verdict is read from
// the next-token distribution (SPEC §9: it can never fail to parse):
//   log P(choice | prompt) = sum_k log softmax(logits_k)[c_k] over the choice's tokens c_0..c_n-1
//   P(choice complete) = P(choice) minus the mass of going on into a longer choice (complete_answer_
//                        probabilities below: with "10" tokenized "1","0", P("1" complete) =
//                        P("1") (1 - P("0" | "1")); without this a judge certain of "10" scored ~5.5)
//   normalised over the choices ({"0","1"} pairwise; {"0",…,"10"} scalar)
// with the prompt prefilled once in the KV cache and multi-token choices ("10") continued from it.
// The choice's tokens are those of encode(prompt_text + choice) after the prompt's own tokens, so a
// SentencePiece "▁" or a merge with the template's last characters comes out as the model would
// have produced it. complete() (used only when probabilities are not wanted) decodes greedily.
#pragma once
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "judge/llm_judge.h"
#include "text/chat_template.h"

namespace rf {

class Model;
class ModelDecoder;
class Tokenizer;

// The probability that each choice is the whole answer. toks[c]: the tokens of choice c; prefix_logp[c][j]
// = log P(first j+1 tokens of c). From P(c) the probability of continuing with the next token of any
// longer choice that extends c is removed (each distinct next token once; those events are disjoint),
// so a prefix of a longer choice only counts when the answer stops there. Not normalised.
std::vector<double> complete_answer_probabilities(const std::vector<std::vector<int>>& toks,
                                                  const std::vector<std::vector<double>>& prefix_logp);

class LocalModelBackend : public ChatBackend {
public:
    // Resolves `judge` (a folder, or an HF id in the local cache), loads the weights, tokenizer and
    // chat template. Throws InputError naming what is missing.
    static std::unique_ptr<LocalModelBackend> load(const std::string& judge, const std::atomic<bool>* stop = nullptr);
    // Around a model the session already holds (e.g. the reference model when the judge is the same
    // folder). `use_adapters` false judges with the frozen base of a LoRA/DoRA model. The references
    // must outlive the backend.
    LocalModelBackend(Model& model, const Tokenizer& tok, ChatTemplate tpl, std::string name, bool use_adapters = false,
                      const std::atomic<bool>* stop = nullptr);
    ~LocalModelBackend() override;

    std::string name() const override { return m_name; }
    std::string complete(const std::string& system, const std::string& user, int max_tokens) override;
    std::vector<double> choice_probabilities(const std::string& system, const std::string& user,
                                             const std::vector<std::string>& choices) override;

    // The chat-templated prompt text and its ids (for tests and logs).
    std::string prompt_text(const std::string& system, const std::string& user) const;
    std::vector<int> prompt_ids(const std::string& text) const;
    // The tokens of `choice` as the continuation of `text` (whose ids are `ids`).
    std::vector<int> choice_tokens(const std::string& text, const std::vector<int>& ids, const std::string& choice) const;

private:
    std::unique_ptr<Model> m_owned_model;
    std::unique_ptr<Tokenizer> m_owned_tok;
    Model* m_model;
    const Tokenizer* m_tok;
    ChatTemplate m_tpl;
    std::string m_name;
    bool m_use_adapters;
    const std::atomic<bool>* m_stop;
    std::unique_ptr<ModelDecoder> m_decoder;
};

}  // namespace rf
