#include "data/dataset.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "config/run_config.h"
#include "core/edit_distance.h"
#include "core/rng.h"
#include "data/row_cache.h"
#include "core/error.h"

namespace rf {

namespace {

using nlohmann::json;

// The row's column closest to `wanted`, when close enough to be a likely typo or variant.
std::string nearest(const std::string& wanted, const std::vector<std::string>& present) {
    std::string best;
    size_t best_d = SIZE_MAX;
    const size_t limit = std::max<size_t>(2, wanted.size() / 3);
    for (const std::string& p : present) {
        bool related = p.find(wanted) != std::string::npos || wanted.find(p) != std::string::npos;
        // the distance is at least the difference in length: past the limit, p is never the answer
        if (!related && (p.size() > wanted.size() ? p.size() - wanted.size() : wanted.size() - p.size()) > limit) continue;
        size_t d = edit_distance(wanted, p, true);
        if (related) d = std::min(d, size_t(1));
        if (d < best_d) { best_d = d; best = p; }
    }
    return best_d <= limit ? best : std::string();
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

// answer_pattern: group 1 of the first match (else the whole match), trimmed
std::string extract_answer(const RowContext& rc, const std::string& col, const std::string& answer, const Regex& re) {
    std::string got;
    if (!re.first_capture(answer, got)) {
        std::string shown = answer.size() > 60 ? "..." + answer.substr(answer.size() - 57) : answer;
        fail(rc, col, "answer_pattern /" + re.pattern() + "/ does not match the answer '" + shown + "'",
             "fix answer_pattern, or skip such rows (skip_bad_rows)");
    }
    size_t b = got.find_first_not_of(" \t\r\n"), e = got.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? std::string() : got.substr(b, e - b + 1);
}

DatasetRow parse_row(const RowContext& rc, const DatasetColumns& cols, DatasetKind kind, const Regex* answer_re) {
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
        if (answer_re && (kind == DatasetKind::grpo || !r.answer.empty())) r.answer = extract_answer(rc, cols.answer, r.answer, *answer_re);
        r.type = string_field(rc, cols.type, "type_feature", false);
        return r;
    }
    return r;
}

DatasetRow parse_line(const std::string& file, int line, const std::string& text, const DatasetColumns& cols, DatasetKind kind,
                      const Regex* answer_re) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded()) {
        std::string start = text.substr(0, 40);
        throw InputError(file, line, {}, "not valid JSON: " + start + (text.size() > 40 ? "..." : ""),
                         "each line must be one JSON object");
    }
    if (!j.is_object()) throw InputError(file, line, {}, std::string("expected a JSON object, got ") + j.type_name(), "each line must be one JSON object");
    return parse_row({file, line, j}, cols, kind, answer_re);
}

// The columns a row source must keep, and those it must have, for `kind`.
RowColumns row_columns(const DatasetColumns& c, DatasetKind kind) {
    RowColumns r;
    r.wanted = {c.prompt, c.answer, c.type, c.system, c.chat, c.completion, c.text, c.chosen, c.rejected, c.preference_score};
    switch (kind) {
    case DatasetKind::sft: r.required = {{c.chat, c.text, c.prompt}}, r.required_key = "chat_feature"; break;
    case DatasetKind::preference: r.required = {{c.prompt}, {c.chosen}, {c.rejected}}, r.required_key = "prompt_feature"; break;
    case DatasetKind::prompts: r.required = {{c.prompt}}, r.required_key = "prompt_feature"; break;
    case DatasetKind::grpo: r.required = {{c.prompt}}, r.required_key = "prompt_feature"; break;
    }
    return r;
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
    if (!cols.answer_pattern.empty()) m_answer_re = std::make_shared<const Regex>(answer_regex(cols.answer_pattern), "answer_pattern");
    RowColumns rc = row_columns(cols, kind);
    for (const std::string& f : files) {
        auto jf = std::make_shared<const JsonlFile>(jsonl_rows_of(f, rc), opts.stream_threshold);
        uint32_t fi = uint32_t(m_files.size());
        m_files.push_back(std::move(jf));
        m_names.push_back(f);
        const JsonlFile& rows = *m_files.back();
        for (size_t i = 0; i < rows.size(); ++i) {
            if (i == 0) {
                std::string text = rows.row(0);
                size_t first = text.find_first_not_of(" \t");
                if (first != std::string::npos && text[first] == '[')
                    throw InputError(f, rows.line(0), {}, "a JSON array in a .jsonl file", "write one JSON object per line (JSON Lines), or name the file .json");
            }
            try {
                if (rows.row_bytes(i) > opts.max_row_bytes)
                    throw InputError(f, rows.line(i), {}, "the row is " + std::to_string(rows.row_bytes(i) >> 20) + " MiB; rows over " +
                                         std::to_string(opts.max_row_bytes >> 20) + " MiB are refused",
                                     "a prompt or answer that long cannot be trained on; split or drop the row (skip_bad_rows leaves it out)");
                parse(fi, uint32_t(i));
                m_rows.emplace_back(fi, uint32_t(i));
            } catch (const InputError& e) {
                if (!opts.skip_bad_rows) throw;
                ++m_skipped;
                if (m_problems.size() < 10) m_problems.push_back(e.what());
            }
        }
    }
    if (m_rows.empty() && m_skipped > 0)
        throw InputError(files.front(), 0, {}, "every row is invalid (" + std::to_string(m_skipped) + " rows); first: " + m_problems.front());
}

DatasetRow Dataset::parse(uint32_t fi, uint32_t ri) const {
    const JsonlFile& f = *m_files[fi];
    return parse_line(m_names[fi], f.line(ri), f.row(ri), m_cols, m_kind, m_answer_re.get());
}

DatasetRow Dataset::row(size_t i) const {
    RF_CHECK(i < m_rows.size(), "dataset row out of range");
    return parse(m_rows[i].first, m_rows[i].second);
}

Dataset Dataset::take_rows(const std::vector<size_t>& indices) {
    Dataset out;
    out.m_files = m_files;
    out.m_names = m_names;
    out.m_answer_re = m_answer_re;
    out.m_cols = m_cols;
    out.m_kind = m_kind;
    std::vector<char> taken(m_rows.size(), 0);
    for (size_t i : indices) {
        RF_CHECK(i < m_rows.size() && !taken[i], "take_rows: bad index");
        taken[i] = 1;
        out.m_rows.push_back(m_rows[i]);
    }
    std::vector<std::pair<uint32_t, uint32_t>> kept;
    for (size_t i = 0; i < m_rows.size(); ++i)
        if (!taken[i]) kept.push_back(m_rows[i]);
    m_rows = std::move(kept);
    return out;
}

DatasetSet open_dataset(const std::string& path_or_id, const DatasetColumns& cols, DatasetKind kind, const DatasetOptions& opts,
                        const DatasetOpen& how) {
    DatasetSet s;
    s.files = find_dataset_files(path_or_id, how.select);
    const DatasetFiles& f = s.files;
    s.train = Dataset(f.train, cols, kind, opts);
    if (s.train.empty()) throw InputError(f.train.front(), 0, "data", "the training split has no rows");
    if (!f.valid.empty()) s.valid = Dataset(f.valid, cols, kind, opts);
    if (!f.test.empty()) s.test = Dataset(f.test, cols, kind, opts);
    if (f.valid.empty() && how.valid_fraction > 0 && s.train.size() >= 2) {
        // a partial Fisher-Yates shuffle with the run's seed picks the held-out rows
        size_t n = s.train.size();
        size_t k = std::clamp<size_t>(size_t(std::llround(how.valid_fraction * double(n))), 1, std::min<size_t>(1000, n - 1));
        std::vector<size_t> idx(n);
        for (size_t i = 0; i < n; ++i) idx[i] = i;
        Rng rng(how.seed, 0x5eed5u);
        for (size_t i = 0; i < k; ++i) std::swap(idx[i], idx[i + rng.below(uint32_t(n - i))]);
        idx.resize(k);
        std::sort(idx.begin(), idx.end());
        s.valid = s.train.take_rows(idx);
        s.carved_valid = k;
    }
    return s;
}

std::vector<DatasetRow> load_jsonl(const std::string& path, const DatasetColumns& cols, DatasetKind kind) {
    return all_rows(Dataset({path}, cols, kind));
}

std::vector<DatasetRow> all_rows(const Dataset& d) {
    std::vector<DatasetRow> rows;
    rows.reserve(d.size());
    for (size_t i = 0; i < d.size(); ++i) rows.push_back(d.row(i));
    return rows;
}

DatasetSplits load_dataset_splits(const std::string& path, const DatasetColumns& cols, DatasetKind kind) {
    DatasetSet set = open_dataset(path, cols, kind);
    return {all_rows(set.train), all_rows(set.valid), all_rows(set.test)};
}

}  // namespace rf
