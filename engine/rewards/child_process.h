// A child process the engine talks to over a socket (its stdin and stdout) with deadlines on every
// read and write, so a hung or dead child is an error, never a hang: poll() with timeouts, writes with
// MSG_NOSIGNAL (a dead child is EPIPE, not SIGPIPE), the child in its own process group so that
// kill() also takes whatever it started. Its stderr is drained while waiting (a chatty child never
// blocks on a full pipe), passed on line by line, and its tail kept for error messages.
// POSIX (Linux) only.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rf {

class ChildProcess {
public:
    using Clock = std::chrono::steady_clock;
    enum class Io { ok, timeout, closed, too_long };

    // Starts argv[0] (looked up on PATH when it has no '/') with the current environment plus `env`
    // (KEY, VALUE pairs replacing existing keys). Throws std::system_error on failure; its code() is
    // ENOENT when the program does not exist.
    ChildProcess(const std::vector<std::string>& argv, const std::vector<std::pair<std::string, std::string>>& env);
    ~ChildProcess();  // closes its stdin, waits up to 1 s for it to exit, then kills it
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    Io write_all(std::string_view data, Clock::time_point deadline);
    // One line from the child's stdout, without the '\n'.
    Io read_line(std::string* line, Clock::time_point deadline, size_t max_bytes);

    // SIGKILL to the child's process group, then reap it. Idempotent.
    void kill();
    // "exited with status N" / "was killed by signal N" / "is still running"; waits up to `wait` for it.
    std::string status(std::chrono::milliseconds wait = std::chrono::milliseconds(500));
    // The last ~8 KB the child wrote to stderr.
    const std::string& stderr_tail() const { return m_err_tail; }
    pid_t pid() const { return m_pid; }

    // Each complete stderr line as it arrives (default: none; PythonRewardWorker forwards them).
    std::function<void(std::string_view)> on_stderr_line;

private:
    void drain_stderr();
    bool reap(bool block);

    pid_t m_pid = -1;
    int m_sock = -1;  // our end of the socketpair: the child's stdin and stdout
    int m_err = -1;   // read end of the child's stderr pipe
    bool m_reaped = false;
    int m_wait_status = 0;
    std::string m_out_buf, m_err_line, m_err_tail;
};

}  // namespace rf
