// reinforge-cli dataset ID_OR_PATH | CONFIG.yaml [--set key=value …] [--rows N]
// Shows a dataset as a run will see it: its configurations, splits (files, row counts; a missing
// validation split and what the run holds out instead), columns with their types, and the first
// rows after column mapping and answer_pattern — the prompt as messages, and templated with the
// model's chat template when a CONFIG.yaml names a model. An HF id that is not cached is downloaded.
// Without a CONFIG.yaml the rows are read as GRPO reads them (--set train_mode=sft etc. to change).
#include <cmath>
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "cli_command.h"
#include "cli_progress.h"
#include "config/run_config.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "data/dataset.h"
#include "data/dataset_presets.h"
#include "io/hub_client.h"
#include "io/parquet.h"
#include "text/chat_template.h"

namespace fs = std::filesystem;

namespace {

using nlohmann::json;

std::string json_type(const json& v) {
    if (v.is_string()) return "string";
    if (v.is_number_integer()) return "int";
    if (v.is_number()) return "float";
    if (v.is_boolean()) return "bool";
    if (v.is_null()) return "null";
    if (v.is_array()) {
        if (v.empty()) return "list";
        return "list<" + json_type(v.front()) + ">";
    }
    std::string s = "struct<";
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it, first = false) s += (first ? "" : ", ") + it.key() + ": " + json_type(*it);
    return s + ">";
}

// "name (type), …" of a split file: the parquet schema, or the first JSON row's keys.
std::string columns_of(const std::string& file) {
    std::string out;
    if (file.ends_with(".parquet")) {
        for (const rf::ParquetField& f : rf::ParquetReader(file).fields()) out += (out.empty() ? "" : ", ") + f.name + " (" + f.type + ")";
        return out;
    }
    std::FILE* fp = std::fopen(file.c_str(), "rb");
    if (!fp) return "?";
    std::string line;
    for (int c; (c = std::fgetc(fp)) != EOF && c != '\n' && line.size() < (1u << 24);) line += char(c);
    std::fclose(fp);
    json row = json::parse(line, nullptr, false);
    if (!row.is_object()) return "(not JSON Lines: the rows are converted)";
    for (auto it = row.begin(); it != row.end(); ++it) out += (out.empty() ? "" : ", ") + it.key() + " (" + json_type(*it) + ")";
    return out;
}

std::string shown_files(const std::vector<std::string>& files, const std::string& origin) {
    std::string s;
    for (size_t i = 0; i < files.size() && i < 3; ++i) {
        std::string rel = fs::path(files[i]).lexically_relative(fs::path(origin)).string();
        s += (i ? ", " : "") + (rel.empty() || rel.starts_with("..") ? files[i] : rel);
    }
    if (files.size() > 3) s += ", … (" + std::to_string(files.size()) + " files)";
    return s;
}

std::string indent(const std::string& text, const std::string& pad) {
    std::string out = pad;
    for (char c : text) {
        out += c;
        if (c == '\n') out += pad;
    }
    return out;
}

int run_dataset(const std::vector<std::string>& args) {
    auto pos = rf::cli::positionals(args, {"--set", "--rows"});
    if (pos.size() != 1)
        throw rf::InputError({}, 0, "dataset", "expects one dataset (an HF id, a folder or a file) or a CONFIG.yaml",
                             "reinforge-cli dataset openai/gsm8k --set dataset_config=main --set answer_pattern=gsm8k");
    int rows = std::stoi(rf::cli::flag_value(args, "--rows", "3"));
    const std::string& arg = pos[0];
    bool is_config = arg.ends_with(".yaml") || arg.ends_with(".yml");
    std::string yaml = is_config ? rf::read_file(arg) : "train_mode: grpo\n";
    rf::ParsedConfig parsed = rf::parse_run_config(yaml, is_config ? arg : "(command line)", rf::set_args(args));
    rf::RunConfig& cfg = parsed.config;
    if (!is_config) cfg.data = {arg};
    if (cfg.data.empty()) throw rf::InputError(arg, 0, "data", "the config names no dataset");

    rf::cli::DownloadBar bar;
    rf::DatasetKind kind = cfg.train_mode == rf::TrainMode::sft ? rf::DatasetKind::sft
                         : cfg.train_mode == rf::TrainMode::grpo ? rf::DatasetKind::grpo : rf::DatasetKind::prompts;
    rf::DatasetOpen how;
    how.select.config = cfg.dataset_config;
    how.select.train_split = cfg.train_split;
    how.select.valid_split = cfg.valid_split;
    how.select.progress = [&](const rf::HubProgress& p) { return bar.update(p); };
    how.valid_fraction = cfg.valid_fraction;
    how.seed = uint64_t(cfg.seed);
    std::unique_ptr<rf::ChatTemplate> tpl;
    if (is_config && !cfg.model.empty())
        tpl = std::make_unique<rf::ChatTemplate>(rf::ChatTemplate::from_dir(rf::ensure_model(cfg.model, how.select.progress)));

    for (const std::string& data : cfg.data) {
        rf::DatasetColumns cols = rf::dataset_columns(cfg);
        rf::DatasetOpen dhow = how;
        if (std::string note = rf::apply_dataset_preset(data, cols, dhow.select); !note.empty()) std::printf("%s\n", note.c_str());
        rf::DatasetSet set = rf::open_dataset(data, cols, kind, {}, dhow);
        bar.finish();
        const rf::DatasetFiles& f = set.files;
        std::printf("dataset: %s\n", f.origin.c_str());
        if (!f.configs.empty()) {
            std::string all;
            for (auto& c : f.configs) all += (all.empty() ? "" : ", ") + c;
            std::printf("configurations: %s (using: %s)\n", all.c_str(), f.config.empty() ? "-" : f.config.c_str());
        }
        auto split_line = [&](const char* name, const rf::Dataset& d, const std::vector<std::string>& files) {
            if (files.empty() && d.empty()) {
                std::printf("  %-6s none\n", name);
                return;
            }
            std::printf("  %-6s %zu rows  %s\n", name, d.size(), files.empty() ? "" : shown_files(files, f.origin).c_str());
        };
        std::printf("splits:\n");
        split_line("train", set.train, f.train);
        if (set.carved_valid)
            std::printf("  %-6s none in the dataset: %zu training row(s) held out as one (valid_fraction %g, seed %d)\n", "valid",
                        set.carved_valid, cfg.valid_fraction, cfg.seed);
        else split_line("valid", set.valid, f.valid);
        split_line("test", set.test, f.test);
        std::printf("columns: %s\n", columns_of(f.train.front()).c_str());
        for (size_t i = 0; i < set.train.size() && int(i) < rows; ++i) {
            rf::DatasetRow r = set.train.row(i);
            std::printf("\nrow %zu (%s:%d)\n", i + 1, fs::path(r.file).filename().c_str(), r.line);
            if (kind == rf::DatasetKind::sft && !r.text.empty()) {
                std::printf("  text:\n%s\n", indent(r.text, "    ").c_str());
                continue;
            }
            std::vector<rf::Message> conv = rf::prompt_messages(r, kind);
            if (kind == rf::DatasetKind::sft && !r.messages.empty()) conv = r.messages;
            if (tpl) std::printf("  prompt (templated):\n%s\n", indent(tpl->render(conv, true, cfg.enable_thinking), "    ").c_str());
            else
                for (const auto& m : conv) std::printf("  [%s]\n%s\n", m.role.c_str(), indent(m.content, "    ").c_str());
            if (!r.completion.empty()) std::printf("  completion:\n%s\n", indent(r.completion, "    ").c_str());
            if (kind != rf::DatasetKind::sft) std::printf("  answer: %s\n", r.answer.c_str());
            if (!r.type.empty()) std::printf("  type: %s\n", r.type.c_str());
        }
    }
    return 0;
}

rf::cli::Register reg{"dataset", "show a dataset's configurations, splits, columns and first rows as a run sees them",
                      "dataset ID_OR_PATH | CONFIG.yaml [--set key=value ...] [--rows N]", &run_dataset};

}  // namespace
