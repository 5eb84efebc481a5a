// Group sampling: P prompts, G completions each, decoded together.
//
//   prefill  every prompt once, in one batched pass; its K/V becomes a prefix shared by its G
//            sequences (no G-fold prefill, no copy)
//   step 0   each of the G sequences samples its first token from the prompt's last logits
//   step t   the still-active sequences (M <= P*G) are decoded together: one pass over the weights
//            for all of them, each at its own position and length
//
// Randomness: the caller's Rng gives one 64-bit seed per sequence (P*G draws, in prompt-major order),
// and each sequence s then draws from its own stream (seed, first_sequence + s), exactly one uniform
// per sampled token. So a completion depends only on its seed, its index, its prompt and the model,
// not on batching or on which other sequences finished first; a data-parallel rank that samples a
// share of a batch passes its first sequence's index in the whole batch (GenerateHooks).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/rng.h"
#include "sampling/sampler.h"
#include "sampling/stop.h"

namespace rf {

enum class FinishReason { eos, stop_string, length };
const char* finish_reason_name(FinishReason r);

struct Completion {
    std::vector<int> ids;      // the sampled ids (what is trained on), including a final EOS id
    std::vector<float> logps;  // per id: log softmax(logits / T)[id], full vocabulary (sampler.h)
    std::string text;          // detokenized ids (special tokens skipped), cut after a stop string
    bool truncated = false;    // hit max_completion_length without EOS or stop string
    FinishReason finish = FinishReason::length;
};

// What the driver needs from a model: "decode one step for M sequences, return logits". The real
// implementation is the KV-cached model (model/kv_cache.h); tests use fakes.
class StepModel {
public:
    virtual ~StepModel() = default;
    virtual int vocab_size() const = 0;
    // Drops any previous state, runs the P prompts through the model (each once) and writes the
    // logits of each prompt's last token to `last_logits` ([P, V], resized). `max_new_tokens` lets the
    // cache reserve room for the completions. Throws InputError when a prompt is empty or too long.
    virtual void prefill(const std::vector<std::vector<int>>& prompts, int max_new_tokens,
                         std::vector<float>& last_logits) = 0;
    // Creates S = prompt_of.size() sequences; sequence s continues prompt prompt_of[s].
    virtual void fork(const std::vector<int>& prompt_of) = 0;
    // Appends tokens[i] to sequence seqs[i] (distinct, M of them) and writes the next-token logits of
    // each ([M, V], resized).
    virtual void decode(const std::vector<int>& seqs, const std::vector<int>& tokens, std::vector<float>& logits) = 0;
};

struct GenerateHooks {
    // Newly final text of completion `sample` of prompt `prompt` (for streaming to a terminal).
    std::function<void(int prompt, int sample, const std::string& delta)> on_text;
    // Polled once per decode step; true ends every sequence now (they are marked truncated).
    std::function<bool()> cancelled;
    // This call samples a share of a larger batch (a data-parallel rank's prompts) that starts at this
    // sequence index: sequence s uses the random stream it has in the whole batch.
    int first_sequence = 0;
};

// Samples `group_size` completions for each prompt. Result[p][g].
// Throws InputError for bad sampling params (temperature 0 is allowed here: greedy; trainers that
// forbid it validate first) or max_completion_length < 1.
std::vector<std::vector<Completion>> generate_batch(StepModel& model, const std::vector<std::vector<int>>& prompts,
                                                    int group_size, const SamplingParams& params,
                                                    const StopCriteria& stop, const DetokenizeFn& detok, Rng& rng,
                                                    const GenerateHooks& hooks = {});

}  // namespace rf
