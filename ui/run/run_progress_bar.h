// The run's progress bar. QProgressBar::setValue() repaints synchronously (and with the window's
// backing store, that costs milliseconds per report); this one draws the same style control but
// only schedules an update(), so reports never paint on the spot.
#pragma once
#include <QWidget>

namespace rf::ui {

class RunProgressBar : public QWidget {
    Q_OBJECT
public:
    explicit RunProgressBar(QWidget* parent = nullptr);

    void setRange(int maximum);   // minimum is 0
    void setValue(int value);
    void setFormat(const QString& format);  // %v = value, %m = maximum
    int value() const { return m_value; }
    int maximum() const { return m_maximum; }
    QString text() const;
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    int m_value = 0, m_maximum = 1;
    QString m_format;
};

}  // namespace rf::ui
