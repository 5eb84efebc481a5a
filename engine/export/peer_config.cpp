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
#include "export/peer_config.h"

#include <cctype>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"

namespace rf {
namespace {

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

// --------------------------------------------------------------------------------------------------
// The sink a converter writes to: fields, and gaps for the row's key.

struct Sink {
    const RunConfig& cfg;
    PeerTarget target;
    std::string key;  // the row being converted
    std::vector<PeerField> fields;
    std::vector<PeerGap> gaps;

    void set(std::string name, std::string value, std::string comment = {}) {
        for (auto& f : fields)
            if (f.name == name) { f.value = std::move(value); if (!comment.empty()) f.comment = std::move(comment); return; }
        fields.push_back({std::move(name), std::move(value), std::move(comment)});
    }
    void flag(std::string name, std::string comment = {}) { set(std::move(name), "", std::move(comment)); }
    void gap(std::string reason) { gaps.push_back({key, get_value(cfg, key), std::move(reason)}); }
    void gap_of(const std::string& other_key, std::string reason) {
        gaps.push_back({other_key, get_value(cfg, other_key), std::move(reason)});
    }
};

using Conv = void (*)(const RunConfig&, Sink&);

// One row per Reinforge key: the target fields as the docs show them, and the converters.
struct MappingRow {
    const char* key;
    const char* trl;       // docs text ("—" when nothing)
    const char* verl;
    const char* openrlhf;
    const char* note;
    Conv to_trl = nullptr;
    Conv to_verl = nullptr;
    Conv to_openrlhf = nullptr;
};

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
// The table. Rows are in run_config_keys() order; every key has one (test_peer_config checks).

const std::vector<MappingRow>& mapping() {
    static const std::vector<MappingRow> rows = {
        // ---- Model & Data ----
        {"train_mode", "`GRPOConfig` (grpo), `RLOOConfig` (rloo, rlhf_reinforce), `trl.experimental` `PPOConfig` (ppo)",
         "`algorithm.adv_estimator`: grpo, rloo, reinforce_plus_plus, gae (ppo)",
         "`--advantage_estimator`: group_norm / dr_grpo / reinforce_baseline (grpo), rloo, reinforce, gae (ppo)",
         "sft is not exported. PPO with a pairwise judge exists in none of them: they run PPO with a reward model and a critic.",
         [](const RunConfig& c, Sink& s) {
             if (is_ppo(c))
                 s.gap("PPO with a pairwise judge: TRL's PPOTrainer (trl.experimental.ppo) needs a reward model and a value "
                       "model; the fields below are PPOConfig's, and there is no `trl ppo` command");
         },
         [](const RunConfig& c, Sink& s) {
             s.set("algorithm.adv_estimator", verl_estimator(c));
             if (is_ppo(c))
                 s.gap("PPO with a pairwise judge: verl's PPO (gae) needs a critic and a scalar reward "
                       "(reward_model.* or custom_reward_function); there is no pairwise judge");
         },
         [](const RunConfig& c, Sink& s) {
             s.set("--advantage_estimator", openrlhf_estimator(c));
             if (is_ppo(c))
                 s.gap("PPO with a pairwise judge: OpenRLHF's PPO (gae) needs --reward_pretrain or --remote_rm_url "
                       "and a critic; there is no pairwise judge");
         }},
        {"model", "`model_name_or_path`", "`actor_rollout_ref.model.path`", "`--pretrain`",
         "A local folder must be copied to the cluster; an HF id works as is.",
         [](const RunConfig& c, Sink& s) { s.set("model_name_or_path", yq(c.model)); },
         [](const RunConfig& c, Sink& s) { s.set("actor_rollout_ref.model.path", hydra_str(c.model)); },
         [](const RunConfig& c, Sink& s) { s.set("--pretrain", sh(c.model)); }},
        {"data", "`dataset_name`", "`data.train_files` (parquet)", "`--prompt_data`",
         "TRL loads an HF id or a folder with load_dataset; verl reads parquet files in its own row schema.",
         [](const RunConfig& c, Sink& s) {
             if (c.data.empty()) return;
             s.set("dataset_name", yq(c.data[0]));
             if (c.data.size() > 1) s.gap("TRL's dataset_name takes one dataset (the `datasets` mixture of DatasetMixtureConfig is not generated): concatenate them first");
         },
         [](const RunConfig& c, Sink& s) {
             if (c.data.empty()) return;
             std::vector<std::string> files;
             for (const auto& d : c.data) files.push_back(hydra_str(d));
             s.set("data.train_files", files.size() == 1 ? files[0] : hydra_list(files));
             s.gap("verl reads parquet rows with `prompt` (a chat list), `data_source` and `reward_model.ground_truth` "
                   "(see verl's examples/data_preprocess); convert the dataset to that schema");
         },
         [](const RunConfig& c, Sink& s) {
             if (c.data.empty()) return;
             std::string joined;
             for (const auto& d : c.data) {
                 if (!joined.empty()) joined += ',';
                 joined += d;
             }
             s.set("--prompt_data", sh(joined));
         }},
        {"dataset_config", "`dataset_config`", "—", "—", "",
         [](const RunConfig& c, Sink& s) { if (!c.dataset_config.empty()) s.set("dataset_config", yq(c.dataset_config)); },
         [](const RunConfig& c, Sink& s) { if (!c.dataset_config.empty()) s.gap("verl reads files; pick the configuration when converting"); },
         [](const RunConfig& c, Sink& s) { if (!c.dataset_config.empty()) s.gap("no dataset configuration flag in train_ppo_ray.py; point --prompt_data at that subset"); }},
        {"lm_studio_name", "—", "—", "—", "A local export after the run.", nullptr, nullptr, nullptr},
        // ---- Fine-tune ----
        {"train_type", "`use_peft`, `use_dora` (ModelConfig)", "`actor_rollout_ref.model.lora_rank` 0 = full", "`--lora_rank` 0 = full",
         "DoRA: TRL only (verl only on its Megatron backend, peers.md).",
         [](const RunConfig& c, Sink& s) {
             if (!lora(c)) return;
             s.set("use_peft", "true");
             if (c.train_type == FineTuneType::dora) s.set("use_dora", "true");
         },
         [](const RunConfig& c, Sink& s) {
             if (!lora(c)) s.set("actor_rollout_ref.model.lora_rank", "0", "full fine-tuning");
             if (c.train_type == FineTuneType::dora) s.gap("no DoRA in verl's FSDP config (only on the Megatron backend); exported as LoRA");
         },
         [](const RunConfig& c, Sink& s) {
             if (c.train_type == FineTuneType::dora) s.gap("OpenRLHF has no DoRA; exported as LoRA");
         }},
        {"num_layers", "—", "—", "—", "All three adapt every layer; a value other than -1 cannot be expressed.",
         [](const RunConfig& c, Sink& s) { if (c.num_layers != -1) s.gap("PEFT adapts every layer here (layers_to_transform is not a ModelConfig field)"); },
         [](const RunConfig& c, Sink& s) { if (c.num_layers != -1 && lora(c)) s.gap("verl adapts every layer"); },
         [](const RunConfig& c, Sink& s) { if (c.num_layers != -1 && lora(c)) s.gap("OpenRLHF adapts every layer"); }},
        {"lora_parameters.rank", "`lora_r`", "`actor_rollout_ref.model.lora_rank`", "`--lora_rank`", "",
         [](const RunConfig& c, Sink& s) { if (lora(c)) s.set("lora_r", num(int64_t{c.lora_parameters.rank})); },
         [](const RunConfig& c, Sink& s) { if (lora(c)) s.set("actor_rollout_ref.model.lora_rank", num(int64_t{c.lora_parameters.rank})); },
         [](const RunConfig& c, Sink& s) { if (lora(c)) s.set("--lora_rank", num(int64_t{c.lora_parameters.rank})); }},
        {"lora_parameters.scale", "`lora_alpha` = scale × rank", "`actor_rollout_ref.model.lora_alpha` = scale × rank",
         "`--lora_alpha` = scale × rank (an integer)",
         "Reinforge (mlx-lm) adds scale·(xA)B; PEFT adds (alpha/r)·(xA)B, so alpha = scale × rank.",
         [](const RunConfig& c, Sink& s) {
             if (lora(c)) s.set("lora_alpha", alpha_text(c), "lora_parameters.scale " + val(c, "lora_parameters.scale") + " x rank " + std::to_string(c.lora_parameters.rank));
         },
         [](const RunConfig& c, Sink& s) {
             if (lora(c)) s.set("actor_rollout_ref.model.lora_alpha", alpha_text(c), "lora_parameters.scale " + val(c, "lora_parameters.scale") + " x rank " + std::to_string(c.lora_parameters.rank));
         },
         [](const RunConfig& c, Sink& s) {
             if (!lora(c)) return;
             double a = lora_alpha(c);
             s.set("--lora_alpha", std::to_string(static_cast<int64_t>(std::lround(a))), "lora_parameters.scale " + val(c, "lora_parameters.scale") + " x rank " + std::to_string(c.lora_parameters.rank));
             if (a != std::floor(a)) s.gap("--lora_alpha is an integer; scale x rank = " + num(a) + " was rounded");
         }},
        {"lora_parameters.dropout", "`lora_dropout`", "—", "`--lora_dropout`", "",
         [](const RunConfig& c, Sink& s) { if (lora(c)) s.set("lora_dropout", val(c, "lora_parameters.dropout")); },
         [](const RunConfig& c, Sink& s) { if (lora(c) && c.lora_parameters.dropout > 0) s.gap("no LoRA dropout field in verl's model config"); },
         [](const RunConfig& c, Sink& s) { if (lora(c)) s.set("--lora_dropout", val(c, "lora_parameters.dropout")); }},
        {"quantization", "`load_in_4bit` / `load_in_8bit` (bitsandbytes)", "—", "`--load_in_4bit`",
         "bitsandbytes NF4/int8 is not MLX affine packing: the same idea (QLoRA), not the same numbers.",
         [](const RunConfig& c, Sink& s) {
             if (c.quantization == Quantization::q4) s.set("load_in_4bit", "true", "bitsandbytes 4-bit, not MLX affine");
             else if (c.quantization == Quantization::q8) s.set("load_in_8bit", "true", "bitsandbytes 8-bit, not MLX affine");
             else if (c.quantization != Quantization::none) s.gap("TRL/bitsandbytes offers 4 and 8 bits only");
         },
         [](const RunConfig& c, Sink& s) { if (c.quantization != Quantization::none) s.gap("no quantized base in verl's FSDP trainer"); },
         [](const RunConfig& c, Sink& s) {
             if (c.quantization == Quantization::q4) s.flag("--load_in_4bit", "bitsandbytes 4-bit, not MLX affine");
             else if (c.quantization != Quantization::none) s.gap("OpenRLHF offers --load_in_4bit only");
         }},
        {"compute_dtype", "`bf16`", "—", "`--bf16`", "A CPU setting; GPUs train in bf16 mixed precision by default.",
         [](const RunConfig& c, Sink& s) {
             if (c.compute_dtype == ComputeDType::float32) s.set("bf16", "false");
             else if (c.compute_dtype == ComputeDType::bfloat16) s.set("bf16", "true");
         },
         [](const RunConfig& c, Sink& s) {
             if (c.compute_dtype == ComputeDType::float32) s.gap("verl's precision is set in its fsdp_config/rollout dtype (bf16 by default); not mapped");
         },
         [](const RunConfig& c, Sink& s) { if (c.compute_dtype != ComputeDType::float32) s.flag("--bf16"); }},
        // ---- Training Settings ----
        {"iters", "`max_steps`", "`trainer.total_training_steps`", "`--max_samples` = iters × prompts per update",
         "OpenRLHF has no step count: it stops after --max_samples prompts (or --num_episodes passes).",
         [](const RunConfig& c, Sink& s) { if (c.iters > 0) s.set("max_steps", num(int64_t{c.iters})); },
         [](const RunConfig& c, Sink& s) { if (c.iters > 0) s.set("trainer.total_training_steps", num(int64_t{c.iters})); },
         [](const RunConfig& c, Sink& s) {
             if (c.iters <= 0) return;
             s.set("--max_samples", num(c.iters * prompts_per_update(c)), "iters x batch_size x gradient_accumulation_steps prompts");
             s.set("--num_episodes", "1");
         }},
        {"epochs", "`num_train_epochs`", "`trainer.total_epochs`", "`--num_episodes`", "",
         [](const RunConfig& c, Sink& s) { if (c.epochs > 0) s.set("num_train_epochs", num(int64_t{c.epochs})); },
         [](const RunConfig& c, Sink& s) { if (c.epochs > 0) s.set("trainer.total_epochs", num(int64_t{c.epochs})); },
         [](const RunConfig& c, Sink& s) { if (c.epochs > 0) s.set("--num_episodes", num(int64_t{c.epochs})); }},
        {"batch_size", "`per_device_train_batch_size` = batch_size × group_size (completions)",
         "`data.train_batch_size`, `actor_rollout_ref.actor.ppo_mini_batch_size` = batch_size × gradient_accumulation_steps (prompts)",
         "`--rollout_batch_size` (prompts), `--train_batch_size` (samples)",
         "One optimizer update per batch of rollouts in all three. TRL counts completions per device: divide by the number of processes.",
         [](const RunConfig& c, Sink& s) {
             s.set("per_device_train_batch_size", num(int64_t{c.batch_size} * completions_per_prompt(c)),
                   "batch_size " + std::to_string(c.batch_size) + " prompts x " + std::to_string(completions_per_prompt(c)) + " completions, on one process");
         },
         [](const RunConfig& c, Sink& s) {
             s.set("data.train_batch_size", num(prompts_per_update(c)), "prompts per update: batch_size x gradient_accumulation_steps");
             s.set("actor_rollout_ref.actor.ppo_mini_batch_size", num(prompts_per_update(c)), "one update per rollout batch");
         },
         [](const RunConfig& c, Sink& s) {
             s.set("--rollout_batch_size", num(prompts_per_update(c)), "prompts per update: batch_size x gradient_accumulation_steps");
             s.set("--train_batch_size", num(prompts_per_update(c) * completions_per_prompt(c)), "samples per update");
         }},
        {"max_seq_length", "—", "—", "—", "SFT only.", nullptr, nullptr, nullptr},
        {"seed", "`seed`", "—", "`--seed`", "The tools' RNGs differ: the same seed does not give the same samples.",
         [](const RunConfig& c, Sink& s) { s.set("seed", val(c, "seed")); },
         [](const RunConfig& c, Sink& s) { (void)c; s.gap("no single seed override in verl's ppo_trainer.yaml (checked at 035682e)"); },
         [](const RunConfig& c, Sink& s) { s.set("--seed", val(c, "seed")); }},
        {"learning_rate", "`learning_rate`", "`actor_rollout_ref.actor.optim.lr`", "`--actor_learning_rate`", "",
         [](const RunConfig& c, Sink& s) { s.set("learning_rate", val(c, "learning_rate")); },
         [](const RunConfig& c, Sink& s) { s.set("actor_rollout_ref.actor.optim.lr", val(c, "learning_rate")); },
         [](const RunConfig& c, Sink& s) { s.set("--actor_learning_rate", val(c, "learning_rate")); }},
        {"optimizer", "`optim` (adamw_torch, sgd, adafactor)", "— (AdamW)", "— (Adam with --l2)",
         "Reinforge's adam/adamw follow mlx: no bias correction unless optimizer_config sets bias_correction: true; torch's always corrects.",
         [](const RunConfig& c, Sink& s) {
             switch (c.optimizer) {
                 case OptimizerKind::adam:
                 case OptimizerKind::adamw: s.set("optim", "adamw_torch"); break;
                 case OptimizerKind::sgd: s.set("optim", "sgd"); break;
                 case OptimizerKind::adafactor: s.set("optim", "adafactor"); break;
                 default: s.gap("no " + val(c, "optimizer") + " among transformers' optim choices mapped here; set `optim` by hand");
             }
             if ((c.optimizer == OptimizerKind::adam || c.optimizer == OptimizerKind::adamw) && !bias_correction(c))
                 s.gap("mlx Adam/AdamW without bias correction: torch's AdamW always corrects (early steps are larger)");
         },
         [](const RunConfig& c, Sink& s) {
             if (c.optimizer != OptimizerKind::adam && c.optimizer != OptimizerKind::adamw) s.gap("verl's FSDP actor uses AdamW");
             else if (!bias_correction(c)) s.gap("mlx Adam/AdamW without bias correction: torch's AdamW always corrects");
         },
         [](const RunConfig& c, Sink& s) {
             if (c.optimizer != OptimizerKind::adam && c.optimizer != OptimizerKind::adamw) s.gap("OpenRLHF uses (DeepSpeed) Adam");
             else if (!bias_correction(c)) s.gap("mlx Adam/AdamW without bias correction: DeepSpeed Adam always corrects");
         }},
        {"lr_schedule.name", "`lr_scheduler_type` constant(_with_warmup) / cosine / cosine_with_min_lr / linear",
         "`actor_rollout_ref.actor.optim.warmup_style` constant / cosine, `min_lr_ratio`",
         "`--lr_scheduler` constant_with_warmup / cosine_with_min_lr / linear",
         "Decay over the whole run only (lr_schedule.steps 0, iters_fraction 1).",
         [](const RunConfig& c, Sink& s) {
             const auto& l = c.lr_schedule;
             if (l.name == ScheduleKind::constant) {
                 s.set("lr_scheduler_type", l.warmup > 0 ? "constant_with_warmup" : "constant");
             } else if (l.name == ScheduleKind::cosine_decay) {
                 if (l.end == 0) s.set("lr_scheduler_type", "cosine");
                 else {
                     s.set("lr_scheduler_type", "cosine_with_min_lr");
                     s.set("lr_scheduler_kwargs", "{min_lr: " + num(l.end) + "}");
                 }
             } else if (l.name == ScheduleKind::linear_schedule) {
                 s.set("lr_scheduler_type", "linear");
                 if (l.end != 0) s.gap("transformers' linear schedule decays to 0, not to lr_schedule.end " + num(l.end));
             }
             if (l.name != ScheduleKind::constant && !schedule_spans_run(c))
                 s.gap("the decay spans the whole run in transformers' schedulers (lr_schedule.steps / iters_fraction differ)");
         },
         [](const RunConfig& c, Sink& s) {
             const auto& l = c.lr_schedule;
             if (l.name == ScheduleKind::constant) s.set("actor_rollout_ref.actor.optim.warmup_style", "constant");
             else if (l.name == ScheduleKind::cosine_decay) {
                 s.set("actor_rollout_ref.actor.optim.warmup_style", "cosine");
                 s.set("actor_rollout_ref.actor.optim.min_lr_ratio", num(l.init > 0 ? l.end / l.init : 0.0), "lr_schedule.end / init");
             } else {
                 s.gap("verl's warmup_style is constant or cosine");
             }
             if (l.name != ScheduleKind::constant && !schedule_spans_run(c)) s.gap("verl decays over the whole run");
         },
         [](const RunConfig& c, Sink& s) {
             const auto& l = c.lr_schedule;
             if (l.name == ScheduleKind::constant) s.set("--lr_scheduler", "constant_with_warmup");
             else if (l.name == ScheduleKind::cosine_decay) {
                 s.set("--lr_scheduler", "cosine_with_min_lr");
                 s.gap("the final LR of OpenRLHF's cosine_with_min_lr is set inside OpenRLHF, not from lr_schedule.end (not verified which value)");
             } else if (l.name == ScheduleKind::linear_schedule) {
                 s.set("--lr_scheduler", "linear");
                 if (l.end != 0) s.gap("linear decays to 0");
             }
             if (l.name != ScheduleKind::constant && !schedule_spans_run(c)) s.gap("OpenRLHF decays over the whole run");
         }},
        {"lr_schedule.warmup", "`warmup_steps`", "`actor_rollout_ref.actor.optim.lr_warmup_steps`", "`--lr_warmup_ratio` = warmup / iters", "",
         [](const RunConfig& c, Sink& s) { s.set("warmup_steps", num(int64_t{c.lr_schedule.warmup})); },
         [](const RunConfig& c, Sink& s) { if (c.lr_schedule.warmup > 0) s.set("actor_rollout_ref.actor.optim.lr_warmup_steps", num(int64_t{c.lr_schedule.warmup})); },
         [](const RunConfig& c, Sink& s) {
             if (c.lr_schedule.warmup == 0) { s.set("--lr_warmup_ratio", "0"); return; }
             if (c.iters > 0) s.set("--lr_warmup_ratio", num(double(c.lr_schedule.warmup) / c.iters), "warmup / iters");
             else s.gap("--lr_warmup_ratio is a fraction of the run and the run is given in epochs: set it by hand");
         }},
        {"lr_schedule.warmup_init", "—", "—", "—", "All three warm up from 0.",
         [](const RunConfig& c, Sink& s) { if (c.lr_schedule.warmup > 0 && c.lr_schedule.warmup_init != 0) s.gap("warmup starts at 0"); },
         [](const RunConfig& c, Sink& s) { if (c.lr_schedule.warmup > 0 && c.lr_schedule.warmup_init != 0) s.gap("warmup starts at 0"); },
         [](const RunConfig& c, Sink& s) { if (c.lr_schedule.warmup > 0 && c.lr_schedule.warmup_init != 0) s.gap("warmup starts at 0"); }},
        {"lr_schedule.iters_fraction", "see lr_schedule.name", "see lr_schedule.name", "see lr_schedule.name", "", nullptr, nullptr, nullptr},
        {"lr_schedule.end", "`lr_scheduler_kwargs.min_lr` (cosine)", "`min_lr_ratio` = end / init", "—", "See lr_schedule.name.", nullptr, nullptr, nullptr},
        {"steps_per_report", "`logging_steps`", "— (every step)", "`--logging_steps`", "",
         [](const RunConfig& c, Sink& s) { s.set("logging_steps", val(c, "steps_per_report")); }, nullptr,
         [](const RunConfig& c, Sink& s) { s.set("--logging_steps", val(c, "steps_per_report")); }},
        {"steps_per_eval", "`eval_strategy`, `eval_steps`", "`trainer.test_freq`", "`--eval_steps` (needs --eval_dataset)", "0 (never) is \"no\" / -1.",
         [](const RunConfig& c, Sink& s) {
             if (c.steps_per_eval == 0) { s.set("eval_strategy", yq("no")); return; }
             s.set("eval_strategy", yq("steps"));
             s.set("eval_steps", val(c, "steps_per_eval"));
         },
         [](const RunConfig& c, Sink& s) { s.set("trainer.test_freq", c.steps_per_eval == 0 ? "-1" : val(c, "steps_per_eval")); },
         [](const RunConfig& c, Sink& s) { s.set("--eval_steps", c.steps_per_eval == 0 ? "-1" : val(c, "steps_per_eval")); }},
        {"keep_best", "—", "—", "—", "Reinforge keeps the best adapters by a validation metric; none of them has that rule.",
         [](const RunConfig& c, Sink& s) { if (!c.keep_best.empty()) s.gap("load_best_model_at_end / metric_for_best_model select checkpoints differently; not mapped"); },
         [](const RunConfig& c, Sink& s) { if (!c.keep_best.empty()) s.gap("no best-checkpoint selection"); },
         [](const RunConfig& c, Sink& s) { if (!c.keep_best.empty()) s.gap("no best-checkpoint selection"); }},
        {"keep_best_mode", "—", "—", "—", "See keep_best.", nullptr, nullptr, nullptr},
        {"save_every", "`save_strategy`, `save_steps`", "`trainer.save_freq`", "`--save_steps`", "0 (only at the end) is \"no\" / -1; the final model is saved anyway.",
         [](const RunConfig& c, Sink& s) {
             if (c.save_every == 0) { s.set("save_strategy", yq("no")); return; }
             s.set("save_strategy", yq("steps"));
             s.set("save_steps", val(c, "save_every"));
         },
         [](const RunConfig& c, Sink& s) { s.set("trainer.save_freq", c.save_every == 0 ? "-1" : val(c, "save_every")); },
         [](const RunConfig& c, Sink& s) { s.set("--save_steps", c.save_every == 0 ? "-1" : val(c, "save_every")); }},
        {"val_batches", "—", "—", "—", "They evaluate the whole eval split.", nullptr, nullptr, nullptr},
        {"test", "—", "—", "—", "Reinforge's test-split evaluation after training.", nullptr, nullptr, nullptr},
        {"test_batches", "—", "—", "—", "See test.", nullptr, nullptr, nullptr},
        {"grad_checkpoint", "`gradient_checkpointing`", "`actor_rollout_ref.model.enable_gradient_checkpointing`", "`--gradient_checkpointing`", "",
         [](const RunConfig& c, Sink& s) { s.set("gradient_checkpointing", c.grad_checkpoint ? "true" : "false"); },
         [](const RunConfig& c, Sink& s) { s.set("actor_rollout_ref.model.enable_gradient_checkpointing", py_bool(c.grad_checkpoint)); },
         [](const RunConfig& c, Sink& s) { if (c.grad_checkpoint) s.flag("--gradient_checkpointing"); }},
        {"gradient_accumulation_steps", "`gradient_accumulation_steps`", "folded into `data.train_batch_size`", "folded into `--rollout_batch_size`", "",
         [](const RunConfig& c, Sink& s) { s.set("gradient_accumulation_steps", val(c, "gradient_accumulation_steps")); }, nullptr, nullptr},
        {"mask_prompt", "—", "—", "—", "SFT only.", nullptr, nullptr, nullptr},
        {"fuse", "—", "—", "—", "A local step after the run.", nullptr, nullptr, nullptr},
        {"fuse_dequantize", "—", "—", "—", "See fuse.", nullptr, nullptr, nullptr},
        {"fuse_remove_adapters", "—", "—", "—", "See fuse.", nullptr, nullptr, nullptr},
        // ---- Dataset Columns ----
        {"prompt_feature", "— (the column must be `prompt`)", "`data.prompt_key`", "`--input_key` (+ `--apply_chat_template`)", "",
         [](const RunConfig& c, Sink& s) { if (c.prompt_feature != "prompt") s.gap("TRL reads the column `prompt`: rename the column"); },
         [](const RunConfig& c, Sink& s) { s.set("data.prompt_key", hydra_str(c.prompt_feature)); },
         [](const RunConfig& c, Sink& s) { s.set("--input_key", sh(c.prompt_feature)); s.flag("--apply_chat_template"); }},
        {"answer_feature", "— (every column reaches the reward functions as a keyword argument)", "— (`reward_model.ground_truth` in the parquet row)", "`--label_key`", "",
         nullptr, nullptr,
         [](const RunConfig& c, Sink& s) { s.set("--label_key", sh(c.answer_feature)); }},
        {"type_feature", "— (a keyword argument of the reward functions)", "—", "—", "", nullptr, nullptr, nullptr},
        {"system_feature", "— (part of the prompt's messages)", "—", "—", "", nullptr, nullptr, nullptr},
        {"chat_feature", "—", "—", "—", "SFT only.", nullptr, nullptr, nullptr},
        {"completion_feature", "—", "—", "—", "SFT only.", nullptr, nullptr, nullptr},
        {"text_feature", "—", "—", "—", "SFT only.", nullptr, nullptr, nullptr},
        {"chosen_feature", "—", "—", "—", "Accepted, unused.", nullptr, nullptr, nullptr},
        {"rejected_feature", "—", "—", "—", "Accepted, unused.", nullptr, nullptr, nullptr},
        {"preference_score_feature", "—", "—", "—", "Accepted, unused.", nullptr, nullptr, nullptr},
        {"train_split", "`dataset_train_split`", "—", "`--prompt_split`", "",
         [](const RunConfig& c, Sink& s) { s.set("dataset_train_split", yq(c.train_split)); }, nullptr,
         [](const RunConfig& c, Sink& s) { s.set("--prompt_split", sh(c.train_split)); }},
        {"valid_split", "`dataset_test_split`", "`data.val_files`", "`--eval_dataset`, `--eval_split`", "",
         [](const RunConfig& c, Sink& s) { if (!c.valid_split.empty()) s.set("dataset_test_split", yq(c.valid_split)); }, nullptr, nullptr},
        {"valid_fraction", "—", "—", "—", "Reinforge holds rows out when a dataset has no validation split; the others need one.", nullptr, nullptr, nullptr},
        {"answer_pattern", "—", "—", "—", "Apply the regex in the reward code or when converting the data.",
         [](const RunConfig& c, Sink& s) { if (!c.answer_pattern.empty()) s.gap("no answer extraction: do it in the reward function"); },
         [](const RunConfig& c, Sink& s) { if (!c.answer_pattern.empty()) s.gap("no answer extraction: do it when writing ground_truth"); },
         [](const RunConfig& c, Sink& s) { if (!c.answer_pattern.empty()) s.gap("no answer extraction: do it in the reward function"); }},
        {"skip_bad_rows", "—", "—", "—", "Reinforge's data loader; clean the dataset before handing it off.", nullptr, nullptr, nullptr},
        // ---- Output ----
        {"run_name", "`run_name`", "`trainer.experiment_name`", "—", "",
         [](const RunConfig& c, Sink& s) { s.set("run_name", yq(c.run_name)); },
         [](const RunConfig& c, Sink& s) { s.set("trainer.experiment_name", hydra_str(c.run_name)); }, nullptr},
        {"output_dir", "`output_dir`", "`trainer.default_local_dir`", "`--save_path`, `--ckpt_path`", "",
         [](const RunConfig& c, Sink& s) { s.set("output_dir", yq(c.output_dir)); },
         [](const RunConfig& c, Sink& s) { s.set("trainer.default_local_dir", hydra_str(c.output_dir + "/checkpoints")); },
         [](const RunConfig& c, Sink& s) {
             s.set("--save_path", sh(c.output_dir));
             s.set("--ckpt_path", sh(c.output_dir + "/checkpoints"));
         }},
        {"adapter_path", "—", "—", "—", "Inside the output folder in each tool.", nullptr, nullptr, nullptr},
        {"resume_adapter_file", "—", "—", "—", "Starting from Reinforge adapter weights is not mapped.",
         [](const RunConfig& c, Sink& s) { if (!c.resume_adapter_file.empty()) s.gap("start from these adapters: not mapped (convert them to a PEFT adapter and load it yourself)"); },
         [](const RunConfig& c, Sink& s) { if (!c.resume_adapter_file.empty()) s.gap("start from these adapters: not mapped"); },
         [](const RunConfig& c, Sink& s) { if (!c.resume_adapter_file.empty()) s.gap("start from these adapters: not mapped"); }},
        // ---- Online Preference ----
        {"judge", "`reward_funcs` (judge: rewards)", "`custom_reward_function` (judge: rewards)", "`--remote_rm_url` (judge: rewards)",
         "A person, a local LLM judge or an HTTP LLM judge cannot be expressed in any of them.",
         [](const RunConfig& c, Sink& s) {
             switch (judge_kind(c.judge)) {
                 case JudgeKind::human: s.gap("a person judging in the loop: TRL has no human judge"); break;
                 case JudgeKind::model: s.gap("a local LLM judge: TRL's reward_model_name_or_path is a sequence-classification reward model, not a judge (TRL removed its judges, trl#5485)"); break;
                 case JudgeKind::http: s.gap("an HTTP LLM judge: TRL has no judge endpoint; wrap it in a reward function yourself"); break;
                 default: break;
             }
         },
         [](const RunConfig& c, Sink& s) {
             switch (judge_kind(c.judge)) {
                 case JudgeKind::human: s.gap("a person judging in the loop: verl has no human judge"); break;
                 case JudgeKind::model: s.gap("a local LLM judge: verl's reward_model is a scalar reward model; a generative judge needs your own reward function"); break;
                 case JudgeKind::http: s.gap("an HTTP LLM judge: call it from your own custom_reward_function"); break;
                 default: break;
             }
         },
         [](const RunConfig& c, Sink& s) {
             switch (judge_kind(c.judge)) {
                 case JudgeKind::human: s.gap("a person judging in the loop: OpenRLHF has no human judge"); break;
                 case JudgeKind::model: s.gap("a local LLM judge: --reward_pretrain is a scalar reward model, not a judge"); break;
                 case JudgeKind::http: s.gap("an HTTP LLM judge: --remote_rm_url expects OpenRLHF's reward-server protocol, not an OpenAI-compatible judge"); break;
                 default: break;
             }
         }},
        {"judge_model", "—", "—", "—", "See judge.", nullptr, nullptr, nullptr},
        {"judge_system", "—", "—", "—", "See judge.", nullptr, nullptr, nullptr},
        {"baseline", "— (RLOOTrainer: leave-one-out)", "`algorithm.adv_estimator` rloo / grpo + `norm_adv_by_std_in_grpo=False` (per_prompt_mean)",
         "`--advantage_estimator` rloo / dr_grpo (per_prompt_mean)",
         "none, batch_mean and running_mean have no counterpart (REINFORCE++ whitens over the batch instead).",
         [](const RunConfig& c, Sink& s) {
             if (is_reinforce(c) && c.baseline != Baseline::rloo)
                 s.gap("TRL's RLOOTrainer always subtracts the leave-one-out baseline");
         },
         [](const RunConfig& c, Sink& s) {
             if (!is_reinforce(c)) return;
             if (c.baseline == Baseline::per_prompt_mean) s.set("algorithm.norm_adv_by_std_in_grpo", "False", "r - group mean, not divided by the std");
             else if (c.baseline != Baseline::rloo)
                 s.gap("no such baseline in verl; exported as reinforce_plus_plus (global whitening), which differs");
         },
         [](const RunConfig& c, Sink& s) {
             if (is_reinforce(c) && c.baseline != Baseline::rloo && c.baseline != Baseline::per_prompt_mean)
                 s.gap("no such baseline in OpenRLHF; exported as reinforce (global whitening), which differs");
         }},
        // ---- Preference And Judge ----
        {"beta", "`beta` (PPO: `kl_coef`)",
         "GRPO: `actor_rollout_ref.actor.use_kl_loss`, `kl_loss_coef`; REINFORCE/RLOO/PPO: `algorithm.use_kl_in_reward`, `algorithm.kl_ctrl.kl_coef`",
         "`--init_kl_coef` (GRPO: + `--use_kl_loss`)",
         "GRPO puts the KL in the loss, REINFORCE/RLOO in the reward, as Reinforge does.",
         [](const RunConfig& c, Sink& s) { s.set(is_ppo(c) ? "kl_coef" : "beta", val(c, "beta")); },
         [](const RunConfig& c, Sink& s) {
             if (is_grpo(c)) {
                 s.set("actor_rollout_ref.actor.use_kl_loss", py_bool(c.beta > 0));
                 if (c.beta > 0) s.set("actor_rollout_ref.actor.kl_loss_coef", val(c, "beta"));
             } else {
                 s.set("algorithm.use_kl_in_reward", py_bool(c.beta > 0));
                 if (c.beta > 0) s.set("algorithm.kl_ctrl.kl_coef", val(c, "beta"));
             }
         },
         [](const RunConfig& c, Sink& s) {
             s.set("--init_kl_coef", val(c, "beta"));
             if (is_grpo(c) && c.beta > 0) s.flag("--use_kl_loss");
         }},
        {"reference_model_path", "—", "—", "—", "All three use the initial policy as the reference.",
         [](const RunConfig& c, Sink& s) { if (!c.reference_model_path.empty()) s.gap("the reference is the initial model"); },
         [](const RunConfig& c, Sink& s) { if (!c.reference_model_path.empty()) s.gap("the reference is the initial model"); },
         [](const RunConfig& c, Sink& s) { if (!c.reference_model_path.empty()) s.gap("the reference is the initial model"); }},
        {"delta", "—", "—", "—", "Accepted, unused (not TRL's GRPO `delta`).", nullptr, nullptr, nullptr},
        {"dpo_cpo_loss_type", "—", "—", "—", "Accepted, unused.", nullptr, nullptr, nullptr},
        // ---- GRPO Generation And Rewards ----
        {"group_size", "`num_generations`", "`actor_rollout_ref.rollout.n`", "`--n_samples_per_prompt`", "PPO samples 2 per prompt (a pair).",
         [](const RunConfig& c, Sink& s) { if (!is_ppo(c)) s.set("num_generations", val(c, "group_size")); },
         [](const RunConfig& c, Sink& s) { s.set("actor_rollout_ref.rollout.n", num(int64_t{completions_per_prompt(c)})); },
         [](const RunConfig& c, Sink& s) { s.set("--n_samples_per_prompt", num(int64_t{completions_per_prompt(c)})); }},
        {"max_completion_length", "`max_completion_length` (PPO: `response_length`)", "`data.max_response_length`", "`--generate_max_len`", "",
         [](const RunConfig& c, Sink& s) { s.set(is_ppo(c) ? "response_length" : "max_completion_length", val(c, "max_completion_length")); },
         [](const RunConfig& c, Sink& s) { s.set("data.max_response_length", val(c, "max_completion_length")); },
         [](const RunConfig& c, Sink& s) { s.set("--generate_max_len", val(c, "max_completion_length")); }},
        {"temperature", "`temperature`", "`actor_rollout_ref.rollout.temperature`", "`--temperature`", "",
         [](const RunConfig& c, Sink& s) { s.set("temperature", val(c, "temperature")); },
         [](const RunConfig& c, Sink& s) { s.set("actor_rollout_ref.rollout.temperature", val(c, "temperature")); },
         [](const RunConfig& c, Sink& s) { s.set("--temperature", val(c, "temperature")); }},
        {"top_p", "`top_p`", "`actor_rollout_ref.rollout.top_p`", "`--top_p`", "",
         [](const RunConfig& c, Sink& s) { s.set("top_p", val(c, "top_p")); },
         [](const RunConfig& c, Sink& s) { s.set("actor_rollout_ref.rollout.top_p", val(c, "top_p")); },
         [](const RunConfig& c, Sink& s) { s.set("--top_p", val(c, "top_p")); }},
        {"top_k", "`top_k`", "`actor_rollout_ref.rollout.top_k` (-1 = off)", "—", "",
         [](const RunConfig& c, Sink& s) { s.set("top_k", val(c, "top_k")); },
         [](const RunConfig& c, Sink& s) { s.set("actor_rollout_ref.rollout.top_k", c.top_k == 0 ? "-1" : val(c, "top_k")); },
         [](const RunConfig& c, Sink& s) { if (c.top_k > 0) s.gap("train_ppo_ray.py has no top-k flag"); }},
        {"min_p", "`min_p`", "—", "—", "",
         [](const RunConfig& c, Sink& s) { if (c.min_p > 0) s.set("min_p", val(c, "min_p")); },
         [](const RunConfig& c, Sink& s) { if (c.min_p > 0) s.gap("no min_p in verl's rollout config"); },
         [](const RunConfig& c, Sink& s) { if (c.min_p > 0) s.gap("no min_p flag"); }},
        {"epsilon", "`epsilon` (PPO: `cliprange`)", "`actor_rollout_ref.actor.clip_ratio_low`", "`--eps_clip_low_high` LOW HIGH", "",
         [](const RunConfig& c, Sink& s) {
             if (is_grpo(c)) s.set("epsilon", val(c, "epsilon"));
             else if (is_ppo(c)) s.set("cliprange", val(c, "epsilon"));
         },
         [](const RunConfig& c, Sink& s) { if (is_grpo(c) || is_ppo(c)) s.set("actor_rollout_ref.actor.clip_ratio_low", val(c, "epsilon")); },
         [](const RunConfig& c, Sink& s) {
             if (is_grpo(c)) s.set("--eps_clip_low_high", val(c, "epsilon") + " " + val(c, "epsilon_high"));
             else if (is_ppo(c)) s.set("--eps_clip", val(c, "epsilon"));
         }},
        {"epsilon_high", "`epsilon_high`", "`actor_rollout_ref.actor.clip_ratio_high`", "`--eps_clip_low_high` LOW HIGH", "",
         [](const RunConfig& c, Sink& s) { if (is_grpo(c)) s.set("epsilon_high", val(c, "epsilon_high")); },
         [](const RunConfig& c, Sink& s) {
             if (is_grpo(c)) s.set("actor_rollout_ref.actor.clip_ratio_high", val(c, "epsilon_high"));
             else if (is_ppo(c)) s.set("actor_rollout_ref.actor.clip_ratio_high", val(c, "epsilon"));
         },
         nullptr},
        {"grpo_loss_type", "`loss_type` (same names)", "`actor_rollout_ref.actor.loss_agg_mode`", "—",
         "verl: grpo → seq-mean-token-mean, bnpo/dapo → token-mean, dr_grpo → seq-mean-token-sum-norm.",
         [](const RunConfig& c, Sink& s) { if (is_grpo(c)) s.set("loss_type", yq(val(c, "grpo_loss_type"))); },
         [](const RunConfig& c, Sink& s) {
             if (!is_grpo(c)) return;
             switch (c.grpo_loss_type) {
                 case GrpoLossType::grpo: s.set("actor_rollout_ref.actor.loss_agg_mode", "seq-mean-token-mean"); break;
                 case GrpoLossType::dapo: s.set("actor_rollout_ref.actor.loss_agg_mode", "token-mean"); break;
                 case GrpoLossType::bnpo:
                     s.set("actor_rollout_ref.actor.loss_agg_mode", "token-mean");
                     s.gap("verl's token-mean is over the mini-batch, not each micro-batch");
                     break;
                 case GrpoLossType::dr_grpo:
                     s.set("actor_rollout_ref.actor.loss_agg_mode", "seq-mean-token-sum-norm");
                     s.gap("verl's seq-mean-token-sum-norm divides by its own length constant; check it equals max_completion_length");
                     break;
                 case GrpoLossType::cispo:
                     s.set("actor_rollout_ref.actor.loss_agg_mode", "token-mean");
                     s.gap("cispo: set verl's policy loss mode by hand (it depends on the verl version)");
                     break;
             }
         },
         [](const RunConfig& c, Sink& s) { if (is_grpo(c)) s.gap("train_ppo_ray.py has no loss-aggregation flag"); }},
        {"importance_sampling_level", "`importance_sampling_level`", "`actor_rollout_ref.actor.policy_loss.loss_mode=gspo` (sequence)", "`--policy_loss_type gspo` (sequence)", "",
         [](const RunConfig& c, Sink& s) { if (is_grpo(c)) s.set("importance_sampling_level", yq(val(c, "importance_sampling_level"))); },
         [](const RunConfig& c, Sink& s) {
             if ((is_grpo(c) || is_ppo(c)) && c.importance_sampling_level == ImportanceSamplingLevel::sequence)
                 s.set("actor_rollout_ref.actor.policy_loss.loss_mode", "gspo");
         },
         [](const RunConfig& c, Sink& s) {
             if ((is_grpo(c) || is_ppo(c)) && c.importance_sampling_level == ImportanceSamplingLevel::sequence) s.set("--policy_loss_type", "gspo");
         }},
        {"reward_functions", "`reward_funcs` (dotted import paths)", "`custom_reward_function.path`, `.name`", "`--remote_rm_url` (a local reward .py)",
         "The r1_* functions are Reinforge's: each tool needs them as Python code of its own convention.",
         [](const RunConfig& c, Sink& s) {
             if (!uses_reward_functions(c)) return;
             std::string module = "reinforge_rewards";
             if (!c.reward_functions_file.empty()) {
                 std::string f = c.reward_functions_file;
                 auto slash = f.find_last_of('/');
                 if (slash != std::string::npos) f = f.substr(slash + 1);
                 if (f.size() > 3 && f.ends_with(".py")) f.resize(f.size() - 3);
                 module = f;
             }
             std::vector<std::string> names;
             for (const auto& r : c.reward_functions) names.push_back(module + "." + r);
             s.set("reward_funcs", yq_list(names), "import paths: a module " + module + ".py you provide");
             s.gap("TRL has no r1_* / Reinforge reward functions: write " + module +
                   ".py with functions (completions, **kwargs) -> list[float] under these names (TRL calls them with the dataset columns as keyword arguments)");
         },
         [](const RunConfig& c, Sink& s) {
             if (!uses_reward_functions(c)) return;
             s.set("custom_reward_function.path", c.reward_functions_file.empty() ? "reinforge_rewards.py" : hydra_str(c.reward_functions_file));
             s.set("custom_reward_function.name", "compute_score");
             s.gap("verl calls one compute_score(data_source, solution_str, ground_truth, extra_info): write one that sums the reward functions with their weights");
         },
         [](const RunConfig& c, Sink& s) {
             if (!uses_reward_functions(c)) return;
             s.set("--remote_rm_url", c.reward_functions_file.empty() ? "reinforge_rewards.py" : sh(c.reward_functions_file));
             s.gap("OpenRLHF loads a reward function from a local .py given as --remote_rm_url (OpenRLHF's reward_func convention): write one that sums the reward functions with their weights");
         }},
        {"reward_weights", "`reward_weights`", "— (inside compute_score)", "— (inside the reward .py)", "",
         [](const RunConfig& c, Sink& s) { if (uses_reward_functions(c)) s.set("reward_weights", y_reals(c.reward_weights)); },
         nullptr, nullptr},
        {"reward_functions_file", "see reward_functions", "see reward_functions", "see reward_functions",
         "mlx-lm-lora's registration convention does not carry over.", nullptr, nullptr, nullptr},
        // ---- Advanced ----
        {"schema_version", "—", "—", "—", "", nullptr, nullptr, nullptr},
        {"lora_parameters.keys", "`lora_target_modules` (empty: all-linear)", "`actor_rollout_ref.model.target_modules`", "`--target_modules`",
         "The last name component (self_attn.q_proj → q_proj); PEFT matches suffixes.",
         [](const RunConfig& c, Sink& s) {
             if (!lora(c)) return;
             s.set("lora_target_modules", c.lora_parameters.keys.empty() ? yq("all-linear") : yq_list(target_modules(c)));
         },
         [](const RunConfig& c, Sink& s) {
             if (lora(c) && !c.lora_parameters.keys.empty()) s.set("actor_rollout_ref.model.target_modules", hydra_list(target_modules(c)));
         },
         [](const RunConfig& c, Sink& s) {
             if (!lora(c) || c.lora_parameters.keys.empty()) return;
             std::string v;
             for (const auto& m : target_modules(c)) {
                 if (!v.empty()) v += ' ';
                 v += sh(m);
             }
             s.set("--target_modules", v);
         }},
        {"quantization_group_size", "—", "—", "—", "MLX packing; see quantization.", nullptr, nullptr, nullptr},
        {"optimizer_config", "`weight_decay`, `adam_beta1`, `adam_beta2`, `adam_epsilon`", "`actor_rollout_ref.actor.optim.weight_decay`", "`--l2`, `--adam_betas`",
         "Unset options take mlx.optimizers' defaults (AdamW weight_decay 0.01).",
         [](const RunConfig& c, Sink& s) {
             if (c.optimizer != OptimizerKind::adam && c.optimizer != OptimizerKind::adamw) return;
             s.set("weight_decay", num(weight_decay(c)));
             auto b = betas(c);
             if (b.size() == 2) { s.set("adam_beta1", num(b[0])); s.set("adam_beta2", num(b[1])); }
             auto o = optimizer_options(c);
             s.set("adam_epsilon", num(o.contains("eps") ? o["eps"].get<double>() : 1e-8));
         },
         [](const RunConfig& c, Sink& s) {
             if (c.optimizer != OptimizerKind::adam && c.optimizer != OptimizerKind::adamw) return;
             s.set("actor_rollout_ref.actor.optim.weight_decay", num(weight_decay(c)));
             auto b = betas(c);
             if (b.size() == 2 && (b[0] != 0.9 || b[1] != 0.999)) s.gap_of("optimizer_config", "betas: not in verl's optim config at 035682e");
         },
         [](const RunConfig& c, Sink& s) {
             if (c.optimizer != OptimizerKind::adam && c.optimizer != OptimizerKind::adamw) return;
             s.set("--l2", num(weight_decay(c)));
             auto b = betas(c);
             if (b.size() == 2) s.set("--adam_betas", num(b[0]) + " " + num(b[1]), "OpenRLHF's default is 0.9 0.95");
         }},
        {"lr_schedule.init", "—", "—", "—", "The tools start the schedule at the learning rate.",
         [](const RunConfig& c, Sink& s) { if (c.lr_schedule.name != ScheduleKind::constant && c.lr_schedule.init != c.learning_rate) s.gap("the schedule starts at learning_rate"); },
         [](const RunConfig& c, Sink& s) { if (c.lr_schedule.name != ScheduleKind::constant && c.lr_schedule.init != c.learning_rate) s.gap("the schedule starts at lr"); },
         [](const RunConfig& c, Sink& s) { if (c.lr_schedule.name != ScheduleKind::constant && c.lr_schedule.init != c.learning_rate) s.gap("the schedule starts at --actor_learning_rate"); }},
        {"lr_schedule.steps", "see lr_schedule.name", "see lr_schedule.name", "see lr_schedule.name", "", nullptr, nullptr, nullptr},
        {"max_grad_norm", "`max_grad_norm`", "`actor_rollout_ref.actor.grad_clip`", "`--max_norm`", "",
         [](const RunConfig& c, Sink& s) { s.set("max_grad_norm", val(c, "max_grad_norm")); },
         [](const RunConfig& c, Sink& s) { s.set("actor_rollout_ref.actor.grad_clip", val(c, "max_grad_norm")); },
         [](const RunConfig& c, Sink& s) { s.set("--max_norm", val(c, "max_grad_norm")); }},
        {"judge_config.system_prompt", "—", "—", "—", "See judge.", nullptr, nullptr, nullptr},
        {"judge_config.timeout_seconds", "—", "—", "—", "See judge.", nullptr, nullptr, nullptr},
        {"judge_config.retries", "—", "—", "—", "See judge.", nullptr, nullptr, nullptr},
        {"judge_config.api_key_env", "—", "—", "—", "See judge.", nullptr, nullptr, nullptr},
        {"running_mean_decay", "—", "—", "—", "See baseline (running_mean).", nullptr, nullptr, nullptr},
        {"kl_estimator", "PPO: `kl_estimator` (k1, k3); GRPO is k3", "GRPO: `kl_loss_type=low_var_kl`; RLOO/REINFORCE/PPO: `algorithm.kl_penalty` kl / low_var_kl",
         "`--kl_estimator` k1 / k3",
         "Reinforge: GRPO k3 in the loss, REINFORCE/RLOO k1 in the reward, PPO kl_estimator. verl's low_var_kl is k3 clamped to [-10, 10].",
         [](const RunConfig& c, Sink& s) { if (is_ppo(c)) s.set("kl_estimator", yq(val(c, "kl_estimator"))); },
         [](const RunConfig& c, Sink& s) {
             if (is_grpo(c)) { if (c.beta > 0) s.set("actor_rollout_ref.actor.kl_loss_type", "low_var_kl", "k3"); }
             else if (is_ppo(c)) s.set("algorithm.kl_penalty", c.kl_estimator == KlEstimator::k3 ? "low_var_kl" : "kl");
             else s.set("algorithm.kl_penalty", "kl", "k1 = logp - ref, in the reward");
         },
         [](const RunConfig& c, Sink& s) {
             if (is_grpo(c)) s.set("--kl_estimator", "k3");
             else if (is_ppo(c)) s.set("--kl_estimator", val(c, "kl_estimator"));
             else s.set("--kl_estimator", "k1");
         }},
        {"ppo_advantage", "—", "—", "—", "PPO's advantage comes from the pairwise judge's verdict: no counterpart.",
         [](const RunConfig& c, Sink& s) { if (is_ppo(c)) s.gap("the advantage from a pairwise verdict has no counterpart (GAE with a value model there)"); },
         [](const RunConfig& c, Sink& s) { if (is_ppo(c)) s.gap("the advantage from a pairwise verdict has no counterpart (GAE with a critic there)"); },
         [](const RunConfig& c, Sink& s) { if (is_ppo(c)) s.gap("the advantage from a pairwise verdict has no counterpart (GAE with a critic there)"); }},
        {"ratio_against", "—", "—", "—", "All three take the ratio against the rollout policy; `reference` cannot be expressed.",
         [](const RunConfig& c, Sink& s) { if ((is_grpo(c) || is_ppo(c)) && c.ratio_against == RatioAgainst::reference) s.gap("the ratio is against the rollout policy"); },
         [](const RunConfig& c, Sink& s) { if ((is_grpo(c) || is_ppo(c)) && c.ratio_against == RatioAgainst::reference) s.gap("the ratio is against the rollout policy"); },
         [](const RunConfig& c, Sink& s) { if ((is_grpo(c) || is_ppo(c)) && c.ratio_against == RatioAgainst::reference) s.gap("the ratio is against the rollout policy"); }},
        {"num_iterations", "`num_iterations` (PPO: `num_ppo_epochs`)", "`actor_rollout_ref.actor.ppo_epochs`", "`--max_epochs`", "",
         [](const RunConfig& c, Sink& s) {
             if (is_grpo(c)) s.set("num_iterations", val(c, "num_iterations"));
             else if (is_ppo(c)) s.set("num_ppo_epochs", val(c, "num_iterations"));
         },
         [](const RunConfig& c, Sink& s) { s.set("actor_rollout_ref.actor.ppo_epochs", (is_grpo(c) || is_ppo(c)) ? val(c, "num_iterations") : "1"); },
         [](const RunConfig& c, Sink& s) { s.set("--max_epochs", (is_grpo(c) || is_ppo(c)) ? val(c, "num_iterations") : "1"); }},
        {"scale_rewards", "`scale_rewards` (group, batch, none)", "`algorithm.norm_adv_by_std_in_grpo` (group: True, none: False)",
         "`--advantage_estimator` group_norm / reinforce_baseline (batch) / dr_grpo (none)",
         "OpenRLHF's reinforce_baseline divides by the std of the group-centred rewards over the batch, close to `batch`.",
         [](const RunConfig& c, Sink& s) { if (is_grpo(c)) s.set("scale_rewards", yq(val(c, "scale_rewards"))); },
         [](const RunConfig& c, Sink& s) {
             if (!is_grpo(c)) return;
             if (c.scale_rewards == ScaleRewards::batch) s.gap("verl's GRPO divides by the group std or not at all");
             else s.set("algorithm.norm_adv_by_std_in_grpo", py_bool(c.scale_rewards == ScaleRewards::group));
         },
         [](const RunConfig& c, Sink& s) {
             if (is_grpo(c) && c.scale_rewards == ScaleRewards::batch)
                 s.gap("exported as reinforce_baseline: the std is that of the group-centred rewards, not of the rewards");
         }},
        {"advantage_std", "— (unbiased)", "— (unbiased, torch.std)", "— (unbiased, torch.std)",
         "The tools divide by the sample std (ddof 1); Reinforge's default `population` (ddof 0) differs by √(G/(G−1)). TRL: peers.md; verl/OpenRLHF: not re-read in their source.",
         [](const RunConfig& c, Sink& s) { if (is_grpo(c) && c.scale_rewards != ScaleRewards::none && c.advantage_std == AdvantageStd::population) s.gap("TRL divides by the unbiased std (ddof 1)"); },
         [](const RunConfig& c, Sink& s) { if (is_grpo(c) && c.scale_rewards != ScaleRewards::none && c.advantage_std == AdvantageStd::population) s.gap("verl divides by torch.std (unbiased)"); },
         [](const RunConfig& c, Sink& s) { if (is_grpo(c) && c.scale_rewards != ScaleRewards::none && c.advantage_std == AdvantageStd::population) s.gap("OpenRLHF divides by torch.std (unbiased)"); }},
        {"mask_truncated_completions", "`mask_truncated_completions`", "—", "—", "",
         [](const RunConfig& c, Sink& s) { if (is_grpo(c)) s.set("mask_truncated_completions", c.mask_truncated_completions ? "true" : "false"); },
         [](const RunConfig& c, Sink& s) { if (is_grpo(c) && c.mask_truncated_completions) s.gap("no such option in verl's actor config"); },
         [](const RunConfig& c, Sink& s) { if (is_grpo(c) && c.mask_truncated_completions) s.gap("no such flag"); }},
        {"stop_strings", "—", "—", "—", "Generation stops at EOS only unless you pass stop strings to the engine yourself.",
         [](const RunConfig& c, Sink& s) { if (!c.stop_strings.empty()) s.gap("no stop-string field: add them through generation_kwargs for your generation backend (vLLM `stop`, transformers `stop_strings`)"); },
         [](const RunConfig& c, Sink& s) { if (!c.stop_strings.empty()) s.gap("no stop-string field in verl's rollout config"); },
         [](const RunConfig& c, Sink& s) { if (!c.stop_strings.empty()) s.gap("no stop-string flag"); }},
        {"system_prompt", "—", "—", "—", "Put the system message into the dataset's prompts.",
         [](const RunConfig& c, Sink& s) { if (!c.system_prompt.empty()) s.gap("no default system prompt: add it to the prompts"); },
         [](const RunConfig& c, Sink& s) { if (!c.system_prompt.empty()) s.gap("no default system prompt: add it to the prompts"); },
         [](const RunConfig& c, Sink& s) { if (!c.system_prompt.empty()) s.gap("no default system prompt: add it to the prompts (or --input_template)"); }},
        {"enable_thinking", "`chat_template_kwargs.enable_thinking`", "`data.apply_chat_template_kwargs.enable_thinking`", "—", "",
         [](const RunConfig& c, Sink& s) { if (!c.enable_thinking) s.set("chat_template_kwargs", "{enable_thinking: false}"); },
         [](const RunConfig& c, Sink& s) { if (!c.enable_thinking) s.set("+data.apply_chat_template_kwargs.enable_thinking", "False"); },
         [](const RunConfig& c, Sink& s) { if (!c.enable_thinking) s.gap("no chat-template arguments flag"); }},
    };
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

// --------------------------------------------------------------------------------------------------
// Writing the file of each target.

std::string trl_config_class(const RunConfig& c) {
    if (is_grpo(c)) return "GRPOConfig";
    if (is_ppo(c)) return "PPOConfig (trl.experimental.ppo)";
    return "RLOOConfig";
}
std::string trl_launch(const RunConfig& c) {
    if (is_grpo(c)) return "trl grpo --config FILE --accelerate_config multi_gpu   # or: accelerate launch trl/scripts/grpo.py --config FILE";
    if (is_ppo(c)) return "# no `trl ppo` command: build trl.experimental.ppo.PPOTrainer in Python with these fields";
    return "trl rloo --config FILE   # TRL versions whose CLI has no rloo: accelerate launch trl/scripts/rloo.py --config FILE";
}

std::string header(const RunConfig& c, const std::string& tool, const std::string& source) {
    std::string h = "# " + tool + " launch configuration of a Reinforge " + std::string(enum_name(c.train_mode)) + " run";
    if (!source.empty()) h += " (" + source + ")";
    h += "\n# Generated by `reinforge-cli export-config`; what it cannot express is listed at the end and on stderr.\n";
    return h;
}

std::string gap_comments(const PeerExport& e) {
    if (e.gaps.empty()) return {};
    std::string s = "#\n# Not expressible here (" + std::to_string(e.gaps.size()) + "):\n";
    for (const auto& g : e.gaps) s += "#   " + g.key + ": " + g.value + " — " + g.reason + "\n";
    return s;
}

std::string write_trl(const RunConfig& c, PeerExport& e, const std::string& source) {
    std::string s = header(c, "TRL " + trl_config_class(c), source);
    s += "# Fields of " + trl_config_class(c) + " (TrainingArguments included), the trl script's ScriptArguments and ModelConfig.\n";
    s += "# Launch: " + e.launch + "\n";
    for (const auto& f : e.fields) {
        std::string line = f.name + ": " + f.value;
        if (!f.comment.empty()) line += "  # " + f.comment;
        s += line + "\n";
    }
    return s + gap_comments(e);
}

std::string write_command(const RunConfig& c, PeerExport& e, const std::string& tool, const std::string& program,
                          const std::string& source) {
    std::string s = "#!/usr/bin/env bash\n" + header(c, tool, source);
    for (const auto& f : e.fields)
        if (!f.comment.empty()) s += "#   " + f.name + ": " + f.comment + "\n";
    s += gap_comments(e);
    s += program;
    for (const auto& f : e.fields) {
        std::string arg;
        if (e.target == PeerTarget::verl) arg = sh(f.name + "=" + f.value);
        else arg = f.value.empty() ? f.name : f.name + " " + f.value;
        s += " \\\n    " + arg;
    }
    s += "\n";
    return s;
}

// A local path written relative to the config file, made absolute (as the Session does when a run
// starts, train/session.cpp): the exported command may run from another folder. HF ids stay as they are.
std::string local_path(const std::string& path, const std::string& config_file) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (path.empty() || fs::path(path).is_absolute()) return path;
    if (fs::exists(path, ec)) return fs::absolute(path, ec).lexically_normal().string();
    if (config_file.empty()) return path;
    fs::path alt = fs::path(config_file).parent_path() / path;
    return fs::exists(alt, ec) ? fs::absolute(alt, ec).lexically_normal().string() : path;
}

}  // namespace

PeerExport export_peer_config(const RunConfig& run, PeerTarget target, const std::string& source) {
    RunConfig cfg = run;
    cfg.model = local_path(cfg.model, cfg.origin.file);
    for (auto& d : cfg.data) d = local_path(d, cfg.origin.file);
    cfg.reward_functions_file = local_path(cfg.reward_functions_file, cfg.origin.file);
    if (cfg.train_mode == TrainMode::sft)
        throw InputError(cfg.origin.file, 0, "train_mode",
                         "export-config hands off the online RL modes (grpo, rloo, rlhf_reinforce, ppo); this run is sft",
                         "for SFT use `trl sft` with the same model and dataset");
    Sink sink{cfg, target, {}, {}, {}};
    for (const auto& row : mapping()) {
        Conv conv = converter(row, target);
        if (!conv) continue;
        sink.key = row.key;
        conv(cfg, sink);
    }
    PeerExport e;
    e.target = target;
    e.fields = std::move(sink.fields);
    e.gaps = std::move(sink.gaps);
    switch (target) {
        case PeerTarget::trl:
            e.launch = trl_launch(cfg);
            e.text = write_trl(cfg, e, source);
            break;
        case PeerTarget::verl:
            e.launch = "python3 -m verl.trainer.main_ppo";
            e.text = write_command(cfg, e, "verl", e.launch, source);
            break;
        case PeerTarget::openrlhf:
            e.launch = "python3 -m openrlhf.cli.train_ppo_ray";
            e.text = write_command(cfg, e, "OpenRLHF (start Ray first: ray start --head; or ray job submit -- <this command>)",
                                   e.launch, source);
            break;
    }
    return e;
}

std::string format_gaps(const PeerExport& e) {
    std::string tool = e.target == PeerTarget::trl ? "TRL" : e.target == PeerTarget::verl ? "verl" : "OpenRLHF";
    if (e.gaps.empty()) return "everything in this run maps to " + tool + "\n";
    std::string s = "not expressible in " + tool + " (" + std::to_string(e.gaps.size()) + "):\n";
    for (const auto& g : e.gaps) s += "  " + g.key + ": " + g.value + " — " + g.reason + "\n";
    return s;
}

std::string peer_mapping_markdown() {
    auto cell = [](const char* s) {
        std::string out;
        for (const char* p = s; *p; ++p) out += *p == '|' ? std::string("\\|") : std::string(1, *p);
        return out.empty() ? std::string("—") : out;
    };
    std::string s = "| Reinforge key | TRL | verl | OpenRLHF | Note |\n|---|---|---|---|---|\n";
    for (const auto& r : mapping())
        s += "| `" + std::string(r.key) + "` | " + cell(r.trl) + " | " + cell(r.verl) + " | " + cell(r.openrlhf) + " | " +
             (r.note[0] ? cell(r.note) : std::string()) + " |\n";
    return s;
}

std::vector<std::string> peer_mapped_keys() {
    std::vector<std::string> keys;
    for (const auto& r : mapping()) keys.push_back(r.key);
    return keys;
}

}  // namespace rf
