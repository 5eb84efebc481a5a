#include "data/dataset_preview.h"

#include <cstdarg>
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "config/run_config.h"
#include "data/dataset_presets.h"
#include "io/parquet.h"

namespace fs = std::filesystem;

namespace rf {

namespace {

using nlohmann::json;

std::string json_type(const json& v) {
    if (v.is_string()) return "string";
    if (v.is_number_integer()) return "int64";
    if (v.is_number()) return "double";
    if (v.is_boolean()) return "bool";
    if (v.is_null()) return "null";
    if (v.is_array()) return v.empty() ? "list" : "list<" + json_type(v.front()) + ">";
    std::string s = "struct<";
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it, first = false) s += (first ? "" : ", ") + it.key() + ": " + json_type(*it);
    return s + ">";
}

// The parquet schema, or the first JSON row's keys (a JSON array file: its first element).
std::vector<std::pair<std::string, std::string>> columns_of(const std::string& file) {
    std::vector<std::pair<std::string, std::string>> out;
    if (file.ends_with(".parquet")) {
        for (const ParquetField& f : ParquetReader(file).fields()) out.emplace_back(f.name, f.type);
        return out;
    }
    std::FILE* fp = std::fopen(file.c_str(), "rb");
    if (!fp) return out;
    std::string line;
    for (int c; (c = std::fgetc(fp)) != EOF && c != '\n' && line.size() < (size_t(1) << 24);) line += char(c);
    std::fclose(fp);
    json row = json::parse(line, nullptr, false);
    if (row.is_array() && !row.empty()) row = row.front();
    if (!row.is_object()) return out;
    for (auto it = row.begin(); it != row.end(); ++it) out.emplace_back(it.key(), json_type(*it));
    return out;
}

// printf into a string
void appendf(std::string& out, const char* fmt, ...) {
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = std::vsnprintf(nullptr, 0, fmt, ap);
    va_end(ap);
    if (n > 0) {
        size_t at = out.size();
        out.resize(at + size_t(n) + 1);
        std::vsnprintf(out.data() + at, size_t(n) + 1, fmt, ap2);
        out.resize(at + size_t(n));
    }
    va_end(ap2);
}

std::string shown_files(const std::vector<std::string>& files, const std::string& origin) {
    std::string s;
    for (size_t i = 0; i < files.size() && i < 3; ++i) {
        std::string rel = fs::path(files[i]).lexically_relative(fs::path(origin)).string();
        if (rel == ".") rel = fs::path(files[i]).filename().string();  // a single-file dataset
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

}  // namespace

std::string preview_text(const DatasetPreview& p, const RunConfig& cfg, const ChatTemplate* tpl) {
    std::string out;
    if (!p.preset_note.empty()) appendf(out, "%s\n", p.preset_note.c_str());
    const DatasetFiles& f = p.files;
    appendf(out, "dataset: %s\n", f.origin.c_str());
    if (!f.configs.empty()) {
        std::string all;
        for (auto& c : f.configs) all += (all.empty() ? "" : ", ") + c;
        appendf(out, "configurations: %s (using: %s)\n", all.c_str(), f.config.empty() ? "-" : f.config.c_str());
    }
    appendf(out, "splits:\n");
    for (const auto& s : p.splits) {
        if (s.name == "valid" && p.carved_valid)
            appendf(out, "  %-6s none in the dataset: %zu training row(s) held out as one (valid_fraction %g, seed %d)\n", "valid",
                        p.carved_valid, cfg.valid_fraction, cfg.seed);
        else if (s.files.empty()) appendf(out, "  %-6s none\n", s.name.c_str());
        else appendf(out, "  %-6s %zu rows  %s\n", s.name.c_str(), s.rows, shown_files(s.files, f.origin).c_str());
    }
    if (p.skipped) appendf(out, "bad rows left out (skip_bad_rows): %zu\n", p.skipped);
    std::string cols;
    for (const auto& [name, type] : p.columns) cols += (cols.empty() ? "" : ", ") + name + " (" + type + ")";
    appendf(out, "columns: %s\n", cols.c_str());
    for (size_t i = 0; i < p.rows.size(); ++i) {
        const DatasetRow& r = p.rows[i];
        appendf(out, "\nrow %zu (%s:%d)\n", i + 1, fs::path(r.file).filename().c_str(), r.line);
        if (p.kind == DatasetKind::sft && !r.text.empty()) {
            appendf(out, "  text:\n%s\n", indent(r.text, "    ").c_str());
            continue;
        }
        std::vector<Message> conv = p.kind == DatasetKind::sft && !r.messages.empty() ? r.messages : prompt_messages(r, p.kind);
        if (tpl) appendf(out, "  prompt (templated):\n%s\n", indent(tpl->render(conv, true, cfg.enable_thinking), "    ").c_str());
        else
            for (const auto& m : conv) appendf(out, "  [%s]\n%s\n", m.role.c_str(), indent(m.content, "    ").c_str());
        if (!r.completion.empty()) appendf(out, "  completion:\n%s\n", indent(r.completion, "    ").c_str());
        if (p.kind != DatasetKind::sft) appendf(out, "  answer: %s\n", r.answer.c_str());
        if (!r.type.empty()) appendf(out, "  type: %s\n", r.type.c_str());
    }
    return out;
}

DatasetKind dataset_kind(const RunConfig& cfg) {
    return cfg.train_mode == TrainMode::sft ? DatasetKind::sft : cfg.train_mode == TrainMode::grpo ? DatasetKind::grpo : DatasetKind::prompts;
}

DatasetPreview preview_dataset(const std::string& data, const RunConfig& cfg, size_t rows, const HubProgressFn& progress) {
    DatasetPreview p;
    p.data = data;
    p.kind = dataset_kind(cfg);
    DatasetColumns cols = dataset_columns(cfg);
    DatasetOpen how;
    how.select.config = cfg.dataset_config;
    how.select.train_split = cfg.train_split;
    how.select.valid_split = cfg.valid_split;
    how.select.progress = progress;
    how.valid_fraction = cfg.valid_fraction;
    how.seed = uint64_t(cfg.seed);
    p.preset_note = apply_dataset_preset(data, cols, how.select);
    DatasetOptions opts;
    opts.skip_bad_rows = cfg.skip_bad_rows;
    DatasetSet set = open_dataset(data, cols, p.kind, opts, how);
    p.skipped = set.train.skipped() + set.valid.skipped() + set.test.skipped();
    p.files = set.files;
    p.carved_valid = set.carved_valid;
    p.splits = {{"train", set.train.size(), set.files.train},
                {"valid", set.valid.size(), set.files.valid},
                {"test", set.test.size(), set.files.test}};
    p.columns = columns_of(set.files.train.front());
    for (size_t i = 0; i < set.train.size() && i < rows; ++i) p.rows.push_back(set.train.row(i));
    return p;
}

}  // namespace rf
