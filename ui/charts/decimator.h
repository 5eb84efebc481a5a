// Keeps every point of one series (for CSV export) plus a bounded "display" version for the chart.
//
// Up to kMaxBuckets * 2 points are displayed as they are. Beyond that, consecutive points are grouped
// into buckets of `width` points and each bucket contributes its minimum and maximum (in x order), so
// spikes stay visible; when the buckets outgrow kMaxBuckets, pairs are merged and `width` doubles.
// Appending is amortised O(1); display() is O(kMaxBuckets).
#pragma once
#include <QList>
#include <QPointF>
#include <vector>

namespace rf::ui {

class Decimator {
public:
    static constexpr int kMaxBuckets = 300;  // <= 600 points drawn: more than a chart has pixels

    void append(const QPointF& p);
    void clear();
    const QList<QPointF>& raw() const { return m_raw; }
    QList<QPointF> display() const;
    int bucketWidth() const { return m_width; }
    double minY() const { return m_min_y; }
    double maxY() const { return m_max_y; }

private:
    struct Bucket {
        QPointF lo, hi;  // the points with the smallest and the largest y
        int count = 0;
    };
    void addToBuckets(const QPointF& p);
    void mergePairs();

    QList<QPointF> m_raw;
    std::vector<Bucket> m_buckets;
    int m_width = 1;
    double m_min_y = 0.0, m_max_y = 0.0;
};

}  // namespace rf::ui
