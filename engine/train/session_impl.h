// Private to engine/train/: the state of a Session, shared by session.cpp (setup, loop,
// checkpoints), session_data.cpp (datasets → token ids) and session_resources.cpp (model, optimizer,
// judge). The steps themselves are free functions of a Policy (steps.h).
#pragma once
#include <chrono>
#include <nlohmann/json.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/run_config.h"
#include "core/dir_lock.h"
#include "core/rng.h"
#include "data/epoch_sampler.h"
#include "dist/comm.h"
#include "judge/human_reward.h"
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
#include "train/policy.h"
#include "train/session.h"
#include "train/steps.h"

namespace rf {

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

// Rank 0's config on every rank of a data-parallel run (session_dp.cpp): the run name's timestamp,
// the paths and the --set values are rank 0's. With one rank, `mine`.
RunConfig config_of_root(Comm& comm, const RunConfig& mine);

struct Session::Impl {
    RunConfig cfg;
    RunObserver* observer = nullptr;
    RunControl* control = nullptr;
    HumanAsker* asker = nullptr;
    RunControl own_control;  // used when the caller passes none
    Comm* comm = nullptr;    // the ranks of a data-parallel run; null or own_comm: one process
    LocalComm own_comm;
    int ranks() const { return comm ? comm->size() : 1; }
    bool root() const { return !comm || comm->root(); }  // rank 0: the one that writes the run folder

    std::string run_dir, adapter_dir, model_dir;
    std::unique_ptr<DirLock> lock;     // held while the session lives: one run per run folder
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
    std::unique_ptr<HumanRewardScorer> human_reward;  // `human` among reward_functions
    bool ask_people = true;  // false: preflight, before/after (a `human` reward stays unscored, NaN)
    JudgeStats judge_stats;
    RunningMeanBaseline running_baseline;

    Rng rng;  // sampling seeds, judge A/B order
    int step = 0;
    int total_steps = 0;
    double trained_tokens = 0;
    double run_seconds = 0;  // wall time of completed steps (for iterations_per_second)

    // keep_best: the best value of the metric so far and the step it was evaluated at (step -1: none
    // yet). Saved in state.json, so a resumed run keeps it. `off` once an evaluation lacks the metric.
    struct Best {
        std::string metric;  // as in metrics.jsonl (val_…)
        double value = 0;
        int step = -1;
        bool off = false;
    };
    Best best;

    // ---- session.cpp
    void open(const RunConfig& c, bool resuming);
    // What open() opens after the run folder: the model (and reference), the data and its training
    // order, the optimizer (with `with_optimizer`), the judge / reward functions, the RNG. It writes no
    // file, so preflight (train/preflight.h) opens a run's resources with it and no run folder.
    void open_resources(bool with_optimizer);
    std::string metrics_path() const { return run_dir + "/metrics.jsonl"; }
    void log(const std::string& line) const;
    void append_metrics(const std::string& phase, const StepMetrics& m) const;
    void load_state();
    void save_state(const std::string& adapters_file) const;
    // The loop's position (step, tokens, RNG, data order, dropout counter, baseline, judge counts):
    // state.json's fields and what rank 0 hands the other ranks; restore_loop_state reads it back
    // (`where` names the source in a bad data position's error).
    nlohmann::json loop_state() const;
    void restore_loop_state(const nlohmann::json& j, const std::string& where);
    void save_adapters(const std::string& path) const;
    bool stopping() const { return control->stop.load(); }
    // After an evaluation of the validation split: when cfg.keep_best improved, the current weights
    // go to <adapter_dir>/best_adapters.safetensors and <run_dir>/best.json names them.
    void keep_best(const StepMetrics& val);

    // ---- session_dp.cpp: the data-parallel side of a session (docs/scale-out.md)
    // Refuses what a data-parallel run cannot do (InputError naming the key); nothing with one rank.
    void check_data_parallel() const;
    // Rank 0's trainable weights, optimizer moments and loop state (step, RNG, data position, …) on
    // every rank, so all ranks start the next step identical (a new run, or a resumed one: `resumed`).
    void sync_from_root(bool resumed);
    // A stop asked of any rank, agreed by all (collective: every rank calls it between steps).
    bool stop_agreed();

    // ---- session_data.cpp
    void load_data();
    // Progress of a model/dataset download, forwarded to the observer; a stop request cancels it.
    HubProgressFn download_progress();
    std::vector<int> encode_prompt(const std::vector<Message>& messages) const;
    // Samples the next `n` prompt indices of the training order.
    std::vector<size_t> next_batch(size_t n);

    // ---- session.cpp: lending the state to the step functions
    Policy policy_view();  // the policy, reference, tokenizer, optimizer and schedule of this run
    StepInputs step_inputs();
    JudgeContext judge_context(const std::string& phase, int judge_step);
    void emit_rollouts(const std::vector<RolloutRecord>& recs) const;
};

}  // namespace rf
