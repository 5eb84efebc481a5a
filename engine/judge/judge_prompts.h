// What an LLM judge is asked, and how its reply becomes a verdict (SPEC §9).
//
// The messages: a system message holding the rubric (`judge_system`, or the built-in rubric when
// the built-in template is used), and a user message made from a template with the placeholders
// {prompt}, {response0}, {response1} (pairwise) or {prompt}, {response0} (scalar; {response} is
// accepted too). `judge_config.system_prompt` replaces the built-in template as in mlx-lm-lora: it
// is the whole user message, written for Python's str.format, so "{{" and "}}" stand for literal
// braces. Unknown {names} and lone braces are kept as they are (Python would raise; we are lenient).
//
// Parsing is robust (a model rarely answers with exactly one character): reasoning blocks
// (<think>…</think>) are dropped, then a bare answer, a JSON object, or an explicit phrase ("Response
// 1 is better", "Score: 7/10") is accepted. A reply matching none is a failed verdict, counted in
// `judge_failures`, never a silent default.
#pragma once
#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace rf {

enum class JudgeMode { scalar, pairwise };

extern const char* const kDefaultJudgeRubric;     // system message when judge_system is empty
extern const char* const kDefaultPairwiseTemplate;  // {prompt} {response0} {response1}; reply "0" or "1"
extern const char* const kDefaultScalarTemplate;    // {prompt} {response0}; reply a number 0..10

// Python str.format-like substitution: "{{" -> "{", "}}" -> "}", "{name}" -> values[name] when
// present, anything else copied.
std::string fill_template(std::string_view tpl, const std::map<std::string, std::string>& values);

// Throws InputError (key judge_config.system_prompt) when `tpl` lacks a response placeholder the
// mode needs. A scalar template with {response1} scores two completions per call (JSON "scores",
// the mlx-lm-lora REINFORCE template); returns whether that is the case.
bool check_judge_template(std::string_view tpl, JudgeMode mode);

// The reply without <think>…</think> blocks (an unclosed <think> drops everything after it), trimmed.
std::string strip_reasoning(std::string_view reply);
// 0 or 1, or nullopt when the reply does not say.
std::optional<int> parse_pair_verdict(std::string_view reply);
// A score in [0, 10], or nullopt.
std::optional<float> parse_scalar_verdict(std::string_view reply);
// {"scores": [{"model_identifier": "0", "score": s0}, {"model_identifier": "1", "score": s1}]} (or
// {"0": s0, "1": s1}) -> {s0, s1}; nullopt unless both are there and in [0, 10].
std::optional<std::array<float, 2>> parse_pair_scores(std::string_view reply);

}  // namespace rf
