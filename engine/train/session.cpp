// Session setup, the step loop, checkpoints and exact resume (SPEC §6, §13, §15).
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

// ---- checkpoints ----------------------------------------------------------------------------

// A checkpoint is several files; state.json is written last and names the step's own weights and
// optimizer files, so a kill at any moment leaves either the previous checkpoint or this one whole
// (never new weights with old optimizer state). adapters.safetensors, the latest weights for users,
// is written after the commit.
void Session::save_checkpoint() {
    if (!m->root()) return;  // data-parallel: rank 0's weights and state are every rank's
    char name[64];
    std::snprintf(name, sizeof name, "/%07d_adapters.safetensors", m->step);
    const std::string numbered = m->adapter_dir + name;
    m->save_adapters(numbered);
    m->save_state(numbered);
    m->save_adapters(m->adapter_dir + "/adapters.safetensors");
    m->log("checkpoint saved at step " + std::to_string(m->step) + " in " + m->adapter_dir);
}

// The adapter weights at `path`, and adapter_config.json beside them with what is needed to reload the
// adapters (mlx-lm's keys plus the base model and the run's mode).
void Session::Impl::save_adapters(const std::string& path) const {
    save_adapter_weights(*policy, path);
    nlohmann::json extra = {{"model", cfg.model}, {"base_model_name_or_path", model_dir},
                            {"train_mode", std::string(enum_name(cfg.train_mode))}, {"trainer", "reinforge " REINFORGE_VERSION}};
    write_file_atomic(adapter_dir + "/adapter_config.json", adapter_config_json(policy->finetune(), extra));
}

// state.json: everything besides the weights that the next step depends on, the weights file of
// this step and the optimizer moments, in state.<step>.optimizer.bin beside it (written first, so
// state.json always names complete files; the previous step's optimizer file goes after).
void Session::Impl::save_state(const std::string& adapters_file) const {
    std::vector<uint8_t> opt = optimizer->serialise();
    char name[64];
    std::snprintf(name, sizeof name, "state.%07d.optimizer.bin", step);
    write_file_atomic(run_dir + "/" + name, std::string_view(reinterpret_cast<const char*>(opt.data()), opt.size()));
    std::string previous_optimizer;
    if (fs::exists(run_dir + "/state.json")) {
        nlohmann::json old = nlohmann::json::parse(read_file(run_dir + "/state.json"), nullptr, false);
        if (old.is_object() && old.value("optimizer", std::string()) != name) previous_optimizer = old.value("optimizer", std::string());
    }
    nlohmann::json j;
    j["schema_version"] = 1;
    j["step"] = step;
    j["trained_tokens"] = trained_tokens;
    j["run_seconds"] = run_seconds;
    j["rng"] = {std::to_string(rng.state), std::to_string(rng.inc)};
    j["data"] = order->position().to_string();
    j["dropout_counter"] = std::to_string(policy->dropout_counter());
    j["running_baseline"] = running_baseline.to_json();
    j["judge_stats"] = {judge_stats.verdicts, judge_stats.failures, judge_stats.skipped, judge_stats.ties};
    j["optimizer_bytes"] = opt.size();
    j["optimizer"] = name;
    fs::path rel = fs::path(adapters_file).lexically_relative(run_dir);
    j["adapters"] = rel.empty() || rel.string().starts_with("..") ? adapters_file : rel.string();
    if (best.step >= 0) j["best"] = {{"metric", best.metric}, {"value", best.value}, {"step", best.step}};
    write_file_atomic(run_dir + "/state.json", j.dump(2));
    std::error_code ec;
    if (!previous_optimizer.empty() && previous_optimizer.find('/') == std::string::npos)
        fs::remove(run_dir + "/" + previous_optimizer, ec);
    fs::remove(run_dir + "/state.optimizer.bin", ec);  // the unnumbered file of older versions
}

void Session::Impl::load_state() {
    std::string path = run_dir + "/state.json";
    if (!fs::exists(path))
        throw InputError(path, 0, {}, "no checkpoint to resume from", "the run stopped before its first save");
    nlohmann::json j;
    std::string optimizer_file, adapters_file;
    try {
        j = nlohmann::json::parse(read_file(path));
        // an integer step in range (get<int> of a float out of range would be undefined behaviour)
        if (!j.at("step").is_number_integer() || j["step"].get<int64_t>() < 0 || j["step"].get<int64_t>() > INT32_MAX)
            throw InputError(path, 0, "step", "the step is not a non-negative integer", "resume from a complete run folder");
        step = int(j["step"].get<int64_t>());
        trained_tokens = j.at("trained_tokens").get<double>();
        run_seconds = j.value("run_seconds", 0.0);
        rng.state = std::stoull(j.at("rng").at(0).get<std::string>());
        rng.inc = std::stoull(j.at("rng").at(1).get<std::string>());
        order->restore(DataPosition::parse(j.at("data").get<std::string>(), path + ": data"));
        policy->set_dropout_counter(std::stoull(j.at("dropout_counter").get<std::string>()));
        running_baseline = RunningMeanBaseline::from_json(j.at("running_baseline"));
        auto js = j.at("judge_stats");
        judge_stats = {js.at(0).get<int64_t>(), js.at(1).get<int64_t>(), js.at(2).get<int64_t>(), js.at(3).get<int64_t>()};
        optimizer_file = j.value("optimizer", std::string());
        adapters_file = j.value("adapters", std::string());
        if (j.contains("best")) {  // keep_best's best so far (absent in older state files and without keep_best)
            const auto& b = j.at("best");
            best = {b.at("metric").get<std::string>(), b.at("value").get<double>(), b.at("step").get<int>(), false};
        }
        if (optimizer_file.find('/') != std::string::npos) throw InputError(path, 0, "optimizer", "the optimizer file must be beside state.json");
    } catch (const nlohmann::json::exception& e) {
        throw InputError(path, 0, {}, std::string("damaged state file: ") + e.what(), "resume from a complete run folder");
    } catch (const std::invalid_argument& e) {  // std::stoull of a string that is not a number
        throw InputError(path, 0, {}, std::string("damaged state file: a number does not parse (") + e.what() + ")",
                         "resume from a complete run folder");
    } catch (const std::out_of_range& e) {  // std::stoull of a number past 2^64
        throw InputError(path, 0, {}, std::string("damaged state file: a number is out of range (") + e.what() + ")",
                         "resume from a complete run folder");
    }
    // older run folders: state.optimizer.bin and adapters/adapters.safetensors
    std::string bin = read_file(run_dir + "/" + (optimizer_file.empty() ? std::string("state.optimizer.bin") : optimizer_file));
    optimizer->restore(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bin.data()), bin.size()),
                       policy->params().size());
    load_adapter_weights(*policy, adapters_file.empty() || adapters_file == "adapters/adapters.safetensors"
                                      ? adapter_dir + "/adapters.safetensors"
                                      : fs::path(adapters_file).is_absolute() ? adapters_file : run_dir + "/" + adapters_file);
    size_t dropped = 0;
    for (const char* name : {"metrics.jsonl", "rollouts.jsonl"}) dropped += drop_rows_after(run_dir + "/" + name, step);
    size_t kept = mark_judgments_after(run_dir + "/judgments.jsonl", step);
    // best.json written by an evaluation after this checkpoint belongs to steps that are trained again;
    // the best so far is the checkpoint's, and those steps write best.json again when they beat it.
    if (!cfg.keep_best.empty() && fs::exists(run_dir + "/best.json")) {
        nlohmann::json b = nlohmann::json::parse(read_file(run_dir + "/best.json"), nullptr, false);
        const bool named = b.is_object() && b.contains("step") && b["step"].is_number_integer();
        const int best_step = named ? b["step"].get<int>() : -1;
        const std::string so_far = best.step >= 0 ? best.metric + " at step " + std::to_string(best.step) : "none";
        if (best_step > step)
            log("note: best.json is from step " + std::to_string(best_step) +
                ", after this checkpoint; the best so far is " + so_far + " until the run passes it again");
    }
    log("resumed at step " + std::to_string(step) + " from " + run_dir +
        (dropped ? " (" + std::to_string(dropped) + " log rows written after that checkpoint were removed)" : std::string()) +
        (kept ? " (" + std::to_string(kept) + " verdicts given after it are kept, marked \"after_resume_point\")" : std::string()));
}

// ---- keep_best ----------------------------------------------------------------------------------

// keep_best_mode auto: lower is better for a loss or a KL, higher for the rest (rewards, accuracies).
static bool keep_best_minimises(const std::string& metric, KeepBestMode mode) {
    if (mode != KeepBestMode::auto_) return mode == KeepBestMode::min;
    return metric.find("loss") != std::string::npos || metric.find("kl") != std::string::npos;
}

// The weights are written before best.json, each atomically through the checkpoints' own path, so
// best.json never names weights that are not complete.
void Session::Impl::keep_best(const StepMetrics& val) {
    if (cfg.keep_best.empty() || best.off || val.empty()) return;
    const Metric* found = nullptr;
    for (const std::string& name : {cfg.keep_best, "val_" + cfg.keep_best})  // the val_ prefix is optional
        for (const Metric& x : val)
            if (!found && x.name == name) found = &x;
    if (!found) {
        std::string names;
        for (const Metric& x : val) names += (names.empty() ? "" : ", ") + x.name;
        log("warning: keep_best: this evaluation has no metric '" + cfg.keep_best + "' (its metrics: " + names +
            "); no best weights are kept in this run");
        best.off = true;
        return;
    }
    if (!std::isfinite(found->value)) return;
    const bool minimise = keep_best_minimises(found->name, cfg.keep_best_mode);
    if (best.metric != found->name) best = {found->name, 0.0, -1, false};  // a state file about another metric
    if (best.step >= 0 && !(minimise ? found->value < best.value : found->value > best.value)) return;
    save_adapters(adapter_dir + "/best_adapters.safetensors");
    nlohmann::json j = {{"metric", found->name}, {"mode", minimise ? "min" : "max"}, {"value", found->value},
                        {"step", step}};
    write_file_atomic(run_dir + "/best.json", j.dump(2));
    best.value = found->value;
    best.step = step;
    char value[32];
    std::snprintf(value, sizeof value, "%.6g", found->value);
    log("best " + found->name + " " + value + " at step " + std::to_string(step) + " (kept)");
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
