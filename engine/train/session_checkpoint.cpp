// Session checkpoints (SPEC §13, §15): adapters and state.json written atomically (state last, so a
// kill mid-checkpoint resumes from the previous one), the exact-resume state read back, keep_best.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/atomic_file.h"
#include "core/error.h"
#include "io/safetensors.h"
#include "model/adapter_io.h"
#include "train/run_logs.h"
#include "train/session.h"
#include "train/session_impl.h"
#include "train/session_resources.h"

namespace fs = std::filesystem;

namespace rf {

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
nlohmann::json Session::Impl::loop_state() const {
    nlohmann::json j;
    j["step"] = step;
    j["trained_tokens"] = trained_tokens;
    j["run_seconds"] = run_seconds;
    j["rng"] = {std::to_string(rng.state), std::to_string(rng.inc)};
    j["data"] = order->position().to_string();
    j["dropout_counter"] = std::to_string(policy->dropout_counter());
    j["running_baseline"] = running_baseline.to_json();
    j["judge_stats"] = {judge_stats.verdicts, judge_stats.failures, judge_stats.skipped, judge_stats.ties};
    return j;
}

void Session::Impl::restore_loop_state(const nlohmann::json& j, const std::string& where) {
    step = j.at("step").get<int>();
    trained_tokens = j.at("trained_tokens").get<double>();
    run_seconds = j.value("run_seconds", 0.0);
    rng.state = std::stoull(j.at("rng").at(0).get<std::string>());
    rng.inc = std::stoull(j.at("rng").at(1).get<std::string>());
    order->restore(DataPosition::parse(j.at("data").get<std::string>(), where));
    policy->set_dropout_counter(std::stoull(j.at("dropout_counter").get<std::string>()));
    running_baseline = RunningMeanBaseline::from_json(j.at("running_baseline"));
    const auto& js = j.at("judge_stats");
    judge_stats = {js.at(0).get<int64_t>(), js.at(1).get<int64_t>(), js.at(2).get<int64_t>(), js.at(3).get<int64_t>()};
}

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
    j.update(loop_state());
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
        restore_loop_state(j, path + ": data");
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

}  // namespace rf
