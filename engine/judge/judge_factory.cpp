#include "judge/judge_factory.h"

#include <cstdlib>

#include "config/run_config.h"
#include "core/error.h"
#include "judge/fallback_judge.h"
#include "judge/http_backend.h"
#include "judge/local_judge_backend.h"
#include "judge/rewards_judge.h"

namespace rf {

RewardSetOptions reward_set_options(const RunConfig& cfg, const PythonWorkerOptions& python) {
    RewardSetOptions o;
    o.names = cfg.reward_functions;
    o.weights = cfg.reward_weights;
    o.functions_file = cfg.reward_functions_file;
    o.python = python;
    return o;
}

std::unique_ptr<Judge> make_judge(const RunConfig& cfg, JudgeDeps deps) {
    static const std::atomic<bool> kNeverStop{false};
    const std::atomic<bool>& stop = deps.stop ? *deps.stop : kNeverStop;
    LlmJudgeOptions llm;
    llm.judge_system = cfg.judge_system;
    llm.template_text = cfg.judge_config.system_prompt;

    switch (judge_kind(cfg.judge)) {
        case JudgeKind::none: return nullptr;
        case JudgeKind::rewards: {
            auto rewards = deps.rewards ? deps.rewards
                                        : std::make_shared<RewardSet>(reward_set_options(cfg, deps.python));
            return std::make_unique<RewardsJudge>(std::move(rewards));
        }
        case JudgeKind::human: {
            if (!deps.asker)
                throw InputError(cfg.origin.file, 0, "judge",
                                 "judge: human needs someone to ask, and this front end has no way to",
                                 "run it in the GUI or in reinforge-cli from a terminal");
            if (cfg.human_fallback == HumanFallback::none) return std::make_unique<HumanJudge>(*deps.asker, stop);
            auto rewards = deps.rewards ? deps.rewards
                                        : std::make_shared<RewardSet>(reward_set_options(cfg, deps.python));
            HumanFallbackOptions o;
            o.fraction = cfg.human_fraction;
            o.wait_seconds = cfg.human_wait_seconds;
            o.seed = uint64_t(cfg.seed);
            return std::make_unique<FallbackJudge>(*deps.asker, stop, std::make_unique<RewardsJudge>(std::move(rewards)), o);
        }
        case JudgeKind::http: {
            HttpBackendOptions h;
            h.base_url = cfg.judge;
            h.model = cfg.judge_model;
            h.timeout_s = cfg.judge_config.timeout_seconds;
            h.retries = cfg.judge_config.retries;
            h.stop = &stop;
            if (!cfg.judge_config.api_key_env.empty()) {
                const char* key = std::getenv(cfg.judge_config.api_key_env.c_str());
                if (!key || !*key)
                    throw InputError(cfg.origin.file, 0, "judge_config.api_key_env",
                                     "the environment variable " + cfg.judge_config.api_key_env + " is not set",
                                     "export it before starting the run, or remove api_key_env for a local server");
                h.api_key = key;
            }
            return std::make_unique<LlmJudge>(std::make_unique<HttpChatBackend>(std::move(h)), std::move(llm));
        }
        case JudgeKind::model: {
            const std::string& dir = deps.model_dir.empty() ? cfg.judge : deps.model_dir;
            std::unique_ptr<ChatBackend> backend =
                deps.load_model_backend ? deps.load_model_backend(dir) : LocalModelBackend::load(dir, &stop);
            return std::make_unique<LlmJudge>(std::move(backend), std::move(llm));
        }
    }
    return nullptr;
}

}  // namespace rf
