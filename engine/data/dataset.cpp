#include "data/dataset.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "train/run_config.h"

namespace fs = std::filesystem;

namespace rf {

DatasetColumns dataset_columns(const RunConfig& c) {
    DatasetColumns d;
    d.prompt = c.prompt_feature;
    d.answer = c.answer_feature;
    d.type = c.type_feature;
    d.system = c.system_feature;
    d.chat = c.chat_feature;
    d.completion = c.completion_feature;
    d.text = c.text_feature;
    d.chosen = c.chosen_feature;
    d.rejected = c.rejected_feature;
    d.preference_score = c.preference_score_feature;
    return d;
}

namespace {

struct RowContext {
    const std::string& file;
    int line;
    const nlohmann::json& row;
};

[[noreturn]] void fail(const RowContext& rc, const std::string& field, const std::string& msg, std::string hint = {}) {
    throw InputError(rc.file, rc.line, field, msg, std::move(hint));
}

std::string column_hint(const RowContext& rc, const std::string& wanted, const std::string& key) {
    std::vector<std::string> present;
    for (auto it = rc.row.begin(); it != rc.row.end(); ++it) present.push_back(it.key());
    std::string near = did_you_mean(wanted, present);
    std::string names;
    for (auto& p : present) names += (names.empty() ? "" : ", ") + p;
    if (!near.empty()) return "the row has '" + near + "': set " + key + ": " + near;
    return "the row's columns are: " + (names.empty() ? std::string("(none)") : names) + "; set " + key + " to pick one";
}

std::string string_field(const RowContext& rc, const std::string& col, const std::string& key, bool required) {
    auto it = rc.row.find(col);
    if (it == rc.row.end() || it->is_null()) {
        if (required) fail(rc, col, "missing column", column_hint(rc, col, key));
        return {};
    }
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number_integer()) return std::to_string(it->get<long long>());
    if (it->is_number()) return it->dump();
    fail(rc, col, std::string("expected a string, got ") + it->type_name());
}

std::vector<Message> messages_field(const RowContext& rc, const nlohmann::json& v, const std::string& col) {
    if (!v.is_array()) fail(rc, col, std::string("expected a list of {role, content}, got ") + v.type_name());
    std::vector<Message> out;
    for (size_t i = 0; i < v.size(); ++i) {
        const auto& m = v[i];
        std::string where = col + "[" + std::to_string(i) + "]";
        if (!m.is_object() || !m.contains("role") || !m.contains("content") || !m["role"].is_string() ||
            !m["content"].is_string())
            fail(rc, where, "expected {\"role\": string, \"content\": string}");
        out.push_back({m["role"].get<std::string>(), m["content"].get<std::string>()});
    }
    if (out.empty()) fail(rc, col, "the message list is empty");
    return out;
}

DatasetRow parse_row(const RowContext& rc, const DatasetColumns& cols, DatasetKind kind) {
    DatasetRow r;
    r.file = rc.file;
    r.line = rc.line;
    r.system = string_field(rc, cols.system, "system_feature", false);
    if (kind == DatasetKind::sft) {
        if (rc.row.contains(cols.chat)) {
            r.messages = messages_field(rc, rc.row[cols.chat], cols.chat);
            if (r.messages.back().role != "assistant")
                fail(rc, cols.chat, "the last message must be the assistant's (it is what SFT trains on)");
        } else if (rc.row.contains(cols.prompt) && rc.row.contains(cols.completion)) {
            const auto& p = rc.row[cols.prompt];
            if (p.is_string()) r.prompt = {{"user", p.get<std::string>()}};
            else r.prompt = messages_field(rc, p, cols.prompt);
            r.completion = string_field(rc, cols.completion, "completion_feature", true);
        } else if (rc.row.contains(cols.text)) {
            r.text = string_field(rc, cols.text, "text_feature", true);
        } else {
            fail(rc, {}, "an SFT row needs '" + cols.chat + "', or '" + cols.prompt + "' and '" + cols.completion +
                             "', or '" + cols.text + "'",
                 column_hint(rc, cols.chat, "chat_feature"));
        }
        return r;
    }
    auto it = rc.row.find(cols.prompt);
    if (it == rc.row.end()) fail(rc, cols.prompt, "missing column", column_hint(rc, cols.prompt, "prompt_feature"));
    if (it->is_string()) {
        r.prompt_text = it->get<std::string>();
        r.prompt = {{"user", r.prompt_text}};
    } else {
        r.prompt = messages_field(rc, *it, cols.prompt);
        for (auto m = r.prompt.rbegin(); m != r.prompt.rend(); ++m)
            if (m->role == "user") {
                r.prompt_text = m->content;
                break;
            }
    }
    r.answer = string_field(rc, cols.answer, "answer_feature", kind == DatasetKind::grpo);
    r.type = string_field(rc, cols.type, "type_feature", false);
    return r;
}

}  // namespace

std::vector<DatasetRow> load_jsonl(const std::string& path, const DatasetColumns& cols, DatasetKind kind) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path, 0, {}, "cannot open the dataset file", "check the data: path");
    std::vector<DatasetRow> rows;
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(line);
        } catch (const nlohmann::json::parse_error& e) {
            throw InputError(path, n, {}, std::string("not valid JSON: ") + e.what(), "each line must be one JSON object");
        }
        if (!j.is_object()) throw InputError(path, n, {}, "expected a JSON object per line", {});
        rows.push_back(parse_row({path, n, j}, cols, kind));
    }
    return rows;
}

DatasetSplits load_dataset_splits(const std::string& path, const DatasetColumns& cols, DatasetKind kind) {
    DatasetSplits s;
    if (fs::is_regular_file(path)) {
        s.train = load_jsonl(path, cols, kind);
        return s;
    }
    if (!fs::is_directory(path))
        throw InputError(path, 0, "data", "no such dataset folder or file",
                         "a folder with train.jsonl (valid.jsonl, test.jsonl optional), a .jsonl file, or an HF id");
    std::string train = path + "/train.jsonl";
    if (!fs::exists(train))
        throw InputError(path, 0, "data", "the folder has no train.jsonl", "a dataset folder holds train.jsonl, valid.jsonl, test.jsonl");
    s.train = load_jsonl(train, cols, kind);
    if (fs::exists(path + "/valid.jsonl")) s.valid = load_jsonl(path + "/valid.jsonl", cols, kind);
    if (fs::exists(path + "/test.jsonl")) s.test = load_jsonl(path + "/test.jsonl", cols, kind);
    return s;
}

}  // namespace rf
