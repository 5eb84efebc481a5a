#include "bridge_run_queue.h"

#include "qt_text.h"

namespace rf::bridge {

using ui::qs;

namespace {

ui::MetricsRow toRow(int step, const StepMetrics& metrics) {
    ui::MetricsRow row;
    row.step = step;
    for (const Metric& m : metrics) row.values.insert(qs(m.name), m.value);
    return row;
}

double valueOr(const StepMetrics& metrics, const char* name, double fallback) {
    for (const Metric& m : metrics)
        if (m.name == name) return m.value;
    return fallback;
}

}  // namespace

template <class F>
void RunQueue::push(F&& fill) {
    bool was_empty;
    {
        std::lock_guard lock(m_mutex);
        was_empty = m_batch.empty();
        fill(m_batch);
    }
    if (was_empty && m_on_pending) m_on_pending();
}

RunBatch RunQueue::take() {
    std::lock_guard lock(m_mutex);
    RunBatch out = std::move(m_batch);
    m_batch = RunBatch{};
    return out;
}

QString RunQueue::runDir() const {
    std::lock_guard lock(m_mutex);
    return m_run_dir;
}

int RunQueue::lastStep() const {
    std::lock_guard lock(m_mutex);
    return m_progress.step;
}

void RunQueue::log(const QString& line) {
    push([&](RunBatch& b) { b.log.append(line); });
}

void RunQueue::on_start(const std::string& run_dir, int first_step, int total_steps) {
    push([&](RunBatch& b) {
        m_run_dir = qs(run_dir);
        m_progress.step = first_step;
        m_progress.total = total_steps;
        b.started = true;
        b.run_dir = m_run_dir;
        b.progress = m_progress;
        b.progress_changed = true;
    });
}

void RunQueue::on_metrics(int step, const StepMetrics& metrics) {
    push([&](RunBatch& b) {
        b.metrics.append(toRow(step, metrics));
        m_progress.step = step;
        m_progress.tokens_per_second = valueOr(metrics, "tokens_per_second", m_progress.tokens_per_second);
        m_progress.learning_rate = valueOr(metrics, "learning_rate", m_progress.learning_rate);
        b.progress = m_progress;
        b.progress_changed = true;
    });
}

void RunQueue::on_eval(int step, const StepMetrics& metrics) {
    push([&](RunBatch& b) { b.metrics.append(toRow(step, metrics)); });
}

void RunQueue::on_rollouts(int step, const std::vector<RolloutRecord>& rollouts) {
    push([&](RunBatch& b) {
        for (const RolloutRecord& r : rollouts) {
            ui::RolloutRow row;
            row.step = r.step ? r.step : step;
            row.prompt = qs(r.prompt);
            row.completion = qs(r.completion);
            row.reward = r.reward;
            row.advantage = r.advantage;
            row.truncated = r.truncated;
            row.answer = qs(r.answer);
            row.group = r.group;
            row.num_tokens = r.num_tokens;
            row.verdict = qs(r.verdict);
            row.tokens.reserve(qsizetype(r.tokens.size()));
            for (const std::string& t : r.tokens) row.tokens.append(qs(t));
            row.token_logps = QList<float>(r.token_logps.begin(), r.token_logps.end());
            for (const Metric& m : r.rewards) row.function_rewards.insert(qs(m.name), m.value);
            b.rollouts.append(row);
        }
    });
}

void RunQueue::on_log(const std::string& line) { log(qs(line)); }

bool RunQueue::on_download(const HubProgress& p) {
    push([&](RunBatch& b) {
        b.download = {qs(p.file), p.all_done, p.all_total, p.files_done, p.files_total};
        b.download_changed = true;
    });
    return true;
}

}  // namespace rf::bridge
