// The reward workbench in the GUI (issue 20 item 5; engine: train/preflight.h, CLI: reinforge-cli
// preflight). "Preflight…" beside Train opens it with the form's config: Run samples K groups from the
// starting model and scores them as the first steps would, on a worker thread (the window stays
// live); the verdict comes first, then one row per reward function (weight, share scored, mean,
// share non-zero, its distribution), one row per group (mean, std, signal, truncated) and one example
// per reward level. "Try a completion" scores a hand-written completion with the same functions.
#pragma once
#include <QDialog>
#include <functional>

#include "config/run_config.h"
#include "train/preflight.h"

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace rf::ui {

class PreflightDialog : public QDialog {
    Q_OBJECT
public:
    // What Run and Score call on the worker thread (tests replace them); they may throw.
    using SampleFn = std::function<PreflightReport(const RunConfig&, int groups)>;
    using ScoreFn = std::function<PreflightReport(const RunConfig&, const std::vector<CompletionRow>&)>;

    explicit PreflightDialog(const RunConfig& cfg, QWidget* parent = nullptr, SampleFn sample = {}, ScoreFn score = {});

    void run();    // Run: sample and score K groups
    void score();  // Score: the hand-written completion
    bool busy() const { return m_busy; }

signals:
    void reportShown();   // a preflight report is on screen
    void scoreShown();    // a hand-written completion's scores are on screen
    void failed(const QString& message);

private:
    void setBusy(bool busy);
    void showReport(const PreflightReport& r);
    void showScore(const PreflightReport& r);
    void showError(const QString& message);

    RunConfig m_cfg;
    SampleFn m_sample;
    ScoreFn m_score;
    bool m_busy = false;  // a sample or score runs (runInBackground: the window never waits for it)
    QSpinBox* m_groups = nullptr;
    QPushButton* m_run = nullptr;
    QLabel* m_verdict = nullptr;
    QTableWidget* m_functions = nullptr;
    QTableWidget* m_group_table = nullptr;
    QPlainTextEdit* m_examples = nullptr;
    QLineEdit* m_prompt = nullptr;
    QLineEdit* m_answer = nullptr;
    QPlainTextEdit* m_completion = nullptr;
    QPushButton* m_score_button = nullptr;
    QLabel* m_score_result = nullptr;
};

}  // namespace rf::ui
