// One editor per RunConfig key, made from the key's KeySpec (config/run_config.h): the key table is the
// single source of truth for the label, the tooltip, the kind of editor and the choices; values go
// in and out as the strings get_value()/set_value() use, so the form never holds a default of its own.
//
// makeFieldEditor() picks the editor from KeySpec::type (a few keys get a richer one: model and data
// pickers, the judge kind, the reward-function list). Every editor shows the engine's message for
// its key under the input (setIssue) and has objectName "field_<key>".
#pragma once
#include <QString>
#include <QWidget>

#include "config/run_config.h"

class QLabel;
class QHBoxLayout;

namespace rf::ui {

class FieldEditor : public QWidget {
    Q_OBJECT
public:
    FieldEditor(const KeySpec& spec, QWidget* parent = nullptr);

    const KeySpec& spec() const { return m_spec; }
    QString key() const { return QString::fromStdString(m_spec.name); }
    QString label() const;       // the seed app's label, or the key name when it has none
    virtual bool compact() const { return false; }  // fits half a row (numbers, choices, toggles)
    virtual bool labelInside() const { return false; }  // a checkbox carries its own label

    // Shows `value` without emitting edited().
    virtual void setValue(const QString& value) = 0;
    virtual QString value() const = 0;
    // Marks the field: error (red) or warning (amber) with the engine's message; empty clears it.
    void setIssue(const QString& message, bool error);
    QString issue() const { return m_issue; }
    // A grey line under the input that says something about the value (where a model is found, what
    // would be downloaded); empty hides it.
    void setNote(const QString& note);
    QString note() const;
    // Shown on the tooltip: the default for the current values of the other keys.
    void setDefaultText(const QString& text);

signals:
    void edited(const QString& key, const QString& value);

protected:
    // Subclasses put their input widgets into this row and call emitEdited() on user changes.
    QHBoxLayout* inputRow() const { return m_row; }
    void emitEdited() { emit edited(key(), value()); }
    void updateToolTip();
    virtual QWidget* styledInput() const { return nullptr; }  // the widget that gets the red border

private:
    KeySpec m_spec;
    QHBoxLayout* m_row = nullptr;
    QLabel* m_issue_label = nullptr;
    QLabel* m_note_label = nullptr;
    QString m_issue, m_default_text;
};

FieldEditor* makeFieldEditor(const KeySpec& spec, QWidget* parent = nullptr);

// Display text for a choice value ("4" -> "4-bit", "dr_grpo" -> "DR GRPO"); the value itself otherwise.
QString choiceText(const std::string& key, const std::string& value);

}  // namespace rf::ui
