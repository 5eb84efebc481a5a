#include "charts/decimator.h"

#include <cmath>

namespace rf::ui {

void Decimator::append(const QPointF& p) {
    if (!std::isfinite(p.y())) return;  // NaN/Inf are reported by the health warnings, not drawn
    if (m_raw.isEmpty()) {
        m_min_y = m_max_y = p.y();
    } else {
        m_min_y = std::min(m_min_y, p.y());
        m_max_y = std::max(m_max_y, p.y());
    }
    m_raw.append(p);
    addToBuckets(p);
}

void Decimator::clear() {
    m_raw.clear();
    m_buckets.clear();
    m_width = 1;
    m_min_y = m_max_y = 0.0;
}

void Decimator::addToBuckets(const QPointF& p) {
    if (m_buckets.empty() || m_buckets.back().count >= m_width) {
        m_buckets.push_back({p, p, 1});
    } else {
        Bucket& b = m_buckets.back();
        if (p.y() < b.lo.y()) b.lo = p;
        if (p.y() > b.hi.y()) b.hi = p;
        ++b.count;
    }
    if (int(m_buckets.size()) > kMaxBuckets) mergePairs();
}

void Decimator::mergePairs() {
    std::vector<Bucket> merged;
    merged.reserve(m_buckets.size() / 2 + 1);
    for (size_t i = 0; i < m_buckets.size(); i += 2) {
        Bucket b = m_buckets[i];
        if (i + 1 < m_buckets.size()) {
            const Bucket& c = m_buckets[i + 1];
            if (c.lo.y() < b.lo.y()) b.lo = c.lo;
            if (c.hi.y() > b.hi.y()) b.hi = c.hi;
            b.count += c.count;
        }
        merged.push_back(b);
    }
    m_buckets = std::move(merged);
    m_width *= 2;
}

QList<QPointF> Decimator::display() const {
    if (m_raw.size() <= 2 * kMaxBuckets) return m_raw;
    QList<QPointF> out;
    out.reserve(2 * int(m_buckets.size()));
    for (const Bucket& b : m_buckets) {
        if (b.lo == b.hi) {
            out.append(b.lo);
        } else if (b.lo.x() <= b.hi.x()) {
            out.append(b.lo);
            out.append(b.hi);
        } else {
            out.append(b.hi);
            out.append(b.lo);
        }
    }
    return out;
}

}  // namespace rf::ui
