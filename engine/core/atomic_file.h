// Atomic writes (write to a temporary file beside the target, fsync, rename).
#pragma once
#include <string>
#include <string_view>

namespace rf {

// Writes `data` to `path` atomically. Throws InputError naming the path on failure.
void write_file_atomic(const std::string& path, std::string_view data);
// Appends one line (a '\n' is added) and flushes; used for *.jsonl logs. Throws InputError on failure.
void append_line(const std::string& path, std::string_view line);
// Reads a whole file. Throws InputError naming the path when it cannot be read.
std::string read_file(const std::string& path);

}  // namespace rf
