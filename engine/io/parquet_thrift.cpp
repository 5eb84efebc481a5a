// Thrift compact protocol (https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md):
//   field header: one byte, high nibble = field id delta (0: a zigzag varint i16 id follows), low
//   nibble = type; integers are zigzag varints; binary = varint length + bytes; list = one byte
//   (size in the high nibble, 15: a varint size follows; element type in the low nibble).
// Only the fields the reader needs are kept; everything else is skipped with a bounded depth.
#include "io/parquet_thrift.h"

#include "io/byte_reader.h"

#include <cstring>

namespace rf::parquet {
namespace {

enum CType : int { STOP = 0, BOOL_TRUE = 1, BOOL_FALSE = 2, BYTE = 3, I16 = 4, I32 = 5, I64 = 6, DOUBLE = 7,
                   BINARY = 8, LIST = 9, SET = 10, MAP = 11, STRUCT = 12 };
constexpr int kMaxDepth = 32;           // nesting of structs/lists inside the footer
constexpr size_t kMaxString = 1 << 24;  // a name or path component

// The Thrift compact protocol over a bounded ByteReader (varints, zigzag, end checks).
class Compact : private ByteReader<ThriftError> {
public:
    Compact(const uint8_t* data, size_t size) : ByteReader<ThriftError>{data, data + size}, begin_(data) {}
    size_t used() const { return size_t(p - begin_); }
    using ByteReader<ThriftError>::left;
    using ByteReader<ThriftError>::byte;
    using ByteReader<ThriftError>::varint;
    using ByteReader<ThriftError>::zigzag;
    int32_t i32() {
        int64_t v = zigzag();
        if (v < INT32_MIN || v > INT32_MAX) throw ThriftError("thrift i32 out of range");
        return int32_t(v);
    }
    std::string binary() {
        uint64_t n = varint();
        if (n > left() || n > kMaxString) throw ThriftError("thrift string length " + std::to_string(n) + " exceeds the data");
        std::string s(reinterpret_cast<const char*>(p), size_t(n));
        p += n;
        return s;
    }
    // Reads a list header; the size is checked against the bytes left (every element uses >= 1 byte).
    std::pair<int, size_t> list_header() {
        uint8_t h = byte();
        uint64_t n = h >> 4;
        if (n == 15) n = varint();
        if (n > left()) throw ThriftError("thrift list of " + std::to_string(n) + " elements exceeds the data");
        return {h & 0x0f, size_t(n)};
    }
    // Struct fields: returns false at STOP. `last` carries the previous field id.
    bool field(int16_t& last, int& type, int16_t& id) {
        uint8_t h = byte();
        type = h & 0x0f;
        if (type == STOP) return false;
        int delta = h >> 4;
        if (delta == 0) {
            int64_t v = zigzag();
            if (v < INT16_MIN || v > INT16_MAX) throw ThriftError("thrift field id out of range");
            id = int16_t(v);
        } else {
            id = int16_t(last + delta);
        }
        last = id;
        return true;
    }
    bool field_bool(int type) {
        if (type == BOOL_TRUE) return true;
        if (type == BOOL_FALSE) return false;
        throw ThriftError("thrift field expected to be a bool");
    }
    void expect(int type, int want) {
        if (type != want) throw ThriftError("thrift field has type " + std::to_string(type) + ", expected " + std::to_string(want));
    }
    void enter() {
        if (++depth_ > kMaxDepth) throw ThriftError("thrift structures nested deeper than " + std::to_string(kMaxDepth));
    }
    void leave() { --depth_; }

    void skip(int type, bool in_list = false) {
        switch (type) {
        case BOOL_TRUE:
        case BOOL_FALSE:
            if (in_list) byte();
            return;
        case BYTE: byte(); return;
        case I16:
        case I32:
        case I64: varint(); return;
        case DOUBLE:
            if (left() < 8) throw ThriftError("thrift data ends early");
            p += 8;
            return;
        case BINARY: {
            uint64_t n = varint();
            if (n > left()) throw ThriftError("thrift binary length exceeds the data");
            p += n;
            return;
        }
        case LIST:
        case SET: {
            auto [et, n] = list_header();
            enter();
            for (size_t i = 0; i < n; ++i) skip(et, true);
            leave();
            return;
        }
        case MAP: {
            uint64_t n = varint();
            if (n > left()) throw ThriftError("thrift map size exceeds the data");
            if (n == 0) return;
            uint8_t kv = byte();
            enter();
            for (uint64_t i = 0; i < n; ++i) {
                skip(kv >> 4, true);
                skip(kv & 0x0f, true);
            }
            leave();
            return;
        }
        case STRUCT: {
            enter();
            int16_t last = 0, id = 0;
            int t = 0;
            while (field(last, t, id)) skip(t);
            leave();
            return;
        }
        default: throw ThriftError("thrift unknown type " + std::to_string(type));
        }
    }

private:
    const uint8_t* begin_;
    int depth_ = 0;
};

// LogicalType is a union: the member's field id names it; INTEGER carries signedness.
void read_logical_type(Compact& c, SchemaElement& e) {
    c.enter();
    int16_t last = 0, id = 0;
    int t = 0;
    while (c.field(last, t, id)) {
        if (t == STRUCT && e.logical_type < 0) e.logical_type = id;
        if (id == LT_INTEGER && t == STRUCT) {
            c.enter();
            int16_t l2 = 0, id2 = 0;
            int t2 = 0;
            while (c.field(l2, t2, id2)) {
                if (id2 == 2 && (t2 == BOOL_TRUE || t2 == BOOL_FALSE)) e.logical_int_signed = c.field_bool(t2);
                else c.skip(t2);
            }
            c.leave();
        } else {
            c.skip(t);
        }
    }
    c.leave();
}

SchemaElement read_schema_element(Compact& c) {
    SchemaElement e;
    c.enter();
    int16_t last = 0, id = 0;
    int t = 0;
    while (c.field(last, t, id)) {
        switch (id) {
        case 1: c.expect(t, I32); e.type = Type(c.i32()); e.has_type = true;
            if (int32_t(e.type) < 0 || int32_t(e.type) > 7) throw ThriftError("unknown physical type " + std::to_string(int32_t(e.type)));
            break;
        case 2: c.expect(t, I32); e.type_length = c.i32(); break;
        case 3: c.expect(t, I32); e.repetition = Repetition(c.i32()); e.has_repetition = true;
            if (int32_t(e.repetition) < 0 || int32_t(e.repetition) > 2) throw ThriftError("unknown repetition type");
            break;
        case 4: c.expect(t, BINARY); e.name = c.binary(); break;
        case 5: c.expect(t, I32); e.num_children = c.i32(); break;
        case 6: c.expect(t, I32); e.converted_type = c.i32(); break;
        case 10: c.expect(t, STRUCT); read_logical_type(c, e); break;
        default: c.skip(t);
        }
    }
    c.leave();
    return e;
}

ColumnMeta read_column_meta(Compact& c, ColumnMeta& m) {
    c.enter();
    int16_t last = 0, id = 0;
    int t = 0;
    m.has_meta = true;
    while (c.field(last, t, id)) {
        switch (id) {
        case 1: c.expect(t, I32); m.type = Type(c.i32()); break;
        case 3: {
            c.expect(t, LIST);
            auto [et, n] = c.list_header();
            if (et != BINARY) throw ThriftError("path_in_schema is not a list of strings");
            for (size_t i = 0; i < n; ++i) m.path.push_back(c.binary());
            break;
        }
        case 4: c.expect(t, I32); m.codec = c.i32(); break;
        case 5: c.expect(t, I64); m.num_values = c.zigzag(); break;
        case 6: c.expect(t, I64); m.total_uncompressed_size = c.zigzag(); break;
        case 7: c.expect(t, I64); m.total_compressed_size = c.zigzag(); break;
        case 9: c.expect(t, I64); m.data_page_offset = c.zigzag(); break;
        case 11: c.expect(t, I64); m.dictionary_page_offset = c.zigzag(); break;
        default: c.skip(t);
        }
    }
    c.leave();
    return m;
}

RowGroup read_row_group(Compact& c) {
    RowGroup g;
    c.enter();
    int16_t last = 0, id = 0;
    int t = 0;
    while (c.field(last, t, id)) {
        if (id == 1 && t == LIST) {
            auto [et, n] = c.list_header();
            if (et != STRUCT) throw ThriftError("row group columns are not structs");
            if (n > 100000) throw ThriftError("row group has " + std::to_string(n) + " columns (limit 100000)");
            for (size_t i = 0; i < n; ++i) {
                ColumnMeta m;
                c.enter();
                int16_t l2 = 0, id2 = 0;
                int t2 = 0;
                while (c.field(l2, t2, id2)) {
                    if (id2 == 1 && t2 == BINARY) { c.binary(); m.external = true; }
                    else if (id2 == 3 && t2 == STRUCT) read_column_meta(c, m);
                    else c.skip(t2);
                }
                c.leave();
                g.columns.push_back(std::move(m));
            }
        } else if (id == 3 && t == I64) {
            g.num_rows = c.zigzag();
        } else {
            c.skip(t);
        }
    }
    c.leave();
    return g;
}

}  // namespace

FileMetaData decode_file_metadata(const uint8_t* data, size_t size) {
    Compact c(data, size);
    FileMetaData f;
    int16_t last = 0, id = 0;
    int t = 0;
    c.enter();
    while (c.field(last, t, id)) {
        if (id == 2 && t == LIST) {
            auto [et, n] = c.list_header();
            if (et != STRUCT) throw ThriftError("schema is not a list of structs");
            if (n > 100000) throw ThriftError("schema has " + std::to_string(n) + " elements (limit 100000)");
            for (size_t i = 0; i < n; ++i) f.schema.push_back(read_schema_element(c));
        } else if (id == 3 && t == I64) {
            f.num_rows = c.zigzag();
        } else if (id == 4 && t == LIST) {
            auto [et, n] = c.list_header();
            if (et != STRUCT) throw ThriftError("row_groups is not a list of structs");
            if (n > (1u << 20)) throw ThriftError("file has " + std::to_string(n) + " row groups (limit 1048576)");
            for (size_t i = 0; i < n; ++i) f.row_groups.push_back(read_row_group(c));
        } else {
            c.skip(t);
        }
    }
    c.leave();
    return f;
}

size_t decode_page_header(const uint8_t* data, size_t size, PageHeader& h) {
    Compact c(data, size);
    int16_t last = 0, id = 0;
    int t = 0;
    c.enter();
    while (c.field(last, t, id)) {
        if (id == 1 && t == I32) h.type = c.i32();
        else if (id == 2 && t == I32) h.uncompressed_page_size = c.i32();
        else if (id == 3 && t == I32) h.compressed_page_size = c.i32();
        else if ((id == 5 || id == 7 || id == 8) && t == STRUCT) {
            if (id == 5) h.has_data_header = true;
            if (id == 7) h.has_dict_header = true;
            if (id == 8) h.has_v2_header = true;
            c.enter();
            int16_t l2 = 0, f = 0;
            int t2 = 0;
            while (c.field(l2, t2, f)) {
                bool is_i32 = t2 == I32;
                if (f == 1 && is_i32) h.num_values = c.i32();
                else if (id == 5 && f == 2 && is_i32) h.encoding = c.i32();
                else if (id == 5 && f == 3 && is_i32) h.def_level_encoding = c.i32();
                else if (id == 5 && f == 4 && is_i32) h.rep_level_encoding = c.i32();
                else if (id == 7 && f == 2 && is_i32) h.encoding = c.i32();
                else if (id == 8 && f == 2 && is_i32) h.num_nulls = c.i32();
                else if (id == 8 && f == 3 && is_i32) h.num_rows = c.i32();
                else if (id == 8 && f == 4 && is_i32) h.encoding = c.i32();
                else if (id == 8 && f == 5 && is_i32) h.def_levels_byte_length = c.i32();
                else if (id == 8 && f == 6 && is_i32) h.rep_levels_byte_length = c.i32();
                else if (id == 8 && f == 7 && (t2 == BOOL_TRUE || t2 == BOOL_FALSE)) h.is_compressed = c.field_bool(t2);
                else c.skip(t2);
            }
            c.leave();
        } else {
            c.skip(t);
        }
    }
    c.leave();
    return c.used();
}

}  // namespace rf::parquet
