#include "rewards/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <thread>

extern char** environ;

namespace rf {
namespace {

constexpr size_t kErrTail = 8192;

int ms_until(ChildProcess::Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - ChildProcess::Clock::now()).count();
    if (left <= 0) return 0;
    return left > 60'000 ? 60'000 : int(left);
}

void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv,
                           const std::vector<std::pair<std::string, std::string>>& env) {
    if (argv.empty()) throw std::system_error(EINVAL, std::generic_category(), "no program");
    int sv[2], ep[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        throw std::system_error(errno, std::generic_category(), "socketpair");
    if (::pipe2(ep, O_CLOEXEC) != 0) {
        int e = errno;
        ::close(sv[0]), ::close(sv[1]);
        throw std::system_error(e, std::generic_category(), "pipe2");
    }

    // Environment: ours, with the overrides replacing same-named entries.
    std::vector<std::string> envs;
    for (char** e = environ; e && *e; ++e) {
        std::string_view kv(*e);
        bool overridden = false;
        for (auto& [k, v] : env)
            if (kv.size() > k.size() && kv.compare(0, k.size(), k) == 0 && kv[k.size()] == '=') overridden = true;
        if (!overridden) envs.emplace_back(kv);
    }
    for (auto& [k, v] : env) envs.push_back(k + "=" + v);
    std::vector<char*> envp, args;
    for (auto& s : envs) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_copy = argv;
    for (auto& s : argv_copy) args.push_back(s.data());
    args.push_back(nullptr);

    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
    posix_spawn_file_actions_adddup2(&fa, sv[1], 1);
    posix_spawn_file_actions_adddup2(&fa, ep[1], 2);
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setpgroup(&attr, 0);  // its own process group: kill() reaches its children too
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    int rc = ::posix_spawnp(&m_pid, args[0], &fa, &attr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    ::close(sv[1]);
    ::close(ep[1]);
    if (rc != 0) {
        ::close(sv[0]);
        ::close(ep[0]);
        m_pid = -1;
        throw std::system_error(rc, std::generic_category(), "cannot start '" + argv[0] + "'");
    }
    m_sock = sv[0];
    m_err = ep[0];
    ::fcntl(m_sock, F_SETFL, ::fcntl(m_sock, F_GETFL) | O_NONBLOCK);
    ::fcntl(m_err, F_SETFL, ::fcntl(m_err, F_GETFL) | O_NONBLOCK);
}

ChildProcess::~ChildProcess() {
    if (m_sock >= 0) ::shutdown(m_sock, SHUT_WR);  // EOF on its stdin: a well-behaved child exits
    auto until = Clock::now() + std::chrono::seconds(1);
    while (!reap(false) && Clock::now() < until) {
        drain_stderr();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill();
    close_fd(m_sock);
    close_fd(m_err);
}

void ChildProcess::drain_stderr() {
    // At most 1 MiB per call: a child that writes without end must not keep us here past a deadline
    // (the callers poll again, and check their deadline, between calls).
    char buf[65536];
    for (size_t drained = 0; m_err >= 0 && drained < (size_t(1) << 20);) {
        ssize_t n = ::read(m_err, buf, sizeof buf);
        if (n > 0) {
            drained += size_t(n);
            m_err_tail.append(buf, size_t(n));
            if (m_err_tail.size() > 2 * kErrTail) m_err_tail.erase(0, m_err_tail.size() - kErrTail);
            for (ssize_t i = 0; i < n; ++i) {
                if (buf[i] == '\n') {
                    if (on_stderr_line) on_stderr_line(m_err_line);
                    m_err_line.clear();
                } else if (m_err_line.size() < 4096) {
                    m_err_line.push_back(buf[i]);
                }
            }
            continue;
        }
        if (n == 0) {  // the child closed stderr (exited)
            if (!m_err_line.empty() && on_stderr_line) on_stderr_line(m_err_line);
            m_err_line.clear();
            close_fd(m_err);
            break;
        }
        if (errno == EINTR) continue;
        break;  // EAGAIN: nothing more for now
    }
    if (m_err_tail.size() > kErrTail) m_err_tail.erase(0, m_err_tail.size() - kErrTail);
}

ChildProcess::Io ChildProcess::write_all(std::string_view data, Clock::time_point deadline) {
    size_t done = 0;
    while (done < data.size()) {
        if (m_sock < 0) return Io::closed;
        ssize_t n = ::send(m_sock, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (n > 0) {
            done += size_t(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return Io::closed;  // EPIPE, ECONNRESET
        pollfd p[2] = {{m_sock, POLLOUT, 0}, {m_err, POLLIN, 0}};
        int ms = ms_until(deadline);
        if (ms == 0) return Io::timeout;
        if (::poll(p, 2, ms) < 0 && errno != EINTR) return Io::closed;
        if (p[1].revents) drain_stderr();
        if (p[0].revents & (POLLERR | POLLHUP)) return Io::closed;
    }
    return Io::ok;
}

ChildProcess::Io ChildProcess::read_line(std::string* line, Clock::time_point deadline, size_t max_bytes) {
    for (;;) {
        size_t nl = m_out_buf.find('\n');
        if (nl != std::string::npos) {
            line->assign(m_out_buf, 0, nl);
            m_out_buf.erase(0, nl + 1);
            return Io::ok;
        }
        if (m_out_buf.size() > max_bytes) return Io::too_long;
        if (m_sock < 0) return Io::closed;
        char buf[65536];
        ssize_t n = ::read(m_sock, buf, sizeof buf);
        if (n > 0) {
            m_out_buf.append(buf, size_t(n));
            continue;
        }
        if (n == 0) {
            drain_stderr();
            return Io::closed;
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return Io::closed;
        pollfd p[2] = {{m_sock, POLLIN, 0}, {m_err, POLLIN, 0}};
        int ms = ms_until(deadline);
        if (ms == 0) return Io::timeout;
        if (::poll(p, 2, ms) < 0 && errno != EINTR) return Io::closed;
        if (p[1].revents) drain_stderr();
    }
}

bool ChildProcess::reap(bool block) {
    if (m_reaped || m_pid <= 0) return true;
    int st = 0;
    pid_t r;
    do r = ::waitpid(m_pid, &st, block ? 0 : WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == m_pid || (r < 0 && errno == ECHILD)) {
        m_reaped = true;
        m_wait_status = st;
        return true;
    }
    return false;
}

void ChildProcess::kill() {
    if (m_pid <= 0) return;
    ::kill(-m_pid, SIGKILL);  // the group (harmless ESRCH when it is gone)
    if (!m_reaped) {
        ::kill(m_pid, SIGKILL);
        reap(true);
    }
    drain_stderr();
}

std::string ChildProcess::status(std::chrono::milliseconds wait) {
    auto until = Clock::now() + wait;
    while (!reap(false) && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    drain_stderr();
    if (!m_reaped) return "is still running";
    if (WIFEXITED(m_wait_status)) return "exited with status " + std::to_string(WEXITSTATUS(m_wait_status));
    if (WIFSIGNALED(m_wait_status)) {
        int sig = WTERMSIG(m_wait_status);
        const char* name = ::strsignal(sig);
        return "was killed by signal " + std::to_string(sig) + (name ? std::string(" (") + name + ")" : "");
    }
    return "stopped";
}

}  // namespace rf
