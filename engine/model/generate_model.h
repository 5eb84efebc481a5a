// The generation API the trainers and the CLI call: group sampling on a real Model with its Tokenizer.
//
//   auto groups = rf::generate_groups(model, tok, prompts, G, params, stop, rng, use_adapters);
//
// Log-probs in each Completion are under the sampling policy: log softmax(logits / temperature) over
// the full vocabulary, with the prompt as context (sampler.h, sampling_logprob), which is what
// Model::forward(batch, temperature, use_adapters, ...) returns for the same tokens (tested in
// tests/engine/test_kv_cache.cpp) — on a decoder made with sampling_decode_options(.., exact = false)
// for a quantized base, within the bound stated there (the trainers' sampling: train/online.cpp).
#pragma once
#include <string>
#include <vector>

#include "model/kv_cache.h"
#include "sampling/generate.h"
#include "text/tokenizer.h"

namespace rf {

// Completion text as reward functions see it: tok.decode(ids, skip_special = true).
DetokenizeFn detokenizer(const Tokenizer& tok);

// Stop criteria for `tok`'s model: its EOS ids (tokenizer_config + config + generation_config) plus
// the usual end-of-turn tokens when the vocabulary has them as special tokens (<|im_end|>,
// <|eot_id|>, <|endoftext|>, <|end_of_text|>, </s>, <|end|>, <end_of_turn>), the given stop strings
// and max_completion_length.
StopCriteria stop_criteria_for(const Tokenizer& tok, std::vector<std::string> stop_strings, int max_completion_length);

// G completions for each prompt on a decoder the caller keeps (to reuse its bf16 weight copies and
// cache buffers across steps). Result[p][g].
std::vector<std::vector<Completion>> generate_groups(ModelDecoder& decoder, const Tokenizer& tok,
                                                     const std::vector<std::vector<int>>& prompts, int group_size,
                                                     const SamplingParams& params, const StopCriteria& stop, Rng& rng,
                                                     const GenerateHooks& hooks = {});

// Convenience: an exact decoder (DecodeOptions{}) made for this call.
std::vector<std::vector<Completion>> generate_groups(Model& model, const Tokenizer& tok,
                                                     const std::vector<std::vector<int>>& prompts, int group_size,
                                                     const SamplingParams& params, const StopCriteria& stop, Rng& rng,
                                                     bool use_adapters, const GenerateHooks& hooks = {});

// One prompt's group.
std::vector<Completion> generate_group(Model& model, const std::vector<int>& prompt_ids, int group_size,
                                       const SamplingParams& params, const StopCriteria& stop, const Tokenizer& tok,
                                       Rng& rng, bool use_adapters);

}  // namespace rf
