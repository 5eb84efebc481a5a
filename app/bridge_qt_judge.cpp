#include "bridge_qt_judge.h"

#include <QMetaObject>
#include <QWidget>
#include <chrono>

#include "judge/judge_dialog.h"

namespace rf::bridge {

QtJudge::QtJudge(QWidget* dialog_parent, QObject* parent) : QObject(parent), m_dialog_parent(dialog_parent) {}

QtJudge::~QtJudge() {
    if (m_pending) m_pending->set_value(ui::JudgeAnswer{});  // a waiter (if any) reads "skip"
    delete m_dialog;
}

ui::JudgeDialog* QtJudge::dialog() {
    if (!m_dialog) {
        m_dialog = new ui::JudgeDialog(m_dialog_parent);
        connect(m_dialog, &ui::JudgeDialog::answered, this, &QtJudge::onAnswered);
    }
    return m_dialog;
}

std::optional<Winner> QtJudge::ask_pair(const PairItem& item, int index, int count, const std::atomic<bool>& stop) {
    ui::JudgeQuestion q;
    q.pairwise = true;
    q.prompt = QString::fromStdString(item.prompt);
    q.first = QString::fromStdString(item.completions[0]);
    q.second = QString::fromStdString(item.completions[1]);
    q.index = index + 1;
    q.count = count;
    q.step = m_step_source ? m_step_source() : 0;
    const std::optional<ui::JudgeAnswer> a = ask(q, stop);
    if (!a) return std::nullopt;
    switch (a->verdict) {
        case ui::JudgeAnswer::Verdict::first: return Winner::first;
        case ui::JudgeAnswer::Verdict::second: return Winner::second;
        case ui::JudgeAnswer::Verdict::tie: return Winner::tie;
        default: return Winner::skip;
    }
}

std::optional<ScalarAnswer> QtJudge::ask_scalar(const JudgeItem& item, int index, int count,
                                                const std::atomic<bool>& stop) {
    ui::JudgeQuestion q;
    q.pairwise = false;
    q.prompt = QString::fromStdString(item.prompt);
    q.first = QString::fromStdString(item.completion);
    q.index = index + 1;
    q.count = count;
    q.step = m_step_source ? m_step_source() : 0;
    const std::optional<ui::JudgeAnswer> a = ask(q, stop);
    if (!a) return std::nullopt;
    if (a->verdict != ui::JudgeAnswer::Verdict::score) return ScalarAnswer{true, 0.0f};
    return ScalarAnswer{false, float(std::clamp(a->score, 0, 10))};
}

std::optional<ui::JudgeAnswer> QtJudge::ask(const ui::JudgeQuestion& question, const std::atomic<bool>& stop) {
    if (stop.load()) return std::nullopt;
    auto promise = std::make_shared<Promise>();
    std::future<ui::JudgeAnswer> answer = promise->get_future();
    const quint64 id = m_next_id.fetch_add(1);
    QMetaObject::invokeMethod(this, [this, id, question, promise] { show(id, question, promise); }, Qt::QueuedConnection);
    while (answer.wait_for(std::chrono::milliseconds(20)) != std::future_status::ready) {
        if (stop.load()) {
            QMetaObject::invokeMethod(this, [this, id] { cancel(id); }, Qt::QueuedConnection);
            return std::nullopt;
        }
    }
    return answer.get();
}

void QtJudge::show(quint64 id, const ui::JudgeQuestion& question, std::shared_ptr<Promise> promise) {
    if (m_pending) m_pending->set_value(ui::JudgeAnswer{});  // cannot happen: the engine asks one at a time
    m_shown_id = id;
    m_pending = std::move(promise);
    dialog()->ask(question);
    emit questionShown(question);
}

void QtJudge::cancel(quint64 id) {
    if (id != m_shown_id) return;
    m_pending.reset();  // nobody waits any more
    m_shown_id = 0;
    if (m_dialog) m_dialog->cancel();
}

void QtJudge::onAnswered(const ui::JudgeAnswer& answer) {
    if (!m_pending) return;
    std::shared_ptr<Promise> p = std::move(m_pending);
    m_pending.reset();
    m_shown_id = 0;
    p->set_value(answer);
    emit answerGiven(answer);
}

}  // namespace rf::bridge
