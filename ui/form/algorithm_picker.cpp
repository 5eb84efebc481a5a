#include "form/algorithm_picker.h"

#include <QButtonGroup>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

namespace rf::ui {

QString AlgorithmPicker::title(const QString& mode) {
    if (mode == "sft") return "SFT";
    if (mode == "rlhf_reinforce") return "RLHF-REINFORCE";
    if (mode == "rloo") return "RLOO";
    if (mode == "ppo") return "PPO";
    if (mode == "grpo") return "GRPO";
    return mode;
}

QString AlgorithmPicker::summary(const QString& mode) {
    if (mode == "sft")
        return tr("Supervised fine-tuning on prompt/completion, chat or text rows; warm-starts a policy before RL.");
    if (mode == "rlhf_reinforce")
        return tr("The classic policy-gradient RLHF loop: conceptually simplest, highest variance, no clipping, "
                  "no value head.");
    if (mode == "rloo")
        return tr("REINFORCE with a leave-one-out baseline: each completion is compared with the other samples of "
                  "its prompt, which cuts the variance.");
    if (mode == "ppo")
        return tr("The textbook clipped policy-gradient objective applied to LMs, driven by a pairwise judge: the "
                  "most expressive and the most finicky loop.");
    if (mode == "grpo")
        return tr("RL without a learned reward model: sample a group, score with functions you write, optimise a "
                  "group-relative advantage.");
    return {};
}

AlgorithmPicker::AlgorithmPicker(const KeySpec& spec, QWidget* parent) : FieldEditor(spec, parent) {
    setObjectName("algorithmPicker");
    auto* box = new QWidget;
    auto* column = new QVBoxLayout(box);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(4);
    auto* row = new QHBoxLayout;
    row->setSpacing(0);
    m_buttons = new QButtonGroup(this);
    m_buttons->setExclusive(true);
    for (const std::string& c : spec.choices) m_modes << QString::fromStdString(c);
    for (int i = 0; i < m_modes.size(); ++i) {
        auto* b = new QToolButton;
        b->setObjectName("mode_" + m_modes[i]);
        b->setText(title(m_modes[i]));
        b->setToolTip(summary(m_modes[i]));
        b->setCheckable(true);
        b->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        b->setMinimumHeight(28);
        m_buttons->addButton(b, i);
        row->addWidget(b);
    }
    column->addLayout(row);
    m_summary = new QLabel;
    m_summary->setObjectName("algorithmSummary");
    m_summary->setWordWrap(true);
    m_summary->setStyleSheet("color: palette(dark);");
    column->addWidget(m_summary);
    inputRow()->addWidget(box, 1);
    connect(m_buttons, &QButtonGroup::idClicked, this, [this](int id) {
        if (m_modes.value(id) == m_value) return;
        setValue(m_modes.value(id));
        emitEdited();
    });
}

void AlgorithmPicker::setValue(const QString& value) {
    m_value = value;
    const int i = int(m_modes.indexOf(value));
    if (i >= 0) m_buttons->button(i)->setChecked(true);
    m_summary->setText(summary(value));
}

}  // namespace rf::ui
