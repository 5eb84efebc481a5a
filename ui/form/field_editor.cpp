#include "form/field_editor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalBlocker>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

#include "form/judge_editor.h"
#include "form/path_editor.h"
#include "form/reward_functions_editor.h"
#include "qt_text.h"

namespace rf::ui {

namespace {

// ---- booleans -------------------------------------------------------------------------------------
class BoolEditor : public FieldEditor {
public:
    BoolEditor(const KeySpec& spec, QWidget* parent) : FieldEditor(spec, parent) {
        m_box = new QCheckBox(label());
        m_box->setObjectName("input_" + key());
        inputRow()->addWidget(m_box);
        connect(m_box, &QCheckBox::toggled, this, [this] { emitEdited(); });
    }
    bool compact() const override { return true; }
    bool labelInside() const override { return true; }
    void setValue(const QString& v) override {
        QSignalBlocker block(m_box);
        const QString s = v.trimmed().toLower();
        m_box->setChecked(s == "true" || s == "1" || s == "yes" || s == "on");
    }
    QString value() const override { return m_box->isChecked() ? "true" : "false"; }

protected:
    QWidget* styledInput() const override { return m_box; }

private:
    QCheckBox* m_box;
};

// ---- one-line text: numbers, strings, lists, maps -------------------------------------------------
class LineEditor : public FieldEditor {
public:
    LineEditor(const KeySpec& spec, QWidget* parent) : FieldEditor(spec, parent) {
        m_edit = new QLineEdit;
        m_edit->setObjectName("input_" + key());
        if (spec.type == KeyType::integer || spec.type == KeyType::real) {
            m_edit->setMinimumWidth(70);
            m_edit->setMaximumWidth(150);
        }
        inputRow()->addWidget(m_edit, 1);
        connect(m_edit, &QLineEdit::textEdited, this, [this] { emitEdited(); });
    }
    bool compact() const override {
        return spec().type == KeyType::integer || spec().type == KeyType::real;
    }
    void setValue(const QString& v) override {
        if (m_edit->text() == v) return;
        QSignalBlocker block(m_edit);
        m_edit->setText(v);
        m_edit->setCursorPosition(0);
    }
    QString value() const override { return m_edit->text(); }

protected:
    QWidget* styledInput() const override { return m_edit; }

private:
    QLineEdit* m_edit;
};

// ---- multi-line text (prompts) --------------------------------------------------------------------
class TextEditor : public FieldEditor {
public:
    TextEditor(const KeySpec& spec, QWidget* parent) : FieldEditor(spec, parent) {
        m_edit = new QPlainTextEdit;
        m_edit->setObjectName("input_" + key());
        m_edit->setTabChangesFocus(true);
        m_edit->setFixedHeight(m_edit->fontMetrics().lineSpacing() * 4 + 12);
        inputRow()->addWidget(m_edit, 1);
        connect(m_edit, &QPlainTextEdit::textChanged, this, [this] { emitEdited(); });
    }
    void setValue(const QString& v) override {
        if (m_edit->toPlainText() == v) return;
        QSignalBlocker block(m_edit);
        m_edit->setPlainText(v);
    }
    QString value() const override { return m_edit->toPlainText(); }

protected:
    QWidget* styledInput() const override { return m_edit; }

private:
    QPlainTextEdit* m_edit;
};

// ---- choices --------------------------------------------------------------------------------------
class ChoiceEditor : public FieldEditor {
public:
    ChoiceEditor(const KeySpec& spec, QWidget* parent) : FieldEditor(spec, parent) {
        m_combo = new QComboBox;
        m_combo->setObjectName("input_" + key());
        for (const std::string& c : spec.choices) m_combo->addItem(choiceText(spec.name, c), qs(c));
        inputRow()->addWidget(m_combo, 1);
        connect(m_combo, &QComboBox::activated, this, [this] { emitEdited(); });
    }
    bool compact() const override { return true; }
    void setValue(const QString& v) override {
        QSignalBlocker block(m_combo);
        int i = m_combo->findData(v);
        if (i < 0) {  // a value the table does not list: show it rather than hide it
            m_combo->addItem(v, v);
            i = m_combo->count() - 1;
        }
        m_combo->setCurrentIndex(i);
    }
    QString value() const override { return m_combo->currentData().toString(); }

protected:
    QWidget* styledInput() const override { return m_combo; }

private:
    QComboBox* m_combo;
};

}  // namespace

QString choiceText(const std::string& key, const std::string& value) {
    static const std::map<std::pair<std::string, std::string>, const char*> table = {
        {{"quantization", "none"}, "None"},           {{"quantization", "4"}, "4-bit"},
        {{"quantization", "6"}, "6-bit"},             {{"quantization", "8"}, "8-bit"},
        {{"quantization", "mxfp4"}, "MXFP4"},         {{"train_type", "lora"}, "LoRA"},
        {{"train_type", "dora"}, "DoRA"},             {{"train_type", "full"}, "Full"},
        {{"grpo_loss_type", "grpo"}, "GRPO"},         {{"grpo_loss_type", "bnpo"}, "BNPO"},
        {{"grpo_loss_type", "dr_grpo"}, "DR GRPO"},   {{"grpo_loss_type", "dapo"}, "DAPO"},
        {{"grpo_loss_type", "cispo"}, "CISPO"},       {{"grpo_loss_type", "sapo"}, "SAPO"},
        {{"importance_sampling_level", "token"}, "Token"},
        {{"importance_sampling_level", "sequence"}, "Sequence"},
        {{"lr_schedule.name", "constant"}, "Constant"}, {{"lr_schedule.name", "cosine_decay"}, "Cosine Decay"},
        {{"lr_schedule.name", "linear_schedule"}, "Linear"},
    };
    auto it = table.find({key, value});
    return it == table.end() ? qs(value) : QString::fromUtf8(it->second);
}

FieldEditor::FieldEditor(const KeySpec& spec, QWidget* parent) : QWidget(parent), m_spec(spec) {
    setObjectName("field_" + key());
    auto* column = new QVBoxLayout(this);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(1);
    m_row = new QHBoxLayout;
    m_row->setContentsMargins(0, 0, 0, 0);
    m_row->setSpacing(4);
    column->addLayout(m_row);
    m_issue_label = new QLabel;
    m_issue_label->setObjectName("issue_" + key());
    m_issue_label->setWordWrap(true);
    m_issue_label->hide();
    column->addWidget(m_issue_label);
    m_note_label = new QLabel;
    m_note_label->setObjectName("note_" + key());
    m_note_label->setWordWrap(true);
    m_note_label->setStyleSheet("color: palette(mid);");
    m_note_label->hide();
    column->addWidget(m_note_label);
    updateToolTip();
}

void FieldEditor::setNote(const QString& note) {
    m_note_label->setText(note);
    m_note_label->setVisible(!note.isEmpty());
}

QString FieldEditor::note() const { return m_note_label->text(); }

QString FieldEditor::label() const { return m_spec.label.empty() ? key() : qs(m_spec.label); }

void FieldEditor::setIssue(const QString& message, bool error) {
    if (message == m_issue && (message.isEmpty() || m_issue_label->property("error").toBool() == error)) return;
    m_issue = message;
    m_issue_label->setText(message);
    m_issue_label->setProperty("error", error);
    m_issue_label->setStyleSheet(error ? "color: #b00020;" : "color: #8a5a00;");
    m_issue_label->setVisible(!message.isEmpty());
    if (QWidget* input = styledInput()) {
        const QString cls = input->metaObject()->className();
        input->setStyleSheet(message.isEmpty() ? QString()
                                               : QString("%1 { border: 1px solid %2; }").arg(cls, error ? "#b00020" : "#c08000"));
    }
    updateToolTip();
}

void FieldEditor::setDefaultText(const QString& text) {
    if (text == m_default_text) return;
    m_default_text = text;
    updateToolTip();
}

void FieldEditor::updateToolTip() {
    QString tip = QString("<b>%1</b><br>%2").arg(key().toHtmlEscaped(), qs(m_spec.doc).toHtmlEscaped());
    if (!m_spec.range_doc.empty()) tip += "<br><i>" + qs(m_spec.range_doc).toHtmlEscaped() + "</i>";
    if (!m_spec.default_doc.empty())
        tip += "<br>" + tr("Default: %1").arg(qs(m_spec.default_doc).toHtmlEscaped());
    else if (!m_default_text.isEmpty())
        tip += "<br>" + tr("Default: %1").arg(m_default_text.toHtmlEscaped());
    if (!m_issue.isEmpty()) tip += "<br><span style='color:#b00020'>" + m_issue.toHtmlEscaped() + "</span>";
    setToolTip(tip);
}

FieldEditor* makeFieldEditor(const KeySpec& spec, QWidget* parent) {
    if (spec.name == "judge") return new JudgeEditor(spec, parent);
    if (spec.name == "reward_functions") return new RewardFunctionsEditor(spec, parent);
    if (!spec.choices.empty()) return new ChoiceEditor(spec, parent);  // also integers with fixed values
    switch (spec.type) {
        case KeyType::boolean: return new BoolEditor(spec, parent);
        case KeyType::choice: return new ChoiceEditor(spec, parent);
        case KeyType::text: return new TextEditor(spec, parent);
        case KeyType::path: return new PathEditor(spec, parent);
        case KeyType::string_list:
            if (spec.name == "data") return new PathEditor(spec, parent);
            return new LineEditor(spec, parent);
        default: return new LineEditor(spec, parent);
    }
}

}  // namespace rf::ui
