// Parquet files and JSON-array files become JSON Lines once, so that every split is read the same
// way (data/jsonl_file.h: indexed, streamed when large). Only the columns the run maps are kept
// (DeepMath-style sets carry long solution columns nobody reads). The converted file lives in
// $XDG_CACHE_HOME/reinforge/rows (else ~/.cache/reinforge/rows), named by a hash of the source's
// path, size, modification time and the columns kept; it is written atomically and reused while the
// source is unchanged. A parquet file is read one row group at a time, so memory stays bounded.
#pragma once
#include <string>
#include <vector>

namespace rf {

struct RowColumns {
    std::vector<std::string> wanted;                  // columns to keep when present
    std::vector<std::vector<std::string>> required;  // each entry: one of these columns must be present
    std::string required_key;                         // the config key to name in the hint (e.g. prompt_feature)
};

// The JSON Lines file holding the rows of `file`: `file` itself for .jsonl (and .json files that are
// JSON Lines), else the converted copy. Throws InputError naming `file` when a required column is
// absent (with the file's columns and a did-you-mean) or the file cannot be read.
std::string jsonl_rows_of(const std::string& file, const RowColumns& cols);

// The folder of converted files (it may not exist).
std::string row_cache_dir();

}  // namespace rf
