// Datasets (SPEC §5): a local folder with train.jsonl (required), valid.jsonl, test.jsonl; a single
// .jsonl file (the training split); an HF dataset id resolved in the local HF cache (by the caller,
// engine/io/hf_cache.h). Columns are found by name with the `*_feature` overrides of the run config.
//
//   online modes (REINFORCE, RLOO, PPO): `prompt` (string, or a list of {role, content})
//   GRPO: `prompt` and `answer` (required), `type` and `system` (optional)
//   SFT:  `messages` (chat), or `prompt` + `completion`, or `text`
//
// A malformed row or a missing column is an InputError naming the file, the line and the field, with
// a did-you-mean when the row has a similar column.
#pragma once
#include <string>
#include <vector>

#include "text/chat_template.h"

namespace rf {

struct RunConfig;

// Column names (the `*_feature` keys of the run config).
struct DatasetColumns {
    std::string prompt = "prompt";
    std::string answer = "answer";
    std::string type = "type";
    std::string system = "system";
    std::string chat = "messages";
    std::string completion = "completion";
    std::string text = "text";
    std::string chosen = "chosen";
    std::string rejected = "rejected";
    std::string preference_score = "preference_score";
};
DatasetColumns dataset_columns(const RunConfig& cfg);

enum class DatasetKind { sft, prompts, grpo };

struct DatasetRow {
    std::string file;
    int line = 0;
    std::vector<Message> prompt;   // the prompt as messages (a string prompt becomes one user message)
    std::string prompt_text;       // the prompt as the dataset gives it (last user message when a list)
    std::string answer, type, system;
    std::vector<Message> messages; // SFT chat rows
    std::string completion;        // SFT prompt/completion rows
    std::string text;              // SFT text rows
};

struct DatasetSplits {
    std::vector<DatasetRow> train, valid, test;
};

// Reads one .jsonl file; every row checked for `kind`. Blank lines are skipped.
std::vector<DatasetRow> load_jsonl(const std::string& path, const DatasetColumns& cols, DatasetKind kind);
// A folder (train.jsonl required; valid.jsonl, test.jsonl optional) or a single .jsonl file.
DatasetSplits load_dataset_splits(const std::string& path, const DatasetColumns& cols, DatasetKind kind);

}  // namespace rf
