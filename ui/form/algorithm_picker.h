// The `train_mode` key as the Train tab's segmented algorithm picker (SFT, RLHF-REINFORCE, RLOO, PPO,
// GRPO) with a one-line summary of the chosen algorithm (from the seeds).
#pragma once
#include "form/field_editor.h"

class QButtonGroup;
class QLabel;

namespace rf::ui {

class AlgorithmPicker : public FieldEditor {
    Q_OBJECT
public:
    AlgorithmPicker(const KeySpec& spec, QWidget* parent = nullptr);

    void setValue(const QString& value) override;
    QString value() const override { return m_value; }
    static QString title(const QString& mode);    // "RLHF-REINFORCE"
    static QString summary(const QString& mode);  // one line

private:
    QButtonGroup* m_buttons = nullptr;
    QLabel* m_summary = nullptr;
    QStringList m_modes;
    QString m_value;
};

}  // namespace rf::ui
