// The data-parallel side of the online steps (SPEC §18; docs/scale-out.md). Every rank draws the
// same global batch (the same epoch order and the same session Rng as one process), takes its share
// of the prompts (whole groups, never split), and the reductions below turn its partial results into
// what one process would have computed on the whole batch:
//
//   sampling   the Rng gives one seed per sequence, prompt-major (sampling/generate.h), so a rank
//              skips the seeds of the prompts before its share and after it: a completion gets the
//              same seed for any number of ranks
//   rewards    gathered, so group and batch statistics (scale_rewards: batch) and the reward metrics
//              are computed on the whole batch, by every rank
//   loss       each rank weights its rows as the whole batch's loss would (grpo/dr_grpo: rows, bnpo:
//              the micro-batch's active tokens, dapo: the step's), so the sum over ranks of the
//              gradients is the one-process gradient, up to the order of the additions
//   gradients  one sum over the trainable buffer before clipping (online.cpp optimizer_step)
//   metrics    sums, weighted means, min / max, as each metric is defined
// With a null Comm (or one rank) every function here is the one-process identity.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/rng.h"
#include "dist/comm.h"
#include "judge/judge_runner.h"
#include "train/online.h"
#include "train/session.h"

namespace rf {

// A rank's prompts of a batch of P: [begin, end), contiguous, the first P mod n ranks one more.
struct Shard {
    int begin = 0, end = 0;
    int size() const { return end - begin; }
};
Shard shard_of(int P, const Comm* comm);
template <class T>
std::vector<T> slice(const std::vector<T>& v, int begin, int end) {
    return std::vector<T>(v.begin() + begin, v.begin() + end);
}

// The rank's rollouts of a global batch of prompts: the seeds of the other ranks' sequences are
// drawn and dropped, so `in.rng` ends where one process's would.
Rollouts sample_shard(Policy& p, const StepInputs& in, const std::vector<const RlPrompt*>& global, const Shard& shard,
                      int group_size);

// The K x n rows of this rank (row-major, function-major) → the K x N rows of the whole batch,
// ranks in order, on every rank.
std::vector<double> all_gather_rows(Comm* comm, const std::vector<double>& mine, int K);

// How a metric combines over ranks.
enum class Reduce { sum, mean, min, max };
struct MetricPart {
    double value = 0;
    double weight = 1;  // mean: the count the rank's value averaged over
    Reduce how = Reduce::mean;
};
// The parts, reduced over ranks (identical on every rank). Every rank passes the same names.
std::map<std::string, double> reduce_metrics(Comm* comm, const std::map<std::string, MetricPart>& parts);
// add_generation_metrics (online.h) over every rank's rollouts; tokens_per_second is all ranks'
// tokens over the slowest rank's generation time.
void add_generation_metrics(Comm* comm, const Rollouts& r, StepMetrics& m);
// time_generate / time_score / time_train of the slowest rank.
void add_step_times(Comm* comm, StepMetrics& m, double generate, double score, double train);

// After a data-parallel rank judged its share: every rank's verdict counts since `before` added into
// ctx.stats (the same totals on every rank), and the judgments.jsonl lines the other ranks held
// (their ctx.log is held, judge_runner.h) written by rank 0 after its own, in rank order.
void gather_judgments(Comm* comm, const JudgeContext& ctx, const JudgeStats& before);

// The rollout records of every rank on rank 0, in one process's order (micro-batch by micro-batch,
// ranks in order within one); other ranks get an empty list. `mine[k]`: this rank's records of
// micro-batch k. `group` becomes the prompt's index in the global micro-batch (`first_group[k]`:
// this rank's first prompt of micro-batch k).
std::vector<RolloutRecord> gather_rollouts(Comm* comm, const std::vector<std::vector<RolloutRecord>>& mine,
                                           const std::vector<int>& first_group);

}  // namespace rf
