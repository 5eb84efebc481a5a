// Page payload decoding. Formats (https://parquet.apache.org/docs/file-format/data-pages/encodings/):
//   RLE / bit-packed hybrid: runs, each a varint header h; h & 1: (h >> 1) groups of 8 values,
//     bit-packed LSB first; else a run of (h >> 1) copies of one value in ceil(bit_width / 8) bytes.
//   DELTA_BINARY_PACKED: <block size> <miniblocks per block> <total count> <first value (zigzag)>,
//     then blocks: <min delta (zigzag)> <one bit width per miniblock> <miniblocks, bit-packed>;
//     value[i] = value[i - 1] + min_delta + packed[i - 1] (wrapping two's complement).
//   DELTA_LENGTH_BYTE_ARRAY: the lengths (DELTA_BINARY_PACKED), then the bytes back to back.
//   DELTA_BYTE_ARRAY: prefix lengths (DELTA_BINARY_PACKED), then suffixes (DELTA_LENGTH_BYTE_ARRAY);
//     value[i] = value[i - 1][0, prefix[i]) + suffix[i].
//   BYTE_STREAM_SPLIT: byte k of value i at k * count + i.
#include "io/parquet_pages.h"

#include "io/byte_reader.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

namespace rf::parquet {

const char* codec_name(int32_t codec) {
    switch (codec) {
    case UNCOMPRESSED: return "UNCOMPRESSED";
    case SNAPPY: return "SNAPPY";
    case GZIP: return "GZIP";
    case LZO: return "LZO";
    case BROTLI: return "BROTLI";
    case LZ4: return "LZ4";
    case ZSTD: return "ZSTD";
    case LZ4_RAW: return "LZ4_RAW";
    default: return "unknown";
    }
}

const char* encoding_name(int32_t e) {
    switch (e) {
    case PLAIN: return "PLAIN";
    case PLAIN_DICTIONARY: return "PLAIN_DICTIONARY";
    case RLE: return "RLE";
    case BIT_PACKED: return "BIT_PACKED";
    case DELTA_BINARY_PACKED: return "DELTA_BINARY_PACKED";
    case DELTA_LENGTH_BYTE_ARRAY: return "DELTA_LENGTH_BYTE_ARRAY";
    case DELTA_BYTE_ARRAY: return "DELTA_BYTE_ARRAY";
    case RLE_DICTIONARY: return "RLE_DICTIONARY";
    case BYTE_STREAM_SPLIT: return "BYTE_STREAM_SPLIT";
    default: return "unknown";
    }
}

size_t ColumnValues::size() const {
    switch (type) {
    case Type::FLOAT:
    case Type::DOUBLE: return floats.size();
    case Type::BYTE_ARRAY:
    case Type::FIXED_LEN_BYTE_ARRAY: return offsets.size() - 1;
    default: return ints.size();
    }
}

void ColumnValues::clear() {
    ints.clear();
    floats.clear();
    bytes.clear();
    offsets.assign(1, 0);
}

void ColumnValues::append_bytes(const uint8_t* p, size_t n) {
    if (bytes.size() + n > kMaxColumnBytes)
        throw PageError("column chunk decodes to more than " + std::to_string(kMaxColumnBytes >> 20) + " MiB of bytes");
    bytes.append(reinterpret_cast<const char*>(p), n);
    offsets.push_back(bytes.size());
}

void decompress(int32_t codec, const uint8_t* src, size_t n, uint8_t* dst, size_t expected) {
    switch (codec) {
    case UNCOMPRESSED:
        if (n != expected) throw PageError("uncompressed page of " + std::to_string(n) + " bytes declares " + std::to_string(expected));
        if (n) std::memcpy(dst, src, n);
        return;
    case SNAPPY: {
        size_t len = 0;
        if (!snappy::GetUncompressedLength(reinterpret_cast<const char*>(src), n, &len))
            throw PageError("snappy data is corrupt (no length header)");
        if (len != expected) throw PageError("snappy page decompresses to " + std::to_string(len) + " bytes, the header says " + std::to_string(expected));
        if (!snappy::RawUncompress(reinterpret_cast<const char*>(src), n, reinterpret_cast<char*>(dst)))
            throw PageError("snappy data is corrupt");
        return;
    }
    case ZSTD: {
        size_t r = ZSTD_decompress(dst, expected, src, n);
        if (ZSTD_isError(r)) throw PageError(std::string("zstd: ") + ZSTD_getErrorName(r));
        if (r != expected) throw PageError("zstd page decompresses to " + std::to_string(r) + " bytes, the header says " + std::to_string(expected));
        return;
    }
    case GZIP: {
        z_stream zs{};
        if (inflateInit2(&zs, 15 + 32) != Z_OK) throw PageError("zlib init failed");
        zs.next_in = const_cast<Bytef*>(src);
        zs.avail_in = uInt(n);
        zs.next_out = dst;
        zs.avail_out = uInt(expected);
        int rc = Z_OK;
        // Concatenated gzip members are allowed: restart after each stream end while input is left.
        for (;;) {
            rc = inflate(&zs, Z_FINISH);
            if (rc == Z_STREAM_END && zs.avail_in > 0 && zs.avail_out > 0) {
                if (inflateReset(&zs) != Z_OK) break;
                continue;
            }
            break;
        }
        size_t produced = zs.total_out;
        inflateEnd(&zs);
        if (rc != Z_STREAM_END) throw PageError(std::string("gzip data is corrupt or longer than the header says") + (zs.msg ? std::string(": ") + zs.msg : ""));
        if (produced != expected) throw PageError("gzip page decompresses to " + std::to_string(produced) + " bytes, the header says " + std::to_string(expected));
        return;
    }
    default:
        throw PageError(std::string("compression codec ") + codec_name(codec) + " is not supported (SNAPPY, GZIP, ZSTD and UNCOMPRESSED are)");
    }
}

namespace {

using Cursor = ByteReader<PageError>;  // page data: bounded reads, PageError when damaged

// Value i of `width` bits (<= 64), LSB-first, from p (nbytes available; bits past the end read 0).
inline uint64_t unpack_one(const uint8_t* p, size_t nbytes, int width, size_t i) {
    if (width == 0) return 0;
    uint64_t bit = uint64_t(i) * uint64_t(width);
    size_t byte = size_t(bit >> 3);
    int shift = int(bit & 7);
    unsigned __int128 acc = 0;
    int need = (shift + width + 7) / 8;
    for (int k = 0; k < need; ++k) {
        if (byte + size_t(k) < nbytes) acc |= (unsigned __int128)p[byte + size_t(k)] << (8 * k);
    }
    acc >>= shift;
    return width == 64 ? uint64_t(acc) : uint64_t(acc) & ((uint64_t(1) << width) - 1);
}

// DELTA_BINARY_PACKED into `out` (as int64, wrapping at `bits` = 32 or 64). Returns the values.
std::vector<int64_t> decode_delta(Cursor& c, size_t max_count, int bits) {
    uint64_t block = c.varint();
    uint64_t minis = c.varint();
    uint64_t total = c.varint();
    int64_t first = c.zigzag();
    if (block == 0 || block % 128 != 0 || block > (1u << 20) || minis == 0 || block % minis != 0 || (block / minis) % 32 != 0)
        throw PageError("DELTA_BINARY_PACKED header is invalid (block " + std::to_string(block) + ", miniblocks " + std::to_string(minis) + ")");
    if (total > max_count) throw PageError("DELTA_BINARY_PACKED holds " + std::to_string(total) + " values, more than the page's " + std::to_string(max_count));
    const uint64_t per_mini = block / minis;
    std::vector<int64_t> out;
    out.reserve(size_t(total));
    if (total == 0) return out;
    uint64_t value = uint64_t(first);
    auto wrap = [bits](uint64_t v) { return bits == 32 ? int64_t(int32_t(uint32_t(v))) : int64_t(v); };
    out.push_back(wrap(value));
    while (out.size() < total) {
        uint64_t min_delta = uint64_t(c.zigzag());
        c.need(size_t(minis));
        const uint8_t* widths = c.p;
        c.p += minis;
        for (uint64_t m = 0; m < minis && out.size() < total; ++m) {
            int w = widths[m];
            if (w > 64) throw PageError("DELTA_BINARY_PACKED bit width " + std::to_string(w) + " > 64");
            size_t nbytes = size_t(per_mini * uint64_t(w) / 8);
            c.need(nbytes);
            for (uint64_t i = 0; i < per_mini && out.size() < total; ++i) {
                value += min_delta + unpack_one(c.p, nbytes, w, size_t(i));
                out.push_back(wrap(value));
            }
            c.p += nbytes;
        }
    }
    return out;
}

void check_count(size_t count, size_t width, size_t n, const char* what) {
    if (width && count > n / width)
        throw PageError(std::string(what) + ": " + std::to_string(count) + " values need " + std::to_string(count * width) + " bytes, the page has " + std::to_string(n));
}

int64_t load_le(const uint8_t* p, int width) {
    uint64_t v = 0;
    for (int k = 0; k < width; ++k) v |= uint64_t(p[k]) << (8 * k);
    return int64_t(v);
}

void decode_plain(const uint8_t* p, size_t n, size_t count, ColumnValues& out) {
    switch (out.type) {
    case Type::BOOLEAN:
        if (count > n * 8) throw PageError("PLAIN booleans: " + std::to_string(count) + " values need more than the page's " + std::to_string(n) + " bytes");
        for (size_t i = 0; i < count; ++i) out.ints.push_back((p[i >> 3] >> (i & 7)) & 1);
        return;
    case Type::INT32:
        check_count(count, 4, n, "PLAIN INT32");
        for (size_t i = 0; i < count; ++i) out.ints.push_back(int32_t(uint32_t(load_le(p + 4 * i, 4))));
        return;
    case Type::INT64:
        check_count(count, 8, n, "PLAIN INT64");
        for (size_t i = 0; i < count; ++i) out.ints.push_back(load_le(p + 8 * i, 8));
        return;
    case Type::INT96:
        check_count(count, 12, n, "PLAIN INT96");
        out.ints.insert(out.ints.end(), count, 0);
        return;
    case Type::FLOAT:
        check_count(count, 4, n, "PLAIN FLOAT");
        for (size_t i = 0; i < count; ++i) {
            float f;
            std::memcpy(&f, p + 4 * i, 4);
            out.floats.push_back(f);
        }
        return;
    case Type::DOUBLE:
        check_count(count, 8, n, "PLAIN DOUBLE");
        for (size_t i = 0; i < count; ++i) {
            double d;
            std::memcpy(&d, p + 8 * i, 8);
            out.floats.push_back(d);
        }
        return;
    case Type::BYTE_ARRAY: {
        check_count(count, 4, n, "PLAIN BYTE_ARRAY");
        Cursor c{p, p + n};
        for (size_t i = 0; i < count; ++i) {
            c.need(4);
            uint32_t len = uint32_t(load_le(c.p, 4));
            c.p += 4;
            c.need(len);
            out.append_bytes(c.p, len);
            c.p += len;
        }
        return;
    }
    case Type::FIXED_LEN_BYTE_ARRAY: {
        size_t w = size_t(out.type_length);
        check_count(count, w, n, "PLAIN FIXED_LEN_BYTE_ARRAY");
        for (size_t i = 0; i < count; ++i) out.append_bytes(p + w * i, w);
        return;
    }
    }
}

size_t type_width(const ColumnValues& v) {
    switch (v.type) {
    case Type::INT32:
    case Type::FLOAT: return 4;
    case Type::INT64:
    case Type::DOUBLE: return 8;
    case Type::FIXED_LEN_BYTE_ARRAY: return size_t(v.type_length);
    default: return 0;
    }
}

}  // namespace

void decode_rle_hybrid(const uint8_t* p, size_t n, int bit_width, size_t count, uint32_t* out) {
    if (bit_width < 0 || bit_width > 32) throw PageError("RLE bit width " + std::to_string(bit_width) + " > 32");
    Cursor c{p, p + n};
    size_t done = 0;
    const size_t value_bytes = size_t(bit_width + 7) / 8;
    while (done < count) {
        uint64_t h = c.varint();
        if (h & 1) {
            uint64_t groups = h >> 1;
            if (groups == 0) throw PageError("RLE bit-packed run of zero groups");
            if (bit_width && groups > c.left() / size_t(bit_width) + 1) throw PageError("RLE bit-packed run longer than the data");
            // a writer may cut the last group short; bits past the data read as 0
            size_t nbytes = std::min(size_t(groups) * size_t(bit_width), c.left());
            uint64_t vals = groups * 8;
            for (uint64_t i = 0; i < vals && done < count; ++i) out[done++] = uint32_t(unpack_one(c.p, nbytes, bit_width, size_t(i)));
            c.p += nbytes;
        } else {
            uint64_t run = h >> 1;
            c.need(value_bytes);
            uint32_t v = uint32_t(load_le(c.p, int(value_bytes)));
            c.p += value_bytes;
            if (run == 0) continue;
            if (bit_width < 32 && (v >> bit_width)) throw PageError("RLE run value does not fit its bit width");
            size_t take = size_t(std::min<uint64_t>(run, count - done));
            std::fill(out + done, out + done + take, v);
            done += take;
        }
    }
}

void decode_values(int32_t encoding, const uint8_t* p, size_t n, size_t count, ColumnValues& out, const ColumnValues* dict) {
    if (count == 0 && encoding != PLAIN) return;   // an all-null page may carry no value header at all
    switch (encoding) {
    case PLAIN: decode_plain(p, n, count, out); return;
    case PLAIN_DICTIONARY:
    case RLE_DICTIONARY: {
        if (!dict) throw PageError("dictionary-encoded page without a dictionary page");
        if (count == 0) return;
        if (n < 1) throw PageError("dictionary indices: page data ends early");
        int w = p[0];
        if (w > 32) throw PageError("dictionary index bit width " + std::to_string(w) + " > 32");
        std::vector<uint32_t> idx(count);
        decode_rle_hybrid(p + 1, n - 1, w, count, idx.data());
        const size_t dn = dict->size();
        for (uint32_t i : idx)
            if (i >= dn) throw PageError("dictionary index " + std::to_string(i) + " out of range (dictionary has " + std::to_string(dn) + " values)");
        switch (out.type) {
        case Type::FLOAT:
        case Type::DOUBLE:
            for (uint32_t i : idx) out.floats.push_back(dict->floats[i]);
            return;
        case Type::BYTE_ARRAY:
        case Type::FIXED_LEN_BYTE_ARRAY:
            for (uint32_t i : idx)
                out.append_bytes(reinterpret_cast<const uint8_t*>(dict->bytes.data()) + dict->offsets[i], size_t(dict->offsets[i + 1] - dict->offsets[i]));
            return;
        default:
            for (uint32_t i : idx) out.ints.push_back(dict->ints[i]);
            return;
        }
    }
    case RLE: {
        if (out.type != Type::BOOLEAN) throw PageError("RLE value encoding is only defined for BOOLEAN");
        if (n < 4) throw PageError("RLE booleans: page data ends early");
        uint32_t len = uint32_t(load_le(p, 4));
        if (len > n - 4) throw PageError("RLE booleans: length prefix exceeds the page");
        std::vector<uint32_t> v(count);
        decode_rle_hybrid(p + 4, len, 1, count, v.data());
        for (uint32_t b : v) out.ints.push_back(b);
        return;
    }
    case DELTA_BINARY_PACKED: {
        if (out.type != Type::INT32 && out.type != Type::INT64) throw PageError("DELTA_BINARY_PACKED on a non-integer column");
        Cursor c{p, p + n};
        auto v = decode_delta(c, count, out.type == Type::INT32 ? 32 : 64);
        if (v.size() != count) throw PageError("DELTA_BINARY_PACKED holds " + std::to_string(v.size()) + " values, the page needs " + std::to_string(count));
        out.ints.insert(out.ints.end(), v.begin(), v.end());
        return;
    }
    case DELTA_LENGTH_BYTE_ARRAY:
    case DELTA_BYTE_ARRAY: {
        if (out.type != Type::BYTE_ARRAY && out.type != Type::FIXED_LEN_BYTE_ARRAY) throw PageError(std::string(encoding_name(encoding)) + " on a non-byte-array column");
        Cursor c{p, p + n};
        std::vector<int64_t> prefix;
        if (encoding == DELTA_BYTE_ARRAY) {
            prefix = decode_delta(c, count, 64);
            if (prefix.size() != count) throw PageError("DELTA_BYTE_ARRAY prefix count differs from the page's value count");
        }
        auto lens = decode_delta(c, count, 64);
        if (lens.size() != count) throw PageError("DELTA_LENGTH_BYTE_ARRAY length count differs from the page's value count");
        std::string prev;
        for (size_t i = 0; i < count; ++i) {
            int64_t len = lens[i];
            if (len < 0 || uint64_t(len) > c.left()) throw PageError("byte array length " + std::to_string(len) + " exceeds the page");
            if (encoding == DELTA_BYTE_ARRAY) {
                int64_t pre = prefix[i];
                if (pre < 0 || uint64_t(pre) > prev.size()) throw PageError("DELTA_BYTE_ARRAY prefix " + std::to_string(pre) + " longer than the previous value");
                prev.resize(size_t(pre));
                prev.append(reinterpret_cast<const char*>(c.p), size_t(len));
                out.append_bytes(reinterpret_cast<const uint8_t*>(prev.data()), prev.size());
            } else {
                out.append_bytes(c.p, size_t(len));
            }
            c.p += len;
        }
        return;
    }
    case BYTE_STREAM_SPLIT: {
        size_t w = type_width(out);
        if (w == 0) throw PageError("BYTE_STREAM_SPLIT on a column without a fixed width");
        check_count(count, w, n, "BYTE_STREAM_SPLIT");
        std::vector<uint8_t> buf(w * count);
        for (size_t i = 0; i < count; ++i)
            for (size_t k = 0; k < w; ++k) buf[i * w + k] = p[k * count + i];
        decode_plain(buf.data(), buf.size(), count, out);
        return;
    }
    default:
        throw PageError(std::string("value encoding ") + encoding_name(encoding) + " (" + std::to_string(encoding) + ") is not supported");
    }
}

}  // namespace rf::parquet
