#include "config/run_config_diff.h"

namespace rf {

std::vector<ConfigDiffRow> config_diff(const std::vector<RunConfig>& configs, bool all) {
    std::vector<ConfigDiffRow> differ, same, last;
    for (const KeySpec& spec : run_config_keys()) {
        ConfigDiffRow row;
        row.key = spec.name;
        for (const RunConfig& c : configs) row.values.push_back(get_value(c, spec.name));
        for (const std::string& v : row.values) row.differs = row.differs || v != row.values.front();
        const bool where = row.key == "output_dir" || row.key == "run_name" || row.key == "adapter_path";
        if (where) {
            if (row.differs || all) last.push_back(row);
        } else if (row.differs) {
            differ.push_back(row);
        } else if (all) {
            same.push_back(row);
        }
    }
    differ.insert(differ.end(), same.begin(), same.end());
    differ.insert(differ.end(), last.begin(), last.end());
    return differ;
}

}  // namespace rf
