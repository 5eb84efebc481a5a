#include "train/run_logs.h"

#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"

namespace fs = std::filesystem;

namespace rf {

namespace {

// The rows of a run log (*.jsonl), each parsed; a torn last line (a kill mid-write) is not a row.
std::vector<nlohmann::json> log_rows(const std::string& path, bool& torn) {
    std::vector<nlohmann::json> rows;
    torn = false;
    std::string text = read_file(path);
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        pos = nl == std::string::npos ? text.size() : nl + 1;
        if (line.empty()) continue;
        nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_discarded() || !j.is_object()) torn = true;
        else rows.push_back(std::move(j));
    }
    return rows;
}

void write_log_rows(const std::string& path, const std::vector<nlohmann::json>& rows) {
    std::string out;
    for (const auto& r : rows) out += r.dump() + "\n";
    write_file_atomic(path, out);
}

}  // namespace

size_t drop_rows_after(const std::string& path, int step) {
    if (!fs::exists(path)) return 0;
    bool torn = false;
    std::vector<nlohmann::json> rows = log_rows(path, torn), kept;
    for (auto& r : rows)
        if (!(r.contains("step") && r["step"].is_number_integer() && r["step"].get<int>() > step)) kept.push_back(std::move(r));
    size_t dropped = rows.size() - kept.size();
    if (dropped || torn) write_log_rows(path, kept);
    return dropped;
}

size_t mark_judgments_after(const std::string& path, int step) {
    if (!fs::exists(path)) return 0;
    bool torn = false;
    std::vector<nlohmann::json> rows = log_rows(path, torn);
    size_t marked = 0;
    for (auto& r : rows)
        if (r.contains("step") && r["step"].is_number_integer() && r["step"].get<int>() > step && !r.value("after_resume_point", false)) {
            r["after_resume_point"] = true;
            ++marked;
        }
    if (marked || torn) write_log_rows(path, rows);
    return marked;
}

}  // namespace rf
