// A chart's exports (MetricChart, metric_chart.h): right-click → PNG or CSV (every point, one row
// per step), written atomically (QSaveFile).
#include <QContextMenuEvent>
#include <QFileDialog>
#include <QImage>
#include <QMenu>
#include <QMessageBox>
#include <QSaveFile>
#include <QTextStream>
#include <map>

#include "charts/metric_chart.h"

namespace rf::ui {

QString MetricChart::csv() const {
    // one row per step, one column per line (empty cell where a line has no value at that step)
    std::map<double, QStringList> rows;
    const int n = int(m_order.size());
    for (int c = 0; c < n; ++c) {
        const Line& line = *m_lines.constFind(m_order[c]);
        for (const QPointF& p : line.data.raw()) {
            QStringList& row = rows[p.x()];
            if (row.isEmpty()) {
                row.reserve(n);
                for (int k = 0; k < n; ++k) row.append(QString());
            }
            row[c] = QString::number(p.y(), 'g', 17);
        }
    }
    QString out;
    QTextStream s(&out);
    s << "step";
    for (const QString& key : m_order) s << ',' << key;
    s << '\n';
    for (const auto& [step, row] : rows) s << QString::number(step, 'g', 17) << ',' << row.join(',') << '\n';
    return out;
}

bool MetricChart::exportCsv(const QString& path, QString* error) const {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        if (error) *error = tr("Cannot write file %1:\n%2.").arg(path, file.errorString());
        return false;
    }
    file.write(csv().toUtf8());
    if (!file.commit()) {
        if (error) *error = tr("Cannot write file %1:\n%2.").arg(path, file.errorString());
        return false;
    }
    return true;
}

bool MetricChart::exportPng(const QString& path, QString* error) {
    const QImage image = grab().toImage();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || !image.save(&file, "PNG") || !file.commit()) {
        if (error) *error = tr("Cannot write file %1:\n%2.").arg(path, file.errorString());
        return false;
    }
    return true;
}

void MetricChart::exportWithDialog(bool png) {
    QString base = title().section(' ', 0, 0).toLower();
    const QString filter = png ? tr("PNG image (*.png)") : tr("CSV table (*.csv)");
    const QString path = QFileDialog::getSaveFileName(this, png ? tr("Export chart as PNG") : tr("Export chart as CSV"),
                                                      base + (png ? ".png" : ".csv"), filter);
    if (path.isEmpty()) return;
    QString error;
    const bool ok = png ? exportPng(path, &error) : exportCsv(path, &error);
    if (!ok) QMessageBox::warning(this, tr("Export failed"), error);
}

void MetricChart::contextMenuEvent(QContextMenuEvent* event) {
    QMenu menu(this);
    QAction* png = menu.addAction(tr("Export PNG…"));
    QAction* csv = menu.addAction(tr("Export CSV…"));
    png->setObjectName("exportPngAction");
    csv->setObjectName("exportCsvAction");
    QAction* chosen = menu.exec(event->globalPos());
    if (chosen == png) exportWithDialog(true);
    if (chosen == csv) exportWithDialog(false);
}

}  // namespace rf::ui
