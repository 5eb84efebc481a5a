// From a RunConfig to the run's judge and reward functions (SPEC §9), so that a trainer needs one
// call:
//   judge: rewards          -> RewardsJudge over reward_set_options(cfg)
//   judge: human            -> HumanJudge asking deps.asker (the GUI dialog / the CLI terminal)
//   judge: http(s)://…/v1   -> LlmJudge over HttpChatBackend (judge_model, judge_config.timeout_seconds,
//                              .retries, the bearer token from the variable named by .api_key_env)
//   judge: <model dir / id> -> LlmJudge over a local model backend (deps.load_model_backend, so the
//                              session can share weights with the reference model; else
//                              LocalModelBackend::load)
//   judge: ""               -> nullptr (GRPO and SFT need none)
// In every LLM case judge_system is the rubric and judge_config.system_prompt the full template.
#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "judge/human_judge.h"
#include "judge/llm_judge.h"
#include "rewards/reward_set.h"

namespace rf {

struct RunConfig;

struct JudgeDeps {
    const std::atomic<bool>* stop = nullptr;  // the run's stop flag (human waits, HTTP requests)
    HumanAsker* asker = nullptr;              // needed for judge: human; must outlive the judge
    std::shared_ptr<RewardSet> rewards;       // judge: rewards; built from the config when null
    std::function<std::unique_ptr<ChatBackend>(const std::string& judge)> load_model_backend;
    PythonWorkerOptions python;               // for a reward_functions_file
    std::string model_dir;                    // judge: <model>: the folder as resolved by the caller
                                              // (empty: cfg.judge as written)
};

// reward_functions, reward_weights, reward_functions_file of the config.
RewardSetOptions reward_set_options(const RunConfig& cfg, const PythonWorkerOptions& python = {});

// Throws InputError for what the config asks but cannot be had (human judge without an asker,
// an unreadable reward file, a bad template, ...).
std::unique_ptr<Judge> make_judge(const RunConfig& cfg, JudgeDeps deps);

}  // namespace rf
