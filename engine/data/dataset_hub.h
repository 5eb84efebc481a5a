// HF dataset ids: the cached snapshot when it already holds the wanted configuration's splits,
// else the data files of that configuration downloaded from the Hub (io/hub_client.h).
#pragma once
#include <string>
#include <vector>

#include "data/dataset_files.h"
#include "io/hub_client.h"

namespace rf {

// The repo files a run needs, from the repo's file list: the data files (.jsonl, .json, .parquet)
// of the selected configuration — the files under `<config>/` (or `data/<config>/`) when a config
// is named; else the top-level and data/ files; else the only configuration's. Throws InputError
// listing the configurations when one must be chosen, or when the repo holds no data files.
std::vector<std::string> select_dataset_files(const std::string& id, const std::vector<HubFile>& files, const DatasetSelect& sel);

// The local folder of dataset `id` (see above). Offline (HF_HUB_OFFLINE) a dataset that is not
// cached is an InputError saying so.
std::string ensure_dataset(const std::string& id, const DatasetSelect& sel);

}  // namespace rf
