// Before / after: one model, its adapters swapped between sources, the same prompts decoded by the
// training's own sampler (train/online.h sample()) and scored by the run's reward functions.
#include "train/before_after.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <regex>

#include "core/error.h"
#include "model/adapter_io.h"
#include "train/online.h"
#include "train/session_impl.h"

namespace fs = std::filesystem;

namespace rf {

namespace {

RunConfig run_config_of(const std::string& run_dir) {
    const fs::path cfg = fs::path(run_dir) / "config.yaml";
    if (!fs::is_regular_file(cfg))
        throw InputError(run_dir, 0, {}, "not a run folder: config.yaml is missing",
                         "pass a folder that `reinforge-cli train` or the Train button created (runs/<run_name>)");
    return load_run_config(cfg.string());
}

}  // namespace

std::vector<AnswerSource> answer_sources(const std::string& run_dir) {
    const RunConfig cfg = run_config_of(run_dir);
    const fs::path adapters = cfg.adapter_path.empty() ? fs::path(run_dir) / "adapters" : fs::path(cfg.adapter_path);
    std::vector<AnswerSource> out{{"base", ""}};
    std::vector<std::pair<int, std::string>> steps;
    static const std::regex kCheckpoint(R"((\d{7})_adapters\.safetensors)");
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(adapters, ec)) {
        std::smatch m;
        const std::string name = e.path().filename().string();
        if (std::regex_match(name, m, kCheckpoint)) steps.push_back({std::stoi(m[1].str()), e.path().string()});
    }
    std::sort(steps.begin(), steps.end());
    for (const auto& [step, file] : steps) out.push_back({"step " + std::to_string(step), file});
    if (fs::is_regular_file(fs::path(run_dir) / "best.json") && fs::is_regular_file(adapters / "best_adapters.safetensors"))
        out.push_back({"best", (adapters / "best_adapters.safetensors").string()});
    if (fs::is_regular_file(adapters / "adapters.safetensors"))
        out.push_back({"latest", (adapters / "adapters.safetensors").string()});
    return out;
}

BeforeAfter before_after(const std::string& run_dir, const std::vector<AnswerSource>& sources,
                         const BeforeAfterOptions& options, RunObserver* observer) {
    RunConfig cfg = run_config_of(run_dir);
    if (cfg.train_mode == TrainMode::sft || cfg.train_type == FineTuneType::full)
        throw InputError(run_dir + "/config.yaml", 0, cfg.train_mode == TrainMode::sft ? "train_mode" : "train_type",
                         "before/after compares a LoRA/DoRA run of an online mode with its base",
                         "for other runs compare `reinforge-cli generate` on the base and the fused folder");
    if (sources.empty()) throw InputError(run_dir, 0, {}, "no answer sources chosen", "e.g. base and latest");
    if (options.prompts < 1) throw InputError({}, 0, "--prompts", "must be at least 1", "");
    for (const AnswerSource& s : sources)
        if (!s.adapter_file.empty() && !fs::is_regular_file(s.adapter_file))
            throw InputError(s.adapter_file, 0, {}, "the weights of '" + s.label + "' are missing",
                             "list what the run has with reinforge-cli before-after RUN_DIR --list");
    cfg.temperature = options.temperature;
    if (options.max_tokens > 0) cfg.max_completion_length = options.max_tokens;

    Session::Impl s;
    s.cfg = cfg;
    s.observer = observer;
    s.control = &s.own_control;
    s.comm = &s.own_comm;
    s.ask_people = false;  // a human reward is left unscored here
    s.open_resources(false);

    BeforeAfter out;
    out.split = s.valid.prompts.empty() ? "train" : "valid";
    const std::vector<RlPrompt>& pool = s.valid.prompts.empty() ? s.train.prompts : s.valid.prompts;
    if (pool.empty()) throw InputError(run_dir + "/config.yaml", 0, "data", "the run's dataset has no prompts", "");
    std::vector<const RlPrompt*> prompts;
    for (size_t i = 0; i < pool.size() && int(i) < options.prompts; ++i) prompts.push_back(&pool[i]);
    out.rows.resize(prompts.size());
    for (size_t p = 0; p < prompts.size(); ++p) out.rows[p].prompt = prompts[p]->prompt, out.rows[p].answer = prompts[p]->answer;
    out.scored = s.rewards != nullptr;

    Policy pol = s.policy_view();
    for (const AnswerSource& src : sources) {
        out.labels.push_back(src.label);
        if (!src.adapter_file.empty()) {
            load_adapter_weights(*s.policy, src.adapter_file);
            s.policy->refresh_adapters();
        }
        Rng rng;
        rng.reseed(uint64_t(cfg.seed), 11);  // the same sampling seeds for every source
        const StepInputs in{cfg, 0, rng, [&s] { return s.stopping(); }};
        Rollouts r = sample(pol, in, prompts, 1, !src.adapter_file.empty());
        Strings ps, cs, as, ts;
        for (size_t p = 0; p < prompts.size(); ++p) {
            ps.push_back(prompts[p]->prompt);
            cs.push_back(r.groups[p][0].text);
            as.push_back(prompts[p]->answer);
            ts.push_back(prompts[p]->type);
        }
        std::vector<float> totals(prompts.size(), std::nanf(""));
        if (s.rewards) totals = s.rewards->score(ps, cs, as, ts).total;
        double sum = 0;
        for (size_t p = 0; p < prompts.size(); ++p) {
            out.rows[p].cells.push_back({cs[p], double(totals[p]), r.groups[p][0].truncated});
            sum += totals[p];
        }
        out.mean_reward.push_back(s.rewards ? sum / double(prompts.size()) : std::nan(""));
    }
    return out;
}

}  // namespace rf
