#include "data/dataset.h"

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "config/run_config.h"
#include "core/edit_distance.h"
#include "core/error.h"
#include "io/hf_cache.h"

namespace fs = std::filesystem;

namespace rf {

namespace {

using nlohmann::json;

// The row's column closest to `wanted`, when close enough to be a likely typo or variant.
std::string nearest(const std::string& wanted, const std::vector<std::string>& present) {
    std::string best;
    size_t best_d = SIZE_MAX;
    for (const std::string& p : present) {
        size_t d = edit_distance(wanted, p, true);
        bool related = p.find(wanted) != std::string::npos || wanted.find(p) != std::string::npos;
        if (related) d = std::min(d, size_t(1));
        if (d < best_d) { best_d = d; best = p; }
    }
    return best_d <= std::max<size_t>(2, wanted.size() / 3) ? best : std::string();
}

struct RowContext {
    const std::string& file;
    int line;
    const json& row;
};

[[noreturn]] void fail(const RowContext& rc, const std::string& field, const std::string& msg, std::string hint = {}) {
    throw InputError(rc.file, rc.line, field, msg, std::move(hint));
}

std::string column_hint(const RowContext& rc, const std::string& wanted, const std::string& key) {
    std::vector<std::string> present;
    for (auto it = rc.row.begin(); it != rc.row.end(); ++it) present.push_back(it.key());
    std::string near = nearest(wanted, present);
    std::string names;
    for (auto& p : present) names += (names.empty() ? "" : ", ") + p;
    if (!near.empty()) return "did you mean '" + near + "'? set " + key + ": " + near;
    return "the row's columns are: " + (names.empty() ? std::string("(none)") : names) + "; set " + key + " to pick one";
}

std::string string_field(const RowContext& rc, const std::string& col, const std::string& key, bool required) {
    auto it = rc.row.find(col);
    if (it == rc.row.end() || it->is_null()) {
        if (required) fail(rc, col, "missing column '" + col + "'", column_hint(rc, col, key));
        return {};
    }
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number_integer()) return std::to_string(it->get<long long>());
    if (it->is_number() || it->is_boolean()) return it->dump();
    fail(rc, col, "column '" + col + "': expected a string, got " + std::string(it->type_name()));
}

std::vector<Message> messages_field(const RowContext& rc, const json& v, const std::string& col) {
    if (!v.is_array()) fail(rc, col, "column '" + col + "': expected a list of {role, content}, got " + std::string(v.type_name()));
    std::vector<Message> out;
    for (size_t i = 0; i < v.size(); ++i) {
        const auto& m = v[i];
        std::string where = col + "[" + std::to_string(i) + "]";
        if (!m.is_object() || !m.contains("role") || !m.contains("content") || !m["role"].is_string() || !m["content"].is_string())
            fail(rc, where, where + ": expected {\"role\": string, \"content\": string}");
        out.push_back({m["role"].get<std::string>(), m["content"].get<std::string>()});
    }
    if (out.empty()) fail(rc, col, "column '" + col + "': the message list is empty");
    return out;
}

// prompt: a string or a list of messages
void read_prompt(const RowContext& rc, const DatasetColumns& cols, DatasetRow& r) {
    auto it = rc.row.find(cols.prompt);
    if (it == rc.row.end() || it->is_null())
        fail(rc, cols.prompt, "missing column '" + cols.prompt + "'", column_hint(rc, cols.prompt, "prompt_feature"));
    if (it->is_string()) {
        r.prompt_text = it->get<std::string>();
        r.prompt = {{"user", r.prompt_text}};
        return;
    }
    r.prompt = messages_field(rc, *it, cols.prompt);
    for (auto m = r.prompt.rbegin(); m != r.prompt.rend(); ++m)
        if (m->role == "user") { r.prompt_text = m->content; break; }
}

// chosen/rejected: a string, {messages: [...]} or a list of messages (the assistant reply is used)
std::string reply_field(const RowContext& rc, const std::string& col, const std::string& key) {
    auto it = rc.row.find(col);
    if (it == rc.row.end() || it->is_null()) fail(rc, col, "missing column '" + col + "'", column_hint(rc, col, key));
    if (it->is_string()) return it->get<std::string>();
    const json& list = it->is_object() && it->contains("messages") ? (*it)["messages"] : *it;
    auto msgs = messages_field(rc, list, col);
    return msgs.back().content;
}

DatasetRow parse_row(const RowContext& rc, const DatasetColumns& cols, DatasetKind kind) {
    DatasetRow r;
    r.file = rc.file;
    r.line = rc.line;
    r.system = string_field(rc, cols.system, "system_feature", false);
    switch (kind) {
    case DatasetKind::sft:
        if (rc.row.contains(cols.chat)) {
            r.messages = messages_field(rc, rc.row[cols.chat], cols.chat);
            if (r.messages.back().role != "assistant")
                fail(rc, cols.chat, "the last message must be the assistant's (it is what SFT trains on)");
        } else if (rc.row.contains(cols.prompt) && rc.row.contains(cols.completion)) {
            read_prompt(rc, cols, r);
            r.completion = string_field(rc, cols.completion, "completion_feature", true);
        } else if (rc.row.contains(cols.text)) {
            r.text = string_field(rc, cols.text, "text_feature", true);
        } else {
            std::string hint = column_hint(rc, cols.chat, "chat_feature");
            if (rc.row.contains(cols.prompt)) hint = column_hint(rc, cols.completion, "completion_feature");
            fail(rc, {}, "an SFT row needs '" + cols.chat + "', or '" + cols.prompt + "' and '" + cols.completion + "', or '" +
                             cols.text + "'", hint);
        }
        return r;
    case DatasetKind::preference:
        read_prompt(rc, cols, r);
        r.chosen = reply_field(rc, cols.chosen, "chosen_feature");
        r.rejected = reply_field(rc, cols.rejected, "rejected_feature");
        if (auto it = rc.row.find(cols.preference_score); it != rc.row.end() && !it->is_null()) {
            if (!it->is_number()) fail(rc, cols.preference_score, "column '" + cols.preference_score + "': expected a number");
            r.preference_score = it->get<double>();
        }
        return r;
    case DatasetKind::prompts:
    case DatasetKind::grpo:
        read_prompt(rc, cols, r);
        r.answer = string_field(rc, cols.answer, "answer_feature", kind == DatasetKind::grpo);
        r.type = string_field(rc, cols.type, "type_feature", false);
        return r;
    }
    return r;
}

DatasetRow parse_line(const std::string& file, int line, const std::string& text, const DatasetColumns& cols, DatasetKind kind) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded()) {
        std::string start = text.substr(0, 40);
        throw InputError(file, line, {}, "not valid JSON: " + start + (text.size() > 40 ? "..." : ""),
                         "each line must be one JSON object");
    }
    if (!j.is_object()) throw InputError(file, line, {}, std::string("expected a JSON object, got ") + j.type_name(), "each line must be one JSON object");
    return parse_row({file, line, j}, cols, kind);
}

}  // namespace

std::vector<Message> prompt_messages(const DatasetRow& row, DatasetKind kind) {
    std::vector<Message> out;
    bool has_system = !row.prompt.empty() && row.prompt.front().role == "system";
    if (!has_system) {
        if (!row.system.empty()) out.push_back({"system", row.system});
        else if (kind == DatasetKind::grpo) out.push_back({"system", std::string(kGrpoDefaultSystemPrompt)});
    }
    out.insert(out.end(), row.prompt.begin(), row.prompt.end());
    return out;
}

Dataset::Dataset(const std::vector<std::string>& files, const DatasetColumns& cols, DatasetKind kind, const DatasetOptions& opts)
    : m_cols(cols), m_kind(kind) {
    for (const std::string& f : files) {
        auto jf = std::make_shared<const JsonlFile>(f, opts.stream_threshold);
        uint32_t fi = uint32_t(m_files.size());
        for (size_t i = 0; i < jf->size(); ++i) {
            std::string text = jf->row(i);
            if (i == 0 && text.find_first_not_of(" \t") != std::string::npos && text[text.find_first_not_of(" \t")] == '[')
                throw InputError(f, jf->line(0), {}, "a JSON array file is not supported", "write one JSON object per line (JSON Lines)");
            try {
                parse_line(f, jf->line(i), text, cols, kind);
                m_rows.emplace_back(fi, uint32_t(i));
            } catch (const InputError& e) {
                if (!opts.skip_bad_rows) throw;
                ++m_skipped;
                if (m_problems.size() < 10) m_problems.push_back(e.what());
            }
        }
        m_files.push_back(std::move(jf));
    }
    if (m_rows.empty() && m_skipped > 0)
        throw InputError(files.front(), 0, {}, "every row is invalid (" + std::to_string(m_skipped) + " rows); first: " + m_problems.front());
}

DatasetRow Dataset::row(size_t i) const {
    RF_CHECK(i < m_rows.size(), "dataset row out of range");
    auto [fi, ri] = m_rows[i];
    const JsonlFile& f = *m_files[fi];
    return parse_line(f.path(), f.line(ri), f.row(ri), m_cols, m_kind);
}

std::vector<std::string> Dataset::files() const {
    std::vector<std::string> out;
    for (auto& f : m_files) out.push_back(f->path());
    return out;
}

namespace {

// <dir>/<split>.jsonl, <dir>/<split>.json, or shards <dir>/<split>-*.jsonl / <dir>/<split>-*.json (sorted)
std::vector<std::string> split_files(const fs::path& dir, const std::string& split) {
    for (const char* ext : {".jsonl", ".json"}) {
        fs::path p = dir / (split + ext);
        if (fs::is_regular_file(p)) return {p.string()};
    }
    std::vector<std::string> shards;
    std::error_code ec;
    for (auto& e : fs::directory_iterator(dir, ec)) {
        std::string name = e.path().filename().string();
        bool ext_ok = name.size() > 6 && (name.ends_with(".jsonl") || name.ends_with(".json"));
        if (ext_ok && name.rfind(split + "-", 0) == 0 && e.is_regular_file()) shards.push_back(e.path().string());
    }
    std::sort(shards.begin(), shards.end());
    return shards;
}

bool find_in(const fs::path& dir, DatasetFiles& out) {
    out.train = split_files(dir, "train");
    if (out.train.empty()) return false;
    out.valid = split_files(dir, "valid");
    if (out.valid.empty()) out.valid = split_files(dir, "validation");  // HF's usual name (mlx-lm-lora ignores it)
    out.test = split_files(dir, "test");
    out.origin = dir.string();
    return true;
}

}  // namespace

DatasetFiles find_dataset_files(const std::string& path_or_id) {
    DatasetFiles out;
    if (path_or_id.empty()) throw InputError({}, 0, "data", "no dataset given", "set data: to a folder, a .jsonl file or an HF dataset id");
    if (fs::is_regular_file(path_or_id)) {
        out.train = {path_or_id};
        out.origin = path_or_id;
        return out;
    }
    fs::path dir;
    if (fs::is_directory(path_or_id)) {
        dir = path_or_id;
    } else {
        bool looks_like_path = path_or_id.find("./") == 0 || path_or_id.find('/') == 0 || path_or_id.ends_with(".jsonl") ||
                               path_or_id.ends_with(".json") || std::count(path_or_id.begin(), path_or_id.end(), '/') > 1;
        if (looks_like_path)
            throw InputError(path_or_id, 0, "data", "no such dataset folder or file",
                             "a folder with train.jsonl (valid.jsonl, test.jsonl optional), a .jsonl file, or an HF dataset id");
        dir = resolve_dataset_dir(path_or_id);  // throws naming the folders it looked in
    }
    if (find_in(dir, out) || find_in(dir / "data", out)) return out;
    throw InputError(dir.string(), 0, "data", "the folder has no train.jsonl (nor train.json, nor train-*.jsonl shards, also under data/)",
                     "a dataset folder holds train.jsonl, and optionally valid.jsonl and test.jsonl");
}

DatasetSet open_dataset(const std::string& path_or_id, const DatasetColumns& cols, DatasetKind kind, const DatasetOptions& opts) {
    DatasetFiles f = find_dataset_files(path_or_id);
    DatasetSet s;
    s.origin = f.origin;
    s.train = Dataset(f.train, cols, kind, opts);
    if (s.train.empty()) throw InputError(f.train.front(), 0, "data", "the training split has no rows");
    if (!f.valid.empty()) s.valid = Dataset(f.valid, cols, kind, opts);
    if (!f.test.empty()) s.test = Dataset(f.test, cols, kind, opts);
    return s;
}

std::vector<DatasetRow> load_jsonl(const std::string& path, const DatasetColumns& cols, DatasetKind kind) {
    Dataset d({path}, cols, kind);
    std::vector<DatasetRow> rows;
    rows.reserve(d.size());
    for (size_t i = 0; i < d.size(); ++i) rows.push_back(d.row(i));
    return rows;
}

DatasetSplits load_dataset_splits(const std::string& path, const DatasetColumns& cols, DatasetKind kind) {
    DatasetSet set = open_dataset(path, cols, kind);
    DatasetSplits s;
    auto all = [](const Dataset& d) {
        std::vector<DatasetRow> rows;
        for (size_t i = 0; i < d.size(); ++i) rows.push_back(d.row(i));
        return rows;
    };
    s.train = all(set.train);
    s.valid = all(set.valid);
    s.test = all(set.test);
    return s;
}

}  // namespace rf
