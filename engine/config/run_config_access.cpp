// The generic accessors over the RunConfig key table (run_config_keys.cpp): lookup, did-you-mean,
// get / set / unset by key name, defaults and their resolution.
#include <algorithm>

#include "config/run_config.h"
#include "config/run_config_values.h"
#include "core/edit_distance.h"
#include "core/error.h"

namespace rf {

using namespace config_detail;

const KeySpec* find_key(std::string_view name) {
    for (const auto& k : run_config_keys())
        if (k.name == name) return &k;
    return nullptr;
}

std::vector<std::string> key_names() {
    std::vector<std::string> out;
    for (const auto& k : run_config_keys()) out.push_back(k.name);
    return out;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    std::string best;
    size_t best_d = SIZE_MAX;
    const size_t limit = std::max<size_t>(2, word.size() / 4);
    for (const auto& c : candidates) {
        // The distance is at least the difference in length: a candidate past the limit by that
        // alone is never the answer (a long unknown key costs no quadratic work per key).
        if ((c.size() > word.size() ? c.size() - word.size() : word.size() - c.size()) > limit) continue;
        size_t d = edit_distance(word, c);
        if (d < best_d) best_d = d, best = c;
    }
    return best_d <= limit && best_d < word.size() ? best : std::string{};
}

static const KeySpec& require_key(std::string_view key) {
    const KeySpec* k = find_key(key);
    if (!k) {
        std::string near = did_you_mean(key, key_names());
        throw InputError({}, 0, std::string(key), "unknown key '" + std::string(key) + "'",
                         near.empty() ? "see docs/config.md for the keys" : "did you mean '" + near + "'?");
    }
    return *k;
}

std::string get_value(const RunConfig& cfg, std::string_view key) { return require_key(key).get(cfg); }

void set_value(RunConfig& cfg, std::string_view key, const std::string& value) {
    const KeySpec& k = require_key(key);
    k.set(cfg, value);
    cfg.origin.explicit_keys.insert(k.name);
    resolve_defaults(cfg);
}

void unset_value(RunConfig& cfg, std::string_view key) {
    const KeySpec& k = require_key(key);
    cfg.origin.explicit_keys.erase(k.name);
    cfg.origin.resolved[k.name] = k.get(cfg);
    resolve_defaults(cfg);
}

std::string default_value(const RunConfig& cfg, std::string_view key) {
    return require_key(key).default_value(cfg);
}

bool is_explicit(const RunConfig& cfg, std::string_view key) {
    return cfg.origin.explicit_keys.count(std::string(key)) > 0;
}

void forget_defaulted_keys(RunConfig& cfg) {
    for (const auto& k : run_config_keys())
        if (is_explicit(cfg, k.name) && k.get(cfg) == k.default_value(cfg)) {
            cfg.origin.explicit_keys.erase(k.name);
            cfg.origin.resolved[k.name] = k.get(cfg);
        }
    resolve_defaults(cfg);
}

void resolve_defaults(RunConfig& cfg) {
    static const RunConfig pristine;
    if (cfg.origin.created_at.empty()) cfg.origin.created_at = now_stamp();
    for (const auto& k : run_config_keys()) {
        if (cfg.origin.explicit_keys.count(k.name)) continue;
        std::string current = k.get(cfg);
        auto it = cfg.origin.resolved.find(k.name);
        if (current != (it != cfg.origin.resolved.end() ? it->second : k.get(pristine))) {
            cfg.origin.explicit_keys.insert(k.name);  // written directly since the last resolve
            continue;
        }
        try {
            k.set(cfg, k.default_value(cfg));
        } catch (const InputError&) {
            // A derived default out of range (epsilon_high = a bad epsilon): validate() reports the cause.
        }
        cfg.origin.resolved[k.name] = k.get(cfg);
    }
}

RunConfig default_run_config(TrainMode mode) {
    RunConfig cfg;
    cfg.train_mode = mode;
    cfg.origin.created_at = now_stamp();
    resolve_defaults(cfg);
    cfg.origin.explicit_keys.erase("train_mode");
    return cfg;
}

std::vector<std::string> differing_keys(const RunConfig& a, const RunConfig& b) {
    std::vector<std::string> out;
    for (const auto& k : run_config_keys())
        if (k.get(a) != k.get(b)) out.push_back(k.name);
    return out;
}

bool same_values(const RunConfig& a, const RunConfig& b) { return differing_keys(a, b).empty(); }

bool key_used_in_mode(const KeySpec& key, TrainMode mode) { return (key.modes & mode_bit(mode)) != 0; }

JudgeKind judge_kind(std::string_view judge) {
    if (judge.empty()) return JudgeKind::none;
    if (judge == "human") return JudgeKind::human;
    if (judge == "rewards") return JudgeKind::rewards;
    if (judge.rfind("http://", 0) == 0 || judge.rfind("https://", 0) == 0) return JudgeKind::http;
    return JudgeKind::model;
}

std::string_view group_title(KeyGroup g) {
    switch (g) {
        case KeyGroup::model_and_data: return "Model & Data";
        case KeyGroup::fine_tune: return "Fine-tune";
        case KeyGroup::training_settings: return "Training Settings";
        case KeyGroup::dataset_columns: return "Dataset Columns";
        case KeyGroup::output: return "Output";
        case KeyGroup::online_preference: return "Online Preference";
        case KeyGroup::preference_and_judge: return "Preference And Judge";
        case KeyGroup::grpo_generation_and_rewards: return "GRPO Generation And Rewards";
        case KeyGroup::advanced: return "Advanced";
    }
    return "?";
}

std::string_view key_type_name(KeyType t) {
    switch (t) {
        case KeyType::boolean: return "bool";
        case KeyType::integer: return "int";
        case KeyType::real: return "real";
        case KeyType::string: return "string";
        case KeyType::text: return "text";
        case KeyType::path: return "path";
        case KeyType::choice: return "choice";
        case KeyType::string_list: return "string list";
        case KeyType::real_list: return "real list";
        case KeyType::mapping: return "mapping";
    }
    return "?";
}

int64_t total_iters(const RunConfig& cfg, size_t train_rows) {
    if (cfg.iters > 0) return cfg.iters;
    int64_t per_epoch = static_cast<int64_t>((train_rows + cfg.batch_size - 1) / std::max(1, cfg.batch_size));
    return static_cast<int64_t>(cfg.epochs) * std::max<int64_t>(1, per_epoch);
}

int64_t schedule_steps(const RunConfig& cfg, int64_t total) {
    if (cfg.lr_schedule.steps > 0) return cfg.lr_schedule.steps;
    return std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(total) * cfg.lr_schedule.iters_fraction));
}

ScheduleSpec lr_schedule_spec(const RunConfig& cfg, int64_t total) {
    const LrSchedule& s = cfg.lr_schedule;
    ScheduleSpec spec;
    spec.kind = s.name;
    spec.warmup = s.warmup;
    spec.warmup_init = s.warmup_init;
    if (s.name == ScheduleKind::constant) {
        spec.init = cfg.learning_rate;
    } else {
        spec.init = s.init;
        spec.end = s.end;
        spec.steps = schedule_steps(cfg, total);
    }
    return spec;
}

nlohmann::json optimizer_options(const RunConfig& cfg) {
    auto it = cfg.optimizer_config.find(std::string(enum_name(cfg.optimizer)));
    if (it == cfg.optimizer_config.end() || it->is_null()) return nlohmann::json::object();
    return *it;
}

}  // namespace rf
