// A dataset as a run with config `cfg` will see it, for `reinforge-cli dataset` and the GUI's
// dataset preview: where it came from, its configurations, its splits (files, rows, a carved
// validation split), its columns with their types, the known-dataset preset applied, and the first
// rows after column mapping and answer_pattern. An HF id that is not cached is downloaded.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "data/dataset.h"
#include "text/chat_template.h"

namespace rf {

struct RunConfig;

struct DatasetPreview {
    struct Split {
        std::string name;                // train | valid | test
        size_t rows = 0;
        std::vector<std::string> files;  // empty for a validation split carved from train
    };
    std::string data;                    // as the config names it
    DatasetFiles files;                  // origin, configuration, configurations
    std::vector<Split> splits;
    size_t carved_valid = 0;
    size_t skipped = 0;                  // bad rows left out (skip_bad_rows)
    std::vector<std::pair<std::string, std::string>> columns;  // name, type (of the first training file)
    std::string preset_note;             // apply_dataset_preset's line, "" when none
    DatasetKind kind = DatasetKind::grpo;
    std::vector<DatasetRow> rows;        // the first training rows
};

// The kind of rows `cfg`'s mode reads.
DatasetKind dataset_kind(const RunConfig& cfg);

// The preview as text (what reinforge-cli dataset prints and the GUI's preview shows); prompts are
// rendered with `tpl` when given, else listed as messages.
std::string preview_text(const DatasetPreview& p, const RunConfig& cfg, const ChatTemplate* tpl = nullptr);

// Previews `data` (one entry of cfg.data) with `cfg`'s dataset keys. Throws InputError as a run would.
DatasetPreview preview_dataset(const std::string& data, const RunConfig& cfg, size_t rows, const HubProgressFn& progress = {});

}  // namespace rf
