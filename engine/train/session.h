// Session: one training run, from a resolved RunConfig to a run folder (SPEC §6, §8, §13).
//
//   RunConfig → Session (model, reference, tokenizer, data, judge, optimizer, run folder)
//             → train_step(): SFT, or the common online step of SPEC §8:
//                 draw prompts → sample (group sampling) → score → log-probs of policy / sampling
//                 policy / reference on the sampled tokens → loss head (train/*.cpp) → backward
//                 → clip → optimizer step → metrics
//             → RunObserver (CLI progress line, GUI worker) and metrics.jsonl / rollouts.jsonl
//
// Thread use: a Session lives on one thread (the CLI's main thread, the GUI's worker thread). The
// only cross-thread inputs are RunControl's atomics (stop, pause) and the HumanAsker, which must
// return soon after `stop` is raised.
#pragma once
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "io/hub_client.h"
#include "rl/metrics.h"

namespace rf {

struct RunConfig;
class HumanAsker;
class Comm;

// One sampled completion, as rollouts.jsonl records it and the GUI's rollout view shows it.
struct RolloutRecord {
    int step = 0;
    std::string prompt;       // the dataset prompt (not chat-templated)
    std::string completion;
    std::string answer;
    std::vector<Metric> rewards;  // per reward function (GRPO, rewards judge); empty otherwise
    double reward = 0.0;          // the scalar the loss used (weighted sum / judge score / ±1 for PPO)
    double advantage = 0.0;
    bool truncated = false;
    int num_tokens = 0;
    int group = 0;                    // the completion's group (its prompt) within the step, from 0
    std::string verdict;              // a verdict without signal: "failed", "skip", "tie" (as judgments.jsonl); else ""
    // Per completion token, for the token-level view: its text (a character split over several
    // tokens comes out whole on its last one, the others are "") and its log-prob under the policy
    // that sampled it, log softmax(logits / temperature)[id]. Every token carries `advantage`.
    std::vector<std::string> tokens;
    std::vector<float> token_logps;
};

class RunObserver {
public:
    virtual ~RunObserver() = default;
    virtual void on_start(const std::string& run_dir, int first_step, int total_steps) {}
    // After every optimizer step: the train metrics of that step (receivers throttle their display).
    virtual void on_metrics(int step, const StepMetrics& metrics) {}
    // After an evaluation over the validation split (names carry the "val_" prefix) or the test split
    // ("test_" prefix).
    virtual void on_eval(int step, const StepMetrics& metrics) {}
    virtual void on_rollouts(int step, const std::vector<RolloutRecord>& rollouts) {}
    // A human-readable line (checkpoint saved, warnings, …).
    virtual void on_log(const std::string& line) {}
    // While a model or dataset the run names is downloaded (io/hub_client.h); false cancels (the
    // session then throws HubCancelled; the partial download is resumed next time).
    virtual bool on_download(const HubProgress& progress) { return true; }
};

// Written by the controlling thread, read by the session between (and inside) steps.
struct RunControl {
    std::atomic<bool> stop{false};   // finish the current step, save a checkpoint, return
    std::atomic<bool> pause{false};  // wait between steps until cleared (or stop)
};

class Session {
public:
    // Opens everything the run needs and creates the run folder (writes the resolved config.yaml).
    // Throws InputError for bad input (missing model, broken dataset, unknown reward function, …).
    // `observer`, `control`, `asker`, `comm` may be null; they must outlive the session.
    // `comm` with several ranks (dist/comm.h): a data-parallel run (docs/scale-out.md). Every rank
    // constructs its Session with its own comm and runs the same calls; the config, weights and
    // state are rank 0's, and only rank 0 writes the run folder (checkpoints, logs, evaluations).
    Session(const RunConfig& cfg, RunObserver* observer, RunControl* control, HumanAsker* asker = nullptr,
            Comm* comm = nullptr);
    // Continues the run in `run_dir` from its last checkpoint (state file): same data order, RNG,
    // optimizer moments and weights, so the continuation equals an uninterrupted run. With several
    // ranks, only rank 0 reads the folder; any number of ranks continues any run.
    static std::unique_ptr<Session> resume(const std::string& run_dir, RunObserver* observer,
                                           RunControl* control, HumanAsker* asker = nullptr, Comm* comm = nullptr);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    const RunConfig& config() const;
    const std::string& run_dir() const;
    int step() const;         // optimizer steps completed
    int total_steps() const;  // iters, or epochs · steps per epoch

    // One optimizer step (including its gradient-accumulation micro-steps). Appends to metrics.jsonl.
    StepMetrics train_step();
    // Mean metrics over `batches` batches of the validation (or test) split, prefixed "val_" ("test_").
    StepMetrics evaluate(int batches, bool test_split = false);
    // adapters.safetensors + adapter_config.json + {step:07d}_adapters.safetensors + state.
    void save_checkpoint();

    // Runs steps until total_steps or control->stop, with reports, evals and saves as configured,
    // then the final save (and the test split when `test` is set). True when all steps were done.
    // Fuse / LM Studio export are the caller's: post_run() (export/post_run.h).
    bool run();

    // The state, private to engine/train/ (session_impl.h).
    struct Impl;

private:
    explicit Session(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m;
};

}  // namespace rf
