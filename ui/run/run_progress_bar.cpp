#include "run/run_progress_bar.h"

#include <QPainter>
#include <QStyle>
#include <QStyleOptionProgressBar>

namespace rf::ui {

RunProgressBar::RunProgressBar(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void RunProgressBar::setRange(int maximum) {
    if (maximum == m_maximum) return;
    m_maximum = std::max(1, maximum);
    update();
}

void RunProgressBar::setValue(int value) {
    if (value == m_value) return;
    m_value = std::clamp(value, 0, m_maximum);
    update();
}

void RunProgressBar::setFormat(const QString& format) {
    if (format == m_format) return;
    m_format = format;
    update();
}

QString RunProgressBar::text() const {
    QString t = m_format;
    return t.replace("%v", QString::number(m_value)).replace("%m", QString::number(m_maximum));
}

QSize RunProgressBar::sizeHint() const {
    const int h = std::max(fontMetrics().height() + 8, 22);
    return {fontMetrics().horizontalAdvance("step 00000 / 00000") + 24, h};
}

QSize RunProgressBar::minimumSizeHint() const { return {80, sizeHint().height()}; }

void RunProgressBar::paintEvent(QPaintEvent*) {
    QPainter p(this);
    QStyleOptionProgressBar opt;
    opt.initFrom(this);
    opt.minimum = 0;
    opt.maximum = m_maximum;
    opt.progress = m_value;
    opt.text = text();
    opt.textVisible = true;
    opt.textAlignment = Qt::AlignCenter;
    opt.state |= QStyle::State_Horizontal;
    style()->drawControl(QStyle::CE_ProgressBar, &opt, &p, this);
}

}  // namespace rf::ui
