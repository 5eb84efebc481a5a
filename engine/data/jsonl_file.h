// A JSON Lines file indexed by line offsets in one pass. Files under 1 GiB are held in memory;
// larger ones stay on disk and each row is read on demand (seek + read), so memory stays at
// 8 bytes per row. Blank lines are not rows; a UTF-8 BOM at the start is skipped; CRLF is accepted.
#pragma once
#include <cstdint>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace rf {

class JsonlFile {
public:
    static constexpr uint64_t kStreamThreshold = uint64_t(1) << 30;  // 1 GiB

    JsonlFile() = default;
    // Indexes `path`. Throws InputError naming the file when it cannot be read.
    // `stream_threshold`: files at least this large are read on demand (tests lower it).
    explicit JsonlFile(const std::string& path, uint64_t stream_threshold = kStreamThreshold);

    size_t size() const { return m_begin.size(); }
    // The text of row `i` (without the line ending).
    std::string row(size_t i) const;
    // Bytes of row `i` (without the line ending), known without reading it.
    size_t row_bytes(size_t i) const { return m_length[i]; }
    // 1-based line number of row `i` in the file.
    int line(size_t i) const { return m_line[i]; }
    const std::string& path() const { return m_path; }
    bool streaming() const { return m_stream != nullptr; }

private:
    std::string m_path;
    std::string m_data;                 // whole file when small
    std::vector<uint64_t> m_begin;      // byte offset of each row
    std::vector<uint32_t> m_length;     // bytes of each row, line ending excluded
    std::vector<int> m_line;
    std::unique_ptr<std::ifstream> m_stream;  // large files
    std::unique_ptr<std::mutex> m_stream_mutex;
};

}  // namespace rf
