#include "data/jsonl_file.h"

#include <algorithm>
#include <filesystem>

#include "core/error.h"

namespace rf {

JsonlFile::JsonlFile(const std::string& path, uint64_t stream_threshold) : m_path(path) {
    std::error_code ec;
    uint64_t size = std::filesystem::file_size(path, ec);
    if (ec || !std::filesystem::is_regular_file(path, ec))
        throw InputError(path, 0, {}, "cannot read the dataset file", "check the data: path");
    auto in = std::make_unique<std::ifstream>(path, std::ios::binary);
    if (!*in) throw InputError(path, 0, {}, "cannot open the dataset file", "check the file's permissions");

    // One pass over the file in blocks of at most 4 MiB, recording where each non-blank line starts.
    // The block is sized to the file (+1 byte, so a file read whole meets its end in the same read):
    // a small file costs a small buffer, not 4 MiB allocated and zero-filled.
    constexpr uint64_t kBlock = uint64_t(4) << 20;
    std::string block(size_t(std::min(kBlock, size + 1)), '\0');
    uint64_t pos = 0, line_start = 0;
    int line_no = 1;
    bool blank = true;
    auto finish_line = [&](uint64_t end) {  // [line_start, end) without '\n'
        uint64_t e = end;
        if (!blank) {
            // length excludes a trailing '\r' (checked when the row is read)
            if (e - line_start > UINT32_MAX) throw InputError(path, line_no, {}, "line longer than 4 GiB");
            m_begin.push_back(line_start);
            m_length.push_back(uint32_t(e - line_start));
            m_line.push_back(line_no);
        }
        ++line_no;
        blank = true;
    };
    bool keep = size < stream_threshold;
    if (keep) m_data.reserve(size);
    while (*in) {
        in->read(block.data(), std::streamsize(block.size()));
        size_t got = size_t(in->gcount());
        if (got == 0) break;
        for (size_t k = 0; k < got; ++k) {
            char c = block[k];
            uint64_t at = pos + k;
            if (at == 0 && got >= 3 && block.compare(0, 3, "\xEF\xBB\xBF") == 0) {  // BOM
                line_start = 3;
                k += 2;
                continue;
            }
            if (c == '\n') {
                finish_line(at);
                line_start = at + 1;
            } else if (c != ' ' && c != '\t' && c != '\r') {
                blank = false;
            }
        }
        if (keep) m_data.append(block.data(), got);
        pos += got;
    }
    if (line_start < pos) finish_line(pos);
    if (!keep) {
        in->clear();
        m_stream = std::move(in);
        m_stream_mutex = std::make_unique<std::mutex>();
    }
}

std::string JsonlFile::row(size_t i) const {
    std::string s;
    if (m_stream) {
        std::lock_guard lock(*m_stream_mutex);
        s.resize(m_length[i]);
        m_stream->seekg(std::streamoff(m_begin[i]));
        m_stream->read(s.data(), std::streamsize(s.size()));
        if (size_t(m_stream->gcount()) != s.size()) {
            m_stream->clear();
            throw InputError(m_path, m_line[i], {}, "the dataset file changed while it was in use (short read)");
        }
    } else {
        s.assign(m_data, size_t(m_begin[i]), m_length[i]);
    }
    if (!s.empty() && s.back() == '\r') s.pop_back();
    return s;
}

}  // namespace rf
