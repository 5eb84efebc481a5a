// Where a dataset's splits are: a local folder, a single file, or an HF dataset id (found in the HF
// cache, else downloaded from the Hub: data/dataset_hub.h).
//
// A folder holds, per split S (train, valid or validation, test; the names are settable), one of
//   S.jsonl | S.json | S.parquet, shards S-*.{jsonl,json,parquet}, or S/*.{jsonl,json,parquet}
// (the Hub's parquet layout <config>/<split>/0000.parquet), at the top or under data/.
// A dataset with configurations (subsets) keeps each in a subfolder (openai/gsm8k: main/, socratic/);
// `config` picks one, and an unnamed config is the only one there is.
#pragma once
#include <string>
#include <vector>

#include "io/hub_client.h"

namespace rf {

struct DatasetSelect {
    std::string config;                 // dataset_config; "" = none, or the only one
    std::string train_split = "train";  // train_split
    std::string valid_split;            // valid_split; "" = valid, else validation
    std::string test_split = "test";
    HubProgressFn progress;             // download progress (an HF id that is not cached)
};

struct DatasetFiles {
    std::vector<std::string> train, valid, test;
    std::string origin;                // the folder (or file) the splits came from
    std::string config;                // the configuration used, "" when the dataset has none
    std::vector<std::string> configs;  // every configuration the dataset has (subfolders with a train split)
};

// Throws InputError naming what it looked for (and the configurations there are, when one must be chosen).
DatasetFiles find_dataset_files(const std::string& path_or_id, const DatasetSelect& sel = {});

// True for the file types a dataset split may be (.jsonl, .json, .parquet).
bool is_dataset_file(const std::string& name);

}  // namespace rf
