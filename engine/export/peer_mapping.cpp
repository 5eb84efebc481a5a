// Reinforge run config → TRL / verl / OpenRLHF launch configuration (peer_config.h).
//
// Sources the field names were checked against (docs/scale-out.md has the same list):
//   TRL       huggingface/trl trl/trainer/grpo_config.py (006d32c), trl/trainer/rloo_config.py (006d32c),
//             trl/scripts/grpo.py (0fa368b: GRPOScriptArguments, TrlParser of GRPOConfig + ModelConfig),
//             docs/source/clis.md (02fcdef: `trl grpo --config`, `--accelerate_config`)
//   verl      volcengine/verl verl/trainer/config/_generated_ppo_trainer.yaml (035682e)
//   OpenRLHF  OpenRLHF/OpenRLHF openrlhf/cli/train_ppo_ray.py (021d1b0, flat argparse flags)
// Names taken from /work/shared/reference/peers.md without re-reading the source are marked
// "(peers.md)" in the row's note.
#include "export/peer_mapping.h"

#include <cctype>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"


namespace rf::peer_mapping {

// --------------------------------------------------------------------------------------------------
// Small helpers the converters share.

bool is_grpo(const RunConfig& c) { return c.train_mode == TrainMode::grpo; }
bool is_ppo(const RunConfig& c) { return c.train_mode == TrainMode::ppo; }
bool is_reinforce(const RunConfig& c) {  // rlhf_reinforce and rloo: REINFORCE with a baseline
    return c.train_mode == TrainMode::rlhf_reinforce || c.train_mode == TrainMode::rloo;
}
bool lora(const RunConfig& c) { return c.train_type != FineTuneType::full; }
// Whether the run scores completions with reward functions (GRPO, or judge: rewards).
bool uses_reward_functions(const RunConfig& c) { return is_grpo(c) || judge_kind(c.judge) == JudgeKind::rewards; }
std::string val(const RunConfig& c, std::string_view key) { return get_value(c, key); }
std::string num(double v) {  // a real as the run config writes it ("5.0e-05", "0.2"): through a real key
    RunConfig tmp;
    tmp.beta = v;
    return get_value(tmp, "beta");
}
std::string num(int64_t v) { return std::to_string(v); }
// LoRA alpha: PEFT scales by lora_alpha / r, Reinforge (mlx-lm) by `scale`, so alpha = scale * rank.
double lora_alpha(const RunConfig& c) { return c.lora_parameters.scale * c.lora_parameters.rank; }
std::string alpha_text(const RunConfig& c) {
    double a = lora_alpha(c);
    return a == std::floor(a) ? std::to_string(static_cast<int64_t>(a)) : num(a);
}
// Module names for PEFT: the last component (self_attn.q_proj → q_proj; PEFT matches name suffixes).
std::vector<std::string> target_modules(const RunConfig& c) {
    std::vector<std::string> out;
    for (const auto& k : c.lora_parameters.keys) {
        auto dot = k.rfind('.');
        out.push_back(dot == std::string::npos ? k : k.substr(dot + 1));
    }
    return out;
}
// Prompts per optimizer update: gradient_accumulation_steps micro-batches of batch_size prompts.
int64_t prompts_per_update(const RunConfig& c) {
    return int64_t{c.batch_size} * c.gradient_accumulation_steps;
}
int completions_per_prompt(const RunConfig& c) { return is_ppo(c) ? 2 : c.group_size; }
double weight_decay(const RunConfig& c) {  // mlx.optimizers defaults: AdamW 0.01, the others 0
    auto o = optimizer_options(c);
    if (o.contains("weight_decay")) return o["weight_decay"].get<double>();
    return c.optimizer == OptimizerKind::adamw ? 0.01 : 0.0;
}
bool bias_correction(const RunConfig& c) {
    auto o = optimizer_options(c);
    return o.contains("bias_correction") && o["bias_correction"].get<bool>();
}
std::vector<double> betas(const RunConfig& c) {
    auto o = optimizer_options(c);
    if (o.contains("betas")) return o["betas"].get<std::vector<double>>();
    return {0.9, 0.999};
}

// YAML: a double-quoted scalar (JSON strings are valid YAML) and a flow list of them.
std::string yq(const std::string& s) { return nlohmann::json(s).dump(); }
std::string yq_list(const std::vector<std::string>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + yq(v[i]);
    return s + "]";
}
std::string y_reals(const std::vector<double>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + num(v[i]);
    return s + "]";
}
// Shell: a word as is when it is safe, else single-quoted.
std::string sh(const std::string& s) {
    bool safe = !s.empty();
    for (char ch : s)
        if (!(std::isalnum(static_cast<unsigned char>(ch)) || std::string_view("_-./:=,+@%").find(ch) != std::string_view::npos))
            safe = false;
    if (safe) return s;
    std::string out = "'";
    for (char ch : s) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    return out + "'";
}
// Hydra: a list value [a,b] and a string value (quoted when Hydra's grammar would misread it).
std::string hydra_list(const std::vector<std::string>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + v[i];
    return s + "]";
}
std::string hydra_str(const std::string& s) {
    for (char ch : s)
        if (std::string_view(" ,[]{}()=:'\"\\$").find(ch) != std::string_view::npos)
            return nlohmann::json(s).dump();
    return s;
}
std::string py_bool(bool b) { return b ? "True" : "False"; }


// The algorithm each tool runs for a Reinforge mode (and its baseline / scale_rewards).
std::string verl_estimator(const RunConfig& c) {
    if (is_grpo(c)) return "grpo";
    if (is_ppo(c)) return "gae";
    switch (c.baseline) {
        case Baseline::rloo: return "rloo";
        case Baseline::per_prompt_mean: return "grpo";  // with norm_adv_by_std_in_grpo=False: r - group mean
        default: return "reinforce_plus_plus";
    }
}
std::string openrlhf_estimator(const RunConfig& c) {
    if (is_grpo(c)) {
        if (c.scale_rewards == ScaleRewards::none) return "dr_grpo";
        if (c.scale_rewards == ScaleRewards::batch) return "reinforce_baseline";
        return "group_norm";
    }
    if (is_ppo(c)) return "gae";
    switch (c.baseline) {
        case Baseline::rloo: return "rloo";
        case Baseline::per_prompt_mean: return "dr_grpo";
        default: return "reinforce";
    }
}

// Schedules: the transformers scheduler name for TRL (lr_scheduler_type) and OpenRLHF (--lr_scheduler).
bool schedule_spans_run(const RunConfig& c) { return c.lr_schedule.steps == 0 && c.lr_schedule.iters_fraction == 1.0; }

// --------------------------------------------------------------------------------------------------
// The table: the rows of the run's model, data, training and output keys (peer_rows_training.cpp),
// then those of the judges, GRPO and the advanced keys (peer_rows_rl.cpp), in run_config_keys() order.

const std::vector<MappingRow>& mapping() {
    static const std::vector<MappingRow> rows = [] {
        std::vector<MappingRow> r = training_rows();
        for (MappingRow& x : rl_rows()) r.push_back(x);
        return r;
    }();
    return rows;
}

Conv converter(const MappingRow& r, PeerTarget t) {
    switch (t) {
        case PeerTarget::trl: return r.to_trl;
        case PeerTarget::verl: return r.to_verl;
        case PeerTarget::openrlhf: return r.to_openrlhf;
    }
    return nullptr;
}

}  // namespace rf::peer_mapping
