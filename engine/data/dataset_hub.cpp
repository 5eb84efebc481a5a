#include "data/dataset_hub.h"

#include <algorithm>
#include <set>

#include "core/error.h"
#include "io/hf_cache.h"

namespace rf {

namespace {

std::string first_component(const std::string& path) {
    size_t slash = path.find('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

std::string joined(const std::set<std::string>& v) {
    std::string s;
    for (auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
}

}  // namespace

std::vector<std::string> select_dataset_files(const std::string& id, const std::vector<HubFile>& files, const DatasetSelect& sel) {
    std::vector<std::string> data;
    for (const HubFile& f : files)
        if (is_dataset_file(f.path) && f.path.find("/.") == std::string::npos && !f.path.starts_with(".")) data.push_back(f.path);
    if (data.empty())
        throw InputError(id, 0, "data", "the dataset repo holds no .jsonl, .json or .parquet files",
                         "Reinforge reads data files, not dataset loading scripts");
    // configs: first folder of a path (under data/ the second), when that folder is not a split's
    std::set<std::string> configs;
    std::vector<std::string> top;
    for (const std::string& p : data) {
        std::string rest = p.starts_with("data/") ? p.substr(5) : p;
        std::string c = first_component(rest);
        bool split_folder = c == sel.train_split || c == "valid" || c == "validation" || c == "test" || c == sel.valid_split;
        if (c.empty() || split_folder) top.push_back(p);
        else configs.insert(c);
    }
    std::string config = sel.config;
    if (config.empty() && top.empty()) {
        if (configs.size() > 1)
            throw InputError(id, 0, "dataset_config", "the dataset has several configurations: " + joined(configs), "set dataset_config: to one of them");
        config = *configs.begin();
    }
    if (config.empty()) return top;
    if (!configs.count(config))
        throw InputError(id, 0, "dataset_config", "the dataset has no configuration '" + config + "'",
                         configs.empty() ? "this dataset has no configurations: leave dataset_config empty"
                                         : "its configurations are: " + joined(configs));
    std::vector<std::string> out;
    for (const std::string& p : data)
        if (p.starts_with(config + "/") || p.starts_with("data/" + config + "/")) out.push_back(p);
    return out;
}

std::string ensure_dataset(const std::string& id, const DatasetSelect& sel) {
    std::string not_cached;
    try {
        std::string dir = resolve_dataset_dir(id);
        find_dataset_files(dir, sel);  // throws when the wanted configuration is not (fully) cached
        return dir;
    } catch (const InputError& e) {
        if (hub_offline()) throw;
        not_cached = e.message;
    }
    try {
        HubOptions opts;
        opts.repo_type = "dataset";
        HubRepoInfo info = hub_repo_info(id, opts);
        opts.include = select_dataset_files(id, info.files, sel);
        return hub_download(id, opts, sel.progress);
    } catch (const HubNetworkError& e) {
        // not on this machine and the Hub cannot be reached: say both, as one input problem
        throw InputError(id, 0, "data", not_cached + "\nand the download failed: " + std::string(e.what()),
                         "check the network and HF_ENDPOINT, or give a local folder or file");
    }
}

}  // namespace rf
