// The group-sampling driver (see generate.h).
#include "sampling/generate.h"

#include <memory>

#include "core/error.h"

namespace rf {

const char* finish_reason_name(FinishReason r) {
    switch (r) {
        case FinishReason::eos: return "eos";
        case FinishReason::stop_string: return "stop_string";
        case FinishReason::length: return "length";
    }
    return "?";
}

namespace {

struct SequenceState {
    int prompt = 0, sample = 0;
    Rng rng;
    std::unique_ptr<IncrementalText> text;
    std::unique_ptr<StopStringMatcher> stops;
    size_t streamed = 0;  // bytes of text handed to on_text
    bool active = true;
    int last_token = -1;
};

// Final text: the whole detokenized completion (EOS excluded), cut after the earliest stop string.
void finish_text(Completion& c, const DetokenizeFn& detok, const StopCriteria& stop) {
    std::vector<int> ids = c.ids;
    if (c.finish == FinishReason::eos && !ids.empty()) ids.pop_back();
    c.text = detok(ids);
    if (c.finish == FinishReason::stop_string) {
        size_t end = find_stop_end(c.text, stop.stop_strings);
        if (end != std::string::npos) c.text.resize(end);
    }
}

}  // namespace

std::vector<std::vector<Completion>> generate_batch(StepModel& model, const std::vector<std::vector<int>>& prompts,
                                                    int group_size, const SamplingParams& params,
                                                    const StopCriteria& stop, const DetokenizeFn& detok, Rng& rng,
                                                    const GenerateHooks& hooks) {
    if (group_size < 1)
        throw InputError({}, 0, "group_size", "must be >= 1, got " + std::to_string(group_size), "use e.g. 4");
    if (stop.max_completion_length < 1)
        throw InputError({}, 0, "max_completion_length",
                         "must be >= 1, got " + std::to_string(stop.max_completion_length), "use e.g. 512");
    const SamplerChain chain = SamplerChain::from_params(params);
    const int P = int(prompts.size());
    std::vector<std::vector<Completion>> out(static_cast<size_t>(P), std::vector<Completion>(static_cast<size_t>(group_size)));
    if (P == 0) return out;
    const int V = model.vocab_size();
    const float T = params.temperature;

    std::vector<float> logits;
    model.prefill(prompts, stop.max_completion_length, logits);
    RF_CHECK(logits.size() == size_t(P) * size_t(V), "prefill returned the wrong number of logits");

    const int S = P * group_size;
    std::vector<int> prompt_of(static_cast<size_t>(S));
    std::vector<SequenceState> seq(static_cast<size_t>(S));
    for (int s = 0; s < S; ++s) {
        auto& st = seq[size_t(s)];
        st.prompt = s / group_size;
        st.sample = s % group_size;
        st.rng = Rng(rng.next_u64(), uint64_t(hooks.first_sequence + s));
        st.text = std::make_unique<IncrementalText>(detok);
        st.stops = std::make_unique<StopStringMatcher>(stop.stop_strings);
        prompt_of[size_t(s)] = st.prompt;
    }
    model.fork(prompt_of);

    Candidates scratch;
    // Samples sequence s's next token from `row` and applies the stopping rules.
    auto step_sequence = [&](int s, const float* row) {
        auto& st = seq[size_t(s)];
        Completion& c = out[size_t(st.prompt)][size_t(st.sample)];
        const int tok = chain.sample(row, V, st.rng, scratch);
        c.ids.push_back(tok);
        c.logps.push_back(sampling_logprob(row, V, tok, T));
        st.last_token = tok;
        if (stop.is_eos(tok)) {
            c.finish = FinishReason::eos;
            st.active = false;
            return;
        }
        st.text->push(tok);
        const std::string& text = st.text->text();
        size_t stop_end = st.stops->feed(text);
        size_t visible = stop_end == std::string::npos ? text.size() : stop_end;
        if (hooks.on_text && visible > st.streamed) {
            hooks.on_text(st.prompt, st.sample, text.substr(st.streamed, visible - st.streamed));
            st.streamed = visible;
        }
        if (stop_end != std::string::npos) {
            c.finish = FinishReason::stop_string;
            st.active = false;
        } else if (int(c.ids.size()) >= stop.max_completion_length) {
            c.finish = FinishReason::length;
            c.truncated = true;
            st.active = false;
        }
    };

    for (int s = 0; s < S; ++s) step_sequence(s, logits.data() + size_t(seq[size_t(s)].prompt) * size_t(V));

    std::vector<int> active, tokens;
    for (;;) {
        active.clear();
        tokens.clear();
        for (int s = 0; s < S; ++s)
            if (seq[size_t(s)].active) {
                active.push_back(s);
                tokens.push_back(seq[size_t(s)].last_token);
            }
        if (active.empty()) break;
        if (hooks.cancelled && hooks.cancelled()) {
            for (int s : active) {
                auto& st = seq[size_t(s)];
                out[size_t(st.prompt)][size_t(st.sample)].truncated = true;
                st.active = false;
            }
            break;
        }
        model.decode(active, tokens, logits);
        RF_CHECK(logits.size() == active.size() * size_t(V), "decode returned the wrong number of logits");
        for (size_t i = 0; i < active.size(); ++i) step_sequence(active[i], logits.data() + i * size_t(V));
    }

    for (int s = 0; s < S; ++s) {
        auto& st = seq[size_t(s)];
        Completion& c = out[size_t(st.prompt)][size_t(st.sample)];
        finish_text(c, detok, stop);
        if (hooks.on_text && c.text.size() > st.streamed && c.text.compare(0, st.streamed, st.text->text(), 0, st.streamed) == 0)
            hooks.on_text(st.prompt, st.sample, c.text.substr(st.streamed));
    }
    return out;
}

}  // namespace rf
