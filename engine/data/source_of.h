// Where a model or dataset a run names would come from, in one line for the GUI's pickers: a local
// folder or file, the Hugging Face cache (and which snapshot), or the Hub — with what a run would
// download (files and bytes, asked from the Hub's API: this may take seconds, so the GUI calls it
// off its thread). Never downloads. Offline (HF_HUB_OFFLINE) the Hub is not asked.
#pragma once
#include <string>

#include "data/dataset_files.h"

namespace rf {

std::string describe_model_source(const std::string& id_or_path);
// `sel`: the configuration and splits the run would read (dataset_config, …).
std::string describe_dataset_source(const std::string& id_or_path, const DatasetSelect& sel = {});

}  // namespace rf
