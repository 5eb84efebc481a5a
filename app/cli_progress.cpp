#include "cli_progress.h"

#include <chrono>
#include <cstdio>
#include <unistd.h>

namespace rf::cli {

DownloadBar::DownloadBar(const std::atomic<bool>* cancel) : m_cancel(cancel), m_tty(::isatty(2)) {}

bool DownloadBar::update(const HubProgress& p) {
    if (m_cancel && m_cancel->load()) return false;
    if (!m_tty) {
        // a line per finished file, so logs stay readable
        if (p.files_done > m_files_done) {
            m_files_done = p.files_done;
            std::fprintf(stderr, "downloaded %d/%d files (%s)\n", p.files_done, p.files_total, human_bytes(p.all_done).c_str());
        }
        return true;
    }
    int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
    bool last = p.files_total > 0 && p.files_done == p.files_total;
    if (!last && now - m_last_ms < 100) return true;
    m_last_ms = now;
    const int width = 24;
    double frac = p.all_total > 0 ? double(p.all_done) / double(p.all_total) : 0.0;
    std::string bar(size_t(frac * width + 0.5), '#');
    bar.resize(width, '.');
    std::string name = p.file.size() > 40 ? "…" + p.file.substr(p.file.size() - 39) : p.file;
    std::fprintf(stderr, "\r\033[Kdownloading [%s] %3.0f%% %s / %s  file %d/%d %s", bar.c_str(), frac * 100.0,
                 human_bytes(p.all_done).c_str(), p.all_total >= 0 ? human_bytes(p.all_total).c_str() : "?",
                 std::min(p.files_done + 1, p.files_total), p.files_total, name.c_str());
    m_shown = true;
    return true;
}

void DownloadBar::finish() {
    if (m_shown) std::fprintf(stderr, "\n");
    m_shown = false;
}

void LogPrinter::on_log(const std::string& line) {
    m_bar.finish();
    std::fprintf(stderr, "%s\n", line.c_str());
}

}  // namespace rf::cli
