#include "core/dir_lock.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/error.h"

namespace rf {

DirLock::DirLock(const std::string& dir) {
    const std::string path = dir + "/.reinforge.lock";
    m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (m_fd < 0) throw InputError(dir, 0, "output_dir", std::string("cannot create the run folder's lock file: ") + std::strerror(errno));
    if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
        char pid[32] = {};
        ssize_t n = ::pread(m_fd, pid, sizeof pid - 1, 0);
        ::close(m_fd);
        m_fd = -1;
        std::string holder = n > 0 ? std::string(pid, size_t(n)) : std::string("?");
        while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
        throw InputError(dir, 0, "output_dir", "another run (process " + holder + ") is using this run folder",
                         "wait for it to end, stop it, or choose another output_dir");
    }
    std::string me = std::to_string(::getpid()) + "\n";
    if (::ftruncate(m_fd, 0) == 0) (void)!::pwrite(m_fd, me.data(), me.size(), 0);
}

DirLock::~DirLock() {
    if (m_fd >= 0) ::close(m_fd);  // closing releases the flock
}

}  // namespace rf
