// Before / after in the GUI (issue 20 item 6; engine: train/before_after.h, CLI: before-after).
// "Before / after…" beside Train opens it on the current run folder (or any, Browse…): the sources
// the folder offers are listed as check boxes (base, each checkpoint, best, latest; base, best and
// latest checked), Generate answers the first N validation prompts with each on a worker thread and
// shows them side by side: one row per prompt, one column per source headed by its mean reward, each
// cell the answer with its reward. Works during a run (the run's files are written atomically).
#pragma once
#include <QDialog>
#include <functional>

#include "train/before_after.h"

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace rf::ui {

class BeforeAfterDialog : public QDialog {
    Q_OBJECT
public:
    // What Generate calls on a worker thread (tests replace it); it may throw.
    using AnswerFn = std::function<BeforeAfter(const std::string& run_dir, const std::vector<AnswerSource>&,
                                               const BeforeAfterOptions&)>;
    explicit BeforeAfterDialog(const QString& run_dir, QWidget* parent = nullptr, AnswerFn answer = {});

    void setRunFolder(const QString& run_dir);  // lists its sources
    void generate();
    bool busy() const { return m_busy; }

signals:
    void sourcesListed(int count);
    void answersShown();
    void failed(const QString& message);

private:
    void showAnswers(const BeforeAfter& ba);
    void showError(const QString& message);

    AnswerFn m_answer;
    std::vector<AnswerSource> m_sources;
    bool m_busy = false;
    QLineEdit* m_folder = nullptr;
    QListWidget* m_source_list = nullptr;
    QSpinBox* m_prompts = nullptr;
    QPushButton* m_generate = nullptr;
    QLabel* m_status = nullptr;
    QTableWidget* m_table = nullptr;
};

}  // namespace rf::ui
