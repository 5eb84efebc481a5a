// validate(): ranges, invalid combinations (SPEC §7, §8, §11) as errors; explicitly set keys that the
// run ignores as warnings. Every message names the key and, when known, its line in the file.
#include <algorithm>
#include <cmath>
#include <filesystem>

#include "config/run_config.h"
#include "config/run_config_values.h"
#include "core/error.h"
#include "ops/gemm_bf16.h"
#include "optim/optimizer.h"

namespace rf {

using namespace config_detail;

std::string Issue::to_string(const std::string& file) const {
    std::string s = file.empty() ? "" : file + ": ";
    s += severity == Severity::error ? "error: " : "warning: ";
    s += message;
    if (!hint.empty()) s += " (hint: " + hint + ")";
    return s;
}

bool has_errors(const std::vector<Issue>& issues) {
    for (const auto& i : issues)
        if (i.severity == Severity::error) return true;
    return false;
}

namespace {

std::string mode_list(ModeSet modes) {
    std::string s;
    for (const auto& n : enum_names(TrainMode{}))
        if (modes & mode_bit(n.value)) s += (s.empty() ? "" : ", ") + std::string(n.name);
    return s.empty() ? "no Reinforge mode" : s;
}

bool judge_uses_rewards(const RunConfig& c) {
    return c.train_mode == TrainMode::grpo ||
           (c.train_mode != TrainMode::sft && judge_kind(c.judge) == JudgeKind::rewards) ||
           (c.train_mode != TrainMode::sft && judge_kind(c.judge) == JudgeKind::human &&
            c.human_fallback == HumanFallback::rewards);
}

// "" when the run reads `k`, else why it does not.
std::string unused_reason(const RunConfig& c, const KeySpec& k) {
    if (!key_used_in_mode(k, c.train_mode))
        return "is ignored with train_mode " + std::string(enum_name(c.train_mode)) + " (read by " +
               mode_list(k.modes) + ")";
    const std::string& n = k.name;
    JudgeKind jk = judge_kind(c.judge);
    if ((n.rfind("lora_parameters.", 0) == 0 || n == "num_layers") && c.train_type == FineTuneType::full)
        return "is ignored with train_type full";
    if (n == "advantage_std" && c.scale_rewards == ScaleRewards::none)
        return "is ignored with scale_rewards none";
    if (n == "running_mean_decay" && c.baseline != Baseline::running_mean)
        return "is ignored unless baseline is running_mean";
    if ((n == "sapo_temperature_pos" || n == "sapo_temperature_neg") && c.grpo_loss_type != GrpoLossType::sapo)
        return "is ignored unless grpo_loss_type is sapo";
    if (n == "compute_dtype" && c.train_type == FineTuneType::full)
        return "is ignored with train_type full (a trained base computes in float32)";
    if (n == "quantization_group_size" && c.quantization == Quantization::none)
        return "is ignored with quantization none";
    if ((n == "lr_schedule.init" || n == "lr_schedule.steps" || n == "lr_schedule.iters_fraction" ||
         n == "lr_schedule.end") && c.lr_schedule.name == ScheduleKind::constant)
        return "is ignored with lr_schedule name constant";
    if (n == "lr_schedule.iters_fraction" && c.lr_schedule.steps > 0)
        return "is ignored when lr_schedule steps is set";
    if (n == "lr_schedule.warmup_init" && c.lr_schedule.warmup == 0) return "is ignored without warmup";
    if (n == "test_batches" && !c.test) return "is ignored with test: false";
    if (n == "keep_best_mode" && c.keep_best.empty()) return "is ignored without keep_best";
    if ((n == "fuse_dequantize" || n == "fuse_remove_adapters" || n == "lm_studio_name") && !c.fuse)
        return "is ignored with fuse: false";
    if ((n == "reward_functions" || n == "reward_weights" || n == "reward_functions_file" ||
         n == "answer_feature" || n == "type_feature") && !judge_uses_rewards(c))
        return "is ignored: reward functions are read by grpo, by judge: rewards and by human_fallback: rewards";
    const bool human_fallback = judge_kind(c.judge) == JudgeKind::human && c.human_fallback == HumanFallback::rewards;
    if ((n == "human_fraction" || n == "human_wait_seconds") && !human_fallback &&
        (!judge_uses_rewards(c) ||
         std::find(c.reward_functions.begin(), c.reward_functions.end(), "human") == c.reward_functions.end()))
        return "is ignored without human among reward_functions or judge: human with human_fallback: rewards";
    if (n == "human_fallback" && jk != JudgeKind::human) return "is ignored unless judge is human";
    if (n == "judge_model" && jk != JudgeKind::http) return "is ignored: only an http(s) judge reads it";
    if ((n == "judge_config.timeout_seconds" || n == "judge_config.retries" || n == "judge_config.api_key_env") &&
        jk != JudgeKind::http)
        return "is ignored: only an http(s) judge reads it";
    if ((n == "judge_system" || n == "judge_config.system_prompt") && jk != JudgeKind::model && jk != JudgeKind::http)
        return "is ignored: only an LLM judge (model or http endpoint) reads it";
    return {};
}

struct Checker {
    const RunConfig& c;
    std::vector<Issue> issues;

    std::string at(const std::string& key) const {
        auto it = c.origin.lines.find(key);
        return it == c.origin.lines.end() ? "" : " (line " + std::to_string(it->second) + ")";
    }
    int line(const std::string& key) const {
        auto it = c.origin.lines.find(key);
        return it == c.origin.lines.end() ? 0 : it->second;
    }
    void error(const std::string& key, const std::string& what, const std::string& hint = {}) {
        issues.push_back({Severity::error, key, line(key), key + at(key) + ": " + what, hint});
    }
    void warning(const std::string& key, const std::string& what, const std::string& hint = {}) {
        issues.push_back({Severity::warning, key, line(key), key + at(key) + ": " + what, hint});
    }
    bool set_by_user(const std::string& key) const { return c.origin.explicit_keys.count(key) > 0; }
};

}  // namespace

bool key_in_use(const RunConfig& cfg, const KeySpec& key) { return unused_reason(cfg, key).empty(); }

std::vector<Issue> validate(const RunConfig& c) {
    Checker v{c, {}};
    const bool rl = c.train_mode != TrainMode::sft;
    const std::string mode(enum_name(c.train_mode));

    // Ranges from the table (the setters check them too; this covers fields assigned directly).
    for (const auto& k : run_config_keys()) {
        if (k.type != KeyType::integer && k.type != KeyType::real && k.type != KeyType::real_list) continue;
        std::string text = k.get(c);
        std::vector<double> values;
        if (k.type == KeyType::real_list) values = parse_real_list(k.name, text);
        else values.push_back(k.type == KeyType::integer ? static_cast<double>(parse_int(k.name, text))
                                                         : parse_real(k.name, text));
        for (double x : values) {
            std::string err = range_error(k, x, text);
            if (!err.empty()) {
                v.error(k.name, err);
                break;
            }
        }
    }

    // Required values.
    if (c.model.empty()) v.error("model", "is required: a local Hugging Face folder or an HF id", "model: Qwen/Qwen3-0.6B");
    if (c.data.empty()) v.error("data", "is required: a folder with train.jsonl, a .jsonl file or an HF id");
    for (const auto& d : c.data)
        if (d.empty()) v.error("data", "has an empty entry");
    if (c.iters == 0 && c.epochs == 0)
        v.error("iters", "iters and epochs are both unset: set one of them", "iters: 200");
    if (c.iters > 0 && c.epochs > 0)
        v.error("epochs", "iters (" + std::to_string(c.iters) + ") and epochs (" + std::to_string(c.epochs) +
                              ") are both set: set only one");

    // Fine-tune substrate.
    if (c.compute_dtype == ComputeDType::bfloat16 && !bf16_gemm_available())
        v.warning("compute_dtype", "bfloat16 is not available here (" + bf16_gemm_description() + "); the run computes in float32",
                  "use compute_dtype: auto, which picks bfloat16 where the CPU has it");
    if (c.num_layers == 0) v.error("num_layers", "0 would train nothing; use -1 for all layers or N >= 1");
    if (c.train_type == FineTuneType::full && c.quantization != Quantization::none)
        v.error("quantization", "full fine-tuning of a quantized base is not supported",
                "use train_type lora or dora with a quantized base, or quantization none");
    {
        int g = c.quantization_group_size;
        if (c.quantization == Quantization::mxfp4 && g != 32)
            v.error("quantization_group_size", "mxfp4 uses group size 32, got " + std::to_string(g));
        else if (g != 32 && g != 64 && g != 128)
            v.error("quantization_group_size", "expected 32, 64 or 128, got " + std::to_string(g));
    }
    for (const auto& key : c.lora_parameters.keys)
        if (key.empty()) v.error("lora_parameters.keys", "has an empty module name");

    // Optimisation.
    if (!c.optimizer_config.is_object()) v.error("optimizer_config", "must be a mapping {optimizer: {option: value}}");
    else {
        std::vector<std::string> names;
        for (const auto& n : enum_names(OptimizerKind{})) names.emplace_back(n.name);
        for (const auto& [name, block] : c.optimizer_config.items()) {
            if (!enum_from_name<OptimizerKind>(name)) {
                std::string near = did_you_mean(name, names);
                v.error("optimizer_config", "unknown optimizer '" + name + "'",
                        near.empty() ? "known: adam, adamw, sgd, adafactor, lion, muon" : "did you mean '" + near + "'?");
            } else if (!block.is_object() && !block.is_null()) {
                v.error("optimizer_config", "'" + name + "' must be a mapping of options, e.g. {weight_decay: 0.01}");
            } else {
                try {  // the optimizer's own reading of its options (names, types, ranges)
                    make_optimizer(name, block.is_null() ? nlohmann::json::object() : block);
                } catch (const InputError& e) {
                    std::string where = e.key.rfind("optimizer_config.", 0) == 0 ? e.key.substr(17) : name;
                    v.error("optimizer_config", where + ": " + e.message, e.hint);
                }
            }
        }
        if (c.optimizer == OptimizerKind::adafactor) {
            auto it = c.optimizer_config.find("adafactor");
            bool relative = true;
            if (it != c.optimizer_config.end() && it->is_object() && it->contains("relative_step"))
                relative = (*it)["relative_step"].is_boolean() && (*it)["relative_step"].get<bool>();
            if (relative)
                v.warning("optimizer", "adafactor with relative_step true (mlx's default) ignores learning_rate",
                          "set optimizer_config: {adafactor: {relative_step: false}} to use learning_rate");
        }
    }
    if (c.lr_schedule.name != ScheduleKind::constant) {
        if (c.lr_schedule.steps == 0 && c.lr_schedule.iters_fraction <= 0)
            v.error("lr_schedule.iters_fraction", "must be > 0 (or set lr_schedule steps)");
        if (v.set_by_user("lr_schedule.init") && v.set_by_user("learning_rate") &&
            c.lr_schedule.init != c.learning_rate)
            v.warning("lr_schedule.init",
                      "the schedule starts at " + format_real(c.lr_schedule.init) + ", not at learning_rate " +
                          format_real(c.learning_rate) + "; the schedule's value is used");
    }
    if (c.iters > 0 && c.lr_schedule.warmup >= c.iters)
        v.warning("lr_schedule.warmup", "warmup (" + std::to_string(c.lr_schedule.warmup) +
                                            ") covers the whole run (iters " + std::to_string(c.iters) + ")");

    if (c.train_mode == TrainMode::ppo && c.ppo_advantage == PpoAdvantage::logprob_gap)
        v.warning("ppo_advantage", "logprob_gap uses S_old(chosen) - S_old(rejected) as the advantage (standardised "
                                   "over the pairs when there are several): it is negative whenever the policy "
                                   "already found the rejected completion likelier, and then pushes towards the "
                                   "rejected one",
                  "preference (the default) always pushes towards the chosen completion");
    // Sampling.
    if (rl) {
        if (c.temperature == 0 && (c.train_mode == TrainMode::grpo || c.train_mode == TrainMode::ppo))
            v.error("temperature", "0 (greedy) is invalid with train_mode " + mode +
                                       ": the completions of a prompt would be identical",
                    "use 0.8");
        else if (c.temperature == 0)
            v.warning("temperature", "0 (greedy) gives identical completions per prompt: no learning signal from a baseline");
        if (c.min_p >= 1) v.error("min_p", "must be < 1 (0 = off)");
        for (const auto& s : c.stop_strings)
            if (s.empty()) v.error("stop_strings", "has an empty stop string");
    }

    // Per-algorithm combinations.
    if (c.train_mode == TrainMode::rloo && c.baseline != Baseline::rloo)
        v.error("baseline", "train_mode rloo is REINFORCE with baseline rloo, got '" +
                                std::string(enum_name(c.baseline)) + "'",
                "use train_mode rlhf_reinforce for other baselines");
    if ((c.train_mode == TrainMode::rloo || c.train_mode == TrainMode::rlhf_reinforce) && c.group_size < 2 &&
        (c.baseline == Baseline::rloo || c.baseline == Baseline::per_prompt_mean))
        v.error("group_size", "baseline " + std::string(enum_name(c.baseline)) +
                                  " needs group_size >= 2 (with 1 the advantage is always 0)");
    if (c.train_mode == TrainMode::grpo && c.group_size < 2)
        v.error("group_size", "GRPO needs group_size >= 2: with 1 the group-relative advantage is always 0");
    if (c.train_mode == TrainMode::ppo || c.train_mode == TrainMode::grpo) {
        if (c.train_mode == TrainMode::grpo && c.epsilon_high < c.epsilon)
            v.error("epsilon_high", "(" + format_real(c.epsilon_high) + ") must be >= epsilon (" +
                                        format_real(c.epsilon) + ")");
        if (c.ratio_against == RatioAgainst::rollout && c.num_iterations == 1 && v.set_by_user("epsilon") &&
            get_value(c, "epsilon") != default_value(c, "epsilon"))
            v.warning("epsilon", "with num_iterations 1 and ratio_against rollout the ratio is 1 and never clipped",
                      "set num_iterations >= 2 for clipping to act");
    }

    // keep_best: whether the metric exists is known at the first evaluation (Session logs it then);
    // what is known now is whether there will be evaluations, and SFT's only metric.
    if (!c.keep_best.empty()) {
        if (c.steps_per_eval == 0)
            v.warning("keep_best", "nothing is evaluated with steps_per_eval 0, so no best weights are kept",
                      "set steps_per_eval (e.g. 50), or remove keep_best");
        if (c.train_mode == TrainMode::sft && c.keep_best != "val_loss" && c.keep_best != "loss")
            v.warning("keep_best",
                      "'" + c.keep_best + "' is not an SFT validation metric: SFT evaluations report val_loss only",
                      "keep_best: val_loss");
    }

    // Judge.
    JudgeKind jk = judge_kind(c.judge);
    bool judged = c.train_mode == TrainMode::rlhf_reinforce || c.train_mode == TrainMode::rloo ||
                  c.train_mode == TrainMode::ppo;
    if (judged && jk == JudgeKind::none)
        v.error("judge", "is required with train_mode " + mode +
                             ": a model (HF folder or id), human, rewards, or an http(s)://…/v1 endpoint",
                "judge: rewards scores with the reward functions, offline");
    if (judged && jk == JudgeKind::http && c.judge_model.empty())
        v.error("judge_model", "is required with an HTTP judge: the model name the endpoint serves");
    if (judged && (jk == JudgeKind::model || jk == JudgeKind::http)) {
        const std::string& t = c.judge_config.system_prompt;
        if (!t.empty()) {
            std::vector<std::string> need = {"{prompt}", "{response0}"};
            if (c.train_mode == TrainMode::ppo) need.push_back("{response1}");
            for (const auto& p : need)
                if (t.find(p) == std::string::npos)
                    v.error("judge_config.system_prompt", "the judge template must contain " + p);
        }
    }
    if (judge_uses_rewards(c) && c.reward_weights.size() != c.reward_functions.size())
        v.error("reward_weights", "has " + std::to_string(c.reward_weights.size()) + " weights for " +
                                      std::to_string(c.reward_functions.size()) + " reward functions",
                "one weight per reward function, in the order of reward_functions");
    for (const auto& f : c.reward_functions)
        if (f.empty()) v.error("reward_functions", "has an empty name");

    if (c.schema_version > 1)
        v.error("schema_version", "this file was written by a newer Reinforge (schema " +
                                      std::to_string(c.schema_version) + "); this one reads schema 1");

    // Keys set by the user that this run ignores.
    for (const auto& k : run_config_keys()) {
        if (!v.set_by_user(k.name)) continue;
        std::string why = unused_reason(c, k);
        if (why.empty() || k.get(c) == k.default_value(c)) continue;
        v.warning(k.name, why);
    }
    return v.issues;
}

std::vector<Issue> check_files(const RunConfig& c) {
    Checker v{c, {}};
    namespace fs = std::filesystem;
    std::error_code ec;
    auto need = [&](const std::string& key, const std::string& path) {
        if (path.empty() || !key_in_use(c, *find_key(key))) return;
        if (!fs::is_regular_file(path, ec))
            v.error(key, "'" + path + "' is not a file (looked in " + fs::absolute(path, ec).string() + ")");
    };
    need("reward_functions_file", c.reward_functions_file);
    need("resume_adapter_file", c.resume_adapter_file);
    return v.issues;
}

}  // namespace rf
