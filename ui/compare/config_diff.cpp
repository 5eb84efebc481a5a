#include "compare/config_diff.h"

namespace rf::ui {

QList<ConfigDiffRow> configDiff(const QList<RunConfig>& configs, bool all) {
    QList<ConfigDiffRow> differ, same, last;
    for (const KeySpec& spec : run_config_keys()) {
        ConfigDiffRow row;
        row.key = QString::fromStdString(spec.name);
        for (const RunConfig& c : configs) row.values << QString::fromStdString(get_value(c, spec.name));
        for (const QString& v : std::as_const(row.values)) row.differs |= v != row.values.front();
        if (row.key == QLatin1String("output_dir") || row.key == QLatin1String("run_name") || row.key == QLatin1String("adapter_path")) {
            if (row.differs || all) last << row;
        } else if (row.differs) {
            differ << row;
        } else if (all) {
            same << row;
        }
    }
    return differ + same + last;
}

}  // namespace rf::ui
