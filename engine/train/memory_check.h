// Completion length vs memory, checked before the first step (issue 18): an online run whose
// max_completion_length, batch_size and group_size need more memory than the machine has is refused
// with an InputError naming the keys, not killed by the kernel an hour in.
//
// What one micro-batch of an online mode holds at its peak, for N = batch_size * group_size
// sequences of T = max_completion_length + 1 tokens (a prompt has at least one token; the worst case
// is every completion running to max_completion_length, which a model that has not learned to stop
// does), in float32 (model/model.h LayerActs, model/kv_cache.h):
//   activations kept for the backward, per token and layer, for every layer (no grad_checkpoint):
//       h1, x_mid, h2 and the block input (4 C), q and the attention output (2 NH*HS), k and v
//       (2 KVH*HS), gate, up and the SwiGLU product (3 I), with qk-norm q_raw and k_raw as well;
//     with grad_checkpoint: the block input of every layer (L C) plus one layer's activations
//   KV cache while sampling: N * T * L * 2 * KVH * HS (the prompt's cache is shared: left out)
// The larger of the two is a lower bound of the step's peak on top of what is already resident
// (weights, optimizer); it leaves out the lm-head, gradient and adapter buffers, so a refusal is
// never wrong, only late for configs close to the limit. Data-parallel ranks on one machine split N.
#pragma once
#include <cstdint>
#include <string>

namespace rf {

struct ModelConfig;
struct RunConfig;

struct StepMemory {
    uint64_t sequences = 0, tokens_per_sequence = 0;
    uint64_t activations = 0;  // kept for the backward of one micro-batch
    uint64_t kv_cache = 0;     // while sampling one micro-batch
    uint64_t peak() const { return activations > kv_cache ? activations : kv_cache; }
};

// The estimate above (zero for sft: its lengths are the data's, bounded by max_seq_length).
StepMemory estimate_step_memory(const ModelConfig& m, const RunConfig& c);

// Memory this process can still take: MemAvailable (/proc/meminfo), lowered to what a cgroup's
// memory.max leaves. 0 when unknown.
uint64_t available_memory();

// Throws InputError (key max_completion_length, the config's file and line) when `need.peak()` is
// more than `available` (0 = unknown: no check). REINFORGE_SKIP_MEMORY_CHECK=1 turns the check off.
void check_step_memory(const StepMemory& need, uint64_t available, const RunConfig& c);

}  // namespace rf
