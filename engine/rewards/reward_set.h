// The reward functions of a run: `reward_functions` (names; empty = the five r1_* defaults in
// mlx-lm-lora's order), `reward_weights` (default 1.0 each) and `reward_functions_file`, resolved once;
// then called once per step on the batch, giving each function's scores and the weighted sum
//   R_i = sum_k w_k * r_k(i)          (a None/NaN score counts 0, as np.nan_to_num in mlx-lm-lora)
// Names the file registers win over the built-in ones (as in Python's registry); every other
// built-in name runs as native C++.
//
// The reserved name `human` (kHumanRewardName) is a person, one weighted reward among the others:
// its column comes from the scorer set with set_human_scorer (judge/human_reward.h asks the person);
// without one (preflight, validation) the column is all NaN, "not asked". A completion that only the
// person could score and did not (skipped, away) gets total 0 instead of the all-None error.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "rewards/python_worker.h"
#include "rewards/reward_function.h"

namespace rf {

struct RewardSetOptions {
    std::vector<std::string> names;     // empty: default_reward_function_names()
    std::vector<double> weights;        // empty: 1.0 each; else one per name
    std::string functions_file;         // reward_functions_file ("" = none)
    PythonWorkerOptions python;
};

struct RewardBatch {
    std::vector<std::string> names;                // one per function
    std::vector<std::vector<float>> per_function;  // [function][completion]; NaN = "not applicable"
    std::vector<float> total;                      // [completion] weighted sum
};

// Over the non-NaN scores: mean, population std (numpy's), and the share that is non-NaN
// (the `<fn>_mean`, `<fn>_std`, `<fn>_coverage` metrics; 0, 0, coverage when none).
inline constexpr const char* kHumanRewardName = "human";

// Scores a whole batch (same vectors as RewardSet::score); NaN = not scored.
using ExternalRewardScorer = std::function<std::vector<float>(const Strings& prompts, const Strings& completions,
                                                              const Strings& answers, const Strings& types)>;

struct RewardStats {
    double mean = 0.0, std = 0.0, coverage = 0.0;
};
RewardStats reward_stats(const std::vector<float>& scores);

class RewardSet {
public:
    // Throws InputError: unknown name (key reward_functions, with the available names and the closest
    // one), weight count mismatch or non-finite weight (reward_weights), file problems (python_worker.h).
    explicit RewardSet(const RewardSetOptions& options);
    RewardSet(RewardSet&&) noexcept;
    RewardSet& operator=(RewardSet&&) noexcept;
    ~RewardSet();

    const std::vector<std::string>& names() const { return m_names; }
    const std::vector<double>& weights() const { return m_weights; }
    // Whether function k runs in the Python worker.
    bool is_python(size_t k) const { return m_python[k]; }
    const PythonRewardWorker* worker() const { return m_worker.get(); }
    // Whether `human` is one of the functions, and who answers for it (empty: nobody, NaN column).
    bool has_human() const;
    void set_human_scorer(ExternalRewardScorer scorer) { m_human = std::move(scorer); }

    // All vectors one entry per completion (`types` may be empty = no type column). The Python
    // functions of the set are called in one worker round trip. Throws InputError when a function
    // fails, and when every function returned None for some completion (mlx-lm-lora does the same).
    RewardBatch score(const Strings& prompts, const Strings& completions, const Strings& answers,
                      const Strings& types);

private:
    std::vector<std::string> m_names;
    std::vector<double> m_weights;
    std::vector<bool> m_python;
    std::vector<std::unique_ptr<RewardFunction>> m_native;  // null where m_python[k]
    std::shared_ptr<PythonRewardWorker> m_worker;
    ExternalRewardScorer m_human;
};

// The closest of `candidates` to `name` (edit distance), or "" when none is close.
std::string closest_name(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace rf
