// The `judge` key as the seed app shows it: a segmented LLM | User | Rewards | Endpoint choice and,
// for LLM and Endpoint, the model path/id or the server URL. User writes "human", Rewards "rewards"
// (engine: judge_kind()).
#pragma once
#include "form/field_editor.h"

class QButtonGroup;
class QLineEdit;

namespace rf::ui {

class JudgeEditor : public FieldEditor {
    Q_OBJECT
public:
    JudgeEditor(const KeySpec& spec, QWidget* parent = nullptr);

    void setValue(const QString& value) override;
    QString value() const override;

protected:
    QWidget* styledInput() const override;

private:
    // One button per JudgeKind (config/run_config.h) but none: LLM = model, User = human, Rewards,
    // Endpoint = http; the button ids are the JudgeKind values.
    void chooseKind(JudgeKind kind);
    void showKind(JudgeKind kind);

    QButtonGroup* m_kinds = nullptr;
    QLineEdit* m_edit = nullptr;
    JudgeKind m_kind = JudgeKind::model;
    QString m_last_model, m_last_endpoint;
};

}  // namespace rf::ui
