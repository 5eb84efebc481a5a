// Datasets (SPEC §5): the splits of a local folder, a single file or an HF dataset id
// (data/dataset_files.h: .jsonl, .json and .parquet files, configurations, shards; an id is
// downloaded when it is not cached). Parquet and JSON-array files are read through a JSON Lines copy
// (data/row_cache.h). Columns are found by name with the `*_feature` overrides (dataset_columns.h);
// `answer_pattern` extracts the gradable answer from the answer column.
//
//   prompts (REINFORCE, RLOO, PPO): `prompt` (string, or a list of {role, content}); `system` optional
//   grpo: `prompt` and `answer` (required), `type` and `system` (optional)
//   sft:  `messages` (chat), or `prompt` + `completion`, or `text`
//   preference (DPO-style, e.g. exported human judgments): `prompt`, `chosen`, `rejected`,
//         `preference_score` optional
//
// Every row is checked when the dataset is opened: a malformed row or a missing column is an
// InputError naming the file, the line (the row number for parquet) and the field, with a
// did-you-mean when the row has a similar column — or, with skip_bad_rows, the row is left out and
// counted. Rows are parsed again on demand, so a large file (>= 1 GiB) costs 8 bytes of memory per
// row (jsonl_file.h).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "data/dataset_columns.h"
#include "data/dataset_files.h"
#include "data/jsonl_file.h"
#include "text/chat_template.h"
#include "text/regex.h"

namespace rf {

enum class DatasetKind { sft, prompts, grpo, preference };

// The GRPO default system prompt is kGrpoDefaultSystemPrompt (config/run_config.h).

struct DatasetRow {
    std::string file;
    int line = 0;
    std::vector<Message> prompt;   // the prompt as messages (a string prompt becomes one user message)
    std::string prompt_text;       // the prompt as the dataset gives it (last user message when a list)
    std::string answer, type, system;
    std::vector<Message> messages; // SFT chat rows
    std::string completion;        // SFT prompt/completion rows
    std::string text;              // SFT text rows
    std::string chosen, rejected;  // preference rows
    double preference_score = 1.0;
};

// The conversation the trainer templates for a prompt row: the row's `system` (GRPO: else the
// default system prompt) followed by the prompt messages (a system message already in a list
// prompt wins over the column). mlx-lm-lora ignores `system` outside GRPO; Reinforge uses it in
// every mode, since a user who fills the column means it.
std::vector<Message> prompt_messages(const DatasetRow& row, DatasetKind kind);

struct DatasetOptions {
    // A row longer than this is refused before it is parsed (a 200 MB line once grew a run to 24 GB):
    // ~4M tokens, far beyond any context a run can train on.
    static constexpr size_t kMaxRowBytes = size_t(16) << 20;
    bool skip_bad_rows = false;                          // else the first bad row is an error
    size_t max_row_bytes = kMaxRowBytes;
    uint64_t stream_threshold = JsonlFile::kStreamThreshold;
};

class Dataset {
public:
    Dataset() = default;
    // One split made of one or more files (shards), rows in file order.
    Dataset(const std::vector<std::string>& files, const DatasetColumns& cols, DatasetKind kind,
            const DatasetOptions& opts = {});

    size_t size() const { return m_rows.size(); }
    bool empty() const { return m_rows.empty(); }
    DatasetRow row(size_t i) const;
    size_t skipped() const { return m_skipped; }
    // The first few errors of skipped rows ("file:line: message").
    const std::vector<std::string>& problems() const { return m_problems; }
    // The files the rows come from, as given (a parquet file, not its JSON Lines copy).
    std::vector<std::string> files() const { return m_names; }
    // Moves the rows at `indices` (positions in this dataset, distinct) into a new dataset: carves a
    // validation split out of the training split.
    Dataset take_rows(const std::vector<size_t>& indices);

private:
    DatasetRow parse(uint32_t file, uint32_t row) const;

    std::vector<std::shared_ptr<const JsonlFile>> m_files;
    std::vector<std::string> m_names;                    // per file: the name errors give
    std::shared_ptr<const Regex> m_answer_re;            // answer_pattern, compiled
    std::vector<std::pair<uint32_t, uint32_t>> m_rows;  // (file, row in file)
    DatasetColumns m_cols;
    DatasetKind m_kind = DatasetKind::prompts;
    size_t m_skipped = 0;
    std::vector<std::string> m_problems;
};

struct DatasetSet {
    Dataset train, valid, test;
    DatasetFiles files;       // where the splits came from (origin, configuration)
    size_t carved_valid = 0;  // rows held out of train as the validation split (0 = none)
};

// Opens the splits (data/dataset_files.h). When the dataset has no validation split and
// `valid_fraction` > 0, round(fraction * train rows) rows (at least 1, at most 1000, never all)
// chosen with `seed` become the validation split and leave the training split.
struct DatasetOpen {
    DatasetSelect select;
    double valid_fraction = 0.0;
    uint64_t seed = 0;
};
DatasetSet open_dataset(const std::string& path_or_id, const DatasetColumns& cols, DatasetKind kind,
                        const DatasetOptions& opts = {}, const DatasetOpen& how = {});

// Eager forms: every row parsed into memory.
struct DatasetSplits {
    std::vector<DatasetRow> train, valid, test;
};
std::vector<DatasetRow> load_jsonl(const std::string& path, const DatasetColumns& cols, DatasetKind kind);
std::vector<DatasetRow> all_rows(const Dataset& d);
DatasetSplits load_dataset_splits(const std::string& path, const DatasetColumns& cols, DatasetKind kind);

}  // namespace rf
