// A path field: a line edit, a browse button (folder or file, from the key) and, for the model,
// reference model and dataset keys, a menu of what is already on this computer (local_catalog.h).
#pragma once
#include "form/field_editor.h"
#include "form/local_catalog.h"

class QLineEdit;
class QToolButton;

namespace rf::ui {

class PathEditor : public FieldEditor {
    Q_OBJECT
public:
    PathEditor(const KeySpec& spec, QWidget* parent = nullptr);

    void setValue(const QString& value) override;
    QString value() const override;

protected:
    QWidget* styledInput() const override;

private:
    enum class Kind { folder, file, folder_or_file };
    void browse(bool want_file);
    void fillLocalMenu();
    void choose(const QString& path);

    Kind m_kind = Kind::folder;
    QLineEdit* m_edit = nullptr;
    QToolButton* m_local = nullptr;
};

}  // namespace rf::ui
