// Parquet page payloads: codecs (Snappy, GZIP, ZSTD), the RLE / bit-packed hybrid, and the value
// encodings (PLAIN, dictionary indices, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY,
// DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT). Every function checks its input length before reading and
// before allocating; damage throws PageError (the caller adds file, row group and column).
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/parquet_thrift.h"

namespace rf::parquet {

struct PageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

constexpr size_t kMaxPageBytes = size_t(1) << 30;         // one decompressed page
constexpr size_t kMaxPageValues = size_t(1) << 26;       // values (nulls included) in one page
constexpr size_t kMaxColumnBytes = size_t(1) << 30;       // decoded BYTE_ARRAY bytes of one column chunk

enum Encoding : int32_t { PLAIN = 0, PLAIN_DICTIONARY = 2, RLE = 3, BIT_PACKED = 4, DELTA_BINARY_PACKED = 5,
                          DELTA_LENGTH_BYTE_ARRAY = 6, DELTA_BYTE_ARRAY = 7, RLE_DICTIONARY = 8, BYTE_STREAM_SPLIT = 9 };
enum Codec : int32_t { UNCOMPRESSED = 0, SNAPPY = 1, GZIP = 2, LZO = 3, BROTLI = 4, LZ4 = 5, ZSTD = 6, LZ4_RAW = 7 };
const char* codec_name(int32_t codec);
const char* encoding_name(int32_t encoding);

// The non-null values of one column chunk in physical form. BOOLEAN, INT32, INT64 (and INT96, as 0)
// go to `ints`, FLOAT and DOUBLE to `floats`, BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY to `bytes` with
// value i = bytes[offsets[i], offsets[i + 1]).
struct ColumnValues {
    Type type = Type::BOOLEAN;
    int32_t type_length = 0;
    std::vector<int64_t> ints;
    std::vector<double> floats;
    std::string bytes;
    std::vector<uint64_t> offsets{0};

    size_t size() const;
    void clear();
    void append_bytes(const uint8_t* p, size_t n);
};

// Decompresses exactly `expected` bytes into dst; anything else (short, long, corrupt) throws.
void decompress(int32_t codec, const uint8_t* src, size_t n, uint8_t* dst, size_t expected);

// RLE / bit-packed hybrid without a length prefix: `count` values of `bit_width` bits (<= 32).
void decode_rle_hybrid(const uint8_t* p, size_t n, int bit_width, size_t count, uint32_t* out);

// Appends `count` values in `encoding` (PLAIN, BYTE_STREAM_SPLIT, DELTA_*, or dictionary indices
// looked up in `dict`) read from [p, p + n).
void decode_values(int32_t encoding, const uint8_t* p, size_t n, size_t count, ColumnValues& out,
                   const ColumnValues* dict);

}  // namespace rf::parquet
