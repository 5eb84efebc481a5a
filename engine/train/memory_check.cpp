#include "train/memory_check.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>

#include "config/run_config.h"
#include "core/error.h"
#include "core/human_bytes.h"
#include "model/model_config.h"

namespace rf {

StepMemory estimate_step_memory(const ModelConfig& m, const RunConfig& c) {
    StepMemory s;
    if (c.train_mode == TrainMode::sft) return s;
    const uint64_t C = uint64_t(std::max(m.hidden_size, 0)), I = uint64_t(std::max(m.intermediate_size, 0));
    const uint64_t L = uint64_t(std::max(m.num_hidden_layers, 0));
    const uint64_t qd = uint64_t(std::max(m.num_attention_heads, 0)) * uint64_t(std::max(m.head_dim, 0));
    const uint64_t kd = uint64_t(std::max(m.num_key_value_heads, 0)) * uint64_t(std::max(m.head_dim, 0));
    s.sequences = uint64_t(std::max(c.batch_size, 1)) * uint64_t(std::max(c.group_size, 1));
    s.tokens_per_sequence = uint64_t(std::max(c.max_completion_length, 0)) + 1;
    const uint64_t tokens = s.sequences * s.tokens_per_sequence;
    // Model::prepare keeps every block's activations for a training forward (also when LoRA adapts
    // only the last num_layers blocks), or with grad_checkpoint every block's input and one block's.
    const uint64_t per_layer = 4 * C + 2 * qd + 2 * kd + 3 * I + (m.qk_norm ? qd + kd : 0);  // floats per token
    const uint64_t floats = c.grad_checkpoint ? L * C + per_layer : L * per_layer;
    s.activations = tokens * floats * sizeof(float);
    s.kv_cache = tokens * L * 2 * kd * sizeof(float);
    return s;
}

namespace {

uint64_t read_number(const std::string& path) {
    std::ifstream f(path);
    std::string word;
    if (!(f >> word) || word.empty() || word.find_first_not_of("0123456789") != std::string::npos) return 0;
    return std::strtoull(word.c_str(), nullptr, 10);
}

}  // namespace

uint64_t available_memory() {
    uint64_t avail = 0;
    std::ifstream mi("/proc/meminfo");
    for (std::string key; mi >> key;) {
        uint64_t kb = 0;
        mi >> kb;
        if (key == "MemAvailable:") {
            avail = kb * 1024;
            break;
        }
        mi.ignore(256, '\n');
    }
    // cgroup v2 (the unified hierarchy), else v1; "max" or a huge v1 limit means none.
    uint64_t limit = read_number("/sys/fs/cgroup/memory.max"), used = read_number("/sys/fs/cgroup/memory.current");
    if (limit == 0) {
        limit = read_number("/sys/fs/cgroup/memory/memory.limit_in_bytes");
        used = read_number("/sys/fs/cgroup/memory/memory.usage_in_bytes");
    }
    if (limit > 0 && limit < (uint64_t(1) << 60)) {
        const uint64_t left = limit > used ? limit - used : 0;
        avail = avail == 0 ? left : std::min(avail, left);
    }
    return avail;
}

void check_step_memory(const StepMemory& need, uint64_t available, const RunConfig& c) {
    if (available == 0 || need.peak() <= available) return;
    if (const char* skip = std::getenv("REINFORGE_SKIP_MEMORY_CHECK"); skip && std::string(skip) == "1") return;
    auto line_of = [&](const char* key) { return c.origin.lines.count(key) ? c.origin.lines.at(key) : 0; };
    const bool kv = need.kv_cache >= need.activations;
    std::string what = std::to_string(need.sequences) + " sequences (batch_size " + std::to_string(c.batch_size) +
                       " x group_size " + std::to_string(std::max(c.group_size, 1)) + ") of up to " +
                       std::to_string(need.tokens_per_sequence) + " tokens (max_completion_length " +
                       std::to_string(c.max_completion_length) + " + the prompt) need at least " +
                       human_bytes(int64_t(need.peak())) + (kv ? " of KV cache while sampling" : " of activations for the backward") +
                       " in one micro-batch, and " + human_bytes(int64_t(available)) + " of memory is available";
    std::string hint = "lower max_completion_length, batch_size or group_size (gradient_accumulation_steps keeps the "
                       "effective batch: " + std::to_string(c.gradient_accumulation_steps) + " now)";
    if (!kv && !c.grad_checkpoint) hint += ", or set grad_checkpoint: true";
    hint += "; REINFORGE_SKIP_MEMORY_CHECK=1 starts anyway";
    throw InputError(c.origin.file, line_of("max_completion_length"), "max_completion_length", what, hint);
}

}  // namespace rf
