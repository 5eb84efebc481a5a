// Session setup, the steps and the loop (SPEC §6, §13); checkpoints, resume state and keep_best are
// in session_checkpoint.cpp.
#include "train/session.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "core/atomic_file.h"
#include "core/dir_lock.h"
#include "core/error.h"
#include "core/fp_mode.h"
#include "io/safetensors.h"
#include "model/adapter_io.h"
#include "train/run_logs.h"
#include "train/session_impl.h"
#include "train/session_resources.h"

namespace fs = std::filesystem;

namespace rf {

void Session::Impl::log(const std::string& line) const {
    if (observer) observer->on_log(line);
}

void Session::Impl::append_metrics(const std::string& phase, const StepMetrics& m) const {
    if (!root()) return;
    nlohmann::json j;
    j["step"] = step;
    j["phase"] = phase;
    for (const auto& x : m) j[x.name] = std::isfinite(x.value) ? nlohmann::json(x.value) : nlohmann::json(nullptr);
    append_line(metrics_path(), j.dump());
}

// ---- setup ------------------------------------------------------------------------------------

void Session::Impl::open(const RunConfig& c, bool resuming) {
    cfg = c;
    if (!control) control = &own_control;
    if (!comm) comm = &own_comm;
    check_data_parallel();
    run_dir = cfg.output_dir;
    adapter_dir = cfg.adapter_path;
    std::error_code ec;
    if (root()) {  // the other ranks of a data-parallel run write nothing
        fs::create_directories(run_dir, ec);
        if (ec) throw InputError(run_dir, 0, "output_dir", "cannot create the run folder: " + ec.message());
        lock = std::make_unique<DirLock>(run_dir);  // one run per folder
        fs::create_directories(adapter_dir, ec);
        if (ec) throw InputError(adapter_dir, 0, "adapter_path", "cannot create the adapter folder: " + ec.message());
    }
    if (!resuming) {
        // paths found relative to the config file are written absolute, so the run folder's
        // config.yaml (what --resume reads) works from anywhere
        std::string model_path = resolve_relative(cfg.model, cfg.origin.file);
        if (model_path != cfg.model) set_value(cfg, "model", fs::absolute(model_path).string());
        std::vector<std::string> data;
        for (const auto& d : cfg.data) {
            std::string p = resolve_relative(d, cfg.origin.file);
            data.push_back(p != d ? fs::absolute(p).string() : d);
        }
        if (data != cfg.data) cfg.data = data;
        for (const char* key : {"reward_functions_file", "reference_model_path", "resume_adapter_file"}) {
            std::string v = get_value(cfg, key), p = resolve_relative(v, cfg.origin.file);
            if (p != v) set_value(cfg, key, fs::absolute(p).string());
        }
        if (root()) save_run_config(run_dir + "/config.yaml", cfg);
    }

    open_resources(true);
    // rank 0 writes judgments.jsonl; the other ranks hold their lines for it (data_parallel.h)
    if (!root() && judgments) judgments = std::make_unique<JudgmentLog>(JudgmentLog::held());

    if (root()) {
        if (resuming) load_state();
        else if (!cfg.resume_adapter_file.empty()) load_adapter_weights(*policy, resolve_relative(cfg.resume_adapter_file, cfg.origin.file));
    }
    sync_from_root(resuming);
}

void Session::Impl::open_resources(bool with_optimizer) {
    open_model(*this);
    log("math: " + math_kernels());
    load_data();
    if (with_optimizer) open_optimizer(*this);
    open_judge(*this);
    rng.reseed(uint64_t(cfg.seed), 7);
}

Session::Session(const RunConfig& cfg, RunObserver* observer, RunControl* control, HumanAsker* asker, Comm* comm)
    : m(std::make_unique<Impl>()) {
    m->observer = observer;
    m->control = control;
    m->asker = asker;
    m->comm = comm ? comm : &m->own_comm;
    m->open(config_of_root(*m->comm, cfg), false);
}

Session::Session(std::unique_ptr<Impl> impl) : m(std::move(impl)) {}
Session::~Session() = default;

std::unique_ptr<Session> Session::resume(const std::string& run_dir, RunObserver* observer, RunControl* control,
                                         HumanAsker* asker, Comm* comm) {
    auto impl = std::make_unique<Impl>();
    impl->comm = comm ? comm : &impl->own_comm;
    std::string cfg_path = run_dir + "/config.yaml";
    RunConfig cfg;
    if (impl->root()) {  // the other ranks of a data-parallel run get rank 0's config
        if (!fs::exists(cfg_path))
            throw InputError(run_dir, 0, {}, "not a run folder: config.yaml is missing",
                             "pass the folder a previous `reinforge-cli train` created (runs/<run_name>)");
        cfg = load_run_config(cfg_path);
    }
    cfg = config_of_root(*impl->comm, cfg);
    cfg.output_dir = run_dir;  // the folder may have moved since
    impl->observer = observer;
    impl->control = control;
    impl->asker = asker;
    impl->open(cfg, true);
    return std::unique_ptr<Session>(new Session(std::move(impl)));
}

const RunConfig& Session::config() const { return m->cfg; }
const std::string& Session::run_dir() const { return m->run_dir; }
int Session::step() const { return m->step; }
int Session::total_steps() const { return m->total_steps; }

// ---- steps ------------------------------------------------------------------------------------

Policy Session::Impl::policy_view() {
    return Policy{policy.get(), reference.get(), tok.get(), optimizer.get(), schedule.get(),
                  ranks() > 1 ? comm : nullptr};
}

StepInputs Session::Impl::step_inputs() {
    // data-parallel: no rank cuts a step short alone (its partners would wait for it); a stop is
    // agreed between steps (stop_agreed)
    return StepInputs{cfg, step, rng, [this] { return ranks() == 1 && stopping(); }};
}

JudgeContext Session::Impl::judge_context(const std::string& phase, int judge_step) {
    return JudgeContext{judge_step, phase, judgments.get(), &judge_stats};
}

void Session::Impl::emit_rollouts(const std::vector<RolloutRecord>& recs) const {
    if (!root()) return;  // rank 0 holds every rank's records (data_parallel.h gather_rollouts)
    for (const auto& r : recs) {
        nlohmann::json j;
        j["step"] = r.step;
        j["prompt"] = r.prompt;
        j["completion"] = r.completion;
        j["answer"] = r.answer;
        nlohmann::json rw = nlohmann::json::object();
        for (const auto& x : r.rewards) rw[x.name] = std::isfinite(x.value) ? nlohmann::json(x.value) : nlohmann::json(nullptr);
        j["rewards"] = rw;
        j["reward"] = r.reward;
        j["advantage"] = r.advantage;
        j["truncated"] = r.truncated;
        j["num_tokens"] = r.num_tokens;
        j["group"] = r.group;
        if (!r.verdict.empty()) j["verdict"] = r.verdict;
        if (!r.tokens.empty()) {
            j["tokens"] = r.tokens;
            nlohmann::json lp = nlohmann::json::array();  // 4 decimals: enough for a heat map, a third of the bytes
            for (float x : r.token_logps) lp.push_back(std::isfinite(x) ? nlohmann::json(std::round(double(x) * 1e4) / 1e4) : nlohmann::json(nullptr));
            j["token_logps"] = lp;
        }
        append_line(run_dir + "/rollouts.jsonl", j.dump());
    }
    if (observer) observer->on_rollouts(step + 1, recs);
}

// The next gradient_accumulation_steps micro-batches of batch_size rows of the training order.
template <class Row>
static std::vector<std::vector<const Row*>> draw_micro_batches(Session::Impl& s, const std::vector<Row>& rows) {
    const int gas = std::max(1, s.cfg.gradient_accumulation_steps);
    std::vector<std::vector<const Row*>> micro(gas);
    for (auto& mb : micro)
        for (size_t i : s.next_batch(size_t(s.cfg.batch_size))) mb.push_back(&rows[i]);
    return micro;
}

// One step of the run's mode on the next micro-batches of the training order.
static StepOutput run_step(Session::Impl& s, Policy& pol, const StepInputs& in) {
    switch (s.cfg.train_mode) {
        case TrainMode::sft: return sft_step(pol, in, draw_micro_batches(s, s.train.seqs));
        case TrainMode::grpo: return grpo_step(pol, in, draw_micro_batches(s, s.train.prompts), *s.rewards);
        case TrainMode::rlhf_reinforce:
        case TrainMode::rloo:
            return reinforce_step(pol, in, draw_micro_batches(s, s.train.prompts), *s.judge,
                                  s.judge_context("train", s.step + 1), s.running_baseline);
        case TrainMode::ppo:
            return ppo_step(pol, in, draw_micro_batches(s, s.train.prompts), *s.judge,
                            s.judge_context("train", s.step + 1));
    }
    return {};
}

StepMetrics Session::train_step() {
    auto t0 = std::chrono::steady_clock::now();
    // What a step consumes before it applies anything: when it is cancelled (a stop while a person is
    // judging), all of it goes back, so the state saved next and a resume start this step over.
    const Rng rng_before = m->rng;
    const DataPosition data_before = m->order->position();
    const uint64_t dropout_before = m->policy->dropout_counter();
    const RunningMeanBaseline baseline_before = m->running_baseline;
    const JudgeStats stats_before = m->judge_stats;
    Policy pol = m->policy_view();
    const StepInputs in = m->step_inputs();
    StepOutput out;
    try {
        if (m->human_reward) m->human_reward->begin_step(m->step + 1, true);
        if (m->judge) m->judge->begin_step(m->step + 1);
        out = run_step(*m, pol, in);
    } catch (const JudgeCancelled&) {
        m->rng = rng_before;
        m->order->restore(data_before);
        m->policy->set_dropout_counter(dropout_before);
        m->running_baseline = baseline_before;
        m->judge_stats = stats_before;
        m->policy->zero_grad();  // a REINFORCE micro-batch judged earlier may have left gradients
        throw;
    }
    if (m->cfg.train_mode != TrainMode::sft) m->emit_rollouts(out.rollouts);
    if (!out.note.empty()) m->log(out.note);
    m->trained_tokens += out.trained_tokens;
    StepMetrics metrics = std::move(out.metrics);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    m->step += 1;
    m->run_seconds += secs;
    metrics.push_back({"step_time", secs});
    metrics.push_back({"iterations_per_second", secs > 0 ? 1.0 / secs : 0.0});
    metrics.push_back({"trained_tokens", m->trained_tokens});
    metrics.push_back({"peak_memory", peak_memory_gb()});
    for (const auto& x : metrics)
        if (!std::isfinite(x.value) && (x.name == "loss" || x.name == "grad_norm"))
            throw std::runtime_error("step " + std::to_string(m->step) + ": " + x.name +
                                     " is not finite; the step was not applied past this point and the last "
                                     "checkpoint in " + m->run_dir + " is kept (lower learning_rate?)");
    m->append_metrics("train", metrics);
    if (m->observer) m->observer->on_metrics(m->step, metrics);
    return metrics;
}

StepMetrics Session::evaluate(int batches, bool test_split) {
    const SplitData& split = test_split ? m->test : m->valid;
    std::string prefix = test_split ? "test_" : "val_";
    // data-parallel: rank 0 evaluates alone (its own RNG, no collective), the others wait for it at
    // the next step
    if (split.size() == 0 || !m->root()) return {};
    Policy pol = m->policy_view();
    if (m->human_reward) m->human_reward->begin_step(m->step, false);  // evaluations never ask the person
    StepMetrics raw = m->cfg.train_mode == TrainMode::sft
                          ? sft_eval(pol, m->cfg, split.seqs, batches)
                          : online_eval(pol, m->step_inputs(), split.prompts, batches, m->rewards.get(), m->judge.get(),
                                        m->judge_context("val", m->step));
    StepMetrics out;
    for (auto& x : raw) out.push_back({prefix + x.name, x.value});
    m->append_metrics(test_split ? "test" : "val", out);
    if (m->observer) m->observer->on_eval(m->step, out);
    return out;
}

// ---- the loop ---------------------------------------------------------------------------------

bool Session::run() {
    const RunConfig& c = m->cfg;
    if (m->observer) m->observer->on_start(m->run_dir, m->step, m->total_steps);
    if (!c.keep_best.empty() && c.steps_per_eval > 0 && m->valid.size() == 0)
        m->log("warning: keep_best: the run has no validation split, so nothing is evaluated and no best weights are "
               "kept");
    // An evaluation cut short by a stop is partial: keep_best does not judge by it.
    auto eval_and_keep = [&] {
        StepMetrics v = evaluate(c.val_batches);
        if (!m->stopping()) m->keep_best(v);
    };
    if (m->step == 0 && c.steps_per_eval > 0 && m->valid.size() > 0) eval_and_keep();
    while (m->step < m->total_steps) {
        while (m->control->pause.load() && !m->stopping()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (m->stop_agreed()) break;
        try {
            train_step();
        } catch (const JudgeCancelled&) {
            break;  // stopped while a person was judging: the step is not applied
        }
        bool last = m->step == m->total_steps;
        if (c.steps_per_eval > 0 && m->valid.size() > 0 && (m->step % c.steps_per_eval == 0 || last) && !m->stopping())
            eval_and_keep();
        if (c.save_every > 0 && m->step % c.save_every == 0 && !last) save_checkpoint();
    }
    bool finished = m->step == m->total_steps;
    save_checkpoint();
    if (finished && c.test && m->test.size() > 0) evaluate(c.test_batches, true);
    return finished;
}

}  // namespace rf
