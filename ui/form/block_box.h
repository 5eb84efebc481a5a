// One titled block of the Train tab's form (Model & Data, Fine-tune, …): a grid in which compact
// fields (numbers, choices, toggles) sit two per row and the others take a whole row.
#pragma once
#include <QGroupBox>
#include <QList>

class QGridLayout;

namespace rf::ui {

class FieldEditor;

class BlockBox : public QGroupBox {
    Q_OBJECT
public:
    BlockBox(const QString& title, QWidget* parent = nullptr);
    // Lays out `fields` in order (they become children of this block); others are released.
    void setFields(const QList<FieldEditor*>& fields);
    const QList<FieldEditor*>& fields() const { return m_fields; }

private:
    QGridLayout* m_grid = nullptr;
    QList<FieldEditor*> m_fields;
    QList<QWidget*> m_labels;
    bool m_laid_out = false;
};

}  // namespace rf::ui
