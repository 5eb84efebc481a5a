// The five r1_* reward functions of mlx-lm-lora's grpo_reward_functions.py, ported exactly
// (reference/mlx-lora-studio-and-mlx-lm-lora.md §4; tests compare them with the Python originals,
// tests/reference/r1_rewards_reference.py, on ~200 completions). Python `str` semantics: py_str.h.
//
// As in Python, each returns zeros of len(prompts) when `completions` is empty (accuracy also when
// `answers` is empty), and otherwise one score per completion (accuracy: per zip(completions, answers)).
// `types` is ignored by all five.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "rewards/reward_function.h"

namespace rf {

// t.split("<answer>")[-1].split("</answer>")[0].strip()
std::string_view r1_extract_xml_answer(std::string_view text);

// 2.0 when the extracted answer is non-empty and equals the dataset answer exactly (not stripped).
std::vector<float> r1_accuracy_reward_func(const Strings& prompts, const Strings& completions,
                                           const Strings& answers, const Strings& types);
// 0.5 when the extracted answer is non-empty and str.isdigit() (Unicode digits count, "-1" does not).
std::vector<float> r1_int_reward_func(const Strings& prompts, const Strings& completions, const Strings& answers,
                                      const Strings& types);
// 0.5 when re.search(r"<think> .*? </think> <answer> .*? </answer>", c) matches (no DOTALL).
std::vector<float> r1_strict_format_reward_func(const Strings& prompts, const Strings& completions,
                                                const Strings& answers, const Strings& types);
// 0.5 when the first <think>, </think>, <answer>, </answer> are in that order with non-blank contents.
std::vector<float> r1_soft_format_reward_func(const Strings& prompts, const Strings& completions,
                                              const Strings& answers, const Strings& types);
// 0.125 for each tag present exactly once ("<think>\n", "</think>", "<answer>", "</answer>"), minus
// 0.001 per character after the last "</answer>" (the whole text if none), floored at 0.
std::vector<float> r1_count_xml(const Strings& prompts, const Strings& completions, const Strings& answers,
                                const Strings& types);

}  // namespace rf
