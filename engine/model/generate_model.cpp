// Generation on a real model and tokenizer (see generate_model.h).
#include "model/generate_model.h"

#include <algorithm>

namespace rf {

// A model's embedding may be padded past the tokenizer (Qwen3: 151936 rows, 151669 ids); a sampled
// padding id carries no text, as Hugging Face's decode skips ids it does not know. It stays in the
// completion's ids (the loss trains on what was sampled).
DetokenizeFn detokenizer(const Tokenizer& tok) {
    return [&tok](const std::vector<int>& ids) {
        const int V = tok.vocab_size();
        if (std::all_of(ids.begin(), ids.end(), [V](int id) { return id >= 0 && id < V; })) return tok.decode(ids, true);
        std::vector<int> known;
        for (int id : ids)
            if (id >= 0 && id < V) known.push_back(id);
        return tok.decode(known, true);
    };
}

StopCriteria stop_criteria_for(const Tokenizer& tok, std::vector<std::string> stop_strings, int max_completion_length) {
    StopCriteria s;
    s.eos_ids = tok.eos_ids();
    for (const char* name : {"<|im_end|>", "<|eot_id|>", "<|endoftext|>", "<|end_of_text|>", "</s>", "<|end|>",
                             "<end_of_turn>"}) {
        const int id = tok.token_id(name);
        if (id >= 0 && tok.is_special(id) && std::find(s.eos_ids.begin(), s.eos_ids.end(), id) == s.eos_ids.end())
            s.eos_ids.push_back(id);
    }
    s.stop_strings = std::move(stop_strings);
    s.max_completion_length = max_completion_length;
    return s;
}

std::vector<std::vector<Completion>> generate_groups(ModelDecoder& decoder, const Tokenizer& tok,
                                                     const std::vector<std::vector<int>>& prompts, int group_size,
                                                     const SamplingParams& params, const StopCriteria& stop, Rng& rng,
                                                     const GenerateHooks& hooks) {
    return generate_batch(decoder, prompts, group_size, params, stop, detokenizer(tok), rng, hooks);
}

std::vector<std::vector<Completion>> generate_groups(Model& model, const Tokenizer& tok,
                                                     const std::vector<std::vector<int>>& prompts, int group_size,
                                                     const SamplingParams& params, const StopCriteria& stop, Rng& rng,
                                                     bool use_adapters, const GenerateHooks& hooks) {
    DecodeOptions opt;
    opt.use_adapters = use_adapters;
    ModelDecoder decoder(model, opt);
    return generate_groups(decoder, tok, prompts, group_size, params, stop, rng, hooks);
}

std::vector<Completion> generate_group(Model& model, const std::vector<int>& prompt_ids, int group_size,
                                       const SamplingParams& params, const StopCriteria& stop, const Tokenizer& tok,
                                       Rng& rng, bool use_adapters) {
    auto groups = generate_groups(model, tok, {prompt_ids}, group_size, params, stop, rng, use_adapters);
    return std::move(groups.front());
}

}  // namespace rf
