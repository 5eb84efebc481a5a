// A path field: a line edit, a browse button (folder or file, from the key) and, for the model,
// reference model and dataset keys, a menu of what is already on this computer (local_catalog.h),
// and a note under the field saying where the value is found: a local folder or file, the Hugging
// Face cache, or the Hub — with what a run would download (files, size), asked in the background.
// The dataset field also has Preview…, which the form answers (dataset_preview_dialog.h).
#pragma once
#include "form/field_editor.h"
#include "form/local_catalog.h"

class QLineEdit;
class QTimer;
class QToolButton;

namespace rf::ui {

class PathEditor : public FieldEditor {
    Q_OBJECT
public:
    PathEditor(const KeySpec& spec, QWidget* parent = nullptr);

    void setValue(const QString& value) override;
    QString value() const override;

signals:
    void previewRequested();  // the dataset field's Preview… button

protected:
    QWidget* styledInput() const override;

private:
    enum class Kind { folder, file, folder_or_file };
    void browse(bool want_file);
    void fillLocalMenu();
    void choose(const QString& path);
    void lookUpSoon();  // the note, after the typing pauses
    void lookUp();

    Kind m_kind = Kind::folder;
    QLineEdit* m_edit = nullptr;
    QToolButton* m_local = nullptr;
    QTimer* m_lookup_timer = nullptr;
    int m_lookups = 0;  // the latest lookup; older answers are dropped
};

}  // namespace rf::ui
