#include "data/row_cache.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/edit_distance.h"
#include "core/error.h"
#include "io/parquet.h"

namespace fs = std::filesystem;

namespace rf {

namespace {

using nlohmann::json;

constexpr uint64_t kMaxJsonArrayBytes = uint64_t(2) << 30;  // a JSON array is parsed whole

uint64_t fnv1a(uint64_t h, const std::string& s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return (h ^ 0xff) * 1099511628211ull;
}

char first_non_space(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    char c = 0;
    while (in.get(c))
        if (!std::isspace(static_cast<unsigned char>(c)) && c != '\xEF' && c != '\xBB' && c != '\xBF') return c;
    return 0;
}

std::string cache_path(const std::string& file, const RowColumns& cols) {
    std::error_code ec;
    std::string abs = fs::weakly_canonical(file, ec).string();
    auto size = fs::file_size(file, ec);
    auto mtime = fs::last_write_time(file, ec).time_since_epoch().count();
    uint64_t h = 1469598103934665603ull;
    h = fnv1a(h, "rows-v1");
    h = fnv1a(h, abs);
    h = fnv1a(h, std::to_string(size) + ":" + std::to_string(mtime));
    for (auto& c : cols.wanted) h = fnv1a(h, c);
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
    return (fs::path(row_cache_dir()) / (fs::path(file).stem().string() + "-" + hex + ".jsonl")).string();
}

void check_required(const std::string& file, const std::vector<std::string>& present, const std::vector<std::string>& types,
                    const RowColumns& cols) {
    for (const auto& any_of : cols.required) {
        bool found = std::any_of(any_of.begin(), any_of.end(),
                                 [&](const std::string& c) { return std::find(present.begin(), present.end(), c) != present.end(); });
        if (found) continue;
        const std::string& wanted = any_of.front();
        std::string listed, near;
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < present.size(); ++i) {
            listed += (listed.empty() ? "" : ", ") + present[i] + (types.empty() ? "" : " (" + types[i] + ")");
            size_t d = edit_distance(wanted, present[i], true);
            if (d < best) best = d, near = present[i];
        }
        std::string hint = "the file's columns are: " + (listed.empty() ? std::string("(none)") : listed);
        if (best <= std::max<size_t>(2, wanted.size() / 3)) hint = "did you mean '" + near + "'? " + hint;
        throw InputError(file, 0, wanted, "no column '" + wanted + "'", hint + "; set " + cols.required_key + " to pick one");
    }
}

class Buffered {
public:
    explicit Buffered(AtomicFileWriter& w) : m_w(w) { m_buf.reserve(kChunk + 4096); }
    void line(const json& row) {
        m_buf += row.dump(-1, ' ', false, json::error_handler_t::replace);
        m_buf += '\n';
        if (m_buf.size() >= kChunk) flush();
    }
    void flush() {
        m_w.write(m_buf.data(), m_buf.size());
        m_buf.clear();
    }

private:
    static constexpr size_t kChunk = size_t(1) << 20;
    AtomicFileWriter& m_w;
    std::string m_buf;
};

json kept_columns(const json& row, const std::vector<std::string>& keep) {
    json out = json::object();
    for (const auto& c : keep)
        if (auto it = row.find(c); it != row.end()) out[c] = *it;
    return out;
}

std::string convert_parquet(const std::string& file, const RowColumns& cols) {
    ParquetReader pq(file);
    std::vector<std::string> names, types, keep;
    for (const ParquetField& f : pq.fields()) names.push_back(f.name), types.push_back(f.type);
    check_required(file, names, types, cols);
    for (const auto& c : cols.wanted)
        if (std::find(names.begin(), names.end(), c) != names.end() && std::find(keep.begin(), keep.end(), c) == keep.end()) keep.push_back(c);
    std::string out = cache_path(file, cols);
    if (fs::exists(out)) return out;
    fs::create_directories(fs::path(out).parent_path());
    AtomicFileWriter w(out);
    Buffered b(w);
    pq.for_each_row([&](const json& row) { b.line(row); return true; }, keep);
    b.flush();
    w.commit();
    return out;
}

std::string convert_json_array(const std::string& file, const RowColumns& cols) {
    std::error_code ec;
    if (fs::file_size(file, ec) > kMaxJsonArrayBytes)
        throw InputError(file, 0, {}, "a JSON array file over 2 GiB is parsed whole and is refused", "write the rows as JSON Lines (one object per line)");
    json all = json::parse(read_file(file), nullptr, false);
    if (all.is_discarded()) throw InputError(file, 0, {}, "not valid JSON", "a .json dataset is a JSON array of row objects, or JSON Lines");
    if (!all.is_array()) throw InputError(file, 0, {}, std::string("expected a JSON array of rows, got ") + all.type_name());
    std::vector<std::string> names;
    for (const auto& row : all) {
        if (!row.is_object()) continue;
        for (auto it = row.begin(); it != row.end(); ++it)
            if (std::find(names.begin(), names.end(), it.key()) == names.end()) names.push_back(it.key());
    }
    check_required(file, names, {}, cols);
    std::string out = cache_path(file, cols);
    if (fs::exists(out)) return out;
    fs::create_directories(fs::path(out).parent_path());
    AtomicFileWriter w(out);
    Buffered b(w);
    for (const auto& row : all) b.line(row.is_object() ? kept_columns(row, cols.wanted) : row);  // non-objects fail per row
    b.flush();
    w.commit();
    return out;
}

}  // namespace

std::string row_cache_dir() {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const char* home = std::getenv("HOME");
    fs::path base = xdg && *xdg ? fs::path(xdg) : fs::path(home && *home ? home : "/tmp") / ".cache";
    return (base / "reinforge" / "rows").string();
}

std::string jsonl_rows_of(const std::string& file, const RowColumns& cols) {
    try {
        if (file.ends_with(".parquet")) return convert_parquet(file, cols);
        if (file.ends_with(".json") && first_non_space(file) != '{') return convert_json_array(file, cols);
        return file;
    } catch (const fs::filesystem_error& e) {
        throw InputError(file, 0, {}, std::string("could not convert the rows: ") + e.what(),
                         "the converted rows are written to " + row_cache_dir() + " (set XDG_CACHE_HOME to move it)");
    }
}

}  // namespace rf
