// keep_best (docs/runs.md): tiny SFT runs with an evaluation every 2 steps. best.json names the best
// "val" row of metrics.jsonl (found here from metrics.jsonl), best_adapters.safetensors holds that
// step's weights (the numbered checkpoint of the step, or not the final weights), the best so far
// survives a stop and resume, an unknown metric is a run-log warning and nothing more, and fuse's
// AdapterChoice::best loads the kept weights (and refuses a run without them).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "config/run_config.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "export/fuse.h"
#include "io/safetensors.h"
#include "model/model.h"
#include "support/tiny_model.h"
#include "train/session.h"

namespace fs = std::filesystem;

namespace {

const std::string kSftDir = std::string(REINFORGE_SOURCE_DIR) + "/resources/datasets/arithmetic-sft";

fs::path temp_dir(const std::string& name) {
    fs::path d = fs::temp_directory_path() / ("rf_keep_best_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

using rf::test::make_tiny_model;

// A data folder: the first n_train rows of the bundled SFT train split, the first n_valid of its valid.
std::string sft_folder(const fs::path& dir, int n_train, int n_valid) {
    fs::create_directories(dir);
    for (auto [split, n] : {std::pair<const char*, int>{"train", n_train}, {"valid", n_valid}}) {
        std::ifstream in(kSftDir + "/" + split + ".jsonl");
        std::string line, out;
        for (int i = 0; i < n && std::getline(in, line); ++i) out += line + "\n";
        rf::write_file_atomic((dir / (std::string(split) + ".jsonl")).string(), out);
    }
    return dir.string();
}

struct LogLines : rf::RunObserver {
    std::vector<std::string> lines;
    rf::RunControl* stop_control = nullptr;
    int stop_after = -1;
    void on_log(const std::string& line) override { lines.push_back(line); }
    void on_metrics(int step, const rf::StepMetrics&) override {
        if (stop_control && step == stop_after) stop_control->stop = true;
    }
    bool has(const std::string& needle) const {
        for (const auto& l : lines)
            if (l.find(needle) != std::string::npos) return true;
        return false;
    }
};

struct ValRow {
    int step = -1;
    double value = 0;
};

// The best "val" row for `metric` in metrics.jsonl: the first of the highest (max) or lowest (min)
// values, as keep_best keeps only strict improvements.
ValRow best_val_row(const std::string& run_dir, const std::string& metric, bool minimise, int* rows = nullptr) {
    ValRow best;
    int n = 0;
    std::ifstream in(run_dir + "/metrics.jsonl");
    std::string line;
    while (std::getline(in, line)) {
        auto j = nlohmann::json::parse(line);
        if (j.value("phase", "") != "val" || !j.contains(metric) || !j[metric].is_number()) continue;
        ++n;
        double v = j[metric].get<double>();
        if (best.step < 0 || (minimise ? v < best.value : v > best.value)) best = {j["step"].get<int>(), v};
    }
    if (rows) *rows = n;
    return best;
}

rf::RunConfig sft_config(const std::string& model, const std::string& data, const fs::path& out) {
    rf::RunConfig c = rf::default_run_config(rf::TrainMode::sft);
    rf::set_value(c, "model", model);
    rf::set_value(c, "data", data);
    rf::set_value(c, "output_dir", out.string());
    rf::set_value(c, "seed", "3");
    rf::set_value(c, "iters", "6");
    rf::set_value(c, "batch_size", "4");
    rf::set_value(c, "learning_rate", "0.003");
    rf::set_value(c, "num_layers", "-1");
    rf::set_value(c, "steps_per_eval", "2");
    rf::set_value(c, "val_batches", "-1");
    rf::set_value(c, "save_every", "1");  // a numbered checkpoint at every step, to compare the best with
    return c;
}

// Byte equality of two files, without printing binary contents on failure.
bool same_bytes(const std::string& a, const std::string& b) { return rf::read_file(a) == rf::read_file(b); }

std::string numbered(const std::string& run_dir, int step) {
    char name[64];
    std::snprintf(name, sizeof name, "/adapters/%07d_adapters.safetensors", step);
    return run_dir + name;
}

// Runs `c` to the end and checks best.json and best_adapters.safetensors against metrics.jsonl and
// the numbered checkpoints. Returns the best row.
ValRow run_and_check(const rf::RunConfig& c, bool minimise) {
    LogLines log;
    rf::Session s(c, &log, nullptr);
    EXPECT_TRUE(s.run());
    const std::string run = s.run_dir();
    int rows = 0;
    const ValRow want = best_val_row(run, "val_loss", minimise, &rows);
    EXPECT_EQ(rows, 4) << "evaluations at steps 0, 2, 4, 6";
    EXPECT_GE(want.step, 0);
    auto best = nlohmann::json::parse(rf::read_file(run + "/best.json"));
    EXPECT_EQ(best["metric"], "val_loss");
    EXPECT_EQ(best["mode"], minimise ? "min" : "max");
    EXPECT_EQ(best["step"].get<int>(), want.step);
    EXPECT_EQ(best["value"].get<double>(), want.value);  // the same double, written by the same JSON library
    EXPECT_TRUE(log.has("best val_loss ")) << "no '(kept)' line in the run log";
    EXPECT_TRUE(log.has("at step " + std::to_string(want.step) + " (kept)"));
    const std::string kept = run + "/adapters/best_adapters.safetensors", latest = run + "/adapters/adapters.safetensors";
    if (want.step > 0) {
        EXPECT_TRUE(same_bytes(kept, numbered(run, want.step))) << "best step " << want.step;
    }
    EXPECT_EQ(same_bytes(kept, latest), want.step == 6) << "best step " << want.step;
    auto state = nlohmann::json::parse(rf::read_file(run + "/state.json"));
    EXPECT_EQ(state["best"]["step"].get<int>(), want.step);
    EXPECT_EQ(state["best"]["value"].get<double>(), want.value);
    return want;
}

}  // namespace

// min on val_loss (named without the val_ prefix): the loss falls, so the best is a trained step whose
// numbered checkpoint holds the same bytes. max: the untrained step 0 is the worst fit, kept as "best",
// which differs from the final weights.
TEST(KeepBest, BestJsonAndWeightsMatchTheBestValRow) {
    fs::path d = temp_dir("match");
    std::string model = make_tiny_model(d / "model");
    std::string data = sft_folder(d / "data", 12, 8);
    rf::RunConfig lo = sft_config(model, data, d / "min");
    rf::set_value(lo, "keep_best", "loss");
    ValRow a = run_and_check(lo, true);
    EXPECT_GT(a.step, 0) << "the validation loss never fell below its untrained value";

    rf::RunConfig hi = sft_config(model, data, d / "max");
    rf::set_value(hi, "keep_best", "val_loss");
    rf::set_value(hi, "keep_best_mode", "max");
    ValRow b = run_and_check(hi, false);
    EXPECT_LT(b.step, 6);
    fs::remove_all(d);
}

// Stopped after step 3 (evaluations at 0 and 2 done) and resumed: the best so far comes back from
// state.json, so best.json and the kept weights equal an uninterrupted run's. With mode max the best
// is before the stop, so a resume that forgot it would keep a later step instead.
TEST(KeepBest, ResumedRunKeepsTheBestSoFar) {
    fs::path d = temp_dir("resume");
    std::string model = make_tiny_model(d / "model");
    std::string data = sft_folder(d / "data", 12, 8);
    auto cfg = [&](const std::string& name) {
        rf::RunConfig c = sft_config(model, data, d / name);
        rf::set_value(c, "keep_best", "val_loss");
        rf::set_value(c, "keep_best_mode", "max");
        rf::set_value(c, "lora_parameters.dropout", "0.1");
        return c;
    };
    {
        rf::Session a(cfg("straight"), nullptr, nullptr);
        ASSERT_TRUE(a.run());
    }
    {
        rf::RunControl control;
        LogLines log;
        log.stop_control = &control;
        log.stop_after = 3;
        rf::Session b(cfg("stopped"), &log, &control);
        EXPECT_FALSE(b.run());
        EXPECT_EQ(b.step(), 3);
        auto state = nlohmann::json::parse(rf::read_file((d / "stopped/state.json").string()));
        ASSERT_TRUE(state.contains("best"));
        EXPECT_LE(state["best"]["step"].get<int>(), 2);
    }
    auto resumed = rf::Session::resume((d / "stopped").string(), nullptr, nullptr);
    EXPECT_EQ(resumed->step(), 3);
    EXPECT_TRUE(resumed->run());
    auto want = nlohmann::json::parse(rf::read_file((d / "straight/best.json").string()));
    auto got = nlohmann::json::parse(rf::read_file((d / "stopped/best.json").string()));
    EXPECT_LT(want["step"].get<int>(), 3) << "the best is after the stop: the test shows nothing";
    EXPECT_EQ(got, want);
    EXPECT_TRUE(same_bytes((d / "stopped/adapters/best_adapters.safetensors").string(),
                           (d / "straight/adapters/best_adapters.safetensors").string()));
    // an old state file (no "best") still resumes; a best.json from after the checkpoint (a kill
    // between an evaluation and the next checkpoint) is named in the log
    auto state = nlohmann::json::parse(rf::read_file((d / "stopped/state.json").string()));
    state.erase("best");
    rf::write_file_atomic((d / "stopped/state.json").string(), state.dump(2));
    got["step"] = 9;
    rf::write_file_atomic((d / "stopped/best.json").string(), got.dump(2));
    resumed.reset();
    LogLines log;
    EXPECT_NO_THROW(rf::Session::resume((d / "stopped").string(), &log, nullptr));
    EXPECT_TRUE(log.has("note: best.json is from step 9, after this checkpoint; the best so far is none"));
    fs::remove_all(d);
}

// An unknown name is a warning at the first evaluation, listing the val_ names; the run goes on.
TEST(KeepBest, UnknownMetricWarnsAndKeepsNothing) {
    fs::path d = temp_dir("unknown");
    std::string model = make_tiny_model(d / "model");
    rf::RunConfig c = sft_config(model, sft_folder(d / "data", 12, 4), d / "run");
    rf::set_value(c, "keep_best", "val_rewards");
    rf::set_value(c, "iters", "4");
    LogLines log;
    rf::Session s(c, &log, nullptr);
    EXPECT_TRUE(s.run());
    EXPECT_TRUE(log.has("keep_best: this evaluation has no metric 'val_rewards' (its metrics: val_loss)"));
    int warnings = 0;
    for (const auto& l : log.lines) warnings += l.find("warning: keep_best") != std::string::npos;
    EXPECT_EQ(warnings, 1);
    EXPECT_FALSE(fs::exists(s.run_dir() + "/best.json"));
    EXPECT_FALSE(fs::exists(s.run_dir() + "/adapters/best_adapters.safetensors"));
    fs::remove_all(d);
}

TEST(KeepBest, NoValidationSplitWarns) {
    fs::path d = temp_dir("novalid");
    std::string model = make_tiny_model(d / "model");
    std::string data = sft_folder(d / "data", 12, 0);
    fs::remove(d / "data/valid.jsonl");
    rf::RunConfig c = sft_config(model, (d / "data/train.jsonl").string(), d / "run");
    rf::set_value(c, "valid_fraction", "0");
    rf::set_value(c, "keep_best", "val_loss");
    rf::set_value(c, "iters", "2");
    LogLines log;
    rf::Session s(c, &log, nullptr);
    EXPECT_TRUE(s.run());
    EXPECT_TRUE(log.has("warning: keep_best: the run has no validation split"));
    EXPECT_FALSE(fs::exists(s.run_dir() + "/best.json"));
    fs::remove_all(d);
}

TEST(KeepBest, ValidationWarnings) {
    rf::RunConfig c = rf::default_run_config(rf::TrainMode::sft);
    rf::set_value(c, "keep_best", "val_rewards");
    rf::set_value(c, "steps_per_eval", "0");
    bool no_eval = false, not_sft = false;
    for (const auto& i : rf::validate(c)) {
        if (i.key != "keep_best") continue;
        EXPECT_EQ(i.severity, rf::Severity::warning) << i.message;
        no_eval |= i.message.find("steps_per_eval 0") != std::string::npos;
        not_sft |= i.message.find("val_loss only") != std::string::npos;
    }
    EXPECT_TRUE(no_eval);
    EXPECT_TRUE(not_sft);
    rf::RunConfig g = rf::default_run_config(rf::TrainMode::grpo);
    rf::set_value(g, "keep_best_mode", "min");
    EXPECT_THROW(rf::set_value(g, "keep_best_mode", "lowest"), rf::InputError);
    g.origin.explicit_keys.insert("keep_best_mode");
    bool ignored = false;
    for (const auto& i : rf::validate(g))
        ignored |= i.key == "keep_best_mode" && i.message.find("without keep_best") != std::string::npos;
    EXPECT_TRUE(ignored);
}

// fuse's AdapterChoice::best loads best_adapters.safetensors; a run without best.json is refused by name.
TEST(KeepBest, ExportSourceLoadsTheBestAdapters) {
    fs::path d = temp_dir("export");
    std::string model = make_tiny_model(d / "model");
    std::string data = sft_folder(d / "data", 12, 8);
    rf::RunConfig c = sft_config(model, data, d / "run");
    rf::set_value(c, "keep_best", "val_loss");
    rf::set_value(c, "keep_best_mode", "max");  // step 0 or an early step: not the final weights
    {
        rf::Session s(c, nullptr, nullptr);
        ASSERT_TRUE(s.run());
    }
    const std::string run = (d / "run").string();
    const int step = nlohmann::json::parse(rf::read_file(run + "/best.json"))["step"].get<int>();
    ASSERT_LT(step, 6);
    rf::ExportSource best = rf::open_export_source(run, {}, rf::AdapterChoice::best);
    rf::ExportSource latest = rf::open_export_source(run);
    rf::ExportSource kept = rf::open_export_source(run, "best_adapters.safetensors");
    EXPECT_NE(best.best_note.find("val_loss"), std::string::npos);
    std::vector<float> pb(best.model->params().begin(), best.model->params().end());
    std::vector<float> pl(latest.model->params().begin(), latest.model->params().end());
    std::vector<float> pk(kept.model->params().begin(), kept.model->params().end());
    EXPECT_EQ(pb, pk);
    EXPECT_NE(pb, pl);

    try {
        rf::open_export_source(run, "0000006_adapters.safetensors", rf::AdapterChoice::best);
        ADD_FAILURE() << "--adapters best with --checkpoint";
    } catch (const rf::InputError&) {
    }
    fs::remove(run + "/best.json");
    try {
        rf::open_export_source(run, {}, rf::AdapterChoice::best);
        ADD_FAILURE() << "no best.json, no error";
    } catch (const rf::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("best.json is missing"), std::string::npos) << e.what();
    }
    EXPECT_THROW(rf::adapter_choice_from_string("newest", "--adapters"), rf::InputError);
    fs::remove_all(d);
}
