#include "core/atomic_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "core/error.h"

namespace rf {

void write_file_atomic(const std::string& path, std::string_view data) {
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw InputError(path, 0, {}, std::string("cannot write: ") + std::strerror(errno), "check that the folder exists and is writable");
    size_t off = 0;
    while (off < data.size()) {
        ssize_t n = ::write(fd, data.data() + off, data.size() - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            throw InputError(path, 0, {}, std::string("write failed: ") + std::strerror(e), "is the disk full?");
        }
        off += size_t(n);
    }
    ::fsync(fd);
    ::close(fd);
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        int e = errno;
        ::unlink(tmp.c_str());
        throw InputError(path, 0, {}, std::string("rename failed: ") + std::strerror(e));
    }
}

void append_line(const std::string& path, std::string_view line) {
    FILE* f = std::fopen(path.c_str(), "ab");
    if (!f) throw InputError(path, 0, {}, std::string("cannot append: ") + std::strerror(errno));
    std::fwrite(line.data(), 1, line.size(), f);
    std::fputc('\n', f);
    std::fflush(f);
    std::fclose(f);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path, 0, {}, "cannot open file", "check the path");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace rf
