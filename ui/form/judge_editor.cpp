#include "form/judge_editor.h"

#include <QButtonGroup>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QToolButton>
#include <QVBoxLayout>

namespace rf::ui {

JudgeEditor::JudgeEditor(const KeySpec& spec, QWidget* parent) : FieldEditor(spec, parent) {
    auto* box = new QWidget;
    auto* column = new QVBoxLayout(box);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(3);
    auto* buttons = new QHBoxLayout;
    buttons->setSpacing(0);
    m_kinds = new QButtonGroup(this);
    m_kinds->setExclusive(true);
    const std::pair<const char*, const char*> kinds[] = {
        {"LLM", "A local model judges (HF folder or id)"},
        {"User", "You judge in a dialog while the run waits (judge: human)"},
        {"Rewards", "The reward functions judge (judge: rewards): runs offline on verifiable tasks"},
        {"Endpoint", "An OpenAI-compatible server (LM Studio, Ollama, llama.cpp, vLLM): http(s)://…/v1"}};
    for (int i = 0; i < 4; ++i) {
        auto* b = new QToolButton;
        b->setText(tr(kinds[i].first));
        b->setToolTip(tr(kinds[i].second));
        b->setCheckable(true);
        b->setAutoRaise(false);
        b->setObjectName(QString("judgeKind_%1").arg(QString(kinds[i].first).toLower()));
        b->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        m_kinds->addButton(b, i);
        buttons->addWidget(b);
    }
    column->addLayout(buttons);
    m_edit = new QLineEdit;
    m_edit->setObjectName("input_judge");
    column->addWidget(m_edit);
    inputRow()->addWidget(box, 1);

    connect(m_kinds, &QButtonGroup::idClicked, this, &JudgeEditor::chooseKind);
    connect(m_edit, &QLineEdit::textEdited, this, [this](const QString& text) {
        if (m_kind == llm) m_last_model = text;
        if (m_kind == endpoint) m_last_endpoint = text;
        emitEdited();
    });
    showKind(llm);
}

QWidget* JudgeEditor::styledInput() const { return m_edit; }

void JudgeEditor::showKind(int kind) {
    m_kind = kind;
    m_kinds->button(kind)->setChecked(true);
    m_edit->setVisible(kind == llm || kind == endpoint);
    m_edit->setPlaceholderText(kind == endpoint ? tr("http://localhost:1234/v1 (set judge_model in Advanced)")
                                                : tr("judge model: HF folder or id, e.g. Qwen/Qwen3-0.6B"));
}

void JudgeEditor::chooseKind(int kind) {
    if (kind == m_kind) return;
    showKind(kind);
    QSignalBlocker block(m_edit);
    if (kind == llm) m_edit->setText(m_last_model);
    if (kind == endpoint) m_edit->setText(m_last_endpoint.isEmpty() ? "http://localhost:1234/v1" : m_last_endpoint);
    emitEdited();
}

void JudgeEditor::setValue(const QString& value) {
    switch (judge_kind(value.toStdString())) {
        case JudgeKind::human: showKind(user); break;
        case JudgeKind::rewards: showKind(rewards); break;
        case JudgeKind::http: showKind(endpoint); m_last_endpoint = value; break;
        case JudgeKind::model: showKind(llm); m_last_model = value; break;
        case JudgeKind::none:  // empty: keep LLM/Endpoint with an empty field (the user is typing)
            if (m_kind != llm && m_kind != endpoint) showKind(llm);
            break;
    }
    if (m_kind == llm || m_kind == endpoint) {
        if (m_edit->text() != value) {
            QSignalBlocker block(m_edit);
            m_edit->setText(value);
        }
    }
}

QString JudgeEditor::value() const {
    switch (m_kind) {
        case user: return "human";
        case rewards: return "rewards";
        default: return m_edit->text().trimmed();
    }
}

}  // namespace rf::ui
