// judge: human in the window. QtJudge implements the engine's HumanAsker (judge/human_judge.h): the
// engine thread asks, the GUI thread shows the JudgeDialog, and the answer comes back through a
// promise/future. The engine thread waits in 20 ms slices and checks the run's stop flag between
// them, so stopping a run while the dialog is open returns at once (the dialog is closed) and never
// deadlocks: nothing on the GUI thread ever waits for the engine thread.
#pragma once
#include <QObject>
#include <QPointer>
#include <atomic>
#include <functional>
#include <future>
#include <memory>

#include "judge/human_judge.h"
#include "judge/judge_types.h"

class QWidget;

namespace rf::ui {
class JudgeDialog;
}

namespace rf::bridge {

class QtJudge : public QObject, public HumanAsker {
    Q_OBJECT
public:
    // The dialog is created on first use with `dialog_parent` (the main window) as parent.
    explicit QtJudge(QWidget* dialog_parent = nullptr, QObject* parent = nullptr);
    ~QtJudge() override;

    ui::JudgeDialog* dialog();  // GUI thread
    // The step the engine is in (for "verdict k of n in step s"); called on the engine thread.
    void setStepSource(std::function<int()> step_source) { m_step_source = std::move(step_source); }

    // HumanAsker, engine thread.
    std::optional<Winner> ask_pair(const PairItem& item, int index, int count, const std::atomic<bool>& stop) override;
    std::optional<ScalarAnswer> ask_scalar(const JudgeItem& item, int index, int count,
                                           const std::atomic<bool>& stop) override;

signals:
    void questionShown(const rf::ui::JudgeQuestion& question);  // GUI thread, after the dialog opened
    void answerGiven(const rf::ui::JudgeAnswer& answer);

private:
    using Promise = std::promise<ui::JudgeAnswer>;
    std::optional<ui::JudgeAnswer> ask(const ui::JudgeQuestion& question, const std::atomic<bool>& stop);
    void show(quint64 id, const ui::JudgeQuestion& question, std::shared_ptr<Promise> promise);  // GUI thread
    void cancel(quint64 id);                                                                   // GUI thread
    void onAnswered(const ui::JudgeAnswer& answer);                                            // GUI thread

    QPointer<QWidget> m_dialog_parent;
    ui::JudgeDialog* m_dialog = nullptr;
    std::function<int()> m_step_source;
    std::atomic<quint64> m_next_id{1};
    // GUI thread only:
    quint64 m_shown_id = 0;
    std::shared_ptr<Promise> m_pending;
};

}  // namespace rf::bridge
