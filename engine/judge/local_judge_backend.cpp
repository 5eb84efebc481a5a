#include "judge/local_judge_backend.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/rng.h"
#include "io/hf_cache.h"
#include "io/hub_client.h"
#include "model/generate_model.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "text/tokenizer.h"

namespace rf {
namespace {

// log softmax of one row of logits, in double.
std::vector<double> log_softmax(const float* logits, int V) {
    double mx = -std::numeric_limits<double>::infinity();
    for (int v = 0; v < V; ++v) mx = std::max(mx, double(logits[v]));
    double sum = 0.0;
    for (int v = 0; v < V; ++v) sum += std::exp(double(logits[v]) - mx);
    const double lse = mx + std::log(sum);
    std::vector<double> out(static_cast<size_t>(V));
    for (int v = 0; v < V; ++v) out[size_t(v)] = double(logits[v]) - lse;
    return out;
}

}  // namespace

std::unique_ptr<LocalModelBackend> LocalModelBackend::load(const std::string& judge, const std::atomic<bool>* stop) {
    const std::string dir = ensure_model(judge);
    std::unique_ptr<Model> model = Model::load(dir);
    std::unique_ptr<Tokenizer> tok = load_tokenizer(dir);
    auto backend = std::make_unique<LocalModelBackend>(*model, *tok, ChatTemplate::from_dir(dir), judge, true, stop);
    backend->m_owned_model = std::move(model);
    backend->m_owned_tok = std::move(tok);
    return backend;
}

LocalModelBackend::LocalModelBackend(Model& model, const Tokenizer& tok, ChatTemplate tpl, std::string name,
                                     bool use_adapters, const std::atomic<bool>* stop)
    : m_model(&model), m_tok(&tok), m_tpl(std::move(tpl)), m_name(std::move(name)), m_use_adapters(use_adapters), m_stop(stop) {
    m_decoder = std::make_unique<ModelDecoder>(*m_model, sampling_decode_options(*m_model, m_use_adapters, false));
}

LocalModelBackend::~LocalModelBackend() = default;

std::string LocalModelBackend::prompt_text(const std::string& system, const std::string& user) const {
    std::vector<Message> messages;
    if (!system.empty()) messages.push_back({"system", system});
    messages.push_back({"user", user});
    return m_tpl.render(messages, true, m_tpl.reads_enable_thinking() ? std::optional<bool>(false) : std::nullopt);
}

std::vector<int> LocalModelBackend::prompt_ids(const std::string& text) const { return m_tok->encode(text, false); }

std::vector<int> LocalModelBackend::choice_tokens(const std::string& text, const std::vector<int>& ids,
                                                  const std::string& choice) const {
    std::vector<int> full = m_tok->encode(text + choice, false);
    if (full.size() > ids.size() && std::equal(ids.begin(), ids.end(), full.begin()))
        return std::vector<int>(full.begin() + std::ptrdiff_t(ids.size()), full.end());
    return m_tok->encode(choice, false);  // the choice merged with the prompt's end: take it alone
}

std::string LocalModelBackend::complete(const std::string& system, const std::string& user, int max_tokens) {
    if (m_stop && m_stop->load()) throw JudgeCancelled();
    const std::vector<int> ids = prompt_ids(prompt_text(system, user));
    SamplingParams greedy;
    greedy.temperature = 0.0f;
    Rng rng(0);
    GenerateHooks hooks;
    if (m_stop) hooks.cancelled = [this] { return m_stop->load(); };
    auto groups = generate_groups(*m_decoder, *m_tok, {ids}, 1, greedy, stop_criteria_for(*m_tok, {}, std::max(1, max_tokens)),
                                  rng, hooks);
    if (m_stop && m_stop->load()) throw JudgeCancelled();
    return groups.at(0).at(0).text;
}

std::vector<double> LocalModelBackend::choice_probabilities(const std::string& system, const std::string& user,
                                                            const std::vector<std::string>& choices) {
    if (m_stop && m_stop->load()) throw JudgeCancelled();
    const std::string text = prompt_text(system, user);
    const std::vector<int> ids = prompt_ids(text);
    std::vector<std::vector<int>> toks;
    size_t longest = 0;
    for (const std::string& c : choices) {
        toks.push_back(choice_tokens(text, ids, c));
        longest = std::max(longest, toks.back().size());
    }
    const int V = m_decoder->vocab_size();
    std::vector<float> logits;
    m_decoder->prefill({ids}, int(std::max<size_t>(longest, 1)), logits);
    const std::vector<double> first = log_softmax(logits.data(), V);

    std::vector<double> lp(choices.size(), -std::numeric_limits<double>::infinity());
    std::vector<std::vector<double>> prefix(choices.size());  // log P of each prefix of each choice
    std::vector<int> multi;  // choices of more than one token continue in their own sequence
    for (size_t c = 0; c < choices.size(); ++c) {
        if (toks[c].empty() || toks[c][0] < 0 || toks[c][0] >= V) continue;
        lp[c] = first[size_t(toks[c][0])];
        prefix[c].push_back(lp[c]);
        if (toks[c].size() > 1) multi.push_back(int(c));
    }
    if (!multi.empty()) {
        m_decoder->fork(std::vector<int>(multi.size(), 0));
        for (size_t k = 0; k + 1 < longest; ++k) {
            std::vector<int> seqs, next, owner;
            for (size_t s = 0; s < multi.size(); ++s) {
                const std::vector<int>& t = toks[size_t(multi[s])];
                if (k + 1 < t.size()) seqs.push_back(int(s)), next.push_back(t[k]), owner.push_back(multi[s]);
            }
            if (seqs.empty()) break;
            m_decoder->decode(seqs, next, logits);
            for (size_t i = 0; i < seqs.size(); ++i) {
                const std::vector<int>& t = toks[size_t(owner[i])];
                std::vector<double> row = log_softmax(logits.data() + i * size_t(V), V);
                int tok = t[k + 1];
                lp[size_t(owner[i])] += (tok >= 0 && tok < V) ? row[size_t(tok)] : -std::numeric_limits<double>::infinity();
                prefix[size_t(owner[i])].push_back(lp[size_t(owner[i])]);
            }
        }
    }
    double mx = -std::numeric_limits<double>::infinity();
    for (double x : lp) mx = std::max(mx, x);
    RF_CHECK(std::isfinite(mx), "no judge choice has a token in the vocabulary");
    for (auto& pre : prefix)
        for (double& x : pre) x -= mx;  // the same factor on every probability: no underflow
    std::vector<double> p = complete_answer_probabilities(toks, prefix);
    double sum = 0.0;
    for (double x : p) sum += x;
    RF_CHECK(sum > 0.0 && std::isfinite(sum), "no judge choice has a token in the vocabulary");
    for (double& x : p) x /= sum;
    return p;
}

std::vector<double> complete_answer_probabilities(const std::vector<std::vector<int>>& toks,
                                                  const std::vector<std::vector<double>>& prefix_logp) {
    const size_t n = toks.size();
    std::vector<double> p(n, 0.0);
    for (size_t c = 0; c < n; ++c) {
        const std::vector<int>& t = toks[c];
        if (t.empty() || prefix_logp[c].size() != t.size()) continue;  // not scorable: probability 0
        double mass = std::exp(prefix_logp[c].back());
        std::vector<int> seen;  // next tokens already subtracted
        for (size_t d = 0; d < n; ++d) {
            const std::vector<int>& u = toks[d];
            if (d == c || u.size() <= t.size() || !std::equal(t.begin(), t.end(), u.begin())) continue;
            const int next = u[t.size()];
            if (std::find(seen.begin(), seen.end(), next) != seen.end()) continue;
            if (prefix_logp[d].size() <= t.size()) continue;  // its next token was not scored
            seen.push_back(next);
            mass -= std::exp(prefix_logp[d][t.size()]);
        }
        p[c] = std::max(0.0, mass);
    }
    return p;
}

}  // namespace rf
