// `judge: <model folder or HF id>`: the LLM judge run by the engine on a local model, loaded once.
// The verdict is read from the next-token distribution after the chat-templated judging prompt
// (enable_thinking off, generation prompt on), so it can never fail to parse: P(choice) is the
// probability of the first token of each choice's text, renormalised over the choices.
#include <cmath>

#include "core/error.h"
#include "gen/generate_model.h"
#include "io/hf_cache.h"
#include "judge/llm_judge.h"
#include "trainers/session_resources.h"

namespace rf {

namespace {

class LocalModelBackend : public ChatBackend {
public:
    explicit LocalModelBackend(const std::string& dir)
        : m_dir(dir), m_model(Model::load(dir)), m_tok(load_tokenizer(dir)), m_tmpl(ChatTemplate::from_dir(dir)) {}

    std::string name() const override { return m_dir; }

    std::string complete(const std::string& system, const std::string& user, int max_tokens) override {
        std::vector<int> ids = prompt_ids(system, user);
        SamplingParams greedy;
        greedy.temperature = 0.0f;
        StopCriteria stop = stop_criteria_for(*m_tok, {}, max_tokens);
        Rng rng(0);
        auto group = generate_group(*m_model, ids, 1, greedy, stop, *m_tok, rng, false);
        return group.at(0).text;
    }

    std::vector<double> choice_probabilities(const std::string& system, const std::string& user,
                                             const std::vector<std::string>& choices) override {
        std::vector<int> ids = prompt_ids(system, user);
        TokenBatch b;
        b.B = 1;
        b.T = int(ids.size());
        b.tokens.assign(ids.begin(), ids.end());
        b.targets.assign(ids.size(), -1);
        std::vector<float> logits(size_t(b.T) * size_t(m_model->config().vocab_size));
        m_model->forward_logits(b, logits.data());
        const float* last = logits.data() + size_t(b.T - 1) * size_t(m_model->config().vocab_size);
        std::vector<double> p;
        double mx = -INFINITY;
        std::vector<double> l;
        for (const auto& c : choices) {
            std::vector<int> cid = m_tok->encode(c);
            if (cid.empty()) return {};
            l.push_back(last[cid[0]]);
            mx = std::max(mx, l.back());
        }
        double z = 0;
        for (double x : l) z += std::exp(x - mx);
        for (double x : l) p.push_back(std::exp(x - mx) / z);
        return p;
    }

private:
    std::vector<int> prompt_ids(const std::string& system, const std::string& user) const {
        std::vector<Message> msgs;
        if (!system.empty()) msgs.push_back({"system", system});
        msgs.push_back({"user", user});
        return m_tok->encode(m_tmpl.render(msgs, true, false));
    }
    std::string m_dir;
    std::unique_ptr<Model> m_model;
    std::unique_ptr<Tokenizer> m_tok;
    ChatTemplate m_tmpl;
};

}  // namespace

std::unique_ptr<ChatBackend> make_local_judge_backend(Session::Impl& s, const std::string& judge) {
    std::string dir = resolve_model_dir(resolve_relative(judge, s.cfg.origin.file));
    s.log("loading the judge model " + dir);
    return std::make_unique<LocalModelBackend>(dir);
}

}  // namespace rf
