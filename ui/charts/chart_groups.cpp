#include "charts/chart_groups.h"

#include <QObject>

namespace rf::ui {

QList<ChartGroup> chartGroupsInOrder() {
    QList<ChartGroup> out;
    for (MetricGroup g : metric_groups_in_order()) out.append(g);
    return out;
}

QString chartGroupId(ChartGroup g) {
    return QString::fromLatin1(metric_group_id(g));
}

QString chartGroupTitle(ChartGroup g) {
    return QObject::tr(metric_group_title(g));
}

ChartPlacement placeMetric(const QString& key) {
    const MetricPlacement m = place_metric(key.toStdString());
    return {m.group, QString::fromStdString(m.base), m.validation, m.right_axis};
}

QString legendLabel(const QString& key) {
    const MetricPlacement m = place_metric(key.toStdString());
    QString name = QString::fromStdString(m.label);
    if (m.right_axis) name += QObject::tr(" (right)");
    return name;
}

}  // namespace rf::ui
