// RunConfig: one training run, as the YAML file, the Train tab and `reinforge-cli --set` describe it
// (SPEC §6, §8, §9, §11). Field names are the YAML keys (mlx-lm-lora's, plus this project's
// additions), grouped as the Train tab groups them.
//
// Defaults depend on the mode (e.g. max_completion_length 128 for REINFORCE/RLOO, 512 for PPO/GRPO)
// and some on other keys (epsilon_high = epsilon, adapter_path = <output_dir>/adapters). A key the
// user never set (not in `origin.explicit_keys`) always holds the default for the current values of
// the others: resolve_defaults() recomputes them, set_value() calls it. So every field always holds a
// concrete, resolved value that trainers read directly, and to_yaml() writes exactly those values.
//
// The single source of truth for keys is run_config_keys() (run_config_keys.cpp): name, group, type,
// default (per mode), range/choices, modes that read it, a one-line doc and the seed app's label.
// The GUI binds every field to it, `--set` and the tests use get_value()/set_value(), docs/config.md
// is generated from it (`reinforge-cli config-doc`).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/enum_names.h"
#include "model/adapter_spec.h"
#include "optim/lr_schedule.h"
#include "optim/optimizer.h"

namespace rf {

// ---------------------------------------------------------------------------------------------------
// Enums. Values are spelled as in YAML (except Quantization's digits: q4 ⇄ "4"); each has its
// to/from-string table right below it. Generic helpers: enum_name(e), enum_from_name<E>(s).

enum class TrainMode { sft, rlhf_reinforce, rloo, ppo, grpo };
inline constexpr EnumName<TrainMode> kTrainModeNames[] = {
    {TrainMode::sft, "sft"}, {TrainMode::rlhf_reinforce, "rlhf_reinforce"}, {TrainMode::rloo, "rloo"},
    {TrainMode::ppo, "ppo"}, {TrainMode::grpo, "grpo"}};
constexpr std::span<const EnumName<TrainMode>> enum_names(TrainMode) { return kTrainModeNames; }
// Accepted on input as a synonym: "reinforce" → rlhf_reinforce. Refused with "not supported":
// dpo, cpo, orpo, online_dpo, xpo, ftpo (the reference's other modes).

// train_type: FineTuneType, the model's own enum (model/adapter_spec.h, with its names).

// Load-time quantization of the frozen base. Also read from mlx-lm-lora's booleans
// load_in_4bits / load_in_6bits / load_in_8bits / load_in_mxfp4.
enum class Quantization { none, q4, q6, q8, mxfp4 };
inline constexpr EnumName<Quantization> kQuantizationNames[] = {
    {Quantization::none, "none"}, {Quantization::q4, "4"}, {Quantization::q6, "6"},
    {Quantization::q8, "8"}, {Quantization::mxfp4, "mxfp4"}};
constexpr std::span<const EnumName<Quantization>> enum_names(Quantization) { return kQuantizationNames; }

// compute_dtype: the precision of the frozen base's matmuls (ops/gemm_bf16.h). auto = bfloat16 where
// the CPU has native bf16 dot products (AVX512_BF16 / AMX) and oneDNN is built in, else float32.
enum class ComputeDType { auto_, float32, bfloat16 };
inline constexpr EnumName<ComputeDType> kComputeDTypeNames[] = {
    {ComputeDType::auto_, "auto"}, {ComputeDType::float32, "float32"}, {ComputeDType::bfloat16, "bfloat16"}};
constexpr std::span<const EnumName<ComputeDType>> enum_names(ComputeDType) { return kComputeDTypeNames; }

// keep_best_mode: whether a higher (max) or lower (min) value of the keep_best metric is better;
// auto = min for a name containing "loss" or "kl", else max (keep_best_minimises, train/session.cpp).
// human_fallback: with judge: human, who decides what the person skips, leaves unanswered or is not
// asked about (human_fraction): nobody (none: the run waits for every verdict, as before) or the
// reward functions (rewards).
enum class HumanFallback { none, rewards };
inline constexpr EnumName<HumanFallback> kHumanFallbackNames[] = {{HumanFallback::none, "none"},
                                                                  {HumanFallback::rewards, "rewards"}};
constexpr std::span<const EnumName<HumanFallback>> enum_names(HumanFallback) { return kHumanFallbackNames; }

enum class KeepBestMode { auto_, max, min };
inline constexpr EnumName<KeepBestMode> kKeepBestModeNames[] = {
    {KeepBestMode::auto_, "auto"}, {KeepBestMode::max, "max"}, {KeepBestMode::min, "min"}};
constexpr std::span<const EnumName<KeepBestMode>> enum_names(KeepBestMode) { return kKeepBestModeNames; }

// optimizer: OptimizerKind (optim/optimizer.h, with its names).

// lr_schedule.name. `constant` is this project's name for "no schedule" (mlx-lm: lr_schedule null).
// (ScheduleKind: optim/lr_schedule.h; the key offers constant, cosine_decay and linear_schedule.)

// REINFORCE baselines (seeds 002, 003). rloo = leave-one-out mean of the group (NeMo-Aligner).
enum class Baseline { none, batch_mean, running_mean, per_prompt_mean, rloo };
inline constexpr EnumName<Baseline> kBaselineNames[] = {
    {Baseline::none, "none"}, {Baseline::batch_mean, "batch_mean"}, {Baseline::running_mean, "running_mean"},
    {Baseline::per_prompt_mean, "per_prompt_mean"}, {Baseline::rloo, "rloo"}};
constexpr std::span<const EnumName<Baseline>> enum_names(Baseline) { return kBaselineNames; }

enum class PpoAdvantage { preference, logprob_gap };
inline constexpr EnumName<PpoAdvantage> kPpoAdvantageNames[] = {
    {PpoAdvantage::preference, "preference"}, {PpoAdvantage::logprob_gap, "logprob_gap"}};
constexpr std::span<const EnumName<PpoAdvantage>> enum_names(PpoAdvantage) { return kPpoAdvantageNames; }

enum class RatioAgainst { rollout, reference };
inline constexpr EnumName<RatioAgainst> kRatioAgainstNames[] = {
    {RatioAgainst::rollout, "rollout"}, {RatioAgainst::reference, "reference"}};
constexpr std::span<const EnumName<RatioAgainst>> enum_names(RatioAgainst) { return kRatioAgainstNames; }

enum class ScaleRewards { group, batch, none };
inline constexpr EnumName<ScaleRewards> kScaleRewardsNames[] = {
    {ScaleRewards::group, "group"}, {ScaleRewards::batch, "batch"}, {ScaleRewards::none, "none"}};
constexpr std::span<const EnumName<ScaleRewards>> enum_names(ScaleRewards) { return kScaleRewardsNames; }

// advantage_std: the standard deviation GRPO's advantages are divided by — population (ddof 0, as
// mlx-lm-lora) or unbiased (ddof 1, as TRL), so runs can be reproduced against either.
enum class AdvantageStd { population, unbiased };
inline constexpr EnumName<AdvantageStd> kAdvantageStdNames[] = {
    {AdvantageStd::population, "population"}, {AdvantageStd::unbiased, "unbiased"}};
constexpr std::span<const EnumName<AdvantageStd>> enum_names(AdvantageStd) { return kAdvantageStdNames; }

enum class GrpoLossType { grpo, bnpo, dr_grpo, dapo, cispo, sapo };
inline constexpr EnumName<GrpoLossType> kGrpoLossTypeNames[] = {
    {GrpoLossType::grpo, "grpo"}, {GrpoLossType::bnpo, "bnpo"}, {GrpoLossType::dr_grpo, "dr_grpo"},
    {GrpoLossType::dapo, "dapo"}, {GrpoLossType::cispo, "cispo"}, {GrpoLossType::sapo, "sapo"}};
constexpr std::span<const EnumName<GrpoLossType>> enum_names(GrpoLossType) { return kGrpoLossTypeNames; }

// kl_estimator (PPO): k3 = exp(ref - logp) - (ref - logp) - 1 (TRL), or k1 = logp - ref (the seed's).
enum class KlEstimator { k1, k3 };
inline constexpr EnumName<KlEstimator> kKlEstimatorNames[] = {{KlEstimator::k1, "k1"}, {KlEstimator::k3, "k3"}};
constexpr std::span<const EnumName<KlEstimator>> enum_names(KlEstimator) { return kKlEstimatorNames; }

enum class ImportanceSamplingLevel { token, sequence };
inline constexpr EnumName<ImportanceSamplingLevel> kImportanceSamplingLevelNames[] = {
    {ImportanceSamplingLevel::token, "token"}, {ImportanceSamplingLevel::sequence, "sequence"}};
constexpr std::span<const EnumName<ImportanceSamplingLevel>> enum_names(ImportanceSamplingLevel) {
    return kImportanceSamplingLevelNames;
}

// Accepted for compatibility with mlx-lm-lora files (DPO/CPO); no Reinforge mode reads it.
enum class DpoCpoLossType { sigmoid, hinge, ipo, dpop };
inline constexpr EnumName<DpoCpoLossType> kDpoCpoLossTypeNames[] = {
    {DpoCpoLossType::sigmoid, "sigmoid"}, {DpoCpoLossType::hinge, "hinge"}, {DpoCpoLossType::ipo, "ipo"},
    {DpoCpoLossType::dpop, "dpop"}};
constexpr std::span<const EnumName<DpoCpoLossType>> enum_names(DpoCpoLossType) { return kDpoCpoLossTypeNames; }

// What the `judge` string means (SPEC §9): "" none, "human", "rewards", "http(s)://…" endpoint,
// anything else a model (local HF folder or HF id).
enum class JudgeKind { none, model, human, rewards, http };
JudgeKind judge_kind(std::string_view judge);

// The five default reward functions (reward_functions empty ⇒ these, in this order).
inline const std::vector<std::string> kDefaultRewardFunctions = {
    "r1_accuracy_reward_func", "r1_int_reward_func", "r1_strict_format_reward_func",
    "r1_soft_format_reward_func", "r1_count_xml"};
// GRPO's default system prompt (mlx-lm-lora GRPODataset, seed 004).
inline constexpr std::string_view kGrpoDefaultSystemPrompt =
    "You are given a problem. Think about the problem and provide your working out. Place it between "
    "<think> and </think>. Then, provide your solution between <answer> </answer>.";

// ---------------------------------------------------------------------------------------------------
// Nested blocks.

struct LoraParameters {
    int rank = 8;
    double scale = 20.0;               // no division by rank (mlx-lm)
    double dropout = 0.0;
    std::vector<std::string> keys;     // module names to adapt (e.g. self_attn.q_proj); empty = every linear
};

// mlx-lm's lr_schedule dict: {name, warmup, warmup_init, arguments}. `arguments` is
//   cosine_decay:    [init, steps | {iters_fraction: f}, end]
//   linear_schedule: [init, end, steps | {iters_fraction: f}]      (mlx's linear_schedule order)
//   constant:        [init]
// Warmup (any name): linear from warmup_init to init over `warmup` steps, then the schedule.
struct LrSchedule {
    ScheduleKind name = ScheduleKind::constant;
    int warmup = 0;
    double warmup_init = 0.0;
    double init = 1e-5;                // arguments[0]; default = learning_rate
    int steps = 0;                     // decay steps; 0 = use iters_fraction
    double iters_fraction = 1.0;       // steps = max(1, int(total_iters * iters_fraction)) when steps = 0
    double end = 0.0;                  // final value (cosine_decay end, linear_schedule end)
};

// judge_config: {system_prompt, …}. system_prompt is a full template with {prompt}, {response0}
// (and {response1} for pairwise) that replaces the built-in one (mlx-lm-lora semantics).
struct JudgeConfig {
    std::string system_prompt;         // "" = built-in template (judge_system is then the rubric)
    double timeout_seconds = 60.0;     // HTTP judge: per request
    int retries = 3;                   // HTTP judge: retries with back-off before the run stops
    std::string api_key_env;           // HTTP judge: name of an environment variable holding a bearer token
};

// Where a RunConfig came from; not a YAML key, ignored by same_values().
struct ConfigOrigin {
    std::string file;                    // the YAML file ("" when built in code / by the GUI)
    std::map<std::string, int> lines;    // key (dotted for nested ones) → 1-based line in `file`
    std::set<std::string> explicit_keys; // keys set by the file, --set or the GUI; the others follow defaults
    std::map<std::string, std::string> resolved;  // value each non-explicit key got at the last resolve:
                                         // a field assigned directly since then counts as explicit
    std::string created_at;              // yyyy-MM-dd-HHmmss when the config was created (default run_name)
};

// ---------------------------------------------------------------------------------------------------
struct RunConfig {
    int schema_version = 1;

    // --- Model & Data -------------------------------------------------------------------------------
    std::string model;                         // HF folder or HF id (resolved in the local HF cache)
    std::vector<std::string> data;             // folder with train/valid/test.jsonl, a .jsonl, or an HF id;
                                               // YAML: `data:` or `dataset:`, string or list (concatenated)
    std::string dataset_config;                // the dataset's configuration (subset), e.g. "main"; "" = the only one
    std::string train_split = "train";         // split names; valid_split "" = valid or validation
    std::string valid_split;
    double valid_fraction = 0.05;              // held out of train when the dataset has no validation split
    std::string answer_pattern;                // regex (group 1 = the answer) or a preset name (gsm8k, boxed)
    bool skip_bad_rows = false;                // leave out (and count) malformed dataset rows instead of stopping
    std::string lm_studio_name;                // "" = no LM Studio export
    TrainMode train_mode = TrainMode::sft;

    // --- Fine-tune ----------------------------------------------------------------------------------
    FineTuneType train_type = FineTuneType::lora;
    int num_layers = 16;                       // last N blocks get adapters; -1 = all
    LoraParameters lora_parameters;
    Quantization quantization = Quantization::none;
    int quantization_group_size = 64;          // default: 128 for 4/6/8-bit (mlx-lm-lora), 32 for mxfp4
    ComputeDType compute_dtype = ComputeDType::auto_;

    // --- Training Settings --------------------------------------------------------------------------
    int iters = 0;                             // 0 = unset (then epochs must be set)
    int epochs = 0;                            // 0 = unset; iters = epochs · ceil(N / batch_size)
    int batch_size = 1;
    int max_seq_length = 2048;
    int64_t seed = 0;
    double learning_rate = 1e-5;
    OptimizerKind optimizer = OptimizerKind::adamw;
    nlohmann::json optimizer_config = nlohmann::json::object();  // {optimizer name: {param: value}}
    LrSchedule lr_schedule;
    double max_grad_norm = 1.0;                // 0 = no clipping (grad_norm is still reported)
    int steps_per_report = 10;
    int steps_per_eval = 200;                  // 0 = never
    std::string keep_best;                     // "" = off; a validation metric (val_ prefix optional), docs/runs.md
    KeepBestMode keep_best_mode = KeepBestMode::auto_;
    int save_every = 100;                      // 0 = only at the end
    int val_batches = 25;                      // -1 = the whole validation split
    bool test = false;
    int test_batches = 100;                    // -1 = the whole test split
    bool grad_checkpoint = false;
    int gradient_accumulation_steps = 1;
    bool mask_prompt = false;                  // SFT
    bool fuse = false;
    bool fuse_dequantize = true;
    bool fuse_remove_adapters = false;

    // --- Dataset Columns ----------------------------------------------------------------------------
    std::string prompt_feature = "prompt";
    std::string answer_feature = "answer";
    std::string type_feature = "type";
    std::string system_feature = "system";
    std::string chat_feature = "messages";
    std::string completion_feature = "completion";
    std::string text_feature = "text";
    std::string chosen_feature = "chosen";
    std::string rejected_feature = "rejected";
    std::string preference_score_feature = "preference_score";

    // --- Output -------------------------------------------------------------------------------------
    std::string run_name;                      // default <model basename>-<train_type>-<train_mode>-<created_at>
    std::string output_dir;                    // default runs/<run_name>
    std::string adapter_path;                  // default <output_dir>/adapters
    std::string resume_adapter_file;           // "" = start from fresh adapters

    // --- Online Preference (REINFORCE / RLOO / PPO) -------------------------------------------------
    std::string judge;                         // model path/id | human | rewards | http(s)://…/v1
    std::string judge_model;                   // model name sent to an HTTP endpoint
    std::string judge_system;                  // rubric for the LLM judge ("" = built-in)
    JudgeConfig judge_config;
    Baseline baseline = Baseline::none;        // rloo mode: rloo
    int group_size = 2;                        // REINFORCE 2, RLOO/GRPO 4
    PpoAdvantage ppo_advantage = PpoAdvantage::preference;
    RatioAgainst ratio_against = RatioAgainst::rollout;
    int num_iterations = 1;                    // PPO 2, GRPO 1

    // --- Preference And Judge -----------------------------------------------------------------------
    double beta = 0.1;
    std::string reference_model_path;          // "" = the frozen base
    double delta = 50.0;                       // DPO/CPO key, accepted and unused
    DpoCpoLossType dpo_cpo_loss_type = DpoCpoLossType::sigmoid;  // accepted and unused

    // --- GRPO Generation And Rewards (sampling keys shared with the online modes) -------------------
    int max_completion_length = 512;           // REINFORCE/RLOO 128, PPO/GRPO 512
    double temperature = 0.8;
    double top_p = 0.95;                       // GRPO 0.95, others 1.0
    int top_k = 20;                            // GRPO 20, others 0 (off)
    double min_p = 0.0;
    double epsilon = 0.2;
    double epsilon_high = 0.2;                 // default = epsilon
    ScaleRewards scale_rewards = ScaleRewards::group;
    AdvantageStd advantage_std = AdvantageStd::population;
    bool mask_truncated_completions = false;
    GrpoLossType grpo_loss_type = GrpoLossType::grpo;
    double sapo_temperature_pos = 1.0;         // sapo's gate temperature for A > 0 (TRL's defaults)
    double sapo_temperature_neg = 1.05;        // ... for A <= 0
    ImportanceSamplingLevel importance_sampling_level = ImportanceSamplingLevel::token;
    KlEstimator kl_estimator = KlEstimator::k3;  // PPO's KL term
    double running_mean_decay = 0.9;             // baseline running_mean: v <- d v + (1 - d) mean
    std::vector<std::string> reward_functions = kDefaultRewardFunctions;  // empty on input ⇒ the five defaults
    std::vector<double> reward_weights;        // default: 1.0 per reward function
    std::string reward_functions_file;
    double human_fraction = 1.0;               // reward_functions has `human`: share of groups the person scores
    double human_wait_seconds = 60.0;          // ... how long a question waits before it counts as skipped; 0 = no limit
    HumanFallback human_fallback = HumanFallback::none;  // judge: human: who decides what the person does not
    std::vector<std::string> stop_strings;     // GRPO default ["</answer>"]
    std::string system_prompt;                 // GRPO default kGrpoDefaultSystemPrompt
    bool enable_thinking = true;               // passed to chat templates that have it

    ConfigOrigin origin;
};

// ---------------------------------------------------------------------------------------------------
// The key table.

enum class KeyGroup {
    model_and_data, fine_tune, training_settings, dataset_columns, output, online_preference,
    preference_and_judge, grpo_generation_and_rewards, advanced
};
// The Train tab's section title ("Model & Data", "Fine-tune", …).
std::string_view group_title(KeyGroup g);

enum class KeyType {
    boolean,      // true/false (YAML also yes/no/on/off)
    integer,
    real,
    string,       // one line
    text,         // multi-line string (prompts)
    path,         // a file or folder path (or an HF id where the doc says so)
    choice,       // one of KeySpec::choices
    string_list,  // string form "a, b" (or "[a, b]")
    real_list,    // string form "[2.0, 0.5]" (or "2.0, 0.5")
    mapping       // a YAML/JSON map (optimizer_config); string form: compact JSON
};
std::string_view key_type_name(KeyType t);

using ModeSet = uint32_t;
constexpr ModeSet mode_bit(TrainMode m) { return ModeSet{1} << static_cast<int>(m); }
inline constexpr ModeSet kAllModes = 0x1f;
inline constexpr ModeSet kRlModes = kAllModes & ~mode_bit(TrainMode::sft);
inline constexpr ModeSet kNoMode = 0;

struct KeySpec {
    std::string name;                  // YAML key; nested keys dotted: "lora_parameters.rank"
    KeyGroup group;
    KeyType type;
    std::string label;                 // the seed app's label ("" when the seed app has no field)
    std::string doc;                   // one line
    ModeSet modes = kAllModes;         // the modes that read this key
    std::vector<std::string> choices;  // KeyType::choice: allowed values (YAML spelling)
    std::optional<double> min, max;    // integer/real (each element for real_list): the bounds,
    bool min_open = false, max_open = false;  // inclusive unless open: epsilon in (0, 1), dropout in [0, 1)
    std::string range_doc;             // extra words on the range ("-1 = all", "0 = off"), may be empty
    std::string default_doc;           // set when the default is derived ("= epsilon"); else generated

    // Bound by the implementation. get: the value as a string (the form set accepts back).
    // set: parses and assigns, throws InputError naming the key and the expected type/range.
    // default_value: the resolved default given the other fields (the mode, epsilon, …).
    std::function<std::string(const RunConfig&)> get;
    std::function<void(RunConfig&, const std::string&)> set;
    std::function<std::string(const RunConfig&)> default_value;
};

// Every key in display order (grouped as the Train tab groups them). Dependencies come first
// (epsilon before epsilon_high), so resolving in this order is enough.
const std::vector<KeySpec>& run_config_keys();
const KeySpec* find_key(std::string_view name);  // nullptr when unknown (aliases are not keys)

// The nearest known key (or choice) to `word` by edit distance, "" when none is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);
std::vector<std::string> key_names();

// Generic access by key name. set_value marks the key explicit and re-resolves the defaults of the
// keys that are not (so set_value(c, "train_mode", "rloo") moves an unset group_size to 4).
// Both throw InputError for an unknown key (with did-you-mean) or a bad value.
std::string get_value(const RunConfig& cfg, std::string_view key);
void set_value(RunConfig& cfg, std::string_view key, const std::string& value);
// Forgets an explicit value: the key follows its default again.
void unset_value(RunConfig& cfg, std::string_view key);
std::string default_value(const RunConfig& cfg, std::string_view key);
bool is_explicit(const RunConfig& cfg, std::string_view key);
// Marks as not explicit every key whose value equals its current default (e.g. after importing a
// fully resolved file, so that switching mode in the GUI moves the per-mode defaults along).
void forget_defaulted_keys(RunConfig& cfg);

// Whether the run described by `cfg` reads this key (mode, judge: rewards, optimizer, train_type…).
bool key_in_use(const RunConfig& cfg, const KeySpec& key);
bool key_used_in_mode(const KeySpec& key, TrainMode mode);

// A config with every default resolved for `mode`; origin.created_at = now.
RunConfig default_run_config(TrainMode mode = TrainMode::sft);
// Sets every non-explicit key to its default for the current values of the others. A field written
// directly (cfg.group_size = 8) since the last resolve is kept and becomes explicit, so direct writes
// are never lost; on a fresh RunConfig{} that means a value different from the struct's initializer.
// train_mode has no default of its own (absent from a file = sft): it is never changed here.
void resolve_defaults(RunConfig& cfg);
// Value equality over every key of the table (origin ignored); differing_keys lists the ones that differ.
bool same_values(const RunConfig& a, const RunConfig& b);
std::vector<std::string> differing_keys(const RunConfig& a, const RunConfig& b);

// ---------------------------------------------------------------------------------------------------
// Validation.

enum class Severity { error, warning };

struct Issue {
    Severity severity = Severity::error;
    std::string key;      // the key it is about ("" for the whole file)
    int line = 0;         // 1-based line in the file, 0 when unknown
    std::string message;  // self-contained, names the key and the line: "unknown key 'lerning_rate'
                          // (line 7) — did you mean 'learning_rate'?"
    std::string hint;     // may be empty
    // "<file>: error: <message> (hint: <hint>)"; `file` may be empty.
    std::string to_string(const std::string& file = {}) const;
};
bool has_errors(const std::vector<Issue>& issues);

// Ranges, invalid combinations (temperature 0 with GRPO/PPO, RLOO with group_size 1,
// epsilon_high < epsilon, iters and epochs both unset, …) as errors; explicitly set keys that the
// run ignores as warnings. Pure: does not touch the file system.
std::vector<Issue> validate(const RunConfig& cfg);
// Checks against the file system what must exist before a run: reward_functions_file and
// resume_adapter_file (when set and in use). Relative paths are taken from the working directory.
std::vector<Issue> check_files(const RunConfig& cfg);

// ---------------------------------------------------------------------------------------------------
// YAML (run_config_yaml.cpp).

struct ParsedConfig {
    RunConfig config;
    std::vector<Issue> issues;  // parse problems (unknown keys, wrong types, …) then validate()'s
};
// Parses YAML text, applies `sets` ("key=value", as --set), resolves defaults and validates.
// Never throws for bad input: every problem is an Issue (a YAML syntax error is one error; a text
// over kMaxRunConfigBytes is one error, not parsed).
inline constexpr size_t kMaxRunConfigBytes = size_t(256) << 10;
ParsedConfig parse_run_config(const std::string& yaml_text, const std::string& file_for_errors,
                              const std::vector<std::string>& sets = {});

// Loads and validates; throws InputError (file, line, key; message of the first error, with the
// count of the others) when there is any error. Warnings are appended to *warnings when given.
RunConfig load_run_config(const std::string& path, std::vector<std::string>* warnings = nullptr);
// The same with `--set key=value` overrides applied after the file (what `train` and `validate` use).
RunConfig load_config_with_overrides(const std::string& path, const std::vector<std::string>& sets,
                                     std::vector<std::string>* warnings = nullptr);

// The values of every `--set key=value` (or `--set=key=value`) in a command's arguments, in order.
// Throws InputError when --set has no value.
std::vector<std::string> set_args(const std::vector<std::string>& args);

// Every resolved value, grouped with comments, `schema_version: 1` first. load(to_yaml(c)) has the
// same values as c for every key.
std::string to_yaml(const RunConfig& cfg);
void save_run_config(const std::string& path, const RunConfig& cfg);  // atomic

// docs/config.md, generated from the key table (`reinforge-cli config-doc`).
std::string config_doc_markdown();

// ---------------------------------------------------------------------------------------------------
// Derived quantities the trainers need.

// Total optimizer steps: iters, or epochs · ceil(train_rows / batch_size).
int64_t total_iters(const RunConfig& cfg, size_t train_rows);
// Decay steps of lr_schedule: `steps`, or max(1, int(total · iters_fraction)).
int64_t schedule_steps(const RunConfig& cfg, int64_t total);
// The run's schedule for LearningRateSchedule::from_spec (optim/lr_schedule.h): constant at
// learning_rate, or the configured function from `init` with its steps resolved against `total`.
ScheduleSpec lr_schedule_spec(const RunConfig& cfg, int64_t total);
// optimizer_config[optimizer] ({} when absent): what make_optimizer (optim/optimizer.h) reads.
nlohmann::json optimizer_options(const RunConfig& cfg);

}  // namespace rf
