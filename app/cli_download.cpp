// reinforge-cli download ID [--repo-type model|dataset] [--revision R] [--include GLOB]...
// Downloads a Hub repo into the Hugging Face cache (io/hub_client.h) and prints the snapshot folder
// on stdout. Progress goes to stderr: one updating line on a terminal, else a line per file.
// Ctrl-C cancels: the partial file stays in the cache, and running the command again resumes it
// (exit 130).
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <unistd.h>

#include "cli_command.h"
#include "core/error.h"
#include "io/hub_client.h"

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void on_sigint(int) {
    g_interrupted = 1;
    std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process at once
}

std::string human(int64_t b) {
    char buf[32];
    if (b < 0) return "?";
    if (b >= (int64_t(1) << 30)) std::snprintf(buf, sizeof buf, "%.2f GiB", double(b) / double(int64_t(1) << 30));
    else if (b >= (1 << 20)) std::snprintf(buf, sizeof buf, "%.1f MiB", double(b) / double(1 << 20));
    else if (b >= (1 << 10)) std::snprintf(buf, sizeof buf, "%.1f KiB", double(b) / double(1 << 10));
    else std::snprintf(buf, sizeof buf, "%lld B", (long long)b);
    return buf;
}

// Draws progress on stderr: on a terminal one line rewritten at most 10 times a second, otherwise a
// line when a file is done.
struct ProgressPrinter {
    bool tty = ::isatty(2);
    int files_printed = 0;
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now(), last{};
    bool drawn = false;

    bool operator()(const rf::HubProgress& p) {
        if (g_interrupted) return false;
        auto now = std::chrono::steady_clock::now();
        double secs = std::chrono::duration<double>(now - start).count();
        if (!tty) {
            if (p.files_done > files_printed) {
                files_printed = p.files_done;
                std::fprintf(stderr, "[%d/%d] %s (%s)\n", p.files_done, p.files_total, p.file.c_str(), human(p.file_total).c_str());
            }
            return true;
        }
        bool finished = p.files_done == p.files_total;
        if (!finished && now - last < std::chrono::milliseconds(100)) return true;
        last = now;
        const int width = 24;
        int fill = p.all_total > 0 ? int(double(width) * double(p.all_done) / double(p.all_total)) : 0;
        std::string bar(size_t(std::min(fill, width)), '#');
        bar.resize(width, '.');
        double rate = secs > 0 ? double(p.all_done) / secs : 0;
        std::fprintf(stderr, "\r\033[K[%s] %s / %s  %s/s  file %d/%d %s", bar.c_str(), human(p.all_done).c_str(), human(p.all_total).c_str(),
                     human(int64_t(rate)).c_str(), std::min(p.files_done + 1, p.files_total), p.files_total, p.file.c_str());
        drawn = true;
        return true;
    }
    void end_line() {
        if (tty && drawn) std::fprintf(stderr, "\n");
        drawn = false;
    }
};

int run_download(const std::vector<std::string>& args) {
    rf::HubOptions opts;
    std::vector<std::string> pos;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](const std::string& flag) -> std::string {
            if (a.rfind(flag + "=", 0) == 0) return a.substr(flag.size() + 1);
            if (i + 1 >= args.size()) throw rf::InputError({}, 0, flag, "expects a value", "write " + flag + " VALUE");
            return args[++i];
        };
        auto is = [&](const std::string& flag) { return a == flag || a.rfind(flag + "=", 0) == 0; };
        if (is("--repo-type")) opts.repo_type = value("--repo-type");
        else if (is("--revision")) opts.revision = value("--revision");
        else if (is("--include")) opts.include.push_back(value("--include"));
        else if (a.rfind("--", 0) == 0) throw rf::InputError({}, 0, a, "unknown option", "options: --repo-type model|dataset, --revision R, --include GLOB (repeatable)");
        else pos.push_back(a);
    }
    if (pos.size() != 1) throw rf::InputError({}, 0, "", "expects exactly one repo id", "reinforge-cli download Qwen/Qwen3-0.6B --include '*.json'");

    ProgressPrinter printer;
    std::signal(SIGINT, &on_sigint);
    try {
        std::string snap = rf::hub_download(pos[0], opts, [&](const rf::HubProgress& p) { return printer(p); });
        std::signal(SIGINT, SIG_DFL);
        printer.end_line();
        std::printf("%s\n", snap.c_str());
        return 0;
    } catch (const rf::HubCancelled& e) {
        printer.end_line();
        std::fprintf(stderr, "cancelled: %s\n", e.what());
        return 130;
    } catch (...) {
        std::signal(SIGINT, SIG_DFL);
        printer.end_line();
        throw;
    }
}

rf::cli::Register reg{"download", "download a model or dataset from the Hugging Face Hub into the HF cache",
                      "download ID [--repo-type model|dataset] [--revision R] [--include GLOB]...", &run_download};

}  // namespace
