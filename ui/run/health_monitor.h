// The GUI's view of the engine's health rules (engine/rl/health.h, SPEC §12): the same monitor the
// CLI uses, fed with the GUI's metric rows.
#pragma once
#include <QList>
#include <QString>

#include "rl/health.h"
#include "run_types.h"

namespace rf::ui {

struct HealthWarning {
    QString id;    // nonfinite, no_signal, clipping, kl_drift, truncated, judge
    QString text;  // one sentence saying what is wrong and what to change
};

class HealthMonitor {
public:
    static constexpr int kWindow = rf::HealthMonitor::kWindow;

    void add(const MetricsRow& row);  // validation-only rows are ignored
    void clear() { m_engine.clear(); }
    QList<HealthWarning> warnings() const;

private:
    rf::HealthMonitor m_engine;
};

}  // namespace rf::ui
