// reinforge-cli train CONFIG.yaml [--set key=value …] | --resume RUN_DIR
// Runs a training session headless: a progress line on stderr, metrics in the run folder. Ctrl-C
// (SIGINT) or SIGTERM finishes the current step, writes a checkpoint and exits 0; `--resume RUN_DIR`
// continues such a run with the same results as an uninterrupted one.
// Started by `mpirun -np N`, the N processes train one run data-parallel (docs/scale-out.md): rank 0
// prints the progress and writes the run folder; an error on any rank ends the whole job. SIGUSR1
// also stops with a checkpoint (`kill -USR1 <mpirun>` reaches every rank).
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <unistd.h>

#include "cli_command.h"
#include "cli_progress.h"
#include "cli_trend.h"
#include "cli_human_judge.h"
#include "config/run_config.h"
#include "core/error.h"
#include "dist/comm.h"
#include "export/post_run.h"
#include "rl/health.h"
#include "train/session.h"

namespace {

rf::RunControl* g_control = nullptr;

extern "C" void on_signal(int) {
    if (g_control) g_control->stop.store(true);
}

// The progress line: step/iters, loss or reward, tokens/s, ETA; one line per report, plus a
// carriage-return-updated line on a terminal.
class ProgressPrinter : public rf::RunObserver {
public:
    // The trend compares the last max(report_every, 10) steps with the ones before (cli_trend.h).
    explicit ProgressPrinter(int report_every) : m_every(std::max(1, report_every)), m_trend(std::max(10, report_every)) {}
    void on_start(const std::string& run_dir, int first, int total) override {
        m_total = total;
        m_first = first;
        m_t0 = std::chrono::steady_clock::now();
        std::fprintf(stderr, "run folder: %s\n", run_dir.c_str());
    }
    void on_metrics(int step, const rf::StepMetrics& m) override {
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_t0).count();
        double per = step > m_first ? secs / double(step - m_first) : 0.0;
        double eta = per * double(m_total - step);
        m_trend.add(m);
        char buf[160];
        std::snprintf(buf, sizeof buf, "  %.1f tok/s  %.2f s/step  ETA %s", rf::metric(m, "tokens_per_second"), rf::metric(m, "step_time"),
                      eta_text(eta).c_str());
        std::string line = "step " + std::to_string(step) + "/" + std::to_string(m_total) + "  " + m_trend.text() + buf;
        bool tty = isatty(2);
        if (step % m_every == 0 || step == m_total || step == m_first + 1) std::fprintf(stderr, "%s%s\n", tty ? "\r\033[K" : "", line.c_str());
        else if (tty) std::fprintf(stderr, "\r\033[K%s", line.c_str());
        report_health(step, m);
    }
    void on_eval(int step, const rf::StepMetrics& m) override {
        m_trend.add_eval(m);
        std::string line = "eval at step " + std::to_string(step) + ":";
        char buf[96];
        for (auto& x : m) {
            std::snprintf(buf, sizeof buf, " %s %.4f", x.name.c_str(), x.value);
            line += buf;
        }
        std::fprintf(stderr, "%s%s\n", isatty(2) ? "\r\033[K" : "", line.c_str());
    }
    void on_log(const std::string& line) override {
        m_bar.finish();
        std::fprintf(stderr, "%s%s\n", isatty(2) ? "\r\033[K" : "", line.c_str());
    }
    bool on_download(const rf::HubProgress& p) override { return m_bar.update(p); }

private:
    // The engine's health rules (rl/health.h), as the GUI shows them: a warning is printed when it
    // appears (again after it cleared), not at every step.
    void report_health(int step, const rf::StepMetrics& m) {
        m_health.add(m);
        std::set<std::string> now;
        for (const rf::HealthWarning& w : m_health.warnings()) {
            now.insert(w.id);
            if (!m_active.count(w.id))
                std::fprintf(stderr, "%swarning at step %d (%s): %s\n", isatty(2) ? "\r\033[K" : "", step, w.id.c_str(),
                             w.text.c_str());
        }
        m_active = std::move(now);
    }
    static std::string eta_text(double s) {
        char b[32];
        int t = int(s + 0.5);
        std::snprintf(b, sizeof b, "%d:%02d:%02d", t / 3600, (t / 60) % 60, t % 60);
        return b;
    }
    rf::cli::DownloadBar m_bar;
    int m_every, m_total = 0, m_first = 0;
    rf::cli::TrendLine m_trend;
    std::chrono::steady_clock::time_point m_t0;
    rf::HealthMonitor m_health;
    std::set<std::string> m_active;  // ids of the warnings printed and still standing
};

int train(const std::vector<std::string>& args, rf::Comm& comm);

// A data-parallel rank that fails must end the job: its partners would wait for it in their next
// collective. The message names the rank; mpirun then reports the abort.
int run_train(const std::vector<std::string>& args) {
    std::unique_ptr<rf::Comm> comm = rf::open_comm();  // outlives the session (MPI_Finalize last)
    if (comm->size() == 1) return train(args, *comm);
    try {
        return train(args, *comm);
    } catch (const std::exception& e) {
        const bool input = dynamic_cast<const rf::InputError*>(&e) != nullptr;
        std::fprintf(stderr, "%s (rank %d of %d): %s\n", input ? "error" : "failure", comm->rank(), comm->size(), e.what());
        std::fflush(stderr);
        comm->abort(input ? 2 : 1);
    }
}

int train(const std::vector<std::string>& args, rf::Comm& comm) {
    std::vector<std::string> sets;
    for (size_t i = 0; i < args.size(); ++i)
        if (args[i] == "--set") {
            if (i + 1 >= args.size()) throw rf::InputError({}, 0, "--set", "expects key=value", "e.g. --set iters=100");
            sets.push_back(args[++i]);
        } else if (args[i].rfind("--set=", 0) == 0) {
            sets.push_back(args[i].substr(6));
        }
    std::string resume = rf::cli::flag_value(args, "--resume");
    auto pos = rf::cli::positionals(args, {"--set", "--resume"});

    rf::RunControl control;
    g_control = &control;
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    // mpirun forwards SIGUSR1 to every rank as it is; SIGINT / SIGTERM it turns into SIGTERM followed
    // a second later by SIGKILL (odls_base_sigkill_timeout), too soon for a slow step to finish
    std::signal(SIGUSR1, on_signal);
    rf::cli::TerminalAsker asker;
    // data-parallel: rank 0 speaks for the run; the others print only their errors
    const bool root = comm.root();
    rf::HumanAsker* ask = root ? &asker : nullptr;

    std::unique_ptr<rf::Session> session;
    std::unique_ptr<ProgressPrinter> printer;
    if (!resume.empty() && !sets.empty())
        throw rf::InputError({}, 0, "--set", "--set does not apply to --resume: a run continues with the config.yaml of its folder",
                             "a resumed run is exact only with the same settings; start a new run to change them");
    if (!resume.empty()) {
        printer = std::make_unique<ProgressPrinter>(10);
        session = rf::Session::resume(resume, root ? printer.get() : nullptr, &control, ask, &comm);
    } else {
        if (pos.size() != 1)
            throw rf::InputError({}, 0, {}, "train needs one CONFIG.yaml (or --resume RUN_DIR)",
                                 "reinforge-cli train config.yaml [--set key=value …]");
        std::vector<std::string> warnings;
        rf::RunConfig cfg = rf::load_config_with_overrides(pos[0], sets, &warnings);
        if (root)
            for (auto& w : warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
        printer = std::make_unique<ProgressPrinter>(cfg.steps_per_report);
        session = std::make_unique<rf::Session>(cfg, root ? printer.get() : nullptr, &control, ask, &comm);
    }
    if (root && comm.size() > 1) std::fprintf(stderr, "data-parallel: %d ranks\n", comm.size());
    bool finished = session->run();
    g_control = nullptr;
    if (!root) return 0;
    if (!finished) std::fprintf(stderr, "stopped at step %d; continue with: reinforge-cli train --resume %s\n",
                                session->step(), session->run_dir().c_str());
    else {
        rf::post_run(session->config(), session->run_dir(), [&](const std::string& line) { printer->on_log(line); });
        std::fprintf(stderr, "done: %s\n", session->run_dir().c_str());
    }
    return 0;
}

rf::cli::Register reg{"train", "train from a YAML config (SFT, REINFORCE, RLOO, PPO, GRPO)",
                      "train CONFIG.yaml [--set key=value …] | train --resume RUN_DIR", &run_train};

}  // namespace
