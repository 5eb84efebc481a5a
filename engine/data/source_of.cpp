#include "data/source_of.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <fnmatch.h>

#include "core/error.h"
#include "core/human_bytes.h"
#include "data/dataset_hub.h"
#include "data/dataset_presets.h"
#include "io/hf_cache.h"
#include "io/hub_client.h"

namespace fs = std::filesystem;

namespace rf {

namespace {

bool local(const std::string& v, std::string& note) {
    std::error_code ec;
    if (fs::is_directory(v, ec)) return note = "Local folder", true;
    if (fs::is_regular_file(v, ec)) return note = "Local file", true;
    return false;
}

bool looks_like_id(const std::string& v) { return valid_repo_id(v.substr(0, v.find('@'))); }  // ORG/NAME[@REV]

// "Not on this computer: a run downloads N files (X) from ENDPOINT", or why the Hub cannot say.
// `choose` picks the files a run fetches from the repo's list (it may throw InputError).
std::string remote(const std::string& id, const std::string& repo_type,
                   const std::function<std::vector<HubFile>(const std::vector<HubFile>&)>& choose) {
    if (!looks_like_id(id)) return "Not found: no such folder or file";
    if (hub_offline()) return "Not on this computer, and HF_HUB_OFFLINE is set: a run cannot download it";
    HubOptions opts;
    opts.repo_type = repo_type;
    opts.timeout_s = 5;
    opts.retries = 0;
    try {
        std::vector<HubFile> files = choose(hub_repo_info(id, opts).files);
        int64_t bytes = 0;
        for (const HubFile& f : files) bytes += std::max<int64_t>(0, f.size);
        return "Not on this computer: a run downloads " + std::to_string(files.size()) + " file" + (files.size() == 1 ? "" : "s") +
               " (" + human_bytes(bytes) + ") from " + hub_endpoint() + " into " + hf_hub_cache_dir();
    } catch (const InputError& e) {
        return "Not on this computer, and the Hub says: " + e.message + (e.hint.empty() ? "" : " (" + e.hint + ")");
    } catch (const std::exception& e) {
        return std::string("Not on this computer; the Hub could not be asked (") + e.what() + "): a run will try to download it";
    }
}

}  // namespace

std::string describe_model_source(const std::string& v) {
    std::string note;
    if (local(v, note)) return note;
    try {
        return "In the Hugging Face cache: " + resolve_model_dir(v);
    } catch (const InputError&) {
    }
    std::vector<std::string> patterns = hub_model_patterns();
    return remote(v, "model", [&](const std::vector<HubFile>& all) {
        std::vector<HubFile> out;
        for (const HubFile& f : all)
            for (const auto& p : patterns)
                if (::fnmatch(p.c_str(), f.path.c_str(), 0) == 0) {
                    out.push_back(f);
                    break;
                }
        return out;
    });
}

std::string describe_dataset_source(const std::string& v, const DatasetSelect& selected) {
    DatasetSelect sel = selected;
    DatasetColumns unused;
    apply_dataset_preset(v, unused, sel);  // openai/gsm8k: configuration main
    std::string note;
    if (local(v, note)) return note;
    try {
        std::string dir = resolve_dataset_dir(v);
        try {
            find_dataset_files(dir, sel);
            return "In the Hugging Face cache: " + dir;
        } catch (const InputError& e) {
            if (hub_offline()) return "In the Hugging Face cache, but: " + e.message;
        }
    } catch (const InputError&) {
    }
    return remote(v, "dataset", [&](const std::vector<HubFile>& all) {
        std::vector<std::string> wanted = select_dataset_files(v, all, sel);
        std::vector<HubFile> out;
        for (const HubFile& f : all)
            if (std::find(wanted.begin(), wanted.end(), f.path) != wanted.end()) out.push_back(f);
        return out;
    });
}

}  // namespace rf
