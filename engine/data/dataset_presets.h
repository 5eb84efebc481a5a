// Known Hub datasets work out of the box: their column mapping, answer pattern and configuration
// are filled in when the run leaves those keys at their defaults (prompt_feature "prompt",
// answer_feature "answer", answer_pattern "", dataset_config ""). A key the user set always wins.
#pragma once
#include <string>

#include "data/dataset_columns.h"
#include "data/dataset_files.h"

namespace rf {

// Applies the preset of dataset `id` (an HF id; a path never matches) to `cols` and `sel`. Returns
// a line for the run log saying what was filled in, or "" when nothing was.
std::string apply_dataset_preset(const std::string& id, DatasetColumns& cols, DatasetSelect& sel);

}  // namespace rf
