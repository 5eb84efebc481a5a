// Completion length vs memory (train/memory_check.h): the estimate by hand for one model shape, and
// the refusal naming the keys with a hint. The CLI end to end: tests/cli/train_memory_refusal.sh.
#include <gtest/gtest.h>

#include <cstdlib>

#include "config/run_config.h"
#include "core/error.h"
#include "model/model_config.h"
#include "train/memory_check.h"

namespace {

rf::ModelConfig qwen_like() {
    rf::ModelConfig m;
    m.hidden_size = 1024;       // C
    m.intermediate_size = 3072; // I
    m.num_hidden_layers = 28;   // L
    m.num_attention_heads = 16; // NH
    m.num_key_value_heads = 8;  // KVH
    m.head_dim = 128;           // HS
    m.qk_norm = true;
    return m;
}

rf::RunConfig grpo(int batch, int group, int completion) {
    rf::RunConfig c = rf::default_run_config(rf::TrainMode::grpo);
    c.batch_size = batch;
    c.group_size = group;
    c.max_completion_length = completion;
    c.num_layers = -1;
    c.origin.file = "run.yaml";
    c.origin.lines["max_completion_length"] = 7;
    return c;
}

TEST(MemoryCheck, EstimateByHand) {
    const rf::ModelConfig m = qwen_like();
    rf::RunConfig c = grpo(2, 4, 511);  // 8 sequences of 512 tokens = 4096 tokens
    rf::StepMemory s = rf::estimate_step_memory(m, c);
    EXPECT_EQ(s.sequences, 8u);
    EXPECT_EQ(s.tokens_per_sequence, 512u);
    // per token and layer: 4C + 2 NH*HS + 2 KVH*HS + 3I + (qk-norm) NH*HS + KVH*HS floats
    const uint64_t per_layer = 4 * 1024 + 2 * 2048 + 2 * 1024 + 3 * 3072 + 2048 + 1024;
    EXPECT_EQ(s.activations, 4096u * 28 * per_layer * 4);
    EXPECT_EQ(s.kv_cache, 4096u * 28 * 2 * 1024 * 4);  // 112 KiB per token, as kv_cache.h says for 28 layers
    EXPECT_EQ(s.peak(), s.activations);

    c.grad_checkpoint = true;  // every block's input plus one block's activations
    EXPECT_EQ(rf::estimate_step_memory(m, c).activations, 4096u * (28 * 1024 + per_layer) * 4);
    c.grad_checkpoint = false;
    c.num_layers = 8;  // LoRA on the last 8 blocks: the forward still keeps every block's activations
    EXPECT_EQ(rf::estimate_step_memory(m, c).activations, 4096u * 28 * per_layer * 4);
    EXPECT_EQ(rf::estimate_step_memory(m, rf::default_run_config(rf::TrainMode::sft)).peak(), 0u);
}

TEST(MemoryCheck, RefusalNamesTheKeysAndTheWayOut) {
    ::unsetenv("REINFORGE_SKIP_MEMORY_CHECK");
    const rf::RunConfig c = grpo(8, 16, 32767);  // 128 x 32768 tokens: ~440 GiB of activations
    const rf::StepMemory s = rf::estimate_step_memory(qwen_like(), c);
    const uint64_t sixteen_gib = uint64_t(16) << 30;
    try {
        rf::check_step_memory(s, sixteen_gib, c);
        FAIL() << "refused nothing";
    } catch (const rf::InputError& e) {
        EXPECT_EQ(e.file, "run.yaml");
        EXPECT_EQ(e.line, 7);
        EXPECT_EQ(e.key, "max_completion_length");
        EXPECT_NE(e.message.find("128 sequences (batch_size 8 x group_size 16) of up to 32768 tokens"), std::string::npos) << e.what();
        EXPECT_NE(e.message.find("of activations for the backward"), std::string::npos) << e.what();
        EXPECT_NE(e.message.find("16.00 GiB of memory is available"), std::string::npos) << e.what();
        EXPECT_NE(e.hint.find("grad_checkpoint: true"), std::string::npos) << e.hint;
        EXPECT_NE(e.hint.find("REINFORGE_SKIP_MEMORY_CHECK=1"), std::string::npos) << e.hint;
    }
    EXPECT_NO_THROW(rf::check_step_memory(s, 0, c));                 // unknown: no check
    EXPECT_NO_THROW(rf::check_step_memory(s, s.peak(), c));          // just fits
    EXPECT_NO_THROW(rf::check_step_memory(rf::estimate_step_memory(qwen_like(), grpo(1, 4, 512)), sixteen_gib, c));
    ::setenv("REINFORGE_SKIP_MEMORY_CHECK", "1", 1);
    EXPECT_NO_THROW(rf::check_step_memory(s, sixteen_gib, c));
    ::unsetenv("REINFORGE_SKIP_MEMORY_CHECK");
}

TEST(MemoryCheck, AvailableMemoryIsReadFromTheSystem) {
    const uint64_t a = rf::available_memory();
    EXPECT_GT(a, uint64_t(16) << 20);  // Linux: MemAvailable is there
    EXPECT_LT(a, uint64_t(1) << 50);
}

}  // namespace
