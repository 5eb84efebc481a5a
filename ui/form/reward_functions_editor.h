// `reward_functions` as the seed app shows it: the five default functions as toggles (Accuracy,
// Integer Answer, Strict Format, Soft Format, XML Count), "Use All Defaults" (the key follows its
// default again), "You" (the reserved name `human`: the person as one weighted reward, judge/human_reward.h)
// and a line for custom names (comma-separated, e.g. from a reward_functions_file).
#pragma once
#include <QList>

#include "form/field_editor.h"

class QCheckBox;
class QLineEdit;

namespace rf::ui {

class RewardFunctionsEditor : public FieldEditor {
    Q_OBJECT
public:
    RewardFunctionsEditor(const KeySpec& spec, QWidget* parent = nullptr);

    void setValue(const QString& value) override;
    QString value() const override;

signals:
    void useAllDefaults(const QString& key);  // the form unsets the key

protected:
    QWidget* styledInput() const override;

private:
    QList<QCheckBox*> m_defaults;  // in kDefaultRewardFunctions order
    QCheckBox* m_human = nullptr;
    QLineEdit* m_custom = nullptr;
};

}  // namespace rf::ui
