#include "run/health_monitor.h"

namespace rf::ui {

void HealthMonitor::add(const MetricsRow& row) {
    StepMetrics m;
    m.reserve(size_t(row.values.size()));
    for (auto it = row.values.constBegin(); it != row.values.constEnd(); ++it)
        m.push_back({it.key().toStdString(), it.value()});
    m_engine.add(m);
}

QList<HealthWarning> HealthMonitor::warnings() const {
    QList<HealthWarning> out;
    for (const rf::HealthWarning& w : m_engine.warnings())
        out.append({QString::fromStdString(w.id), QString::fromStdString(w.text)});
    return out;
}

}  // namespace rf::ui
