// Reward functions (SPEC §9): called once per step with the whole batch, as mlx-lm-lora calls them:
//   fn(prompts, completions, answer, types=None) -> list[float]
// Built in: the five r1_* functions (r1_rewards.h), ported exactly. From a `reward_functions_file`:
// PythonRewardFunction (python_worker.h), run unchanged in a python3 worker process.
#pragma once
#include <string>
#include <vector>

namespace rf {

using Strings = std::vector<std::string>;

class RewardFunction {
public:
    virtual ~RewardFunction() = default;
    // The registry name (`reward_functions` entry; metrics `<name>_mean`).
    virtual std::string name() const = 0;
    // `types` empty means Python's None. Returns one score per completion. NaN means "no score" (a
    // Python function returned None: not applicable to this row; `<name>_coverage` counts the others).
    virtual std::vector<float> score(const Strings& prompts, const Strings& completions, const Strings& answers,
                                     const Strings& types) = 0;
};

}  // namespace rf
