// Reading and writing run configs as YAML (yaml-cpp). Reading accepts the variants people have:
// mlx-lm-lora files (load_in_4bits, reward_weights as a quoted string, reward_functions as a comma
// string, lr_schedule dicts, null values), the Studio docs' `dataset:` lists, and this project's own
// exports. Every problem becomes an Issue naming the file's line and the key; nothing is ignored
// silently (keys of mlx-lm-lora that Reinforge does not use give a warning).
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <map>

#include "config/run_config.h"
#include "config/run_config_values.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "text/utf8.h"

namespace rf {

using namespace config_detail;

namespace {

// mlx-lm-lora / Studio keys that Reinforge does not implement. error_if_truthy: refusing is safer
// than running something other than what the file asks for.
const ForeignKey kForeignKeys[] = {
    {"train", false, "Reinforge always trains"},
    {"wandb", false, "metrics go to metrics.jsonl"},
    {"report_to", false, "metrics go to metrics.jsonl"},
    {"project_name", false, ""},
    {"sft_loss_type", false, "SFT uses the NLL loss"},
    {"reward_scaling", false, "a DPO-family key"},
    {"alpha", false, "an XPO key"},
    {"qat_enable", true, "quantization-aware training is not supported"},
    {"qat_bits", false, ""},
    {"qat_group_size", false, ""},
    {"qat_mode", false, ""},
    {"qat_start_step", false, ""},
    {"qat_interval", false, ""},
    {"efficient_long_context", false, "not supported"},
    {"seq_step_size", false, ""},
    {"hf_dataset", true, "use data: <HF id or path> instead"},
    {"vlm_model", true, "vision-language training is not supported"},
    {"vlm_output_path", false, ""},
    {"vlm_dequantize", false, ""},
    {"lambda_mse_target", false, "an FTPO key"},
    {"tau_mse_target", false, "an FTPO key"},
    {"lambda_mse", false, "an FTPO key"},
    {"clip_epsilon_logits", false, "an FTPO key"},
};
const char* kQuantFlags[][2] = {
    {"load_in_4bits", "4"}, {"load_in_6bits", "6"}, {"load_in_8bits", "8"}, {"load_in_mxfp4", "mxfp4"}};

bool truthy(const YAML::Node& n) {
    if (!n.IsDefined() || n.IsNull()) return false;
    if (n.IsScalar()) {
        std::string s = n.Scalar();
        return !(s == "false" || s == "False" || s == "no" || s == "off" || s == "0" || s.empty());
    }
    return n.size() > 0;
}

std::string kind_of(const YAML::Node& n) {
    return n.IsMap() ? "a mapping" : n.IsSequence() ? "a list" : "a value";
}

struct Loader {
    RunConfig& c;
    std::vector<Issue>& issues;

    static std::string at(int line) { return line > 0 ? " (line " + std::to_string(line) + ")" : ""; }

    void error(const std::string& key, int line, const std::string& message, const std::string& hint = {}) {
        issues.push_back({Severity::error, key, line, message, hint});
    }
    void warning(const std::string& key, int line, const std::string& message, const std::string& hint = {}) {
        issues.push_back({Severity::warning, key, line, message, hint});
    }

    void unknown(const std::string& key, int line, const std::vector<std::string>& candidates) {
        std::string near = did_you_mean(key, candidates);
        std::string msg = "unknown key '" + key + "'" + at(line);
        if (!near.empty()) msg += " — did you mean '" + near + "'?";
        error(key, line, msg, near.empty() ? "see docs/config.md for the keys" : "");
    }

    // Applies one value given as text; marks the key explicit and records its line.
    void apply(const KeySpec& k, const std::string& text, int line, const std::string& where) {
        // yaml-cpp can yield bytes that are not UTF-8 from UTF-8 text (a NUL makes it guess UTF-16/32)
        if (!utf8::is_valid(text)) {
            error(k.name, line, where + ": the value is not UTF-8 text", "");
            return;
        }
        try {
            k.set(c, text);
            c.origin.explicit_keys.insert(k.name);
            if (line > 0) c.origin.lines[k.name] = line;
        } catch (const InputError& e) {
            error(k.name, line, where + ": " + e.message, e.hint);
        }
    }

    // A YAML node for a plain key: scalars as text, lists for list keys.
    void apply_node(const KeySpec& k, const YAML::Node& n, int line) {
        std::string where = k.name + at(line);
        if (n.IsNull()) {  // `key:` / `key: null` ⇒ the default, as in mlx-lm-lora
            if (line > 0) c.origin.lines[k.name] = line;
            return;
        }
        bool list_key = k.type == KeyType::string_list || k.type == KeyType::real_list;
        if (n.IsSequence() && list_key) {
            std::vector<std::string> items;
            for (const auto& item : n) {
                if (!item.IsScalar()) {
                    error(k.name, line, where + ": expected " + expected_text(k) + ", got a list containing " +
                                            kind_of(item));
                    return;
                }
                items.push_back(item.Scalar());
            }
            if (k.type == KeyType::real_list) {
                std::string s = "[";
                for (size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + items[i];
                return apply(k, s + "]", line, where);
            }
            return apply(k, items.empty() ? "" : format_string_list(items), line, where);
        }
        if (n.IsMap() && k.type == KeyType::mapping) {
            try {
                k.set(c, yaml_to_json(n).dump());
                c.origin.explicit_keys.insert(k.name);
                c.origin.lines[k.name] = line;
            } catch (const InputError& e) {
                error(k.name, line, where + ": " + e.message, e.hint);
            }
            return;
        }
        if (!n.IsScalar()) {
            error(k.name, line, where + ": expected " + expected_text(k) + ", got " + kind_of(n));
            return;
        }
        apply(k, n.Scalar(), line, where);
    }

    void nested(const std::string& parent, const YAML::Node& n, int line) {
        if (n.IsNull()) return;
        if (!n.IsMap()) {
            error(parent, line, parent + at(line) + ": expected a mapping (key: value lines below it), got " + kind_of(n));
            return;
        }
        std::vector<std::string> subkeys;
        for (const auto& k : run_config_keys())
            if (k.name.rfind(parent + ".", 0) == 0) subkeys.push_back(k.name.substr(parent.size() + 1));
        std::map<std::string, int> seen;
        for (const auto& kv : n) {
            std::string sub = kv.first.Scalar();
            int l = kv.first.Mark().line + 1;
            if (seen.count(sub)) {
                error(parent + "." + sub, l, "duplicate key '" + parent + "." + sub + "'" + at(l) + ", first on line " +
                                                 std::to_string(seen[sub]));
                continue;
            }
            seen[sub] = l;
            const KeySpec* k = find_key(parent + "." + sub);
            if (!k) {
                std::string near = did_you_mean(sub, subkeys);
                std::string msg = "unknown key '" + parent + "." + sub + "'" + at(l);
                if (!near.empty()) msg += " — did you mean '" + parent + "." + near + "'?";
                error(parent + "." + sub, l, msg, near.empty() ? "known: " + format_string_list(subkeys) : "");
                continue;
            }
            apply_node(*k, kv.second, l);
        }
    }

    // lr_schedule: {name, warmup, warmup_init, arguments: [...]} (mlx-lm) or null (= constant).
    void lr_schedule(const YAML::Node& n, int line) {
        const KeySpec& name_key = *find_key("lr_schedule.name");
        if (n.IsNull()) {
            apply(name_key, "constant", line, "lr_schedule" + at(line));
            return;
        }
        if (!n.IsMap()) {
            error("lr_schedule", line, "lr_schedule" + at(line) +
                                           ": expected a mapping {name, warmup, warmup_init, arguments}, got " + kind_of(n));
            return;
        }
        const std::vector<std::string> subkeys = {"name", "warmup", "warmup_init", "arguments", "iters_fraction"};
        YAML::Node args;
        int args_line = line;
        for (const auto& kv : n) {
            std::string sub = kv.first.Scalar();
            int l = kv.first.Mark().line + 1;
            if (sub == "arguments") {
                args = kv.second;
                args_line = l;
            } else if (sub == "name" || sub == "warmup" || sub == "warmup_init" || sub == "iters_fraction") {
                apply_node(*find_key("lr_schedule." + sub), kv.second, l);
            } else {
                std::string near = did_you_mean(sub, subkeys);
                std::string msg = "unknown key 'lr_schedule." + sub + "'" + at(l);
                if (!near.empty()) msg += " — did you mean 'lr_schedule." + near + "'?";
                error("lr_schedule." + sub, l, msg, near.empty() ? "known: name, warmup, warmup_init, arguments" : "");
            }
        }
        if (!args.IsDefined() || args.IsNull()) return;
        std::string where = "lr_schedule.arguments" + at(args_line);
        if (!args.IsSequence()) {
            error("lr_schedule.arguments", args_line, where + ": expected a list [init, steps, end], got " + kind_of(args));
            return;
        }
        // Positions per schedule (mlx.optimizers signatures).
        ScheduleKind kind = c.lr_schedule.name;
        std::vector<std::string> slots;
        if (kind == ScheduleKind::linear_schedule) slots = {"init", "end", "steps"};
        else slots = {"init", "steps", "end"};
        size_t min_args = kind == ScheduleKind::linear_schedule ? 3 : kind == ScheduleKind::cosine_decay ? 2 : 1;
        if (args.size() < min_args || args.size() > 3) {
            error("lr_schedule.arguments", args_line,
                  where + ": " + std::string(enum_name(kind)) + " takes [" +
                      (kind == ScheduleKind::linear_schedule ? "init, end, steps" : "init, steps, end") + "], got " +
                      std::to_string(args.size()) + " values");
            return;
        }
        for (size_t i = 0; i < args.size(); ++i) {
            const YAML::Node& a = args[i];
            if (slots[i] == "steps" && a.IsMap()) {
                if (a.size() != 1 || !a["iters_fraction"]) {
                    error("lr_schedule.arguments", args_line, where + ": the steps entry must be a number or "
                                                                      "{iters_fraction: f}");
                    continue;
                }
                apply_node(*find_key("lr_schedule.iters_fraction"), a["iters_fraction"], args_line);
                apply(*find_key("lr_schedule.steps"), "0", args_line, where);
                continue;
            }
            if (!a.IsScalar()) {
                error("lr_schedule.arguments", args_line, where + ": entry " + std::to_string(i + 1) +
                                                              " must be a number, got " + kind_of(a));
                continue;
            }
            apply(*find_key("lr_schedule." + slots[i]), a.Scalar(), args_line, where + " entry " + std::to_string(i + 1));
        }
    }

    void top_level(const YAML::Node& root) {
        std::vector<std::string> candidates = key_names();
        for (const char* alias : {"dataset", "lora_parameters", "lr_schedule", "judge_config"}) candidates.push_back(alias);
        for (const auto& q : kQuantFlags) candidates.push_back(q[0]);
        std::map<std::string, int> seen;
        std::string quant_from_flags;
        int quant_line = 0;
        for (const auto& kv : root) {
            if (!kv.first.IsScalar()) {
                error("", kv.first.Mark().line + 1, "keys must be plain names" + at(kv.first.Mark().line + 1));
                continue;
            }
            std::string key = kv.first.Scalar();
            const YAML::Node& val = kv.second;
            int line = kv.first.Mark().line + 1;
            std::string canonical = key == "dataset" ? "data" : key;
            if (seen.count(canonical)) {
                error(canonical, line, "duplicate key '" + key + "'" + at(line) + ", first on line " +
                                           std::to_string(seen[canonical]),
                      key == "dataset" || canonical == "data" ? "data and dataset are the same key" : "");
                continue;
            }
            seen[canonical] = line;

            if (key == "lora_parameters" || key == "judge_config") {
                nested(key, val, line);
                continue;
            }
            if (key == "lr_schedule") {
                lr_schedule(val, line);
                continue;
            }
            bool is_flag = false;
            for (const auto& q : kQuantFlags) {
                if (key != q[0]) continue;
                is_flag = true;
                try {
                    if (!val.IsNull() && !val.IsScalar()) throw InputError("expected true or false");
                    if (!val.IsNull() && parse_bool(key, val.Scalar())) {
                        if (!quant_from_flags.empty())
                            error(key, line, key + at(line) + ": more than one load_in_* flag is true (also line " +
                                                 std::to_string(quant_line) + ")");
                        quant_from_flags = q[1];
                        quant_line = line;
                    }
                } catch (const InputError&) {
                    error(key, line, key + at(line) + ": expected true or false, got " +
                                         (val.IsScalar() ? "'" + val.Scalar() + "'" : kind_of(val)));
                }
            }
            if (is_flag) continue;
            bool foreign = false;
            for (const auto& f : kForeignKeys) {
                if (key != f.name) continue;
                foreign = true;
                std::string note = f.note.empty() ? "" : " (" + std::string(f.note) + ")";
                if (f.error_if_truthy && truthy(val))
                    error(key, line, "'" + key + "'" + at(line) + " is an mlx-lm-lora key that Reinforge does not "
                                                                  "support" + note);
                else
                    warning(key, line, "'" + key + "'" + at(line) + " is an mlx-lm-lora key that Reinforge does not "
                                                                    "use; ignored" + note);
            }
            if (foreign) continue;
            const KeySpec* k = find_key(canonical);
            if (!k) {
                unknown(key, line, candidates);
                continue;
            }
            apply_node(*k, val, line);
        }
        if (!quant_from_flags.empty()) {
            if (c.origin.explicit_keys.count("quantization") &&
                std::string(enum_name(c.quantization)) != quant_from_flags)
                error("quantization", quant_line,
                      "quantization (line " + std::to_string(c.origin.lines["quantization"]) + ") is '" +
                          std::string(enum_name(c.quantization)) + "' but load_in_* (line " +
                          std::to_string(quant_line) + ") asks for '" + quant_from_flags + "'",
                      "keep one of them");
            else
                apply(*find_key("quantization"), quant_from_flags, quant_line, "load_in_*" + at(quant_line));
        }
    }

    // --set key=value (after the file).
    void override_value(const std::string& set) {
        if (!utf8::is_valid(set)) {
            error("", 0, "--set " + utf8::repair(set) + ": not UTF-8 text", "");
            return;
        }
        size_t eq = set.find('=');
        std::string where = "--set " + set;
        if (eq == std::string::npos || eq == 0) {
            error("", 0, where + ": expected key=value", "e.g. --set learning_rate=2e-5");
            return;
        }
        std::string key = set.substr(0, eq), value = set.substr(eq + 1);
        if (key == "dataset") key = "data";
        for (const auto& q : kQuantFlags)
            if (key == q[0]) {
                try {
                    if (parse_bool(key, value)) return apply(*find_key("quantization"), q[1], 0, where);
                    if (std::string(enum_name(c.quantization)) == q[1])
                        return apply(*find_key("quantization"), "none", 0, where);
                    return;
                } catch (const InputError& e) {
                    return error(key, 0, where + ": " + e.message);
                }
            }
        const KeySpec* k = find_key(key);
        if (!k) {
            std::string near = did_you_mean(key, key_names());
            error(key, 0, where + ": unknown key '" + key + "'" + (near.empty() ? "" : " — did you mean '" + near + "'?"));
            return;
        }
        c.origin.lines.erase(k->name);  // the value no longer comes from the file
        apply(*k, value, 0, where);
    }
};

// ---- writing ----

bool looks_special(const std::string& s) {
    if (s.empty()) return true;
    static const char* words[] = {"null", "Null", "NULL", "~", "true", "True", "TRUE", "false", "False", "FALSE",
                                  "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
                                  "y", "Y", "n", "N"};
    for (const char* w : words)
        if (s == w) return true;
    double d = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), d);
    if (r.ptr == s.data() + s.size()) return true;
    if (s[0] == '+' || s[0] == '.' || s[0] == '-') return true;
    return false;
}

std::string scalar(const std::string& s) {
    YAML::Emitter em;
    if (looks_special(s) || s.find('\n') != std::string::npos) em << YAML::DoubleQuoted;
    em << s;
    return em.c_str();
}

// A scalar inside [..] or {..}: plain only when made of letters, digits and _ . / + - (scalar() still
// quotes what would read back as another type); anything else is double-quoted. The flow indicators
// ,[]{} end a plain scalar there (r1_accuracy_rew]ard_func did not read back), and yaml-cpp refuses
// '?', '%', '@', '`', '|', '>' in a flow plain scalar and reads '!x', '&x', '*x' as tags and anchors
// (?x*x*21judge_ did not read back: fuzz_run_config, issue 18 campaign).
std::string flow_scalar(const std::string& s) {
    const bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char ch) {
        const unsigned char c = static_cast<unsigned char>(ch);
        return (c < 0x80 && std::isalnum(c)) || c == '_' || c == '.' || c == '/' || c == '+' || c == '-';
    });
    if (plain) return scalar(s);
    YAML::Emitter em;
    em << YAML::DoubleQuoted << s;
    return em.c_str();
}

std::string flow_list(const std::vector<std::string>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + flow_scalar(v[i]);
    return s + "]";
}

std::string flow_json(const nlohmann::json& j) {
    if (j.is_object()) {
        std::string s = "{";
        bool first = true;
        for (const auto& [k, v] : j.items()) {
            s += (first ? "" : ", ") + flow_scalar(k) + ": " + flow_json(v);
            first = false;
        }
        return s + "}";
    }
    if (j.is_array()) {
        std::string s = "[";
        for (size_t i = 0; i < j.size(); ++i) s += (i ? ", " : "") + flow_json(j[i]);
        return s + "]";
    }
    if (j.is_string()) return flow_scalar(j.get<std::string>());
    if (j.is_boolean()) return j.get<bool>() ? "true" : "false";
    if (j.is_number_integer()) return j.dump();
    if (j.is_number_float()) return format_real(j.get<double>());
    return "null";
}

// One key's value in YAML.
std::string yaml_value(const RunConfig& c, const KeySpec& k) {
    switch (k.type) {
        case KeyType::string:
        case KeyType::text:
        case KeyType::path: return scalar(k.get(c));
        case KeyType::string_list: {
            auto v = parse_string_list(k.name, k.get(c));
            return flow_list(v);
        }
        case KeyType::mapping: return flow_json(c.optimizer_config);
        default: return k.get(c);
    }
}

}  // namespace

std::span<const ForeignKey> config_detail::foreign_keys() { return kForeignKeys; }

ParsedConfig parse_run_config(const std::string& yaml_text, const std::string& file_for_errors,
                              const std::vector<std::string>& sets) {
    ParsedConfig out;
    RunConfig& c = out.config;
    c.origin.file = file_for_errors;
    Loader loader{c, out.issues};
    bool readable = true;  // the text is a YAML mapping (else validating the empty result is only noise)
    // A run config is a few KB; yaml-cpp takes ~230 bytes of memory per byte of nested flow
    // collections ("[[[[…"), so a large text is refused before it is parsed.
    if (yaml_text.size() > kMaxRunConfigBytes) {
        loader.error("", 0, "the file is " + std::to_string(yaml_text.size()) + " bytes, more than the " +
                                std::to_string(kMaxRunConfigBytes >> 10) + " KiB a run config may have",
                     "a run config is a few KB of key: value lines; is this the right file?");
        readable = false;
    } else if (!utf8::is_valid(yaml_text)) {
        // YAML is Unicode text; bytes that are not UTF-8 would reach the JSON values and files a run writes.
        size_t bad = 0, line = 1;
        for (char32_t cp; size_t n = utf8::decode(yaml_text, bad, cp);) {
            if (cp == '\n') ++line;
            bad += n;
        }
        loader.error("", int(line), "the file is not UTF-8 text (an invalid byte on line " + std::to_string(line) + ")",
                     "save it as UTF-8");
        readable = false;
    } else try {
        YAML::Node root = YAML::Load(yaml_text);
        if (root.IsMap()) loader.top_level(root);
        else if (!root.IsNull()) {
            loader.error("", root.Mark().line + 1, "the file must be a mapping of keys (key: value lines), got " +
                                                      kind_of(root));
            readable = false;
        }
    } catch (const YAML::Exception& e) {
        int line = e.mark.is_null() ? 0 : e.mark.line + 1;
        loader.error("", line, "YAML syntax error" + Loader::at(line) + ": " + e.msg);
        readable = false;
    }
    for (const auto& s : sets) loader.override_value(s);
    resolve_defaults(c);
    if (readable)
        for (auto& issue : validate(c)) out.issues.push_back(std::move(issue));
    return out;
}

static RunConfig throw_or_return(ParsedConfig parsed, const std::string& file, std::vector<std::string>* warnings) {
    const Issue* first = nullptr;
    size_t errors = 0;
    for (const auto& i : parsed.issues) {
        if (i.severity != Severity::error) continue;
        if (!first) first = &i;
        ++errors;
    }
    if (first) {
        std::string msg = first->message;
        if (errors > 1) msg += " (and " + std::to_string(errors - 1) + " more errors; run reinforge-cli validate)";
        InputError e(file, 0, "", msg, first->hint);
        e.key = first->key;
        e.line = first->line;
        throw e;
    }
    if (warnings)
        for (const auto& i : parsed.issues) warnings->push_back(i.to_string(file));
    return std::move(parsed.config);
}

RunConfig load_config_with_overrides(const std::string& path, const std::vector<std::string>& sets,
                                     std::vector<std::string>* warnings) {
    std::error_code ec;
    if (const auto size = std::filesystem::file_size(path, ec); !ec && size > kMaxRunConfigBytes)  // not read whole
        throw InputError(path, 0, {}, "the file is " + std::to_string(size) + " bytes, more than the " +
                                          std::to_string(kMaxRunConfigBytes >> 10) + " KiB a run config may have",
                         "a run config is a few KB of key: value lines; is this the right file?");
    std::string text = read_file(path);
    return throw_or_return(parse_run_config(text, path, sets), path, warnings);
}

std::vector<std::string> set_args(const std::vector<std::string>& args) {
    std::vector<std::string> sets;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--set") {
            if (i + 1 >= args.size()) throw InputError({}, 0, "--set", "expects key=value", "--set learning_rate=2e-5");
            sets.push_back(args[++i]);
        } else if (args[i].rfind("--set=", 0) == 0) {
            sets.push_back(args[i].substr(6));
        }
    }
    return sets;
}

RunConfig load_run_config(const std::string& path, std::vector<std::string>* warnings) {
    return load_config_with_overrides(path, {}, warnings);
}

std::string to_yaml(const RunConfig& c) {
    std::string out = "# Reinforge run configuration. Every value is the resolved one (see docs/config.md).\n";
    const auto& keys = run_config_keys();
    std::string open_block;  // the nested block being written ("lora_parameters", …)
    KeyGroup group = KeyGroup::advanced;
    bool schedule_done = false;
    for (const auto& k : keys) {
        size_t dot = k.name.find('.');
        std::string parent = dot == std::string::npos ? "" : k.name.substr(0, dot);
        std::string sub = dot == std::string::npos ? k.name : k.name.substr(dot + 1);
        if (parent != open_block) open_block.clear();
        if (k.group != group && k.group != KeyGroup::advanced && open_block.empty()) {
            group = k.group;
            out += "\n# " + std::string(group_title(group)) + "\n";
        }
        if (parent == "lr_schedule") {
            if (schedule_done) continue;
            schedule_done = true;
            const LrSchedule& s = c.lr_schedule;
            std::string steps = s.steps > 0 ? std::to_string(s.steps) : "{iters_fraction: " + format_real(s.iters_fraction) + "}";
            std::string args = s.name == ScheduleKind::linear_schedule
                                   ? "[" + format_real(s.init) + ", " + format_real(s.end) + ", " + steps + "]"
                                   : "[" + format_real(s.init) + ", " + steps + ", " + format_real(s.end) + "]";
            out += "lr_schedule:\n  name: " + std::string(enum_name(s.name)) + "\n  warmup: " +
                   std::to_string(s.warmup) + "\n  warmup_init: " + format_real(s.warmup_init) +
                   "\n  arguments: " + args + "\n";
            if (s.steps > 0 && s.iters_fraction != 1.0) out += "  iters_fraction: " + format_real(s.iters_fraction) + "\n";
            continue;
        }
        if (!parent.empty()) {
            if (open_block != parent) {
                out += parent + ":\n";
                open_block = parent;
            }
            out += "  " + sub + ": " + yaml_value(c, k) + "\n";
            continue;
        }
        if (k.name == "data" && c.data.size() == 1) {
            out += "data: " + scalar(c.data[0]) + "\n";
            continue;
        }
        out += k.name + ": " + yaml_value(c, k) + "\n";
    }
    return out;
}

void save_run_config(const std::string& path, const RunConfig& cfg) { write_file_atomic(path, to_yaml(cfg)); }

}  // namespace rf
