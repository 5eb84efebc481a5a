// Mapping rows of the model, data, fine-tune, training-settings, column and output keys (peer_mapping.h). Field names and their sources: peer_mapping.cpp.
#include <cmath>

#include "export/peer_mapping.h"

namespace rf::peer_mapping {

std::vector<MappingRow> training_rows() {
    return {
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
    };
}

}  // namespace rf::peer_mapping
