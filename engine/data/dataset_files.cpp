#include "data/dataset_files.h"

#include <algorithm>
#include <filesystem>

#include "core/error.h"
#include "data/dataset_hub.h"
#include "io/hf_cache.h"

namespace fs = std::filesystem;

namespace rf {

bool is_dataset_file(const std::string& name) {
    return name.ends_with(".jsonl") || name.ends_with(".json") || name.ends_with(".parquet");
}

namespace {

bool is_dir(const fs::path& p) {
    std::error_code ec;
    return fs::is_directory(p, ec);
}

std::vector<std::string> sorted_files_in(const fs::path& dir, const std::string& prefix) {
    std::vector<std::string> out;
    std::error_code ec;
    for (auto& e : fs::directory_iterator(dir, ec)) {
        std::string name = e.path().filename().string();
        if (name.rfind(prefix, 0) == 0 && is_dataset_file(name) && e.is_regular_file(ec)) out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

// The files of split `split` in `dir`: S.ext, else shards S-*.ext, else S/*.ext.
std::vector<std::string> split_files(const fs::path& dir, const std::string& split) {
    if (split.empty()) return {};
    for (const char* ext : {".jsonl", ".json", ".parquet"}) {
        fs::path p = dir / (split + ext);
        std::error_code ec;
        if (fs::is_regular_file(p, ec)) return {p.string()};
    }
    std::vector<std::string> shards = sorted_files_in(dir, split + "-");
    if (shards.empty() && is_dir(dir / split)) shards = sorted_files_in(dir / split, "");
    return shards;
}

bool find_in(const fs::path& dir, const DatasetSelect& sel, DatasetFiles& out) {
    out.train = split_files(dir, sel.train_split);
    if (out.train.empty()) return false;
    if (!sel.valid_split.empty()) {
        out.valid = split_files(dir, sel.valid_split);
    } else {
        out.valid = split_files(dir, "valid");
        if (out.valid.empty()) out.valid = split_files(dir, "validation");  // the Hub's usual name
    }
    out.test = split_files(dir, sel.test_split);
    out.origin = dir.string();
    return true;
}

bool find_in_or_data(const fs::path& dir, const DatasetSelect& sel, DatasetFiles& out) {
    return find_in(dir, sel, out) || find_in(dir / "data", sel, out);
}

// Subfolders (also under data/) that hold a train split: the dataset's configurations.
std::vector<std::string> configs_in(const fs::path& dir, const DatasetSelect& sel) {
    std::vector<std::string> out;
    for (const fs::path& base : {dir, dir / "data"}) {
        std::error_code ec;
        for (auto& e : fs::directory_iterator(base, ec)) {
            std::string name = e.path().filename().string();
            if (name == "data" || name.starts_with(".") || !e.is_directory(ec) || name == sel.train_split) continue;
            DatasetFiles probe;
            if (find_in_or_data(e.path(), sel, probe) && std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
}

std::string split_doc(const DatasetSelect& sel) {
    return sel.train_split + ".jsonl (or .json, .parquet, " + sel.train_split + "-*.parquet shards, " + sel.train_split +
           "/*.parquet), also under data/";
}

}  // namespace

DatasetFiles find_dataset_files(const std::string& path_or_id, const DatasetSelect& sel) {
    DatasetFiles out;
    if (path_or_id.empty()) throw InputError({}, 0, "data", "no dataset given", "set data: to a folder, a file or an HF dataset id");
    std::error_code ec;
    if (fs::is_regular_file(path_or_id, ec)) {
        if (!is_dataset_file(path_or_id))
            throw InputError(path_or_id, 0, "data", "not a dataset file", "a dataset file ends in .jsonl, .json or .parquet");
        out.train = {path_or_id};
        out.origin = path_or_id;
        return out;
    }
    fs::path dir;
    bool from_hub = false;
    if (is_dir(path_or_id)) {
        dir = path_or_id;
    } else {
        bool looks_like_path = path_or_id.find("./") == 0 || path_or_id.find('/') == 0 || is_dataset_file(path_or_id) ||
                               std::count(path_or_id.begin(), path_or_id.end(), '/') > 1;
        if (looks_like_path)
            throw InputError(path_or_id, 0, "data", "no such dataset folder or file",
                             "a folder with train.jsonl (valid.jsonl, test.jsonl optional), a .jsonl/.json/.parquet file, or an HF dataset id");
        dir = ensure_dataset(path_or_id, sel);  // the cached snapshot, downloaded when the wanted files are missing
        from_hub = true;
    }
    out.configs = configs_in(dir, sel);
    if (!sel.config.empty()) {
        for (const fs::path& base : {dir / sel.config, dir / "data" / sel.config})
            if (is_dir(base) && find_in_or_data(base, sel, out)) {
                out.config = sel.config;
                return out;
            }
        throw InputError(dir.string(), 0, "dataset_config", "the dataset has no configuration '" + sel.config + "' with a " + sel.train_split + " split",
                         out.configs.empty() ? "this dataset has no configurations: leave dataset_config empty"
                                             : "its configurations are: " + joined(out.configs));
    }
    if (find_in_or_data(dir, sel, out)) return out;
    if (out.configs.size() == 1) {
        DatasetSelect one = sel;
        one.config = out.configs.front();
        std::vector<std::string> configs = out.configs;
        out = find_dataset_files(dir.string(), one);
        out.configs = configs;
        return out;
    }
    if (out.configs.size() > 1)
        throw InputError(dir.string(), 0, "dataset_config", "the dataset has several configurations: " + joined(out.configs),
                         "set dataset_config: to one of them");
    throw InputError(dir.string(), 0, "data", std::string("the folder has no training split") + (from_hub ? " (downloaded from the Hub)" : ""),
                     "a dataset folder holds " + split_doc(sel));
}

}  // namespace rf
