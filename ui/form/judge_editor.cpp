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
    struct Button {
        JudgeKind kind;
        const char* text;
        const char* tip;
    };
    const Button kinds[] = {
        {JudgeKind::model, "LLM", "A local model judges (HF folder or id)"},
        {JudgeKind::human, "User", "You judge in a dialog while the run waits (judge: human)"},
        {JudgeKind::rewards, "Rewards", "The reward functions judge (judge: rewards): runs offline on verifiable tasks"},
        {JudgeKind::http, "Endpoint", "An OpenAI-compatible server (LM Studio, Ollama, llama.cpp, vLLM): http(s)://…/v1"}};
    for (const Button& k : kinds) {
        auto* b = new QToolButton;
        b->setText(tr(k.text));
        b->setToolTip(tr(k.tip));
        b->setCheckable(true);
        b->setAutoRaise(false);
        b->setObjectName(QString("judgeKind_%1").arg(QString(k.text).toLower()));
        b->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        m_kinds->addButton(b, int(k.kind));
        buttons->addWidget(b);
    }
    column->addLayout(buttons);
    m_edit = new QLineEdit;
    m_edit->setObjectName("input_judge");
    column->addWidget(m_edit);
    inputRow()->addWidget(box, 1);

    connect(m_kinds, &QButtonGroup::idClicked, this, [this](int id) { chooseKind(JudgeKind(id)); });
    connect(m_edit, &QLineEdit::textEdited, this, [this](const QString& text) {
        if (m_kind == JudgeKind::model) m_last_model = text;
        if (m_kind == JudgeKind::http) m_last_endpoint = text;
        emitEdited();
    });
    showKind(JudgeKind::model);
}

QWidget* JudgeEditor::styledInput() const { return m_edit; }

void JudgeEditor::showKind(JudgeKind kind) {
    m_kind = kind;
    m_kinds->button(int(kind))->setChecked(true);
    m_edit->setVisible(kind == JudgeKind::model || kind == JudgeKind::http);
    m_edit->setPlaceholderText(kind == JudgeKind::http ? tr("http://localhost:1234/v1 (set judge_model in Advanced)")
                                                : tr("judge model: HF folder or id, e.g. Qwen/Qwen3-0.6B"));
}

void JudgeEditor::chooseKind(JudgeKind kind) {
    if (kind == m_kind) return;
    showKind(kind);
    QSignalBlocker block(m_edit);
    if (kind == JudgeKind::model) m_edit->setText(m_last_model);
    if (kind == JudgeKind::http) m_edit->setText(m_last_endpoint.isEmpty() ? "http://localhost:1234/v1" : m_last_endpoint);
    emitEdited();
}

void JudgeEditor::setValue(const QString& value) {
    const JudgeKind kind = judge_kind(value.toStdString());
    switch (kind) {
        case JudgeKind::human:
        case JudgeKind::rewards: showKind(kind); break;
        case JudgeKind::http: showKind(kind); m_last_endpoint = value; break;
        case JudgeKind::model: showKind(kind); m_last_model = value; break;
        case JudgeKind::none:  // empty: keep LLM/Endpoint with an empty field (the user is typing)
            if (m_kind != JudgeKind::model && m_kind != JudgeKind::http) showKind(JudgeKind::model);
            break;
    }
    if (m_kind == JudgeKind::model || m_kind == JudgeKind::http) {
        if (m_edit->text() != value) {
            QSignalBlocker block(m_edit);
            m_edit->setText(value);
        }
    }
}

QString JudgeEditor::value() const {
    switch (m_kind) {
        case JudgeKind::human: return "human";
        case JudgeKind::rewards: return "rewards";
        default: return m_edit->text().trimmed();
    }
}

}  // namespace rf::ui
