// Pre-flight (the reward workbench): before a long online run, sample what its first steps would
// sample and score it the way they would, without training and without a run folder.
//
//   preflight(cfg)         K groups: the first K prompts of the run's training order, group_size
//                          completions each, sampled from the starting model (base +
//                          resume_adapter_file) with the run's sampling settings and RNG (train/online.h
//                          sample(), in micro-batches of batch_size: the first batch_size ·
//                          gradient_accumulation_steps groups are exactly step 1's), scored by the
//                          reward functions (GRPO, grpo_score) or the scalar judge (REINFORCE / RLOO,
//                          judge_scalar); never a human.
//   score_completions()    hand-written completions scored by the run's reward functions (or judge).
//   summarize()            the pure part: histograms, frac_reward_zero_std, truncation, examples and
//                          the verdict lines (tests/engine/test_preflight.cpp).
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace rf {

struct RunConfig;
class RunObserver;

struct PreflightCompletion {
    std::string text;
    std::vector<double> rewards;  // per function (PreflightReport::functions); NaN = not applicable
    double total = 0.0;           // the scalar the loss would use (weighted sum / judge score)
    bool failed = false;          // judge verdict failed: no reward (left out, as the trainer does)
    bool truncated = false;       // hit max_completion_length
    int num_tokens = 0;
};

struct PreflightGroup {
    std::string prompt, answer;
    std::vector<PreflightCompletion> completions;
    // over the completions that have a reward (not failed); population variance, as grpo_advantages
    double mean = 0.0, variance = 0.0;
    bool signal = false;  // std >= 1e-8 (rl/advantages.cpp's zero-std rule) over >= 2 rewards
};

// What one reward function's values look like over all completions.
struct PreflightFunction {
    std::string name;
    double weight = 1.0;
    int scored = 0;             // values that are not NaN
    double mean = 0.0;          // over the scored values
    double nonzero_share = 0.0; // of the scored values
    // few distinct values (<= 8): each value and its count; else a histogram of `bins` equal bins
    // from lo to hi
    std::vector<std::pair<double, int>> counts;
    double lo = 0.0, hi = 0.0;
    std::vector<int> bins;
};

struct PreflightExample {
    double total = 0.0;
    int group = 0, index = 0;  // where it is in `groups`
};

struct PreflightReport {
    std::string mode;    // train_mode
    std::string scorer;  // "reward functions" | "judge <judge>"
    std::string baseline;  // REINFORCE / RLOO: the baseline ("" for GRPO)
    int group_size = 0;
    int max_completion_length = 0;
    std::vector<std::string> function_names;  // one per reward value of a completion
    std::vector<double> weights;
    std::vector<PreflightGroup> groups;
    double generate_seconds = 0.0, score_seconds = 0.0;

    // ---- summarize()
    std::vector<PreflightFunction> functions;
    int completions = 0, truncated = 0, failed = 0;
    int signal_groups = 0;
    double frac_reward_zero_std = 0.0;  // share of groups without variance (as the training metric)
    double truncated_share = 0.0;
    std::vector<PreflightExample> examples;  // one per distinct total reward level (at most 8)
    std::vector<std::string> verdict;        // the lines a person reads first
};

// Fills the summary fields of `r` from its groups (each group's mean / variance / signal too).
void summarize(PreflightReport& r);

// Opens the run's model, data and scorer (no optimizer, no run folder), samples `groups` groups and
// scores them; returns the summarized report. `observer` (may be null) receives the loading notes and
// download progress. Throws InputError: SFT or PPO (no scalar reward to preview), judge: human
// (preflight is automatic), and everything a Session would refuse.
PreflightReport preflight(const RunConfig& cfg, int groups, RunObserver* observer = nullptr);

// A hand-written completion (a line of a --completions file).
struct CompletionRow {
    std::string prompt, completion, answer, type;
};
// Reads a JSONL file of {"prompt", "completion", "answer"[, "type"]} objects (answer and type may be
// absent). Throws InputError naming the file and line.
std::vector<CompletionRow> read_completion_rows(const std::string& path);

// Scores `rows` with the run's reward functions (GRPO, judge: rewards) or its scalar judge, without
// loading the policy model. One group holding every row (its variance is not meaningful); the rows'
// per-function rewards and totals are in groups[0].completions, in order.
PreflightReport score_completions(const RunConfig& cfg, const std::vector<CompletionRow>& rows,
                                  RunObserver* observer = nullptr);

}  // namespace rf
