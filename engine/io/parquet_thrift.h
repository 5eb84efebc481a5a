// The parquet footer and page headers: Thrift compact protocol, decoded by hand into the few
// structs the reader needs (parquet.thrift field ids in the comments). Every count and length read
// here is bounded before anything is allocated; damage throws ThriftError (turned into InputError
// with the file and place by the caller).
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace rf::parquet {

struct ThriftError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum class Type : int32_t { BOOLEAN = 0, INT32 = 1, INT64 = 2, INT96 = 3, FLOAT = 4, DOUBLE = 5, BYTE_ARRAY = 6, FIXED_LEN_BYTE_ARRAY = 7 };
enum class Repetition : int32_t { REQUIRED = 0, OPTIONAL = 1, REPEATED = 2 };
// ConvertedType values used here
constexpr int32_t CT_UTF8 = 0, CT_MAP = 1, CT_MAP_KEY_VALUE = 2, CT_LIST = 3, CT_ENUM = 4, CT_DECIMAL = 5,
                  CT_UINT_8 = 11, CT_UINT_16 = 12, CT_UINT_32 = 13, CT_UINT_64 = 14, CT_JSON = 19;
// LogicalType union member ids used here
constexpr int32_t LT_STRING = 1, LT_MAP = 2, LT_LIST = 3, LT_ENUM = 4, LT_DECIMAL = 5, LT_INTEGER = 10, LT_JSON = 12, LT_UUID = 14;

struct SchemaElement {            // parquet.thrift SchemaElement
    bool has_type = false;
    Type type = Type::BOOLEAN;    // 1
    int32_t type_length = 0;      // 2
    bool has_repetition = false;
    Repetition repetition = Repetition::REQUIRED;  // 3
    std::string name;             // 4
    int32_t num_children = 0;     // 5
    int32_t converted_type = -1;  // 6
    int32_t logical_type = -1;    // 10 (the union member id)
    bool logical_int_signed = true;  // 10.INTEGER.isSigned
};

struct ColumnMeta {               // ColumnChunk.meta_data (ColumnMetaData)
    Type type = Type::BOOLEAN;    // 1
    std::vector<std::string> path;  // 3
    int32_t codec = 0;            // 4
    int64_t num_values = 0;       // 5
    int64_t total_uncompressed_size = 0;  // 6
    int64_t total_compressed_size = 0;    // 7
    int64_t data_page_offset = 0;         // 9
    int64_t dictionary_page_offset = -1;  // 11 (-1: absent)
    bool has_meta = false;
    bool external = false;        // ColumnChunk.file_path set: data in another file
};

struct RowGroup {
    std::vector<ColumnMeta> columns;  // 1
    int64_t num_rows = 0;             // 3
};

struct FileMetaData {
    std::vector<SchemaElement> schema;  // 2
    int64_t num_rows = 0;               // 3
    std::vector<RowGroup> row_groups;   // 4
};

enum class PageType : int32_t { DATA_PAGE = 0, INDEX_PAGE = 1, DICTIONARY_PAGE = 2, DATA_PAGE_V2 = 3 };

struct PageHeader {
    int32_t type = -1;                 // 1
    int32_t uncompressed_page_size = -1;  // 2
    int32_t compressed_page_size = -1;    // 3
    // DataPageHeader (5) / DataPageHeaderV2 (8) / DictionaryPageHeader (7), flattened
    int32_t num_values = -1;
    int32_t encoding = -1;
    int32_t def_level_encoding = 3;    // v1 only (RLE)
    int32_t rep_level_encoding = 3;
    int32_t num_nulls = 0;             // v2
    int32_t num_rows = 0;              // v2
    int32_t def_levels_byte_length = 0;  // v2
    int32_t rep_levels_byte_length = 0;  // v2
    bool is_compressed = true;           // v2
    bool has_data_header = false, has_dict_header = false, has_v2_header = false;
};

// Decode FileMetaData from the footer bytes. Lists longer than the bytes could hold are rejected.
FileMetaData decode_file_metadata(const uint8_t* data, size_t size);

// Decode one PageHeader starting at data; returns the number of bytes it used.
size_t decode_page_header(const uint8_t* data, size_t size, PageHeader& out);

}  // namespace rf::parquet
