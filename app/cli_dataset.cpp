// reinforge-cli dataset ID_OR_PATH | CONFIG.yaml [--set key=value …] [--rows N]
// Shows a dataset as a run will see it (data/dataset_preview.h): its configurations, splits (files,
// row counts; a missing validation split and what the run holds out instead), columns with their
// types, and the first rows after column mapping and answer_pattern — the prompt as messages, and
// templated with the model's chat template when a CONFIG.yaml names a model. An HF id that is not
// cached is downloaded. Without a CONFIG.yaml the rows are read as GRPO reads them (--set
// train_mode=sft etc. to change).
#include <cstdio>
#include <filesystem>

#include "cli_command.h"
#include "cli_progress.h"
#include "config/run_config.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "data/dataset_preview.h"
#include "io/hub_client.h"
#include "text/chat_template.h"

namespace fs = std::filesystem;

namespace {

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

void print_preview(const rf::DatasetPreview& p, const rf::RunConfig& cfg, const rf::ChatTemplate* tpl) {
    if (!p.preset_note.empty()) std::printf("%s\n", p.preset_note.c_str());
    const rf::DatasetFiles& f = p.files;
    std::printf("dataset: %s\n", f.origin.c_str());
    if (!f.configs.empty()) {
        std::string all;
        for (auto& c : f.configs) all += (all.empty() ? "" : ", ") + c;
        std::printf("configurations: %s (using: %s)\n", all.c_str(), f.config.empty() ? "-" : f.config.c_str());
    }
    std::printf("splits:\n");
    for (const auto& s : p.splits) {
        if (s.name == "valid" && p.carved_valid)
            std::printf("  %-6s none in the dataset: %zu training row(s) held out as one (valid_fraction %g, seed %d)\n", "valid",
                        p.carved_valid, cfg.valid_fraction, cfg.seed);
        else if (s.files.empty()) std::printf("  %-6s none\n", s.name.c_str());
        else std::printf("  %-6s %zu rows  %s\n", s.name.c_str(), s.rows, shown_files(s.files, f.origin).c_str());
    }
    std::string cols;
    for (const auto& [name, type] : p.columns) cols += (cols.empty() ? "" : ", ") + name + " (" + type + ")";
    std::printf("columns: %s\n", cols.c_str());
    for (size_t i = 0; i < p.rows.size(); ++i) {
        const rf::DatasetRow& r = p.rows[i];
        std::printf("\nrow %zu (%s:%d)\n", i + 1, fs::path(r.file).filename().c_str(), r.line);
        if (p.kind == rf::DatasetKind::sft && !r.text.empty()) {
            std::printf("  text:\n%s\n", indent(r.text, "    ").c_str());
            continue;
        }
        std::vector<rf::Message> conv = p.kind == rf::DatasetKind::sft && !r.messages.empty() ? r.messages : rf::prompt_messages(r, p.kind);
        if (tpl) std::printf("  prompt (templated):\n%s\n", indent(tpl->render(conv, true, cfg.enable_thinking), "    ").c_str());
        else
            for (const auto& m : conv) std::printf("  [%s]\n%s\n", m.role.c_str(), indent(m.content, "    ").c_str());
        if (!r.completion.empty()) std::printf("  completion:\n%s\n", indent(r.completion, "    ").c_str());
        if (p.kind != rf::DatasetKind::sft) std::printf("  answer: %s\n", r.answer.c_str());
        if (!r.type.empty()) std::printf("  type: %s\n", r.type.c_str());
    }
}

int run_dataset(const std::vector<std::string>& args) {
    auto pos = rf::cli::positionals(args, {"--set", "--rows"});
    if (pos.size() != 1)
        throw rf::InputError({}, 0, "dataset", "expects one dataset (an HF id, a folder or a file) or a CONFIG.yaml",
                             "reinforge-cli dataset openai/gsm8k --set dataset_config=main");
    std::string rows_text = rf::cli::flag_value(args, "--rows", "3");
    if (rows_text.empty() || rows_text.find_first_not_of("0123456789") != std::string::npos || rows_text.size() > 6)
        throw rf::InputError({}, 0, "--rows", "expected a number of rows, got '" + rows_text + "'");
    const std::string& arg = pos[0];
    bool is_config = arg.ends_with(".yaml") || arg.ends_with(".yml");
    std::string yaml = is_config ? rf::read_file(arg) : "train_mode: grpo\n";
    rf::ParsedConfig parsed = rf::parse_run_config(yaml, is_config ? arg : "(command line)", rf::set_args(args));
    rf::RunConfig& cfg = parsed.config;
    if (!is_config) cfg.data = {arg};
    if (cfg.data.empty()) throw rf::InputError(arg, 0, "data", "the config names no dataset");

    rf::cli::DownloadBar bar;
    auto progress = [&](const rf::HubProgress& p) { return bar.update(p); };
    std::unique_ptr<rf::ChatTemplate> tpl;
    if (is_config && !cfg.model.empty())
        tpl = std::make_unique<rf::ChatTemplate>(rf::ChatTemplate::from_dir(rf::ensure_model(cfg.model, progress)));
    bar.finish();
    for (const std::string& data : cfg.data) {
        rf::DatasetPreview p = rf::preview_dataset(data, cfg, std::stoul(rows_text), progress);
        bar.finish();
        print_preview(p, cfg, tpl.get());
    }
    return 0;
}

rf::cli::Register reg{"dataset", "show a dataset's configurations, splits, columns and first rows as a run sees them",
                      "dataset ID_OR_PATH | CONFIG.yaml [--set key=value ...] [--rows N]", &run_dataset};

}  // namespace
