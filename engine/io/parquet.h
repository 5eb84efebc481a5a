// Apache Parquet files as the Hugging Face Hub serves them, read row group by row group (memory
// bounded by one row group of the selected columns). Written by hand: Debian 12 packages no parquet
// library (no Arrow); the codecs come from Debian (Snappy, ZSTD, zlib for GZIP).
//
// Supported: the footer (Thrift compact protocol), data pages v1 and v2, dictionary pages;
// encodings PLAIN, PLAIN_DICTIONARY / RLE_DICTIONARY, RLE / bit-packed hybrid (levels, booleans),
// DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY; codecs UNCOMPRESSED, SNAPPY,
// GZIP, ZSTD; physical types BOOLEAN, INT32, INT64, FLOAT, DOUBLE, BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY
// (INT96 is read as null); nullable and nested columns (LIST, MAP, struct groups, and the legacy
// two-level list forms) rebuilt from repetition/definition levels.
//
// Rows come out as JSON objects keyed by the top-level field names: strings (UTF8/STRING, and
// BYTE_ARRAY without annotation when valid UTF-8, else base64; FIXED_LEN_BYTE_ARRAY always base64) as JSON strings, integers and floats as numbers,
// booleans, null for missing values, lists as arrays, structs as objects, maps as objects (string
// keys) — what the dataset layer needs for `prompt`, `answer` and chat lists.
//
// Hostile or damaged files throw InputError naming the file, the row group and the column; sizes
// read from the file are checked against the file size and hard limits before any allocation.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rf {

struct ParquetField {
    std::string name;  // top-level field name
    std::string type;  // readable type: "string", "int64", "list<int64>", "list<struct<role: string, content: string>>", ...
};

class ParquetReader {
public:
    // Opens `path` and reads its footer. Throws InputError (file named) when it is not a parquet
    // file or the footer is damaged.
    explicit ParquetReader(const std::string& path);
    ~ParquetReader();
    ParquetReader(ParquetReader&&) noexcept;
    ParquetReader& operator=(ParquetReader&&) noexcept;

    const std::string& path() const;
    int64_t num_rows() const;
    int num_row_groups() const;
    int64_t row_group_rows(int g) const;
    std::vector<ParquetField> fields() const;

    // The rows of row group `g` as JSON objects. `columns`: top-level field names to read (others
    // are skipped, never decompressed); empty = all.
    std::vector<nlohmann::json> read_row_group(int g, const std::vector<std::string>& columns = {}) const;

    // Every row in file order, one row group in memory at a time; `fn` returns false to stop.
    void for_each_row(const std::function<bool(const nlohmann::json& row)>& fn,
                      const std::vector<std::string>& columns = {}) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

}  // namespace rf
