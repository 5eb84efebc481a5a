#include "data/dataset_preview.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "config/run_config.h"
#include "data/dataset_presets.h"
#include "io/parquet.h"

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

}  // namespace

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
    DatasetSet set = open_dataset(data, cols, p.kind, {}, how);
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
