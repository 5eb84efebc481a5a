// The table of RunConfig keys (the single source of truth: GUI bindings, --set, YAML, docs); the
// accessors over it are in run_config_access.cpp. Labels are the seed app's (MLX LoRA Studio, reference notes §1.2).
#include <algorithm>
#include <array>
#include <type_traits>

#include "config/run_config.h"
#include "config/run_config_values.h"
#include "core/error.h"

// The table below uses designated initializers that name only the fields a key needs.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace rf {

using namespace config_detail;
using DefaultFn = std::function<std::string(const RunConfig&)>;

namespace {

DefaultFn fixed(std::string v) {
    return [v](const RunConfig&) { return v; };
}
// Defaults per mode, in TrainMode order: sft, rlhf_reinforce, rloo, ppo, grpo.
DefaultFn per_mode(std::array<std::string, 5> v) {
    return [v](const RunConfig& c) { return v[static_cast<int>(c.train_mode)]; };
}
constexpr ModeSet modes_of(std::initializer_list<TrainMode> ms) {
    ModeSet s = 0;
    for (auto m : ms) s |= mode_bit(m);
    return s;
}
constexpr ModeSet kReinforceModes = modes_of({TrainMode::rlhf_reinforce, TrainMode::rloo});
constexpr ModeSet kJudgeModes = modes_of({TrainMode::rlhf_reinforce, TrainMode::rloo, TrainMode::ppo});
constexpr ModeSet kGrpo = modes_of({TrainMode::grpo});
constexpr ModeSet kPpoGrpo = modes_of({TrainMode::ppo, TrainMode::grpo});
constexpr ModeSet kSft = modes_of({TrainMode::sft});

template <class E>
std::vector<std::string> choices_of() {
    std::vector<std::string> out;
    for (const auto& n : enum_names(E{})) out.emplace_back(n.name);
    return out;
}

[[noreturn]] void bad_value(const KeySpec& k, const std::string& s, std::string hint = {}) {
    std::string shown = s.size() > 60 ? s.substr(0, 57) + "..." : s;
    throw InputError({}, 0, k.name, "expected " + expected_text(k) + ", got '" + shown + "'", std::move(hint));
}

void check_range(const KeySpec& k, double v, const std::string& s) {
    std::string err = range_error(k, v, "'" + s + "'");
    if (!err.empty()) throw InputError({}, 0, k.name, err);
}

// Binds get/set of `k` to the field `field` returns (a generic lambda `[](auto& c) -> auto& {...}`).
template <class F>
void bind(KeySpec& k, F field) {
    using T = std::remove_cvref_t<decltype(field(std::declval<RunConfig&>()))>;
    KeySpec meta = k;  // bounds and choices for messages (no functions yet)
    if constexpr (std::is_same_v<T, bool>) {
        k.get = [field](const RunConfig& c) -> std::string { return field(c) ? "true" : "false"; };
        k.set = [field, meta](RunConfig& c, const std::string& s) {
            try {
                field(c) = parse_bool(meta.name, s);
            } catch (const InputError&) {
                bad_value(meta, s);
            }
        };
    } else if constexpr (std::is_same_v<T, int> || std::is_same_v<T, int64_t>) {
        k.get = [field](const RunConfig& c) { return std::to_string(field(c)); };
        k.set = [field, meta](RunConfig& c, const std::string& s) {
            int64_t v = 0;
            try {
                v = parse_int(meta.name, s);
            } catch (const InputError& e) {
                bad_value(meta, s, e.hint);
            }
            if (std::is_same_v<T, int> && (v < INT32_MIN || v > INT32_MAX)) bad_value(meta, s);
            check_range(meta, static_cast<double>(v), s);
            if (!meta.choices.empty() &&
                std::find(meta.choices.begin(), meta.choices.end(), std::to_string(v)) == meta.choices.end())
                bad_value(meta, s);
            field(c) = static_cast<T>(v);
        };
    } else if constexpr (std::is_same_v<T, double>) {
        k.get = [field](const RunConfig& c) { return format_real(field(c)); };
        k.set = [field, meta](RunConfig& c, const std::string& s) {
            double v = 0;
            try {
                v = parse_real(meta.name, s);
            } catch (const InputError&) {
                bad_value(meta, s);
            }
            check_range(meta, v, s);
            field(c) = v;
        };
    } else if constexpr (std::is_same_v<T, std::string>) {
        k.get = [field](const RunConfig& c) { return field(c); };
        k.set = [field](RunConfig& c, const std::string& s) { field(c) = s; };
    } else if constexpr (std::is_enum_v<T>) {
        if (k.choices.empty()) k.choices = choices_of<T>();  // a key may offer a subset of its enum
        meta.choices = k.choices;
        k.get = [field](const RunConfig& c) { return std::string(enum_name(field(c))); };
        k.set = [field, meta](RunConfig& c, const std::string& s) {
            auto v = enum_from_name<T>(s);
            if (!v || std::find(meta.choices.begin(), meta.choices.end(), s) == meta.choices.end()) {
                std::string near = did_you_mean(s, meta.choices);
                bad_value(meta, s, near.empty() ? "" : "did you mean '" + near + "'?");
            }
            field(c) = *v;
        };
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
        k.get = [field](const RunConfig& c) { return format_string_list(field(c)); };
        k.set = [field, meta](RunConfig& c, const std::string& s) { field(c) = parse_string_list(meta.name, s); };
    } else if constexpr (std::is_same_v<T, std::vector<double>>) {
        k.get = [field](const RunConfig& c) { return format_real_list(field(c)); };
        k.set = [field, meta](RunConfig& c, const std::string& s) {
            auto v = parse_real_list(meta.name, s);
            for (double x : v) check_range(meta, x, s);
            field(c) = std::move(v);
        };
    } else if constexpr (std::is_same_v<T, nlohmann::json>) {
        k.get = [field](const RunConfig& c) { return field(c).dump(); };
        k.set = [field, meta](RunConfig& c, const std::string& s) { field(c) = parse_mapping(meta.name, s); };
    } else {
        static_assert(sizeof(T) == 0, "unsupported RunConfig field type");
    }
}

template <class F>
void add(std::vector<KeySpec>& keys, KeySpec k, F field, DefaultFn def) {
    bind(k, field);
    k.default_value = std::move(def);
    keys.push_back(std::move(k));
}

#define RF_FIELD(expr) [](auto& c) -> auto& { return c.expr; }

std::string model_basename(const std::string& model) {
    std::string m = model;
    while (!m.empty() && m.back() == '/') m.pop_back();
    size_t slash = m.find_last_of('/');
    std::string base = slash == std::string::npos ? m : m.substr(slash + 1);
    for (char& ch : base)
        if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.')) ch = '-';
    return base.empty() ? "run" : base;
}

const std::array<std::string_view, 6> kRefusedModes = {"dpo", "cpo", "orpo", "online_dpo", "xpo", "ftpo"};

std::vector<KeySpec> build_keys() {
    using G = KeyGroup;
    using T = KeyType;
    std::vector<KeySpec> ks;

    // --- Advanced (first: read before anything else) ---
    add(ks, {.name = "schema_version", .group = G::advanced, .type = T::integer,
             .doc = "Version of this file format; 1.", .min = 1},
        RF_FIELD(schema_version), fixed("1"));

    // --- Model & Data ---
    add(ks, {.name = "train_mode", .group = G::model_and_data, .type = T::choice, .label = "Mode",
             .doc = "The algorithm: sft, rlhf_reinforce (alias reinforce), rloo, ppo or grpo."},
        RF_FIELD(train_mode), [](const RunConfig& c) { return std::string(enum_name(c.train_mode)); });
    ks.back().default_doc = "sft";
    {
        KeySpec& k = ks.back();
        auto plain = k.set;
        k.set = [plain, choices = k.choices](RunConfig& c, const std::string& s) {
            if (s == "reinforce") return plain(c, "rlhf_reinforce");
            for (auto r : kRefusedModes)
                if (s == r)
                    throw InputError({}, 0, "train_mode",
                                     "train_mode '" + s + "' is not supported by Reinforge (supported: sft, "
                                     "rlhf_reinforce (alias reinforce), rloo, ppo, grpo)",
                                     "online RL modes only; DPO-family modes belong to mlx-lm-lora");
            plain(c, s);
        };
    }
    add(ks, {.name = "model", .group = G::model_and_data, .type = T::path, .label = "Model",
             .doc = "Base model: a local Hugging Face folder or an HF id (downloaded into the HF cache when missing)."},
        RF_FIELD(model), fixed(""));
    add(ks, {.name = "data", .group = G::model_and_data, .type = T::string_list, .label = "Dataset",
             .doc = "Dataset: a folder (train/valid/test as .jsonl, .json or .parquet, also in shards), a .jsonl, .json or "
                    ".parquet file, or an HF dataset id (downloaded when missing); a list is concatenated. Alias: dataset."},
        RF_FIELD(data), fixed(""));
    add(ks, {.name = "dataset_config", .group = G::model_and_data, .type = T::string, .label = "Dataset config",
             .doc = "The dataset's configuration (subset), a subfolder such as main or socratic for openai/gsm8k; empty = "
                    "the dataset's only one."},
        RF_FIELD(dataset_config), fixed(""));
    add(ks, {.name = "lm_studio_name", .group = G::model_and_data, .type = T::string,
             .label = "LM Studio export name",
             .doc = "With fuse: also write the fused model to the LM Studio models folder under this name."},
        RF_FIELD(lm_studio_name), fixed(""));

    // --- Fine-tune ---
    add(ks, {.name = "train_type", .group = G::fine_tune, .type = T::choice, .label = "Fine-tune",
             .doc = "LoRA or DoRA adapters on a frozen base, or full fine-tuning."},
        RF_FIELD(train_type), fixed("lora"));
    add(ks, {.name = "num_layers", .group = G::fine_tune, .type = T::integer, .label = "Layers",
             .doc = "Adapt the last N transformer blocks.", .min = -1, .range_doc = "-1 = all; 0 is invalid"},
        RF_FIELD(num_layers), fixed("16"));
    add(ks, {.name = "lora_parameters.rank", .group = G::fine_tune, .type = T::integer, .label = "Rank",
             .doc = "LoRA rank r.", .min = 1, .max = 4096},
        RF_FIELD(lora_parameters.rank), fixed("8"));
    add(ks, {.name = "lora_parameters.scale", .group = G::fine_tune, .type = T::real, .label = "Scale",
             .doc = "LoRA scale: y = W x + scale * (x A) B (no division by rank, as in mlx-lm).", .min = 0.0},
        RF_FIELD(lora_parameters.scale), fixed("20.0"));
    add(ks, {.name = "lora_parameters.dropout", .group = G::fine_tune, .type = T::real, .label = "Dropout",
             .doc = "Dropout on the LoRA input.", .min = 0.0, .max = 1.0, .max_open = true},
        RF_FIELD(lora_parameters.dropout), fixed("0.0"));
    add(ks, {.name = "lora_parameters.keys", .group = G::advanced, .type = T::string_list,
             .doc = "Module names to adapt (e.g. self_attn.q_proj, mlp.down_proj); empty = every linear layer."},
        RF_FIELD(lora_parameters.keys), fixed(""));
    add(ks, {.name = "quantization", .group = G::fine_tune, .type = T::choice, .label = "Quantization",
             .doc = "Load-time quantization of the frozen base (QLoRA style): the seven projections of each "
                    "block are packed (MLX affine or MXFP4) and trained through; embeddings, lm_head and norms "
                    "stay float. A model folder that is already MLX-quantized (config.json `quantization`) keeps "
                    "its own packing whatever this says. Also read from load_in_4bits / load_in_6bits / "
                    "load_in_8bits / load_in_mxfp4."},
        RF_FIELD(quantization), fixed("none"));
    add(ks, {.name = "quantization_group_size", .group = G::advanced, .type = T::integer,
             .doc = "Quantization group size: 32, 64 or 128 (mxfp4: 32). A projection whose input size is not a "
                    "multiple of it stays float (as mlx-lm skips it).", .choices = {"32", "64", "128"},
             .default_doc = "128 for 4/6/8-bit (as mlx-lm-lora), 32 for mxfp4"},
        RF_FIELD(quantization_group_size), [](const RunConfig& c) {
            return std::string(c.quantization == Quantization::mxfp4 ? "32"
                               : c.quantization == Quantization::none ? "64" : "128");
        });
    add(ks, {.name = "compute_dtype", .group = G::fine_tune, .type = T::choice, .label = "Compute",
             .doc = "Precision of the frozen base's matmuls (forward, input gradients, sampling prefill, "
                    "reference log-probs). bfloat16 runs them on the CPU's bf16 units (AVX512_BF16 / AMX), "
                    "several times faster; adapters, gradients, norms, softmax, the loss and the optimizer "
                    "stay float32. auto = bfloat16 where the CPU has native bf16 dot products and the model is "
                    "not tiny (hidden size >= 512), else float32. Full fine-tuning always computes in float32."},
        RF_FIELD(compute_dtype), fixed("auto"));

    // --- Training Settings ---
    add(ks, {.name = "iters", .group = G::training_settings, .type = T::integer, .label = "Iterations",
             .doc = "Optimizer steps. Set iters or epochs.", .min = 0, .range_doc = "0 = unset"},
        RF_FIELD(iters), fixed("0"));
    add(ks, {.name = "epochs", .group = G::training_settings, .type = T::integer, .label = "Epochs",
             .doc = "Passes over the train split: iters = epochs * ceil(rows / batch_size).", .min = 0,
             .range_doc = "0 = unset"},
        RF_FIELD(epochs), fixed("0"));
    add(ks, {.name = "batch_size", .group = G::training_settings, .type = T::integer, .label = "Batch",
             .doc = "Prompts (RL) or rows (SFT) per step.", .min = 1},
        RF_FIELD(batch_size), fixed("1"));
    add(ks, {.name = "max_seq_length", .group = G::training_settings, .type = T::integer, .label = "Max Seq",
             .doc = "SFT: longest sequence (prompt + completion) in tokens; longer rows are cut. The online modes "
                    "keep the whole prompt and bound completions by max_completion_length.",
             .modes = kSft, .min = 1},
        RF_FIELD(max_seq_length), fixed("2048"));
    add(ks, {.name = "seed", .group = G::training_settings, .type = T::integer, .label = "Seed",
             .doc = "Seed of every random choice (data order, sampling, LoRA init, judge A/B order).", .min = 0},
        RF_FIELD(seed), fixed("0"));
    add(ks, {.name = "learning_rate", .group = G::training_settings, .type = T::real, .label = "Learning Rate",
             .doc = "Learning rate (the schedule's value when lr_schedule is not constant).", .min = 0.0,
             .min_open = true},
        RF_FIELD(learning_rate), fixed("1.0e-05"));
    add(ks, {.name = "optimizer", .group = G::training_settings, .type = T::choice, .label = "Optimizer",
             .doc = "Optimizer, with mlx.optimizers semantics and defaults."},
        RF_FIELD(optimizer), fixed("adamw"));
    add(ks, {.name = "optimizer_config", .group = G::advanced, .type = T::mapping,
             .doc = "Per-optimizer options, e.g. {adamw: {weight_decay: 0.01, betas: [0.9, 0.999]}}; "
                    "missing options take mlx.optimizers' defaults.",
             .default_doc = "{} (mlx.optimizers defaults)"},
        RF_FIELD(optimizer_config), fixed("{}"));
    add(ks, {.name = "lr_schedule.name", .group = G::training_settings, .type = T::choice, .label = "LR Schedule",
             .doc = "Learning-rate schedule (mlx-lm's lr_schedule dict).",
             .choices = {"constant", "cosine_decay", "linear_schedule"}},
        RF_FIELD(lr_schedule.name), fixed("constant"));
    add(ks, {.name = "lr_schedule.warmup", .group = G::training_settings, .type = T::integer, .label = "Warmup",
             .doc = "Linear warmup steps from warmup_init to the initial rate.", .min = 0},
        RF_FIELD(lr_schedule.warmup), fixed("0"));
    add(ks, {.name = "lr_schedule.warmup_init", .group = G::training_settings, .type = T::real,
             .label = "Warmup Init", .doc = "Learning rate at the first warmup step.", .min = 0.0},
        RF_FIELD(lr_schedule.warmup_init), fixed("0.0"));
    add(ks, {.name = "lr_schedule.init", .group = G::advanced, .type = T::real,
             .doc = "Initial rate of the schedule (arguments[0]).", .min = 0.0, .default_doc = "= learning_rate"},
        RF_FIELD(lr_schedule.init), [](const RunConfig& c) { return format_real(c.learning_rate); });
    add(ks, {.name = "lr_schedule.steps", .group = G::advanced, .type = T::integer,
             .doc = "Decay steps of the schedule; 0 = iters_fraction of the run.", .min = 0},
        RF_FIELD(lr_schedule.steps), fixed("0"));
    add(ks, {.name = "lr_schedule.iters_fraction", .group = G::training_settings, .type = T::real,
             .label = "Decay Fraction", .doc = "Decay steps as a fraction of the total iterations (when steps is 0).",
             .min = 0.0, .max = 1.0, .range_doc = "> 0"},
        RF_FIELD(lr_schedule.iters_fraction), fixed("1.0"));
    add(ks, {.name = "lr_schedule.end", .group = G::training_settings, .type = T::real, .label = "Final LR",
             .doc = "Learning rate at the end of the decay.", .min = 0.0},
        RF_FIELD(lr_schedule.end), fixed("0.0"));
    add(ks, {.name = "max_grad_norm", .group = G::advanced, .type = T::real,
             .doc = "Clip the global gradient norm to this value.", .min = 0.0, .range_doc = "0 = no clipping"},
        RF_FIELD(max_grad_norm), fixed("1.0"));
    add(ks, {.name = "steps_per_report", .group = G::training_settings, .type = T::integer, .label = "Report",
             .doc = "Report (and log to metrics.jsonl) every N steps.", .min = 1},
        RF_FIELD(steps_per_report), fixed("10"));
    add(ks, {.name = "steps_per_eval", .group = G::training_settings, .type = T::integer, .label = "Eval",
             .doc = "Validate every N steps.", .min = 0, .range_doc = "0 = never"},
        RF_FIELD(steps_per_eval), fixed("200"));
    add(ks, {.name = "keep_best", .group = G::training_settings, .type = T::string, .label = "Keep best",
             .doc = "At each evaluation, keep the weights that score best on this validation metric (as in "
                    "metrics.jsonl, val_ optional: val_rewards, val_r1_accuracy_reward_func_mean, val_loss) in "
                    "adapters/best_adapters.safetensors and best.json; empty = off."},
        RF_FIELD(keep_best), fixed(""));
    add(ks, {.name = "keep_best_mode", .group = G::training_settings, .type = T::choice, .label = "Best is",
             .doc = "keep_best: max (higher is better) or min; auto = min for names containing loss or kl, else max."},
        RF_FIELD(keep_best_mode), fixed("auto"));
    add(ks, {.name = "save_every", .group = G::training_settings, .type = T::integer, .label = "Save",
             .doc = "Write a checkpoint every N steps.", .min = 0, .range_doc = "0 = only at the end"},
        RF_FIELD(save_every), fixed("100"));
    add(ks, {.name = "val_batches", .group = G::training_settings, .type = T::integer, .label = "Val Batches",
             .doc = "Batches per validation.", .min = -1, .range_doc = "-1 = the whole split"},
        RF_FIELD(val_batches), fixed("25"));
    add(ks, {.name = "test", .group = G::training_settings, .type = T::boolean, .label = "Evaluate test split",
             .doc = "Evaluate the test split after training."},
        RF_FIELD(test), fixed("false"));
    add(ks, {.name = "test_batches", .group = G::training_settings, .type = T::integer, .label = "Test Batches",
             .doc = "Batches of the test evaluation.", .min = -1, .range_doc = "-1 = the whole split"},
        RF_FIELD(test_batches), fixed("100"));
    add(ks, {.name = "grad_checkpoint", .group = G::training_settings, .type = T::boolean,
             .label = "Gradient checkpointing", .doc = "Recompute activations in backward to save memory."},
        RF_FIELD(grad_checkpoint), fixed("false"));
    add(ks, {.name = "gradient_accumulation_steps", .group = G::training_settings, .type = T::integer,
             .label = "Gradient accumulation steps", .doc = "Average gradients over N batches per update.", .min = 1},
        RF_FIELD(gradient_accumulation_steps), fixed("1"));
    add(ks, {.name = "mask_prompt", .group = G::training_settings, .type = T::boolean, .label = "Mask prompt loss",
             .doc = "SFT: no loss on prompt tokens.", .modes = kSft},
        RF_FIELD(mask_prompt), fixed("false"));
    add(ks, {.name = "fuse", .group = G::training_settings, .type = T::boolean,
             .label = "Fuse merged model after training",
             .doc = "After training, merge the adapters into the base and save an HF folder."},
        RF_FIELD(fuse), fixed("false"));
    add(ks, {.name = "fuse_dequantize", .group = G::training_settings, .type = T::boolean,
             .label = "Dequantize merged model", .doc = "Fuse: save the merged model dequantized."},
        RF_FIELD(fuse_dequantize), fixed("true"));
    add(ks, {.name = "fuse_remove_adapters", .group = G::training_settings, .type = T::boolean,
             .label = "Remove adapters after fuse", .doc = "Fuse: delete adapters and checkpoints afterwards."},
        RF_FIELD(fuse_remove_adapters), fixed("false"));

    // --- Dataset Columns ---
    struct Col {
        const char* key;
        const char* label;
        const char* def;
        ModeSet modes;
        const char* doc;
    };
    const Col cols[] = {
        {"prompt_feature", "Prompt", "prompt", kAllModes, "Column with the prompt (string or list of {role, content})."},
        {"answer_feature", "Answer", "answer", kRlModes, "Column with the reference answer (reward functions)."},
        {"type_feature", "Type", "type", kRlModes, "Column with the row's type tag (reward functions)."},
        {"system_feature", "System", "system", kAllModes, "Column with a per-row system prompt."},
        {"chat_feature", "Chat", "messages", kSft, "SFT: column with a list of chat messages."},
        {"completion_feature", "Completion", "completion", kSft, "SFT: column with the completion."},
        {"text_feature", "Text", "text", kSft, "SFT: column with raw text."},
        {"chosen_feature", "Chosen", "chosen", kNoMode, "DPO datasets (accepted, unused)."},
        {"rejected_feature", "Rejected", "rejected", kNoMode, "DPO datasets (accepted, unused)."},
        {"preference_score_feature", "Preference score", "preference_score", kNoMode, "ORPO datasets (accepted, unused)."},
    };
    auto col_field = [](const std::string& key) {
        return [key](auto& c) -> auto& {
            if (key == "prompt_feature") return c.prompt_feature;
            if (key == "answer_feature") return c.answer_feature;
            if (key == "type_feature") return c.type_feature;
            if (key == "system_feature") return c.system_feature;
            if (key == "chat_feature") return c.chat_feature;
            if (key == "completion_feature") return c.completion_feature;
            if (key == "text_feature") return c.text_feature;
            if (key == "chosen_feature") return c.chosen_feature;
            if (key == "rejected_feature") return c.rejected_feature;
            return c.preference_score_feature;
        };
    };
    for (const Col& col : cols)
        add(ks, {.name = col.key, .group = G::dataset_columns, .type = T::string, .label = col.label,
                 .doc = col.doc, .modes = col.modes},
            col_field(col.key), fixed(col.def));
    add(ks, {.name = "train_split", .group = G::dataset_columns, .type = T::string, .label = "Train split",
             .doc = "Name of the training split."},
        RF_FIELD(train_split), fixed("train"));
    add(ks, {.name = "valid_split", .group = G::dataset_columns, .type = T::string, .label = "Validation split",
             .doc = "Name of the validation split; empty = valid, else validation."},
        RF_FIELD(valid_split), fixed(""));
    add(ks, {.name = "valid_fraction", .group = G::dataset_columns, .type = T::real, .label = "Held-out fraction",
             .doc = "When the dataset has no validation split, this fraction of the training rows (at most 1000 rows) "
                    "is held out as one, chosen with the run's seed; 0 = no validation.",
             .min = 0.0, .max = 0.5},
        RF_FIELD(valid_fraction), fixed("0.05"));
    add(ks, {.name = "answer_pattern", .group = G::dataset_columns, .type = T::string, .label = "Answer pattern",
             .doc = "Regular expression (PCRE2) that extracts the gradable answer from the answer column: group 1, "
                    "else the whole match; a row it does not match is a bad row. Presets: gsm8k (the text after "
                    "'####'), boxed (the last \\boxed{...}). Empty = the column as is."},
        RF_FIELD(answer_pattern), fixed(""));
    add(ks, {.name = "skip_bad_rows", .group = G::dataset_columns, .type = T::boolean, .label = "Skip bad rows",
             .doc = "Leave out dataset rows that are malformed, lack a column or do not match answer_pattern (the run log "
                    "counts them and shows the first few); false = the first bad row stops the run with its file and line."},
        RF_FIELD(skip_bad_rows), fixed("false"));

    // --- Output ---
    add(ks, {.name = "run_name", .group = G::output, .type = T::string, .label = "Run folder name",
             .doc = "Name of the run folder.", .default_doc = "<model basename>-<train_type>-<train_mode>-<yyyy-MM-dd-HHmmss>"},
        RF_FIELD(run_name), [](const RunConfig& c) {
            std::string stamp = c.origin.created_at.empty() ? now_stamp() : c.origin.created_at;
            return model_basename(c.model) + "-" + std::string(enum_name(c.train_type)) + "-" +
                   std::string(enum_name(c.train_mode)) + "-" + stamp;
        });
    add(ks, {.name = "output_dir", .group = G::output, .type = T::path,
             .doc = "The run folder (config.yaml, metrics.jsonl, rollouts.jsonl, judgments.jsonl, state).",
             .default_doc = "runs/<run_name>"},
        RF_FIELD(output_dir), [](const RunConfig& c) { return "runs/" + c.run_name; });
    add(ks, {.name = "adapter_path", .group = G::output, .type = T::path,
             .doc = "Where adapters and checkpoints are written.", .default_doc = "<output_dir>/adapters"},
        RF_FIELD(adapter_path), [](const RunConfig& c) { return c.output_dir + "/adapters"; });
    add(ks, {.name = "resume_adapter_file", .group = G::output, .type = T::path,
             .doc = "Start from these adapter weights (a .safetensors file)."},
        RF_FIELD(resume_adapter_file), fixed(""));

    // --- Online Preference ---
    add(ks, {.name = "judge", .group = G::online_preference, .type = T::string, .label = "Judge / Judge model",
             .doc = "Who scores completions: a model (HF folder/id), human, rewards (the reward functions), "
                    "or an OpenAI-compatible http(s)://…/v1 endpoint.", .modes = kJudgeModes},
        RF_FIELD(judge), fixed(""));
    add(ks, {.name = "judge_model", .group = G::online_preference, .type = T::string,
             .doc = "Model name sent to an HTTP judge endpoint.", .modes = kJudgeModes},
        RF_FIELD(judge_model), fixed(""));
    add(ks, {.name = "judge_system", .group = G::online_preference, .type = T::text, .label = "Judge system prompt",
             .doc = "The LLM judge's system message (sent also with a custom judge_config.system_prompt); empty = "
                    "the built-in rubric (none with a custom template).", .modes = kJudgeModes},
        RF_FIELD(judge_system), fixed(""));
    add(ks, {.name = "judge_config.system_prompt", .group = G::advanced, .type = T::text,
             .doc = "Full judge template with {prompt}, {response0} (and {response1} for PPO); replaces the built-in one.",
             .modes = kJudgeModes},
        RF_FIELD(judge_config.system_prompt), fixed(""));
    add(ks, {.name = "judge_config.timeout_seconds", .group = G::advanced, .type = T::real,
             .doc = "HTTP judge: timeout per request in seconds.", .modes = kJudgeModes, .min = 0.0, .min_open = true},
        RF_FIELD(judge_config.timeout_seconds), fixed("60.0"));
    add(ks, {.name = "judge_config.retries", .group = G::advanced, .type = T::integer,
             .doc = "HTTP judge: retries before the run stops.", .modes = kJudgeModes, .min = 0, .max = 100},
        RF_FIELD(judge_config.retries), fixed("3"));
    add(ks, {.name = "judge_config.api_key_env", .group = G::advanced, .type = T::string,
             .doc = "HTTP judge: environment variable holding a bearer token (the token itself is never stored).",
             .modes = kJudgeModes},
        RF_FIELD(judge_config.api_key_env), fixed(""));
    add(ks, {.name = "baseline", .group = G::online_preference, .type = T::choice,
             .doc = "REINFORCE baseline subtracted from the KL-adjusted reward.", .modes = kReinforceModes},
        RF_FIELD(baseline), per_mode({"none", "none", "rloo", "none", "none"}));
    add(ks, {.name = "running_mean_decay", .group = G::advanced, .type = T::real,
             .doc = "baseline running_mean: v <- d v + (1 - d) batch mean after each step.", .modes = kReinforceModes,
             .min = 0.0, .max = 1.0, .max_open = true},
        RF_FIELD(running_mean_decay), fixed("0.9"));
    add(ks, {.name = "kl_estimator", .group = G::advanced, .type = T::choice,
             .doc = "PPO's per-token KL: k3 = exp(ref - logp) - (ref - logp) - 1 (TRL) or k1 = logp - ref (the seed's).",
             .modes = modes_of({TrainMode::ppo})},
        RF_FIELD(kl_estimator), fixed("k3"));
    add(ks, {.name = "ppo_advantage", .group = G::advanced, .type = T::choice,
             .doc = "PPO advantage: preference (+1 chosen / -1 rejected) or logprob_gap (the seed's formula).",
             .modes = modes_of({TrainMode::ppo})},
        RF_FIELD(ppo_advantage), fixed("preference"));
    add(ks, {.name = "ratio_against", .group = G::advanced, .type = T::choice,
             .doc = "Importance ratio against the rollout policy (clipping active with num_iterations > 1) or the "
                    "reference (the seed's formula).", .modes = kPpoGrpo},
        RF_FIELD(ratio_against), fixed("rollout"));
    add(ks, {.name = "num_iterations", .group = G::advanced, .type = T::integer,
             .doc = "Optimisation passes over each batch of rollouts.", .modes = kPpoGrpo, .min = 1, .max = 64},
        RF_FIELD(num_iterations), per_mode({"1", "1", "1", "2", "1"}));

    // --- Preference And Judge ---
    add(ks, {.name = "beta", .group = G::preference_and_judge, .type = T::real, .label = "Beta",
             .doc = "KL coefficient against the reference model; 0 disables the KL term (still logged).",
             .modes = kRlModes, .min = 0.0},
        RF_FIELD(beta), fixed("0.1"));
    add(ks, {.name = "reference_model_path", .group = G::preference_and_judge, .type = T::path,
             .label = "Reference model path", .doc = "Reference model for KL; empty = the frozen base.",
             .modes = kRlModes},
        RF_FIELD(reference_model_path), fixed(""));
    add(ks, {.name = "delta", .group = G::preference_and_judge, .type = T::real, .label = "Delta",
             .doc = "DPO/CPO margin (accepted for compatibility, unused).", .modes = kNoMode},
        RF_FIELD(delta), fixed("50.0"));
    add(ks, {.name = "dpo_cpo_loss_type", .group = G::preference_and_judge, .type = T::choice, .label = "Loss",
             .doc = "DPO/CPO loss (accepted for compatibility, unused).", .modes = kNoMode},
        RF_FIELD(dpo_cpo_loss_type), fixed("sigmoid"));

    // --- GRPO Generation And Rewards (sampling keys are shared with the online modes) ---
    add(ks, {.name = "group_size", .group = G::grpo_generation_and_rewards, .type = T::integer, .label = "Group",
             .doc = "Completions sampled per prompt.", .modes = kReinforceModes | kGrpo, .min = 1, .max = 1024},
        RF_FIELD(group_size), per_mode({"4", "2", "4", "2", "4"}));
    add(ks, {.name = "max_completion_length", .group = G::grpo_generation_and_rewards, .type = T::integer,
             .label = "Completion", .doc = "Most tokens sampled per completion.", .modes = kRlModes, .min = 1},
        RF_FIELD(max_completion_length), per_mode({"512", "128", "128", "512", "512"}));
    add(ks, {.name = "temperature", .group = G::grpo_generation_and_rewards, .type = T::real, .label = "Temp",
             .doc = "Sampling temperature (0 = greedy, invalid for PPO and GRPO).", .modes = kRlModes, .min = 0.0,
             .max = 100.0},
        RF_FIELD(temperature), fixed("0.8"));
    add(ks, {.name = "top_p", .group = G::grpo_generation_and_rewards, .type = T::real, .label = "Top P",
             .doc = "Nucleus sampling mass (1 = off).", .modes = kRlModes, .min = 0.0, .max = 1.0, .min_open = true},
        RF_FIELD(top_p), per_mode({"1.0", "1.0", "1.0", "1.0", "0.95"}));
    add(ks, {.name = "top_k", .group = G::grpo_generation_and_rewards, .type = T::integer, .label = "Top K",
             .doc = "Sample among the K most likely tokens.", .modes = kRlModes, .min = 0, .range_doc = "0 = off"},
        RF_FIELD(top_k), per_mode({"0", "0", "0", "0", "20"}));
    add(ks, {.name = "min_p", .group = G::grpo_generation_and_rewards, .type = T::real, .label = "Min P",
             .doc = "Drop tokens below min_p times the top probability.", .modes = kRlModes, .min = 0.0, .max = 1.0,
             .range_doc = "0 = off"},
        RF_FIELD(min_p), fixed("0.0"));
    add(ks, {.name = "epsilon", .group = G::grpo_generation_and_rewards, .type = T::real, .label = "Epsilon",
             .doc = "Clip range of the importance ratio (lower bound 1 - epsilon).", .modes = kPpoGrpo,
             .min = 0.0, .max = 1.0, .min_open = true, .max_open = true},
        RF_FIELD(epsilon), fixed("0.2"));
    add(ks, {.name = "epsilon_high", .group = G::grpo_generation_and_rewards, .type = T::real,
             .label = "Epsilon high", .doc = "Upper clip bound 1 + epsilon_high (DAPO); >= epsilon.", .modes = kGrpo,
             .min = 0.0, .default_doc = "= epsilon"},
        RF_FIELD(epsilon_high), [](const RunConfig& c) { return format_real(c.epsilon); });
    add(ks, {.name = "scale_rewards", .group = G::advanced, .type = T::choice,
             .doc = "Divide advantages by the group's std (group), the batch's (batch) or not (none, Dr. GRPO).",
             .modes = kGrpo},
        RF_FIELD(scale_rewards), fixed("group"));
    add(ks, {.name = "advantage_std", .group = G::advanced, .type = T::choice,
             .doc = "The std that scale_rewards divides by: population (ddof 0, mlx-lm-lora) or unbiased (ddof 1, TRL).",
             .modes = kGrpo},
        RF_FIELD(advantage_std), fixed("population"));
    add(ks, {.name = "mask_truncated_completions", .group = G::advanced, .type = T::boolean,
             .doc = "No loss on completions cut at max_completion_length.", .modes = kGrpo},
        RF_FIELD(mask_truncated_completions), fixed("false"));
    add(ks, {.name = "grpo_loss_type", .group = G::grpo_generation_and_rewards, .type = T::choice,
             .label = "GRPO Loss", .doc = "Loss reduction: per-sequence mean (grpo), token mean of each "
                                          "micro-batch (bnpo), sum / (sequences * max_completion_length) "
                                          "(dr_grpo), token mean over the whole accumulated step (dapo, TRL's "
                                          "default); cispo: truncated importance weight, held constant, dapo's "
                                          "reduction; sapo: a soft sigmoid gate instead of the clip, grpo's "
                                          "reduction (docs/algorithms.md).",
             .modes = kGrpo},
        RF_FIELD(grpo_loss_type), fixed("grpo"));
    add(ks, {.name = "sapo_temperature_pos", .group = G::advanced, .type = T::real,
             .label = "SAPO temp. +", .doc = "sapo: gate temperature for tokens with a positive advantage (TRL's "
                                             "sapo_temperature_pos).",
             .modes = kGrpo, .min = 0.0, .min_open = true},
        RF_FIELD(sapo_temperature_pos), fixed("1.0"));
    add(ks, {.name = "sapo_temperature_neg", .group = G::advanced, .type = T::real,
             .label = "SAPO temp. -", .doc = "sapo: gate temperature for tokens with a zero or negative advantage "
                                             "(TRL's sapo_temperature_neg).",
             .modes = kGrpo, .min = 0.0, .min_open = true},
        RF_FIELD(sapo_temperature_neg), fixed("1.05"));
    add(ks, {.name = "importance_sampling_level", .group = G::grpo_generation_and_rewards, .type = T::choice,
             .label = "Importance", .doc = "Importance ratio per token, or per sequence (GSPO).", .modes = kPpoGrpo},
        RF_FIELD(importance_sampling_level), fixed("token"));
    add(ks, {.name = "reward_functions", .group = G::grpo_generation_and_rewards, .type = T::string_list,
             .label = "Default Reward Functions / Custom names",
             .doc = "Reward functions by registry name (GRPO, or judge: rewards); empty = the five r1_* defaults.",
             .modes = kRlModes, .default_doc = "the five r1_* functions"},
        RF_FIELD(reward_functions), [](const RunConfig&) { return format_string_list(kDefaultRewardFunctions); });
    {
        KeySpec& k = ks.back();
        auto plain = k.set;
        k.set = [plain](RunConfig& c, const std::string& s) {
            plain(c, s);
            if (c.reward_functions.empty()) c.reward_functions = kDefaultRewardFunctions;
        };
    }
    add(ks, {.name = "reward_weights", .group = G::grpo_generation_and_rewards, .type = T::real_list,
             .label = "Reward weights", .doc = "One weight per reward function (list, or the quoted string \"[2.0, 0.5]\").",
             .modes = kRlModes, .default_doc = "1.0 per reward function"},
        RF_FIELD(reward_weights), [](const RunConfig& c) {
            return format_real_list(std::vector<double>(c.reward_functions.size(), 1.0));
        });
    add(ks, {.name = "reward_functions_file", .group = G::grpo_generation_and_rewards, .type = T::path,
             .label = "Reward functions Python file",
             .doc = "A Python file registering reward functions (mlx-lm-lora style), run in a python3 worker.",
             .modes = kRlModes},
        RF_FIELD(reward_functions_file), fixed(""));
    add(ks, {.name = "human_fraction", .group = G::grpo_generation_and_rewards, .type = T::real,
             .label = "Human: share of groups",
             .doc = "With `human` among reward_functions: the share of groups (of prompts, without groups) you score "
                    "yourself, 0..10 per completion (the column is score / 10), chosen with the run's seed; the "
                    "other groups get no human score and the other functions decide. With judge: human and "
                    "human_fallback rewards: the share of pairs / completions you judge.",
             .modes = kRlModes, .min = 0.0, .max = 1.0},
        RF_FIELD(human_fraction), fixed("1.0"));
    add(ks, {.name = "human_wait_seconds", .group = G::grpo_generation_and_rewards, .type = T::real,
             .label = "Human: wait (s)",
             .doc = "With `human` among reward_functions (or judge: human and human_fallback rewards): how long a "
                    "question waits for you; unanswered, it counts as skipped and the rest of the step is not asked "
                    "(the reward functions decide). 0 = wait for the answer (the run blocks on you).",
             .modes = kRlModes, .min = 0.0, .max = 86400.0},
        RF_FIELD(human_wait_seconds), fixed("60.0"));
    add(ks, {.name = "human_fallback", .group = G::preference_and_judge, .type = T::choice, .label = "Human fallback",
             .doc = "With judge: human: rewards = the reward functions decide what you skip, leave unanswered for "
                    "human_wait_seconds or are not asked about (human_fraction), so the run never waits on you; "
                    "none = every verdict is yours and the run waits for it.",
             .modes = kRlModes},
        RF_FIELD(human_fallback), fixed("none"));
    add(ks, {.name = "stop_strings", .group = G::advanced, .type = T::string_list,
             .doc = "Stop a completion when it ends with one of these strings.", .modes = kRlModes,
             .default_doc = ""},
        RF_FIELD(stop_strings), per_mode({"", "", "", "", "</answer>"}));
    add(ks, {.name = "system_prompt", .group = G::advanced, .type = T::text,
             .doc = "System prompt for rows without one (GRPO: the seed's <think>/<answer> instruction).",
             .modes = kRlModes},
        RF_FIELD(system_prompt), per_mode({"", "", "", "", std::string(kGrpoDefaultSystemPrompt)}));
    add(ks, {.name = "enable_thinking", .group = G::advanced, .type = T::boolean,
             .doc = "Passed to chat templates that have it (Qwen3)."},
        RF_FIELD(enable_thinking), fixed("true"));
    return ks;
}

}  // namespace

const std::vector<KeySpec>& run_config_keys() {
    static const std::vector<KeySpec> keys = build_keys();
    return keys;
}

}  // namespace rf
