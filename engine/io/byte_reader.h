// Reading untrusted little binary formats byte by byte (parquet's Thrift footer and its pages):
// every read is bounded by the end of the buffer, and a damaged one throws `Error` (the caller's
// exception type, which it turns into an InputError naming the file and the place).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace rf {

template <class Error>
struct ByteReader {
    const uint8_t* p;
    const uint8_t* end;
    size_t left() const { return size_t(end - p); }
    uint8_t byte() {
        if (p >= end) throw Error("data ends early");
        return *p++;
    }
    // ULEB128 (protobuf/Thrift varint), at most 10 bytes
    uint64_t varint() {
        uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            uint8_t b = byte();
            v |= uint64_t(b & 0x7f) << shift;
            if (!(b & 0x80)) return v;
        }
        throw Error("varint longer than 10 bytes");
    }
    int64_t zigzag() {
        uint64_t v = varint();
        return int64_t(v >> 1) ^ -int64_t(v & 1);
    }
    void need(size_t n) const {
        if (n > left()) throw Error("data ends early (needs " + std::to_string(n) + " bytes, " + std::to_string(left()) + " left)");
    }
};

}  // namespace rf
