// The CLI's download progress (models and datasets fetched from the Hub): one line rewritten in
// place on a terminal, else one line per finished file. Prints to stderr.
#pragma once
#include <atomic>
#include <cstdint>
#include <string>

#include "core/human_bytes.h"
#include "io/hub_client.h"
#include "train/session.h"

namespace rf::cli {

class DownloadBar {
public:
    // `cancel`, when given, is read on every update: true cancels the download.
    explicit DownloadBar(const std::atomic<bool>* cancel = nullptr);
    // Returns false when cancelled (the HubProgressFn contract).
    bool update(const HubProgress& p);
    // Ends the line (after the last update); nothing when nothing was shown.
    void finish();

private:
    const std::atomic<bool>* m_cancel;
    bool m_tty, m_shown = false;
    int m_files_done = 0;
    int64_t m_last_ms = 0;
};

// For commands that open a run without training it (preflight, before-after): the loading notes and
// download progress on stderr, so stdout carries only the command's report.
class LogPrinter : public RunObserver {
public:
    void on_log(const std::string& line) override;
    bool on_download(const HubProgress& p) override { return m_bar.update(p); }

private:
    DownloadBar m_bar;
};

}  // namespace rf::cli
