#include "judge/llm_judge.h"

#include "core/error.h"

namespace rf {

LlmJudge::LlmJudge(std::unique_ptr<ChatBackend> backend, LlmJudgeOptions options)
    : m_backend(std::move(backend)), m_options(std::move(options)) {
    RF_CHECK(m_backend != nullptr);
    if (!m_options.template_text.empty()) {
        // One template serves both modes in mlx-lm-lora; validate it for what it contains.
        m_scalar_pairs = check_judge_template(m_options.template_text, JudgeMode::scalar);
    }
}

std::string LlmJudge::system_for(bool custom_template) const {
    if (!m_options.judge_system.empty()) return m_options.judge_system;
    return custom_template ? std::string() : std::string(kDefaultJudgeRubric);
}

std::vector<ScalarVerdict> LlmJudge::score(const std::vector<JudgeItem>& items) {
    const bool custom = !m_options.template_text.empty();
    const std::string tpl = custom ? m_options.template_text : std::string(kDefaultScalarTemplate);
    const std::string system = system_for(custom);
    std::vector<ScalarVerdict> out(items.size());
    static const std::vector<std::string> kScores = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"};

    for (size_t i = 0; i < items.size();) {
        const JudgeItem& a = items[i];
        if (m_scalar_pairs) {
            // Two completions per call: (i, i+1) when they answer the same prompt.
            const bool paired = i + 1 < items.size() && items[i + 1].prompt == a.prompt;
            const JudgeItem& b = paired ? items[i + 1] : a;
            std::string user = fill_template(tpl, {{"prompt", a.prompt}, {"response0", a.completion},
                                                   {"response", a.completion}, {"response1", b.completion}});
            std::string reply = m_backend->complete(system, user, m_options.max_tokens_scalar);
            auto scores = parse_pair_scores(reply);
            for (size_t k = 0; k < (paired ? 2u : 1u); ++k) {
                ScalarVerdict& v = out[i + k];
                v.raw = reply;
                if (scores)
                    v.score = (*scores)[k];
                else
                    v.failed = true;
                report(i + k, v);
            }
            i += paired ? 2 : 1;
            continue;
        }
        std::string user = fill_template(tpl, {{"prompt", a.prompt}, {"response0", a.completion}, {"response", a.completion}});
        ScalarVerdict& v = out[i];
        std::vector<double> p = m_backend->choice_probabilities(system, user, kScores);
        if (p.size() == kScores.size()) {
            double expected = 0.0;
            for (size_t k = 0; k < p.size(); ++k) expected += double(k) * p[k];
            v.score = float(expected);
            v.raw = "expected score from token probabilities";
        } else {
            v.raw = m_backend->complete(system, user, m_options.max_tokens_scalar);
            if (auto s = parse_scalar_verdict(v.raw))
                v.score = *s;
            else
                v.failed = true;
        }
        report(i, v);
        ++i;
    }
    return out;
}

std::vector<PairVerdict> LlmJudge::compare(const std::vector<PairItem>& items) {
    const bool custom = !m_options.template_text.empty();
    if (custom) check_judge_template(m_options.template_text, JudgeMode::pairwise);
    const std::string tpl = custom ? m_options.template_text : std::string(kDefaultPairwiseTemplate);
    const std::string system = system_for(custom);
    std::vector<PairVerdict> out(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
        const PairItem& it = items[i];
        std::string user = fill_template(
            tpl, {{"prompt", it.prompt}, {"response0", it.completions[0]}, {"response1", it.completions[1]}});
        PairVerdict& v = out[i];
        std::vector<double> p = m_backend->choice_probabilities(system, user, {"0", "1"});
        if (p.size() == 2) {
            v.winner = p[1] > p[0] ? Winner::second : Winner::first;
            v.scores = std::array<float, 2>{float(p[0]), float(p[1])};
            v.scores_are_probabilities = true;
            v.raw = "P(0)=" + std::to_string(p[0]) + " P(1)=" + std::to_string(p[1]);
        } else {
            v.raw = m_backend->complete(system, user, m_options.max_tokens_pairwise);
            if (auto w = parse_pair_verdict(v.raw)) {
                v.winner = *w == 0 ? Winner::first : Winner::second;
            } else {
                v.failed = true;
                v.winner = Winner::skip;
            }
        }
        report(i, v);
    }
    return out;
}

}  // namespace rf
