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

AtomicFileWriter::AtomicFileWriter(const std::string& path)
    : m_path(path), m_tmp(path + ".tmp." + std::to_string(::getpid())) {
    m_fd = ::open(m_tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (m_fd < 0)
        throw InputError(path, 0, {}, std::string("cannot write: ") + std::strerror(errno),
                         "check that the folder exists and is writable");
}

AtomicFileWriter::~AtomicFileWriter() {
    if (m_fd >= 0) {
        ::close(m_fd);
        ::unlink(m_tmp.c_str());
    }
}

void AtomicFileWriter::write(const void* data, size_t n) {
    const char* c = static_cast<const char*>(data);
    while (n > 0) {
        ssize_t w = ::write(m_fd, c, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            throw InputError(m_path, 0, {}, std::string("write failed: ") + std::strerror(errno), "is the disk full?");
        }
        c += w;
        n -= size_t(w);
    }
}

void AtomicFileWriter::commit() {
    if (::fsync(m_fd) != 0) throw InputError(m_path, 0, {}, std::string("fsync failed: ") + std::strerror(errno));
    ::close(m_fd);
    m_fd = -1;
    if (std::rename(m_tmp.c_str(), m_path.c_str()) != 0) {
        int e = errno;
        ::unlink(m_tmp.c_str());
        throw InputError(m_path, 0, {}, std::string("rename failed: ") + std::strerror(e));
    }
}

void write_file_atomic(const std::string& path, std::string_view data) {
    AtomicFileWriter out(path);
    out.write(data.data(), data.size());
    out.commit();
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
