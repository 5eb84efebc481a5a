// Hub API replies: the repo-info JSON (io/hub_client.h parse_repo_info) either parses (a 40-hex
// commit sha, files with paths) or throws HubNetworkError naming the URL.
#pragma once
#include "io/hub_client.h"
#include "fuzz_util.h"

namespace rf_fuzz {

inline void hub_repo_info(const uint8_t* data, size_t size) {
    try {
        rf::HubRepoInfo info = rf::parse_repo_info(text_of(data, size), "org/model", "model",
                                                   "https://huggingface.co/api/models/org/model/revision/main");
        if (info.sha.size() != 40) std::abort();
        for (const rf::HubFile& f : info.files) if (f.path.empty()) std::abort();
    } catch (const rf::HubNetworkError&) {
    }
}

}  // namespace rf_fuzz
