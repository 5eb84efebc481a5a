// Atomic writes (write to a temporary file beside the target, fsync, rename).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace rf {

// A file written through a temporary beside the target (`<path>.tmp.<pid>`), fsync'ed and renamed
// onto `path` by commit(): a crash or an exception never leaves a half-written file under the final
// name (the destructor removes an uncommitted temporary). Errors throw InputError naming `path`.
class AtomicFileWriter {
public:
    explicit AtomicFileWriter(const std::string& path);
    ~AtomicFileWriter();
    AtomicFileWriter(const AtomicFileWriter&) = delete;
    AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;
    void write(const void* data, size_t n);  // unbuffered: callers write in large pieces
    void commit();

private:
    std::string m_path, m_tmp;
    int m_fd = -1;
};

// Writes `data` to `path` atomically (AtomicFileWriter). Throws InputError naming the path on failure.
void write_file_atomic(const std::string& path, std::string_view data);
// Appends one line (a '\n' is added) and flushes; used for *.jsonl logs. Throws InputError on failure.
void append_line(const std::string& path, std::string_view line);
// Reads a whole file. Throws InputError naming the path when it cannot be read.
std::string read_file(const std::string& path);

}  // namespace rf
