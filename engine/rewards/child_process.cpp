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
    int rc = ::posix_spawnp(&pid_, args[0], &fa, &attr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    ::close(sv[1]);
    ::close(ep[1]);
    if (rc != 0) {
        ::close(sv[0]);
        ::close(ep[0]);
        pid_ = -1;
        throw std::system_error(rc, std::generic_category(), "cannot start '" + argv[0] + "'");
    }
    sock_ = sv[0];
    err_ = ep[0];
    ::fcntl(sock_, F_SETFL, ::fcntl(sock_, F_GETFL) | O_NONBLOCK);
    ::fcntl(err_, F_SETFL, ::fcntl(err_, F_GETFL) | O_NONBLOCK);
}

ChildProcess::~ChildProcess() {
    if (sock_ >= 0) ::shutdown(sock_, SHUT_WR);  // EOF on its stdin: a well-behaved child exits
    auto until = Clock::now() + std::chrono::seconds(1);
    while (!reap(false) && Clock::now() < until) {
        drain_stderr();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill();
    close_fd(sock_);
    close_fd(err_);
}

void ChildProcess::drain_stderr() {
    char buf[4096];
    while (err_ >= 0) {
        ssize_t n = ::read(err_, buf, sizeof buf);
        if (n > 0) {
            err_tail_.append(buf, size_t(n));
            if (err_tail_.size() > 2 * kErrTail) err_tail_.erase(0, err_tail_.size() - kErrTail);
            for (ssize_t i = 0; i < n; ++i) {
                if (buf[i] == '\n') {
                    if (on_stderr_line) on_stderr_line(err_line_);
                    err_line_.clear();
                } else if (err_line_.size() < 4096) {
                    err_line_.push_back(buf[i]);
                }
            }
            continue;
        }
        if (n == 0) {  // the child closed stderr (exited)
            if (!err_line_.empty() && on_stderr_line) on_stderr_line(err_line_);
            err_line_.clear();
            close_fd(err_);
            break;
        }
        if (errno == EINTR) continue;
        break;  // EAGAIN: nothing more for now
    }
    if (err_tail_.size() > kErrTail) err_tail_.erase(0, err_tail_.size() - kErrTail);
}

ChildProcess::Io ChildProcess::write_all(std::string_view data, Clock::time_point deadline) {
    size_t done = 0;
    while (done < data.size()) {
        if (sock_ < 0) return Io::closed;
        ssize_t n = ::send(sock_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (n > 0) {
            done += size_t(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return Io::closed;  // EPIPE, ECONNRESET
        pollfd p[2] = {{sock_, POLLOUT, 0}, {err_, POLLIN, 0}};
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
        size_t nl = out_buf_.find('\n');
        if (nl != std::string::npos) {
            line->assign(out_buf_, 0, nl);
            out_buf_.erase(0, nl + 1);
            return Io::ok;
        }
        if (out_buf_.size() > max_bytes) return Io::too_long;
        if (sock_ < 0) return Io::closed;
        char buf[65536];
        ssize_t n = ::read(sock_, buf, sizeof buf);
        if (n > 0) {
            out_buf_.append(buf, size_t(n));
            continue;
        }
        if (n == 0) {
            drain_stderr();
            return Io::closed;
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return Io::closed;
        pollfd p[2] = {{sock_, POLLIN, 0}, {err_, POLLIN, 0}};
        int ms = ms_until(deadline);
        if (ms == 0) return Io::timeout;
        if (::poll(p, 2, ms) < 0 && errno != EINTR) return Io::closed;
        if (p[1].revents) drain_stderr();
    }
}

bool ChildProcess::reap(bool block) {
    if (reaped_ || pid_ <= 0) return true;
    int st = 0;
    pid_t r;
    do r = ::waitpid(pid_, &st, block ? 0 : WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == pid_ || (r < 0 && errno == ECHILD)) {
        reaped_ = true;
        wait_status_ = st;
        return true;
    }
    return false;
}

void ChildProcess::kill() {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGKILL);  // the group (harmless ESRCH when it is gone)
    if (!reaped_) {
        ::kill(pid_, SIGKILL);
        reap(true);
    }
    drain_stderr();
}

std::string ChildProcess::status(std::chrono::milliseconds wait) {
    auto until = Clock::now() + wait;
    while (!reap(false) && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    drain_stderr();
    if (!reaped_) return "is still running";
    if (WIFEXITED(wait_status_)) return "exited with status " + std::to_string(WEXITSTATUS(wait_status_));
    if (WIFSIGNALED(wait_status_)) {
        int sig = WTERMSIG(wait_status_);
        const char* name = ::strsignal(sig);
        return "was killed by signal " + std::to_string(sig) + (name ? std::string(" (") + name + ")" : "");
    }
    return "stopped";
}

}  // namespace rf
