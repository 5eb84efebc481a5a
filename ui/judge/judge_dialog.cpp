#include "judge/judge_dialog.h"

#include <QCloseEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShortcut>
#include <QSlider>
#include <QSplitter>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace rf::ui {

namespace {

QPushButton* makeButton(const QString& text, const QString& name, const QString& tip) {
    auto* b = new QPushButton(text);
    b->setObjectName(name);
    b->setToolTip(tip);
    b->setAutoDefault(false);
    return b;
}

QWidget* titled(const QString& title, QWidget* body) {
    auto* w = new QWidget;
    auto* l = new QVBoxLayout(w);
    l->setContentsMargins(0, 0, 0, 0);
    auto* label = new QLabel(title);
    QFont f = label->font();
    f.setBold(true);
    label->setFont(f);
    l->addWidget(label);
    l->addWidget(body, 1);
    return w;
}

}  // namespace

QPlainTextEdit* JudgeDialog::makePane(const QString& object_name) {
    auto* pane = new QPlainTextEdit;
    pane->setObjectName(object_name);
    pane->setReadOnly(true);
    pane->setFocusPolicy(Qt::ClickFocus);
    pane->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    return pane;
}

JudgeDialog::JudgeDialog(QWidget* parent) : QDialog(parent) {
    setObjectName("judgeDialog");
    setWindowTitle(tr("Judge completions"));
    setModal(false);
    setWindowModality(Qt::NonModal);
    resize(980, 640);

    auto* layout = new QVBoxLayout(this);
    m_progress = new QLabel;
    m_progress->setObjectName("judgeProgress");
    m_progress->setWordWrap(true);
    layout->addWidget(m_progress);

    m_prompt = makePane("judgePrompt");
    m_prompt->setMaximumHeight(140);
    layout->addWidget(titled(tr("Prompt"), m_prompt));

    // pairwise page: two panes side by side
    m_first = makePane("judgeFirst");
    m_second = makePane("judgeSecond");
    auto* pair_split = new QSplitter(Qt::Horizontal);
    pair_split->setChildrenCollapsible(false);
    pair_split->addWidget(titled(tr("1 \u2014 first completion"), m_first));
    pair_split->addWidget(titled(tr("2 \u2014 second completion"), m_second));
    // scalar page: one pane
    m_single = makePane("judgeSingle");
    m_modes = new QStackedWidget;
    m_modes->addWidget(pair_split);
    m_modes->addWidget(titled(tr("Completion"), m_single));
    layout->addWidget(m_modes, 1);

    // pairwise buttons
    m_pair_buttons = new QWidget;
    auto* pair_row = new QHBoxLayout(m_pair_buttons);
    pair_row->setContentsMargins(0, 0, 0, 0);
    auto* first = makeButton(tr("&1  First is better"), "judgeFirstButton", tr("Key 1"));
    auto* second = makeButton(tr("&2  Second is better"), "judgeSecondButton", tr("Key 2"));
    auto* tie = makeButton(tr("&T  Tie"), "judgeTieButton", tr("Key T: both equally good or bad"));
    auto* skip = makeButton(tr("&S  Skip"), "judgeSkipButton", tr("Key S or Esc: no verdict for this pair"));
    pair_row->addWidget(first);
    pair_row->addWidget(second);
    pair_row->addWidget(tie);
    pair_row->addStretch(1);
    pair_row->addWidget(skip);
    connect(first, &QPushButton::clicked, this, [this] { answer(JudgeAnswer::Verdict::first); });
    connect(second, &QPushButton::clicked, this, [this] { answer(JudgeAnswer::Verdict::second); });
    connect(tie, &QPushButton::clicked, this, [this] { answer(JudgeAnswer::Verdict::tie); });
    connect(skip, &QPushButton::clicked, this, [this] { answer(JudgeAnswer::Verdict::skip); });
    layout->addWidget(m_pair_buttons);

    // scalar buttons: slider 0-10
    m_score_buttons = new QWidget;
    auto* score_row = new QHBoxLayout(m_score_buttons);
    score_row->setContentsMargins(0, 0, 0, 0);
    score_row->addWidget(new QLabel(tr("Score (0-10):")));
    m_score = new QSlider(Qt::Horizontal);
    m_score->setObjectName("judgeScore");
    m_score->setRange(0, 10);
    m_score->setPageStep(1);
    m_score->setTickPosition(QSlider::TicksBelow);
    m_score->setTickInterval(1);
    m_score->setToolTip(tr("Keys 0-9 set the score, End = 10, arrows adjust"));
    m_score_label = new QLabel;
    m_score_label->setObjectName("judgeScoreLabel");
    m_score_label->setMinimumWidth(m_score_label->fontMetrics().horizontalAdvance("10 / 10") + 8);
    connect(m_score, &QSlider::valueChanged, this,
            [this](int v) { m_score_label->setText(tr("%1 / 10").arg(v)); });
    auto* submit = makeButton(tr("Submit (Enter)"), "judgeSubmitButton", tr("Enter: give this score"));
    auto* skip_score = makeButton(tr("Skip (S)"), "judgeScoreSkipButton", tr("Key S or Esc: no score"));
    score_row->addWidget(m_score, 1);
    score_row->addWidget(m_score_label);
    score_row->addWidget(submit);
    score_row->addWidget(skip_score);
    connect(submit, &QPushButton::clicked, this, [this] { answer(JudgeAnswer::Verdict::score); });
    connect(skip_score, &QPushButton::clicked, this, [this] { answer(JudgeAnswer::Verdict::skip); });
    layout->addWidget(m_score_buttons);

    // keyboard: the mnemonic-free single keys of the issue
    auto key = [this](const QKeySequence& seq, auto fn) {
        auto* s = new QShortcut(seq, this);
        s->setContext(Qt::WindowShortcut);
        connect(s, &QShortcut::activated, this, fn);
    };
    key(QKeySequence(Qt::Key_1), [this] {
        if (m_question.pairwise) answer(JudgeAnswer::Verdict::first); else setScoreKey(1);
    });
    key(QKeySequence(Qt::Key_2), [this] {
        if (m_question.pairwise) answer(JudgeAnswer::Verdict::second); else setScoreKey(2);
    });
    key(QKeySequence(Qt::Key_T), [this] {
        if (m_question.pairwise) answer(JudgeAnswer::Verdict::tie);
    });
    key(QKeySequence(Qt::Key_S), [this] { answer(JudgeAnswer::Verdict::skip); });
    for (int d : {0, 3, 4, 5, 6, 7, 8, 9})
        key(QKeySequence(Qt::Key_0 + d), [this, d] { if (!m_question.pairwise) setScoreKey(d); });
    key(QKeySequence(Qt::Key_Return), [this] { if (!m_question.pairwise) answer(JudgeAnswer::Verdict::score); });
    key(QKeySequence(Qt::Key_Enter), [this] { if (!m_question.pairwise) answer(JudgeAnswer::Verdict::score); });
    ask(JudgeQuestion{});
    m_waiting = false;
}

void JudgeDialog::ask(const JudgeQuestion& question) {
    m_question = question;
    m_waiting = true;
    const QString what = question.pairwise ? tr("Which completion answers the prompt better?")
                                           : tr("How good is this completion (0 = useless, 10 = perfect)?");
    m_progress->setText(tr("<b>Verdict %1 of %2</b> in step %3 &middot; %4")
                            .arg(question.index)
                            .arg(question.count)
                            .arg(question.step)
                            .arg(what));
    m_prompt->setPlainText(question.prompt);
    m_first->setPlainText(question.first);
    m_second->setPlainText(question.second);
    m_single->setPlainText(question.first);
    m_modes->setCurrentIndex(question.pairwise ? 0 : 1);
    m_pair_buttons->setVisible(question.pairwise);
    m_score_buttons->setVisible(!question.pairwise);
    m_score->setValue(5);
    m_score_label->setText(tr("%1 / 10").arg(5));
    if (!isVisible()) show();
    raise();
    activateWindow();
    if (question.pairwise) setFocus(); else m_score->setFocus();
}

void JudgeDialog::setScoreKey(int score) { m_score->setValue(score); }

void JudgeDialog::answer(JudgeAnswer::Verdict verdict) {
    if (!m_waiting) return;
    m_waiting = false;
    JudgeAnswer a;
    a.verdict = verdict;
    a.score = verdict == JudgeAnswer::Verdict::score ? m_score->value() : 0;
    hide();
    emit answered(a);
}

void JudgeDialog::cancel() {
    m_waiting = false;
    hide();
}

void JudgeDialog::reject() {
    if (m_waiting) answer(JudgeAnswer::Verdict::skip);
    else hide();
}

void JudgeDialog::closeEvent(QCloseEvent* event) {
    if (m_waiting) answer(JudgeAnswer::Verdict::skip);
    event->accept();
}

}  // namespace rf::ui
