// Mapping rows of the judge, GRPO and advanced keys (peer_mapping.h). Field names and their sources: peer_mapping.cpp.
#include <cmath>

#include "export/peer_mapping.h"

namespace rf::peer_mapping {

namespace {
bool has_human_reward(const RunConfig& c) {
    if (!uses_reward_functions(c)) return false;
    for (const auto& f : c.reward_functions)
        if (f == "human") return true;
    return false;
}
}  // namespace

std::vector<MappingRow> rl_rows() {
    return {
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
                 case GrpoLossType::sapo:
                     s.set("actor_rollout_ref.actor.loss_agg_mode", "seq-mean-token-mean");
                     s.gap("sapo: set verl's policy loss mode and its gate temperatures by hand (they depend on the verl version)");
                     break;
             }
         },
         [](const RunConfig& c, Sink& s) { if (is_grpo(c)) s.gap("train_ppo_ray.py has no loss-aggregation flag"); }},
        {"sapo_temperature_pos", "`sapo_temperature_pos`", "—", "—", "Read with grpo_loss_type sapo only.",
         [](const RunConfig& c, Sink& s) {
             if (is_grpo(c) && c.grpo_loss_type == GrpoLossType::sapo) s.set("sapo_temperature_pos", val(c, "sapo_temperature_pos"));
         },
         nullptr, nullptr},
        {"sapo_temperature_neg", "`sapo_temperature_neg`", "—", "—", "Read with grpo_loss_type sapo only.",
         [](const RunConfig& c, Sink& s) {
             if (is_grpo(c) && c.grpo_loss_type == GrpoLossType::sapo) s.set("sapo_temperature_neg", val(c, "sapo_temperature_neg"));
         },
         nullptr, nullptr},
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
        {"human_fraction", "—", "—", "—",
         "`human` among the reward functions (a person scores a share of the groups) has no counterpart in any of them.",
         [](const RunConfig& c, Sink& s) { if (has_human_reward(c)) s.gap("a person scoring groups (human among reward_functions): TRL has no human reward"); },
         [](const RunConfig& c, Sink& s) { if (has_human_reward(c)) s.gap("a person scoring groups (human among reward_functions): verl has no human reward"); },
         [](const RunConfig& c, Sink& s) { if (has_human_reward(c)) s.gap("a person scoring groups (human among reward_functions): OpenRLHF has no human reward"); }},
        {"human_wait_seconds", "—", "—", "—", "See human_fraction.", nullptr, nullptr, nullptr},
        {"human_fallback", "—", "—", "—",
         "judge: human itself has no counterpart (the human judge is listed as not expressible); so neither has its fallback.",
         nullptr, nullptr, nullptr},
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
}

}  // namespace rf::peer_mapping
