// The built-in reward functions by registry name (the names of mlx-lm-lora's REWARD_REGISTRY), and
// the parsing of the `reward_functions` / `reward_weights` config values.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "rewards/reward_function.h"

namespace rf {

using RewardFn = std::vector<float> (*)(const Strings& prompts, const Strings& completions, const Strings& answers,
                                        const Strings& types);

struct BuiltinReward {
    const char* name;
    RewardFn fn;
    const char* summary;  // one line for `reinforge-cli list-rewards`
};

// In registry order (accuracy, int, strict_format, soft_format, count_xml).
const std::vector<BuiltinReward>& builtin_rewards();
// The `reward_functions` default (empty value): get_default_reward_functions() order, which is the
// same five names in the order above.
std::vector<std::string> default_reward_function_names();
// nullptr when `name` is not built in.
std::unique_ptr<RewardFunction> make_builtin_reward(const std::string& name);

// "a, b,c" -> {"a","b","c"} (blank entries dropped). Empty -> {} (meaning: the defaults).
std::vector<std::string> parse_reward_function_names(const std::string& text);
// "[2.0, 0.5]" or "2.0, 0.5" (mlx-lm-lora strips the brackets and splits on commas) -> {2.0, 0.5}.
// Throws InputError (key reward_weights) on a non-number. Empty -> {} (meaning: all 1.0).
std::vector<float> parse_reward_weights(const std::string& text);

}  // namespace rf
