// The human judging dialog (judge: human). Pairwise: the prompt and two completions side by side in
// read-only scrollable panes, answered with 1 / 2 / T (tie) / S or Esc (skip). Scalar: one
// completion and a 0-10 score (keys 0-9 set it, End = 10, arrows adjust, Enter submits).
//
// The dialog is not modal, so the run's charts keep updating and Stop stays clickable; the bridge
// calls cancel() when the run stops, which closes it without an answer.
#pragma once
#include <QDialog>

#include "judge/judge_types.h"

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSlider;
class QStackedWidget;

namespace rf::ui {

class JudgeDialog : public QDialog {
    Q_OBJECT
public:
    explicit JudgeDialog(QWidget* parent = nullptr);

    void ask(const JudgeQuestion& question);  // fills the dialog and shows it
    void cancel();                            // closes without answering (the run stopped)
    bool waiting() const { return m_waiting; }
    const JudgeQuestion& question() const { return m_question; }

signals:
    void answered(const rf::ui::JudgeAnswer& answer);  // once per ask()

public slots:
    void reject() override;  // Esc / window close = skip

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void answer(JudgeAnswer::Verdict verdict);
    void setScoreKey(int score);
    QPlainTextEdit* makePane(const QString& object_name);

    JudgeQuestion m_question;
    bool m_waiting = false;
    QLabel* m_progress = nullptr;
    QPlainTextEdit* m_prompt = nullptr;
    QStackedWidget* m_modes = nullptr;
    QPlainTextEdit* m_first = nullptr;
    QPlainTextEdit* m_second = nullptr;
    QPlainTextEdit* m_single = nullptr;
    QSlider* m_score = nullptr;
    QLabel* m_score_label = nullptr;
    QWidget* m_pair_buttons = nullptr;
    QWidget* m_score_buttons = nullptr;
};

}  // namespace rf::ui
