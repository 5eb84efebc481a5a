// Parquet reader: the footer and the schema tree, column chunks read by byte range (pread), pages
// decoded (parquet_pages.cpp), rows rebuilt from repetition / definition levels.
//
// Rebuilding rows (Dremel; https://parquet.apache.org/docs/file-format/nested-encoding/): a leaf
// column is a stream of (r, d, value) triples. r = 0 starts a row; r = k starts a new element in
// the list of the k-th repeated ancestor (and a fresh list in every deeper one); d counts how
// many optional / repeated ancestors are present, and the value is there only when d = max_def.
// Each triple walks the leaf's path from its top-level field down, creating (or, for the second and
// later leaves of a struct, finding) the JSON slots on the way:
//   a repeated node   -> an array; element idx[depth] (advanced when r <= depth: a new element)
//   an absent node    -> null (optional) or an empty array (repeated); the walk stops
//   a LIST / MAP group -> the array itself; its repeated child's elements go straight into it
//                         ("inline"), and in the 3-level form the single grandchild IS the element
//   another group      -> an object keyed by child names
// MAP arrays of {key, value} objects become JSON objects afterwards.
#include "io/parquet.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "io/parquet_pages.h"
#include "io/parquet_thrift.h"

namespace rf {

using namespace parquet;
using json = nlohmann::json;

namespace {

constexpr int kMaxNesting = 64;                        // schema depth (levels fit a byte)
constexpr size_t kMaxFooterBytes = size_t(64) << 20;   // FileMetaData

const char* kDamagedHint = "the file is damaged or truncated; download it again";

enum class LeafKind { string, binary, fixed, int_signed, uint32, uint64, boolean, floating, null };

struct Node {
    SchemaElement el;
    int parent = -1;
    std::vector<int> children;
    int def = 0, rep = 0;        // levels at this node (root: 0)
    bool repeated = false;
    bool optional = false;
    bool is_leaf = false;
    bool inline_ = false;        // its value is the parent's slot (element of a LIST / MAP, 3-level element)
    bool wrapper = false;        // LIST or MAP group: its value is an array
    bool is_map = false;
    bool passthrough = false;    // 3-level list's repeated group: its single child is the element
    int leaf = -1;               // leaf index
    LeafKind kind = LeafKind::null;
};

struct Leaf {
    int node = 0;
    int field = 0;               // top-level field index
    std::vector<int> path;       // node ids from the top-level field down to the leaf
    int max_def = 0, max_rep = 0;
    std::string dotted;          // "prompt.list.element.role"
};

struct ChunkData {
    std::vector<uint8_t> reps, defs;
    ColumnValues values;
};

bool valid_utf8(const char* s, size_t n) {
    const auto* p = reinterpret_cast<const unsigned char*>(s);
    size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {   // ASCII fast path, 8 bytes at a time
            uint64_t w;
            std::memcpy(&w, p + i, 8);
            if (!(w & 0x8080808080808080ull)) { i += 8; continue; }
        }
        unsigned c = p[i];
        if (c < 0x80) { ++i; continue; }
        int len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (len == 0 || i + size_t(len) > n) return false;
        uint32_t cp = c & (0x7F >> len);
        for (int k = 1; k < len; ++k) {
            if ((p[i + k] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += size_t(len);
    }
    return true;
}

std::string base64(const char* s, size_t n) {
    static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((n + 2) / 3 * 4);
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = uint32_t(uint8_t(s[i])) << 16;
        if (i + 1 < n) v |= uint32_t(uint8_t(s[i + 1])) << 8;
        if (i + 2 < n) v |= uint8_t(s[i + 2]);
        out += tbl[(v >> 18) & 63];
        out += tbl[(v >> 12) & 63];
        out += i + 1 < n ? tbl[(v >> 6) & 63] : '=';
        out += i + 2 < n ? tbl[v & 63] : '=';
    }
    return out;
}

int bit_width(int max_level) {
    int w = 0;
    while ((1 << w) <= max_level) ++w;
    return w;
}

}  // namespace

struct ParquetReader::Impl {
    std::string path;
    int fd = -1;
    uint64_t file_size = 0;
    uint64_t data_end = 0;        // where the footer starts
    uint64_t max_count = 0;       // bound on any value / row count (see open())
    FileMetaData meta;
    std::vector<Node> nodes;      // nodes[0] = root
    std::vector<int> fields;      // top-level field node ids
    std::vector<Leaf> leaves;
    std::vector<bool> field_has_map;

    ~Impl() {
        if (fd >= 0) ::close(fd);
    }

    [[noreturn]] void fail(const std::string& where, const std::string& msg, const std::string& hint = kDamagedHint) const {
        throw InputError(path, 0, where, msg, hint);
    }

    void pread_exact(uint64_t off, size_t n, uint8_t* dst, const std::string& where) const {
        if (off > file_size || n > file_size - off) fail(where, "byte range [" + std::to_string(off) + ", +" + std::to_string(n) + ") lies outside the file (" + std::to_string(file_size) + " bytes)");
        size_t done = 0;
        while (done < n) {
            ssize_t r = ::pread(fd, dst + done, n - done, off_t(off + done));
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) fail(where, std::string("read failed: ") + (r < 0 ? std::strerror(errno) : "unexpected end of file"), "check the file and the disk");
            done += size_t(r);
        }
    }

    void open() {
        fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw InputError(path, 0, {}, std::string("cannot open parquet file: ") + std::strerror(errno), "check the path");
        struct stat st {};
        if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) throw InputError(path, 0, {}, "not a regular file", "point at a .parquet file");
        file_size = uint64_t(st.st_size);
        if (file_size < 12) fail("footer", "file is " + std::to_string(file_size) + " bytes, too small for parquet (magic + footer + magic)", "the file is truncated or not parquet");
        uint8_t head[4], tail[8];
        pread_exact(0, 4, head, "header");
        pread_exact(file_size - 8, 8, tail, "footer");
        if (std::memcmp(head, "PAR1", 4) != 0 || std::memcmp(tail + 4, "PAR1", 4) != 0) {
            if (std::memcmp(tail + 4, "PARE", 4) == 0) fail("footer", "the file uses parquet modular encryption", "encrypted parquet files are not supported; use an unencrypted copy");
            fail("footer", "missing the PAR1 magic at the start or end", "the file is truncated or not parquet");
        }
        uint32_t flen = uint32_t(tail[0]) | uint32_t(tail[1]) << 8 | uint32_t(tail[2]) << 16 | uint32_t(tail[3]) << 24;
        if (flen == 0 || uint64_t(flen) > file_size - 12 || flen > kMaxFooterBytes)
            fail("footer", "footer length " + std::to_string(flen) + " does not fit the file (" + std::to_string(file_size) + " bytes)");
        data_end = file_size - 8 - flen;
        // A row / value count larger than this is refused before allocating: 64 values per byte of
        // file (RLE can pack many nulls in a few bytes), at least 2^20, at most 2^31.
        max_count = std::min<uint64_t>(std::max<uint64_t>(uint64_t(1) << 20, file_size * 64), uint64_t(1) << 31);
        std::vector<uint8_t> footer(flen);
        pread_exact(data_end, flen, footer.data(), "footer");
        try {
            meta = decode_file_metadata(footer.data(), footer.size());
        } catch (const ThriftError& e) {
            fail("footer", std::string("file metadata is damaged: ") + e.what());
        }
        build_schema();
        check_row_groups();
    }

    void build_schema() {
        const auto& s = meta.schema;
        if (s.empty()) fail("schema", "the schema is empty");
        if (s[0].num_children <= 0) fail("schema", "the root has no fields");
        nodes.reserve(s.size());
        size_t next = 0;
        add_node(next, -1, 0);
        if (next != s.size()) fail("schema", "schema lists " + std::to_string(s.size()) + " elements but the tree uses " + std::to_string(next));
        fields = nodes[0].children;
        field_has_map.assign(fields.size(), false);
        for (size_t f = 0; f < fields.size(); ++f) collect_leaves(fields[f], int(f), {});
        if (leaves.empty()) fail("schema", "the schema has no columns");
    }

    void add_node(size_t& next, int parent, int depth) {
        if (depth > kMaxNesting) fail("schema", "schema nested deeper than " + std::to_string(kMaxNesting) + " levels");
        const size_t remaining = meta.schema.size() - next;
        if (remaining == 0) fail("schema", "schema tree lists more children than there are elements");
        const int id = int(nodes.size());
        nodes.push_back(Node{});
        Node& n = nodes.back();
        n.el = meta.schema[next++];
        n.parent = parent;
        if (parent >= 0) {
            const Node& p = nodes[size_t(parent)];
            if (!n.el.has_repetition) fail("schema", "field '" + n.el.name + "' has no repetition type");
            n.repeated = n.el.repetition == Repetition::REPEATED;
            n.optional = n.el.repetition == Repetition::OPTIONAL;
            n.def = p.def + (n.el.repetition != Repetition::REQUIRED ? 1 : 0);
            n.rep = p.rep + (n.repeated ? 1 : 0);
        }
        const int nc = n.el.num_children;
        if (nc < 0 || size_t(nc) > meta.schema.size() - next) fail("schema", "field '" + n.el.name + "' claims " + std::to_string(nc) + " children");
        if (nc == 0 && parent >= 0) {
            if (!n.el.has_type) fail("schema", "leaf field '" + n.el.name + "' has no physical type");
            if (n.el.type == Type::FIXED_LEN_BYTE_ARRAY && (n.el.type_length <= 0 || n.el.type_length > (1 << 24)))
                fail("schema", "field '" + n.el.name + "' has fixed length " + std::to_string(n.el.type_length));
            n.is_leaf = true;
            n.kind = leaf_kind(n.el);
            return;
        }
        for (int c = 0; c < nc; ++c) {
            int child = int(nodes.size());
            nodes[size_t(id)].children.push_back(child);
            add_node(next, id, depth + 1);
        }
        assign_roles(id);
    }

    static LeafKind leaf_kind(const SchemaElement& e) {
        const int ct = e.converted_type, lt = e.logical_type;
        switch (e.type) {
        case Type::BOOLEAN: return LeafKind::boolean;
        case Type::INT32:
            if (ct == CT_UINT_8 || ct == CT_UINT_16 || ct == CT_UINT_32 || (lt == LT_INTEGER && !e.logical_int_signed)) return LeafKind::uint32;
            return LeafKind::int_signed;
        case Type::INT64:
            if (ct == CT_UINT_64 || (lt == LT_INTEGER && !e.logical_int_signed)) return LeafKind::uint64;
            return LeafKind::int_signed;
        case Type::INT96: return LeafKind::null;
        case Type::FLOAT:
        case Type::DOUBLE: return LeafKind::floating;
        case Type::BYTE_ARRAY:
            if (ct == CT_UTF8 || ct == CT_ENUM || ct == CT_JSON || lt == LT_STRING || lt == LT_ENUM || lt == LT_JSON) return LeafKind::string;
            return LeafKind::binary;
        case Type::FIXED_LEN_BYTE_ARRAY: return LeafKind::fixed;
        }
        return LeafKind::null;
    }

    void assign_roles(int id) {
        Node& n = nodes[size_t(id)];
        if (id == 0) return;
        const bool list_ann = n.el.converted_type == CT_LIST || n.el.logical_type == LT_LIST;
        const bool map_ann = n.el.converted_type == CT_MAP || n.el.converted_type == CT_MAP_KEY_VALUE || n.el.logical_type == LT_MAP;
        if (!(list_ann || map_ann) || n.children.size() != 1 || n.repeated) return;
        Node& r = nodes[size_t(n.children[0])];
        if (!r.repeated) return;
        if (map_ann && (r.is_leaf || r.children.size() != 2)) return;
        n.wrapper = true;
        n.is_map = map_ann;
        r.inline_ = true;
        // 3-level list: repeated group with one child, not the legacy "array" / "<name>_tuple" forms
        if (list_ann && !r.is_leaf && r.children.size() == 1 && r.el.name != "array" && r.el.name != n.el.name + "_tuple") {
            r.passthrough = true;
            nodes[size_t(r.children[0])].inline_ = true;
        }
    }

    void collect_leaves(int id, int field, std::vector<int> trail) {
        trail.push_back(id);
        const Node& n = nodes[size_t(id)];
        if (n.is_map) field_has_map[size_t(field)] = true;
        if (n.is_leaf) {
            Leaf l;
            l.node = id;
            l.field = field;
            l.path = trail;
            l.max_def = n.def;
            l.max_rep = n.rep;
            for (int k : trail) l.dotted += (l.dotted.empty() ? "" : ".") + nodes[size_t(k)].el.name;
            nodes[size_t(id)].leaf = int(leaves.size());
            leaves.push_back(std::move(l));
            return;
        }
        for (int c : n.children) collect_leaves(c, field, trail);
    }

    void check_row_groups() {
        uint64_t total = 0;
        for (size_t g = 0; g < meta.row_groups.size(); ++g) {
            const RowGroup& rg = meta.row_groups[g];
            const std::string where = "row group " + std::to_string(g);
            if (rg.num_rows < 0 || uint64_t(rg.num_rows) > max_count) fail(where, "row count " + std::to_string(rg.num_rows) + " is out of range");
            if (rg.columns.size() != leaves.size()) fail(where, "has " + std::to_string(rg.columns.size()) + " column chunks, the schema has " + std::to_string(leaves.size()) + " columns");
            total += uint64_t(rg.num_rows);
        }
        if (total > (uint64_t(1) << 40)) fail("footer", "total row count is out of range");
    }

    std::string type_name(int id, bool as_element = false) const {
        const Node& n = nodes[size_t(id)];
        if (n.repeated && !n.inline_ && !as_element) return "list<" + type_name(id, true) + ">";
        if (n.wrapper) {
            const Node& r = nodes[size_t(n.children[0])];
            if (n.is_map) return "map<" + type_name(r.children[0]) + ", " + type_name(r.children[1]) + ">";
            return "list<" + (r.passthrough ? type_name(r.children[0]) : type_name(n.children[0], true)) + ">";
        }
        if (n.is_leaf) {
            switch (n.kind) {
            case LeafKind::string: return "string";
            case LeafKind::binary: return "binary";
            case LeafKind::fixed: return "fixed_len_byte_array(" + std::to_string(n.el.type_length) + ")";
            case LeafKind::uint32: return "uint32";
            case LeafKind::uint64: return "uint64";
            case LeafKind::boolean: return "bool";
            case LeafKind::floating: return n.el.type == Type::FLOAT ? "float" : "double";
            case LeafKind::null: return "int96";
            case LeafKind::int_signed: return n.el.type == Type::INT32 ? "int32" : "int64";
            }
        }
        std::string s = "struct<";
        for (size_t i = 0; i < n.children.size(); ++i) {
            if (i) s += ", ";
            s += nodes[size_t(n.children[i])].el.name + ": " + type_name(n.children[i]);
        }
        return s + ">";
    }

    // ---- one column chunk -------------------------------------------------------------------

    ChunkData read_chunk(int g, const Leaf& leaf) const {
        const RowGroup& rg = meta.row_groups[size_t(g)];
        const ColumnMeta& cm = rg.columns[size_t(nodes[size_t(leaf.node)].leaf)];
        const Node& ln = nodes[size_t(leaf.node)];
        const std::string where = "row group " + std::to_string(g) + ", column " + leaf.dotted;
        if (!cm.has_meta) fail(where, "column chunk has no metadata");
        if (cm.external) fail(where, "column chunk data lives in another file", "multi-file parquet datasets are not supported; use a single-file export");
        if (!cm.path.empty() && cm.path.size() != leaf.path.size()) fail(where, "column chunk path has " + std::to_string(cm.path.size()) + " parts, the schema's " + std::to_string(leaf.path.size()));
        if (cm.type != ln.el.type) fail(where, "column chunk type " + std::to_string(int(cm.type)) + " differs from the schema's " + std::to_string(int(ln.el.type)));
        if (cm.num_values < 0 || uint64_t(cm.num_values) > max_count) fail(where, "value count " + std::to_string(cm.num_values) + " is out of range");
        if (leaf.max_rep == 0 && cm.num_values != rg.num_rows) fail(where, "column holds " + std::to_string(cm.num_values) + " values for " + std::to_string(rg.num_rows) + " rows");
        int64_t start = cm.data_page_offset;
        if (cm.dictionary_page_offset > 0 && cm.dictionary_page_offset < start) start = cm.dictionary_page_offset;
        if (start < 4 || cm.total_compressed_size <= 0 || uint64_t(start) > data_end || uint64_t(cm.total_compressed_size) > data_end - uint64_t(start))
            fail(where, "column chunk byte range (offset " + std::to_string(start) + ", " + std::to_string(cm.total_compressed_size) + " bytes) lies outside the data");
        std::vector<uint8_t> raw(size_t(cm.total_compressed_size));
        pread_exact(uint64_t(start), raw.size(), raw.data(), where);

        ChunkData out;
        out.values.type = ln.el.type;
        out.values.type_length = ln.el.type_length;
        try {
            decode_chunk(raw, cm, leaf, out);
        } catch (const PageError& e) {
            fail(where, e.what(), std::string(e.what()).find("not supported") != std::string::npos ? "rewrite the file with a supported codec / encoding (e.g. pyarrow, compression='snappy')" : kDamagedHint);
        } catch (const ThriftError& e) {
            fail(where, std::string("page header is damaged: ") + e.what());
        }
        return out;
    }

    void decode_levels(const uint8_t* p, size_t n, int max_level, size_t count, std::vector<uint8_t>& out) const {
        std::vector<uint32_t> tmp(count);
        decode_rle_hybrid(p, n, bit_width(max_level), count, tmp.data());
        for (uint32_t v : tmp) {
            if (v > uint32_t(max_level)) throw PageError("level " + std::to_string(v) + " exceeds the column's maximum " + std::to_string(max_level));
            out.push_back(uint8_t(v));
        }
    }

    // v1 levels: 4-byte little-endian length, then the RLE hybrid. Returns bytes used.
    size_t decode_levels_v1(const uint8_t* p, size_t n, int32_t encoding, int max_level, size_t count, std::vector<uint8_t>& out) const {
        if (encoding != RLE) throw PageError(std::string("level encoding ") + encoding_name(encoding) + " is not supported");
        if (n < 4) throw PageError("levels: page data ends early");
        uint32_t len = uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
        if (len > n - 4) throw PageError("levels length " + std::to_string(len) + " exceeds the page");
        decode_levels(p + 4, len, max_level, count, out);
        return 4 + size_t(len);
    }

    void decode_chunk(const std::vector<uint8_t>& raw, const ColumnMeta& cm, const Leaf& leaf, ChunkData& out) const {
        ColumnValues dict;
        dict.type = out.values.type;
        dict.type_length = out.values.type_length;
        bool have_dict = false;
        const uint64_t want = uint64_t(cm.num_values);
        uint64_t got = 0;
        size_t pos = 0;
        std::vector<uint8_t> buf;   // one decompressed page (or its values section for v2)
        while (got < want) {
            if (pos >= raw.size()) throw PageError("column chunk ends after " + std::to_string(got) + " of " + std::to_string(want) + " values");
            PageHeader h;
            pos += decode_page_header(raw.data() + pos, raw.size() - pos, h);
            if (h.compressed_page_size < 0 || size_t(h.compressed_page_size) > raw.size() - pos)
                throw PageError("page size " + std::to_string(h.compressed_page_size) + " exceeds the column chunk");
            if (h.uncompressed_page_size < 0 || size_t(h.uncompressed_page_size) > kMaxPageBytes)
                throw PageError("uncompressed page size " + std::to_string(h.uncompressed_page_size) + " is out of range");
            const uint8_t* page = raw.data() + pos;
            const size_t csize = size_t(h.compressed_page_size), usize = size_t(h.uncompressed_page_size);
            pos += csize;
            auto inflate = [&](const uint8_t* src, size_t n, size_t expected) -> const uint8_t* {
                if (cm.codec == UNCOMPRESSED) {
                    if (n != expected) throw PageError("uncompressed page of " + std::to_string(n) + " bytes declares " + std::to_string(expected));
                    return src;
                }
                buf.resize(expected);
                decompress(cm.codec, src, n, buf.data(), expected);
                return buf.data();
            };
            if (h.type == int32_t(PageType::DICTIONARY_PAGE)) {
                if (!h.has_dict_header || h.num_values < 0) throw PageError("dictionary page without a valid header");
                if (have_dict) throw PageError("second dictionary page in a column chunk");
                if (h.encoding != PLAIN && h.encoding != PLAIN_DICTIONARY) throw PageError(std::string("dictionary page encoding ") + encoding_name(h.encoding) + " is not supported");
                const uint8_t* d = inflate(page, csize, usize);
                decode_values(PLAIN, d, usize, size_t(h.num_values), dict, nullptr);
                have_dict = true;
                continue;
            }
            const bool v1 = h.type == int32_t(PageType::DATA_PAGE), v2 = h.type == int32_t(PageType::DATA_PAGE_V2);
            if (!v1 && !v2) continue;   // index pages and unknown pages are skipped
            if ((v1 && !h.has_data_header) || (v2 && !h.has_v2_header) || h.num_values < 0)
                throw PageError("data page without a valid header");
            if (size_t(h.num_values) > kMaxPageValues) throw PageError("page holds " + std::to_string(h.num_values) + " values (limit " + std::to_string(kMaxPageValues) + ")");
            if (uint64_t(h.num_values) > want - got)
                throw PageError("page holds " + std::to_string(h.num_values) + " values, the column chunk has " + std::to_string(want - got) + " left");
            const size_t count = size_t(h.num_values);
            const size_t level0 = out.defs.size();
            const uint8_t* vals = nullptr;
            size_t vals_n = 0;
            if (v1) {
                const uint8_t* p = inflate(page, csize, usize);
                size_t off = 0;
                if (leaf.max_rep > 0) off += decode_levels_v1(p + off, usize - off, h.rep_level_encoding, leaf.max_rep, count, out.reps);
                if (leaf.max_def > 0) off += decode_levels_v1(p + off, usize - off, h.def_level_encoding, leaf.max_def, count, out.defs);
                vals = p + off;
                vals_n = usize - off;
            } else {
                const int64_t rl = h.rep_levels_byte_length, dl = h.def_levels_byte_length;
                if (rl < 0 || dl < 0 || uint64_t(rl + dl) > csize || uint64_t(rl + dl) > usize)
                    throw PageError("v2 level lengths (" + std::to_string(rl) + ", " + std::to_string(dl) + ") exceed the page");
                if (leaf.max_rep > 0) decode_levels(page, size_t(rl), leaf.max_rep, count, out.reps);
                if (leaf.max_def > 0) decode_levels(page + rl, size_t(dl), leaf.max_def, count, out.defs);
                const uint8_t* src = page + rl + dl;
                const size_t n = csize - size_t(rl + dl), expected = usize - size_t(rl + dl);
                if (h.is_compressed && cm.codec != UNCOMPRESSED) {
                    buf.resize(expected);
                    decompress(cm.codec, src, n, buf.data(), expected);
                    vals = buf.data();
                    vals_n = expected;
                } else {
                    if (n != expected) throw PageError("uncompressed v2 page of " + std::to_string(n) + " bytes declares " + std::to_string(expected));
                    vals = src;
                    vals_n = n;
                }
            }
            if (leaf.max_def == 0) out.defs.insert(out.defs.end(), count, 0);
            if (leaf.max_rep == 0) out.reps.insert(out.reps.end(), count, 0);
            size_t present = 0;
            for (size_t i = level0; i < out.defs.size(); ++i) present += out.defs[i] == leaf.max_def;
            decode_values(h.encoding, vals, vals_n, present, out.values, have_dict ? &dict : nullptr);
            got += count;
        }
        if (out.values.size() > out.defs.size()) throw PageError("column chunk holds more values than levels");
    }

    // ---- rows -------------------------------------------------------------------------------

    json leaf_value(const Node& n, const ColumnValues& v, size_t i) const {
        switch (n.kind) {
        case LeafKind::boolean: return v.ints[i] != 0;
        case LeafKind::int_signed: return v.ints[i];
        case LeafKind::uint32: return uint64_t(uint32_t(v.ints[i]));
        case LeafKind::uint64: return uint64_t(v.ints[i]);
        case LeafKind::floating: return std::isfinite(v.floats[i]) ? json(v.floats[i]) : json(nullptr);
        case LeafKind::null: return nullptr;
        case LeafKind::string:
        case LeafKind::binary: {
            const char* p = v.bytes.data() + v.offsets[i];
            const size_t len = size_t(v.offsets[i + 1] - v.offsets[i]);
            if (valid_utf8(p, len)) return std::string(p, len);
            return base64(p, len);
        }
        case LeafKind::fixed: {   // ids, hashes, decimals: bytes, never text
            const char* p = v.bytes.data() + v.offsets[i];
            return base64(p, size_t(v.offsets[i + 1] - v.offsets[i]));
        }
        }
        return nullptr;
    }

    void assemble(const Leaf& leaf, const ChunkData& d, std::vector<json>& rows) const {
        const size_t nlev = d.defs.size();
        if (d.reps.size() != nlev) throw PageError("repetition and definition level counts differ");
        int64_t row = -1;
        size_t vi = 0;
        int idx[kMaxNesting + 2];
        for (size_t i = 0; i < nlev; ++i) {
            const int r = d.reps[i], dl = d.defs[i];
            if (r == 0) {
                if (++row >= int64_t(rows.size())) throw PageError("column holds more rows than the row group's " + std::to_string(rows.size()));
                std::fill(std::begin(idx), std::end(idx), -1);
            } else if (row < 0) {
                throw PageError("the column's first value continues a row (repetition level " + std::to_string(r) + ")");
            }
            json* cur = &rows[size_t(row)];
            int depth = 0;
            for (int k : leaf.path) {
                const Node& n = nodes[size_t(k)];
                json* slot = n.inline_ ? cur : &(*cur)[n.el.name];
                if (n.repeated) {
                    ++depth;
                    if (!slot->is_array()) *slot = json::array();
                    if (dl < n.def) break;   // empty list
                    if (r <= depth) {   // a new element here (r == depth) or a fresh list below
                        ++idx[depth];
                        for (int j = depth + 1; j <= kMaxNesting + 1; ++j) idx[j] = -1;
                    }
                    const int ix = idx[depth];
                    if (ix < 0 || size_t(ix) > slot->size()) throw PageError("repetition levels are inconsistent");
                    if (size_t(ix) == slot->size()) slot->push_back(nullptr);
                    slot = &(*slot)[size_t(ix)];
                } else if (dl < n.def) {
                    break;   // absent optional: its slot stays null
                }
                if (n.is_leaf) {
                    if (dl == leaf.max_def) {
                        if (vi >= d.values.size()) throw PageError("column holds fewer values than its levels say");
                        *slot = leaf_value(n, d.values, vi++);
                    }
                    break;
                }
                if (n.wrapper) {
                    if (!slot->is_array()) *slot = json::array();
                } else if (!n.passthrough) {
                    if (!slot->is_object()) *slot = json::object();
                }
                cur = slot;
            }
        }
        if (row + 1 != int64_t(rows.size())) throw PageError("column holds " + std::to_string(row + 1) + " rows, the row group " + std::to_string(rows.size()));
        if (vi != d.values.size()) throw PageError("column holds more values than its levels say");
    }

    // MAP: the array of {key, value} entries becomes an object (non-string keys as their JSON text).
    void fix_maps(int id, json& v, bool as_element = false) const {
        const Node& n = nodes[size_t(id)];
        if (v.is_null() || n.is_leaf) return;
        if (n.repeated && !n.inline_ && !as_element) {
            if (v.is_array())
                for (json& e : v) fix_maps(id, e, true);
            return;
        }
        if (n.wrapper) {
            if (!v.is_array()) return;
            const Node& r = nodes[size_t(n.children[0])];
            if (n.is_map) {
                const std::string& kname = nodes[size_t(r.children[0])].el.name;
                const std::string& vname = nodes[size_t(r.children[1])].el.name;
                json obj = json::object();
                for (json& e : v) {
                    if (!e.is_object()) continue;
                    json& key = e[kname];
                    json& val = e[vname];
                    fix_maps(r.children[1], val);
                    obj[key.is_string() ? key.get<std::string>() : key.dump()] = std::move(val);
                }
                v = std::move(obj);
            } else {
                const int elem = r.passthrough ? r.children[0] : n.children[0];
                for (json& e : v) fix_maps(elem, e, true);
            }
            return;
        }
        if (n.passthrough || !v.is_object()) return;
        for (int c : n.children) {
            auto it = v.find(nodes[size_t(c)].el.name);
            if (it != v.end()) fix_maps(c, *it);
        }
    }

    std::vector<json> read_group(int g, const std::vector<std::string>& columns) const {
        if (g < 0 || size_t(g) >= meta.row_groups.size())
            throw InputError(path, 0, {}, "row group " + std::to_string(g) + " does not exist (the file has " + std::to_string(meta.row_groups.size()) + ")");
        std::vector<bool> want(fields.size(), columns.empty());
        for (const std::string& c : columns) {
            size_t f = 0;
            while (f < fields.size() && nodes[size_t(fields[f])].el.name != c) ++f;
            if (f == fields.size()) {
                std::string names;
                for (int id : fields) names += (names.empty() ? "" : ", ") + nodes[size_t(id)].el.name;
                throw InputError(path, 0, c, "no column named '" + c + "'", "the file has: " + names);
            }
            want[f] = true;
        }
        const int64_t nrows = meta.row_groups[size_t(g)].num_rows;
        std::vector<json> rows(size_t(nrows), json::object());
        for (const Leaf& leaf : leaves) {
            if (!want[size_t(leaf.field)]) continue;
            ChunkData d = read_chunk(g, leaf);
            try {
                assemble(leaf, d, rows);
            } catch (const PageError& e) {
                fail("row group " + std::to_string(g) + ", column " + leaf.dotted, e.what());
            } catch (const json::exception& e) {
                fail("row group " + std::to_string(g) + ", column " + leaf.dotted, std::string("levels do not match the schema: ") + e.what());
            }
        }
        for (size_t f = 0; f < fields.size(); ++f) {
            if (!want[f] || !field_has_map[f]) continue;
            const std::string& name = nodes[size_t(fields[f])].el.name;
            for (json& row : rows) {
                auto it = row.find(name);
                if (it != row.end()) fix_maps(fields[f], *it);
            }
        }
        return rows;
    }
};

ParquetReader::ParquetReader(const std::string& path) : m(std::make_unique<Impl>()) {
    m->path = path;
    m->open();
}
ParquetReader::~ParquetReader() = default;
ParquetReader::ParquetReader(ParquetReader&&) noexcept = default;
ParquetReader& ParquetReader::operator=(ParquetReader&&) noexcept = default;

const std::string& ParquetReader::path() const { return m->path; }

int64_t ParquetReader::num_rows() const {
    int64_t n = 0;
    for (const RowGroup& g : m->meta.row_groups) n += g.num_rows;
    return n;
}

int ParquetReader::num_row_groups() const { return int(m->meta.row_groups.size()); }

int64_t ParquetReader::row_group_rows(int g) const {
    if (g < 0 || size_t(g) >= m->meta.row_groups.size())
        throw InputError(m->path, 0, {}, "row group " + std::to_string(g) + " does not exist (the file has " + std::to_string(m->meta.row_groups.size()) + ")");
    return m->meta.row_groups[size_t(g)].num_rows;
}

std::vector<ParquetField> ParquetReader::fields() const {
    std::vector<ParquetField> out;
    for (int id : m->fields) out.push_back({m->nodes[size_t(id)].el.name, m->type_name(id)});
    return out;
}

std::vector<nlohmann::json> ParquetReader::read_row_group(int g, const std::vector<std::string>& columns) const {
    return m->read_group(g, columns);
}

void ParquetReader::for_each_row(const std::function<bool(const nlohmann::json& row)>& fn, const std::vector<std::string>& columns) const {
    for (int g = 0; g < num_row_groups(); ++g) {
        std::vector<json> rows = m->read_group(g, columns);
        for (const json& row : rows)
            if (!fn(row)) return;
    }
}

}  // namespace rf
