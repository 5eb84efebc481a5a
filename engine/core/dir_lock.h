// An exclusive lock on a folder for the life of the object: `<dir>/.reinforge.lock`, flock(2)ed, so
// the kernel releases it when the process ends however it ends (a kill -9 leaves no stale lock).
// Two runs started into the same run folder would interleave their logs and checkpoints; the second
// is refused with the first one's process id.
#pragma once
#include <string>

namespace rf {

class DirLock {
public:
    // Throws InputError naming the folder (and the holder's pid) when another process holds it.
    explicit DirLock(const std::string& dir);
    ~DirLock();
    DirLock(const DirLock&) = delete;
    DirLock& operator=(const DirLock&) = delete;

private:
    int m_fd = -1;
};

}  // namespace rf
