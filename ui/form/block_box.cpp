#include "form/block_box.h"

#include <QGridLayout>
#include <QLabel>

#include "form/field_editor.h"

namespace rf::ui {

namespace {
constexpr int kMaxSideLabel = 16;  // characters; longer labels wrap, or go above a wide field
}

BlockBox::BlockBox(const QString& title, QWidget* parent) : QGroupBox(title, parent) {
    m_grid = new QGridLayout(this);
    m_grid->setContentsMargins(8, 6, 8, 6);
    m_grid->setHorizontalSpacing(8);
    m_grid->setVerticalSpacing(5);
    m_grid->setColumnStretch(1, 1);
    m_grid->setColumnStretch(3, 1);
}

void BlockBox::setFields(const QList<FieldEditor*>& fields) {
    if (m_laid_out && fields == m_fields) return;
    m_laid_out = true;
    for (QWidget* label : std::as_const(m_labels)) delete label;
    m_labels.clear();
    for (FieldEditor* f : std::as_const(m_fields)) m_grid->removeWidget(f);
    m_fields = fields;

    int row = 0, col = 0;  // col 0: left pair, 2: right pair
    for (FieldEditor* f : fields) {
        f->setParent(this);
        const bool compact = f->compact();
        if (!compact && col != 0) ++row, col = 0;
        // a long label of a wide field goes above it; short ones sit left of their field
        const bool label_above = !compact && f->label().size() > kMaxSideLabel;
        if (f->labelInside()) {
            m_grid->addWidget(f, row, col, 1, compact ? 2 : 4);
        } else {
            auto* label = new QLabel(f->label() + ":");
            label->setObjectName("label_" + f->key());
            label->setToolTip(f->toolTip());
            label->setBuddy(f);
            label->setContentsMargins(0, 4, 0, 0);
            if (f->label().size() > kMaxSideLabel && !label_above) {
                label->setWordWrap(true);
                label->setMinimumWidth(label->fontMetrics().horizontalAdvance(f->label().section(' ', 0, 0)) + 8);
                label->setMaximumWidth(label->fontMetrics().horizontalAdvance(QString(kMaxSideLabel, 'x')));
            }
            m_labels.append(label);
            if (label_above) {
                label->setAlignment(Qt::AlignLeft | Qt::AlignBottom);
                m_grid->addWidget(label, row, 0, 1, 4);
                ++row;
                m_grid->addWidget(f, row, 0, 1, 4);
            } else {
                label->setAlignment(Qt::AlignRight | Qt::AlignTop);
                m_grid->addWidget(label, row, col);
                m_grid->addWidget(f, row, col + 1, 1, compact ? 1 : 3);
            }
        }
        f->show();
        if (compact && col == 0) {
            col = 2;
        } else {
            ++row;
            col = 0;
        }
    }
    setVisible(!fields.isEmpty());
}

}  // namespace rf::ui
