// What changed between runs: every key of the key table (run_config_keys()) whose resolved value
// (get_value) differs between the configs. Used by `reinforge-cli compare` and the GUI's Compare tab.
#pragma once
#include <string>
#include <vector>

#include "config/run_config.h"

namespace rf {

struct ConfigDiffRow {
    std::string key;
    std::vector<std::string> values;  // one per config
    bool differs = false;
};

// Rows in the key table's order, the keys that differ first; with `all`, the equal keys follow.
// Where a run's files live (output_dir, run_name, adapter_path) always differs: it comes last.
std::vector<ConfigDiffRow> config_diff(const std::vector<RunConfig>& configs, bool all = false);

}  // namespace rf
