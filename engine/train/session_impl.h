// Private to engine/train/: the state of a Session, shared by session.cpp (setup, loop,
// checkpoints), session_data.cpp (datasets → token ids), sft.cpp and the online trainers
// (online.cpp, grpo.cpp, reinforce.cpp, ppo.cpp).
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/run_config.h"
#include "core/rng.h"
#include "data/epoch_sampler.h"
#include "judge/judge.h"
#include "judge/judge_runner.h"
#include "model/model.h"
#include "optim/lr_schedule.h"
#include "optim/optimizer.h"
#include "rewards/reward_set.h"
#include "rl/advantages.h"
#include "sampling/generate.h"
#include "text/chat_template.h"
#include "text/tokenizer.h"
#include "train/session.h"

namespace rf {

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// One prompt of an online mode, ready to sample from.
struct RlPrompt {
    std::vector<int> ids;  // chat-templated prompt, generation prompt included
    std::string prompt;    // the user's prompt as in the dataset (reward functions and judges see it)
    std::string answer;
    std::string type;
};

// One SFT sequence: ids, and how many leading ids are the prompt (masked when mask_prompt).
struct SftSequence {
    std::vector<int> ids;
    int prompt_len = 0;
};

// A split in the form the trainers consume, plus its shuffled-epoch order.
struct SplitData {
    std::string name;  // "train" | "valid" | "test"
    std::vector<RlPrompt> prompts;   // online modes
    std::vector<SftSequence> seqs;   // sft
    size_t size() const { return prompts.empty() ? seqs.size() : prompts.size(); }
};

// A relative path in the config (model, data, files) is taken from the working directory when it
// exists there, else from the config file's folder (so presets can name their files relative to
// themselves).
std::string resolve_relative(const std::string& path, const std::string& config_file);

struct Session::Impl {
    RunConfig cfg;
    RunObserver* observer = nullptr;
    RunControl* control = nullptr;
    HumanAsker* asker = nullptr;
    RunControl own_control;  // used when the caller passes none

    std::string run_dir, adapter_dir, model_dir;
    std::unique_ptr<Model> policy;
    std::unique_ptr<Model> reference;  // full fine-tuning or reference_model_path; else the base of `policy`
    std::unique_ptr<Tokenizer> tok;
    std::optional<ChatTemplate> tmpl;
    SplitData train, valid, test;
    std::optional<EpochSampler> order;  // shuffled epochs of the training split (SPEC §5)

    std::unique_ptr<Optimizer> optimizer;
    std::unique_ptr<LearningRateSchedule> schedule;
    std::shared_ptr<RewardSet> rewards;   // GRPO, or judge: rewards
    std::unique_ptr<Judge> judge;         // online modes other than GRPO
    std::unique_ptr<JudgmentLog> judgments;
    JudgeStats judge_stats;
    RunningMeanBaseline running_baseline;

    Rng rng;  // sampling seeds, judge A/B order
    int step = 0;
    int total_steps = 0;
    double trained_tokens = 0;
    double run_seconds = 0;  // wall time of completed steps (for iterations_per_second)

    // ---- session.cpp
    void open(const RunConfig& c, bool resuming);
    std::string metrics_path() const { return run_dir + "/metrics.jsonl"; }
    void log(const std::string& line) const;
    void append_metrics(const std::string& phase, const StepMetrics& m) const;
    void load_state();
    void save_state() const;
    void save_adapters(const std::string& path) const;
    bool stopping() const { return control->stop.load(); }

    // ---- session_data.cpp
    void load_data();
    std::vector<int> encode_prompt(const std::vector<Message>& messages) const;
    // Samples the next `n` prompt indices of the training order.
    std::vector<size_t> next_batch(size_t n);

    // ---- sft.cpp
    StepMetrics sft_step();
    StepMetrics sft_eval(const SplitData& split, int batches);

    // ---- online.cpp (the common online step of SPEC §8)
    struct Rollouts {
        std::vector<const RlPrompt*> prompts;          // P
        std::vector<std::vector<Completion>> groups;   // [P][G]
        double generate_seconds = 0;
    };
    Rollouts sample(const std::vector<const RlPrompt*>& prompts, int group_size, bool use_adapters = true);
    // Log-probs of every completion row of `rows` (prompt + completion), per completion token.
    struct ScoredBatch {
        int N = 0, T = 0;                    // completions, max completion length
        std::vector<float> mask;             // [N*T]
        std::vector<float> old_logp;         // [N*T] sampling policy (from generation)
        std::vector<float> ref_logp;         // [N*T] reference (empty when not needed)
        std::vector<uint8_t> truncated;      // [N]
        std::vector<int> lengths;            // [N]
        TokenBatch model_batch;              // prompt + completion, targets on completion tokens
        std::vector<size_t> pos;             // [N*T] position in model_batch of each completion token (or SIZE_MAX)
    };
    ScoredBatch build_batch(const Rollouts& r, const std::vector<std::pair<int, int>>& rows);
    void reference_logps(ScoredBatch& b);
    // Policy forward (with backward state) → completion-token logp [N*T] and mean entropy.
    std::vector<float> policy_logps(const ScoredBatch& b, double* mean_entropy);
    // dL/dlogp per completion token [N*T] → model backward.
    void policy_backward(const ScoredBatch& b, const std::vector<float>& dlogp);
    // clip + optimizer step; adds grad_norm and learning_rate to `m`.
    void optimizer_step(StepMetrics& m);
    void add_generation_metrics(const Rollouts& r, StepMetrics& m) const;
    void emit_rollouts(const std::vector<RolloutRecord>& recs) const;

    // ---- grpo.cpp, reinforce.cpp, ppo.cpp
    StepMetrics grpo_step();
    StepMetrics reinforce_step();
    StepMetrics ppo_step();
    StepMetrics online_eval(const SplitData& split, int batches);
};

}  // namespace rf
