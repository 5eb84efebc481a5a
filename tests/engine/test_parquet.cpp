// The parquet reader against files from independent writers (parquet-wasm = Apache Arrow's Rust
// writer, hyparquet-writer) and the rows an independent reader (hyparquet) saw in them
// (tests/reference/gen_parquet_fixtures.sh); damaged files; streaming by row group.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/parquet.h"

namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

const std::string kDir = std::string(REINFORGE_FIXTURES) + "/parquet/";

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

std::string temp_file(const std::string& name, const std::string& bytes) {
    fs::path dir = fs::path(REINFORGE_TEST_CACHE) / "parquet";
    fs::create_directories(dir);
    std::string p = (dir / name).string();
    std::ofstream(p, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
    return p;
}

std::vector<std::string> fixture_names() {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(kDir))
        if (e.path().extension() == ".parquet" && e.path().stem().string().rfind("unsupported_", 0) != 0) names.push_back(e.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

class ParquetFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(ParquetFixture, EveryRowMatchesTheIndependentReader) {
    const std::string name = GetParam();
    const json expected = json::parse(slurp(kDir + name + ".expected.json"));
    rf::ParquetReader r(kDir + name + ".parquet");
    ASSERT_EQ(r.num_rows(), expected["num_rows"].get<int64_t>());
    ASSERT_EQ(r.num_row_groups(), int(expected["row_groups"].size()));
    size_t i = 0;
    for (int g = 0; g < r.num_row_groups(); ++g) {
        EXPECT_EQ(r.row_group_rows(g), expected["row_groups"][size_t(g)].get<int64_t>());
        for (const json& row : r.read_row_group(g)) {
            ASSERT_LT(i, expected["rows"].size());
            EXPECT_EQ(row, expected["rows"][i]) << name << " row " << i << "\n ours:     " << row.dump() << "\n expected: " << expected["rows"][i].dump();
            ++i;
        }
    }
    EXPECT_EQ(i, expected["rows"].size());
}

INSTANTIATE_TEST_SUITE_P(Parquet, ParquetFixture, ::testing::ValuesIn(fixture_names()),
                         [](const auto& info) { return info.param; });

TEST(Parquet, FixtureMatrixIsComplete) {
    // each codec x data page v1/v2 x dictionary on/off, plus the special files
    auto names = fixture_names();
    auto has = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); };
    for (const char* codec : {"uncompressed", "snappy", "gzip", "zstd"})
        for (const char* v : {"v1", "v2"})
            for (const char* d : {"dict", "plain"})
                EXPECT_TRUE(has(std::string("arrow_") + codec + "_" + v + "_" + d)) << codec << v << d;
    for (const char* n : {"arrow_multi_rowgroup", "arrow_multi_rowgroup_v2", "arrow_delta", "arrow_map", "arrow_many_rowgroups", "hyparquet_writer_basic", "gsm8k_like"})
        EXPECT_TRUE(has(n)) << n;
}

TEST(Parquet, FieldTypes) {
    rf::ParquetReader r(kDir + "arrow_snappy_v1_dict.parquet");
    std::vector<std::pair<std::string, std::string>> got;
    for (const auto& f : r.fields()) got.emplace_back(f.name, f.type);
    std::vector<std::pair<std::string, std::string>> want = {
        {"question", "string"}, {"answer", "string"}, {"n", "int64"}, {"score", "double"}, {"ok", "bool"},
        {"nums", "list<int64>"}, {"prompt", "list<struct<role: string, content: string>>"},
        {"meta", "struct<source: string, level: int32>"}};
    EXPECT_EQ(got, want);
    rf::ParquetReader m(kDir + "arrow_map.parquet");
    EXPECT_EQ(m.fields()[1].type, "map<string, int32>");
}

TEST(Parquet, Gsm8kShaped) {
    rf::ParquetReader r(kDir + "gsm8k_like.parquet");
    ASSERT_EQ(r.num_rows(), 20);
    std::vector<json> rows;
    r.for_each_row([&](const json& row) { rows.push_back(row); return true; });
    ASSERT_EQ(rows.size(), 20u);
    EXPECT_EQ(rows[0]["question"], "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?");
    const std::string a = rows[0]["answer"];
    EXPECT_EQ(a.substr(a.size() - 7), "#### 72");
}

TEST(Parquet, StreamsRowGroupsInOrderAndStops) {
    rf::ParquetReader r(kDir + "arrow_many_rowgroups.parquet");
    ASSERT_GE(r.num_row_groups(), 20);
    int64_t next = 0;
    r.for_each_row([&](const json& row) {
        EXPECT_EQ(row["n"].get<int64_t>(), next);
        EXPECT_EQ(row["question"], "q" + std::to_string(next));
        ++next;
        return true;
    });
    EXPECT_EQ(next, r.num_rows());
    int64_t seen = 0;
    r.for_each_row([&](const json&) { return ++seen < 30; });
    EXPECT_EQ(seen, 30);
}

TEST(Parquet, SelectedColumnsOnlyAreDecoded) {
    // `n` is BROTLI-compressed (a codec the reader does not support): reading only `question`
    // succeeds only if `n`'s chunks are never read or decompressed; reading `n` fails cleanly.
    const std::string path = kDir + "unsupported_brotli_n.parquet";
    const json expected = json::parse(slurp(kDir + "unsupported_brotli_n.expected.json"));
    rf::ParquetReader r(path);
    ASSERT_GT(r.num_row_groups(), 1);
    size_t i = 0;
    r.for_each_row([&](const json& row) {
        EXPECT_EQ(row.size(), 1u);
        EXPECT_EQ(row["question"], expected["rows"][i]["question"]);
        ++i;
        return true;
    }, {"question"});
    EXPECT_EQ(i, expected["rows"].size());
    try {
        r.read_row_group(1, {"n"});
        ADD_FAILURE() << "BROTLI column decoded?";
    } catch (const rf::InputError& e) {
        EXPECT_EQ(e.file, path);
        EXPECT_EQ(e.key, "row group 1, column n");
        EXPECT_NE(e.message.find("BROTLI"), std::string::npos) << e.message;
    }
    EXPECT_THROW(r.read_row_group(0), rf::InputError);
    EXPECT_THROW(r.read_row_group(0, {"nope"}), rf::InputError);
    EXPECT_THROW(r.read_row_group(99), rf::InputError);
}

// ---- hand-built files: forms no npm writer produces ------------------------------------------
// A tiny Thrift compact writer, enough for a footer and v1 page headers (field ids: parquet.thrift).
struct Compact {
    std::string out;
    std::vector<int> last{0};
    void varint(uint64_t v) {
        while (v >= 0x80) { out += char(uint8_t(v) | 0x80); v >>= 7; }
        out += char(v);
    }
    void header(int id, int type) {
        out += char(((id - last.back()) << 4) | type);
        last.back() = id;
    }
    void i32(int id, int64_t v) { header(id, 5); varint(uint64_t((v << 1) ^ (v >> 63))); }
    void i64(int id, int64_t v) { header(id, 6); varint(uint64_t((v << 1) ^ (v >> 63))); }
    void bin(int id, const std::string& s) { header(id, 8); varint(s.size()); out += s; }
    void list(int id, int elem_type, size_t n) {
        header(id, 9);
        if (n < 15) {
            out += char((n << 4) | size_t(elem_type));
        } else {
            out += char(0xf0 | elem_type);
            varint(n);
        }
    }
    void begin(int id) { header(id, 12); last.push_back(0); }
    void begin_elem() { last.push_back(0); }
    void end() { out += '\0'; last.pop_back(); }
};

struct HandColumn {
    std::vector<std::string> path;
    int type;                        // physical type
    std::vector<int> reps, defs;
    int max_rep, max_def;
    std::string values;              // PLAIN bytes (or dictionary indices when dict is set)
    std::string dict;                // PLAIN dictionary page payload, empty: none
    int dict_count = 0;
    size_t num_present = 0;
};

// RLE hybrid, one run per level (header 2 = a run of one), value in one byte.
std::string rle_levels(const std::vector<int>& v) {
    std::string s;
    for (int x : v) { s += char(2); s += char(x); }
    return s;
}
std::string le32(uint32_t v) { return std::string{char(v), char(v >> 8), char(v >> 16), char(v >> 24)}; }
std::string plain_str(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += le32(uint32_t(x.size())) + x;
    return s;
}

std::string page(int type, const std::string& payload, int num_values, int encoding, bool dict_page) {
    Compact h;
    h.i32(1, type);
    h.i32(2, int64_t(payload.size()));
    h.i32(3, int64_t(payload.size()));
    h.begin(dict_page ? 7 : 5);
    h.i32(1, num_values);
    h.i32(2, encoding);
    if (!dict_page) { h.i32(3, 3); h.i32(4, 3); }
    h.end();
    h.out += '\0';
    return h.out + payload;
}

// schema: flattened (name, type or -1, repetition, num_children, converted_type or -1)
struct HandSchema { std::string name; int type, repetition, children, converted; };

std::string build_file(const std::vector<HandSchema>& schema, const std::vector<HandColumn>& cols, int64_t rows) {
    std::string file = "PAR1";
    std::vector<int64_t> starts, sizes, dict_off;
    for (const HandColumn& c : cols) {
        int64_t start = int64_t(file.size());
        dict_off.push_back(-1);
        if (!c.dict.empty()) {
            dict_off.back() = start;
            file += page(2, c.dict, c.dict_count, 0, true);
        }
        int64_t data = int64_t(file.size());
        std::string payload;
        if (c.max_rep) { std::string l = rle_levels(c.reps); payload += le32(uint32_t(l.size())) + l; }
        if (c.max_def) { std::string l = rle_levels(c.defs); payload += le32(uint32_t(l.size())) + l; }
        payload += c.values;
        file += page(0, payload, int(c.defs.size()), c.dict.empty() ? 0 : 2, false);
        starts.push_back(data);
        sizes.push_back(int64_t(file.size()) - start);
    }
    Compact m;
    m.i32(1, 1);
    m.list(2, 12, schema.size());
    for (const HandSchema& e : schema) {
        m.begin_elem();
        if (e.type >= 0) m.i32(1, e.type);
        if (e.repetition >= 0) m.i32(3, e.repetition);
        m.bin(4, e.name);
        if (e.children) m.i32(5, e.children);
        if (e.converted >= 0) m.i32(6, e.converted);
        m.end();
    }
    m.i64(3, rows);
    m.list(4, 12, 1);
    m.begin_elem();
    m.list(1, 12, cols.size());
    for (size_t i = 0; i < cols.size(); ++i) {
        m.begin_elem();
        m.i64(2, starts[i]);
        m.begin(3);
        m.i32(1, cols[i].type);
        m.list(2, 5, 1);
        m.varint(0);
        m.list(3, 8, cols[i].path.size());
        for (const auto& p : cols[i].path) { m.varint(p.size()); m.out += p; }
        m.i32(4, 0);
        m.i64(5, int64_t(cols[i].defs.size()));
        m.i64(6, sizes[i]);
        m.i64(7, sizes[i]);
        m.i64(9, starts[i]);
        if (dict_off[i] >= 0) m.i64(11, dict_off[i]);
        m.end();
        m.end();
    }
    m.i64(2, 100);
    m.i64(3, rows);
    m.end();
    m.out += '\0';
    return file + m.out + le32(uint32_t(m.out.size())) + "PAR1";
}

TEST(Parquet, LegacyListsBareRepeatedAndPlainDictionary) {
    // optional group legacy (LIST) { repeated int32 array; }                       two-level list
    // repeated binary tags (UTF8);                                                  bare repeated field, PLAIN_DICTIONARY
    // optional group pairs (LIST) { repeated group array { required int32 x; optional binary y (UTF8); } }  list of structs
    const std::vector<HandSchema> schema = {
        {"schema", -1, -1, 3, -1},
        {"legacy", -1, 1, 1, 3}, {"array", 1, 2, 0, -1},
        {"tags", 6, 2, 0, 0},
        {"pairs", -1, 1, 1, 3}, {"array", -1, 2, 2, -1}, {"x", 1, 0, 0, -1}, {"y", 6, 1, 0, 0}};
    std::vector<HandColumn> cols(4);
    cols[0] = {{"legacy", "array"}, 1, {0, 1, 0, 0}, {2, 2, 1, 0}, 1, 2, le32(1) + le32(2)};
    cols[1] = {{"tags"}, 6, {0, 1, 0, 0}, {1, 1, 0, 1}, 1, 1, {}};
    cols[1].dict = plain_str({"a", "b", "c"});
    cols[1].dict_count = 3;
    cols[2] = {{"pairs", "array", "x"}, 1, {0, 0, 1, 0}, {2, 2, 2, 1}, 1, 2, le32(1) + le32(2) + le32(3)};
    cols[3] = {{"pairs", "array", "y"}, 6, {0, 0, 1, 0}, {3, 2, 3, 1}, 1, 3, plain_str({"p", "q"})};
    // tags' dictionary indices: bit width 2, then RLE runs of one: 0, 1, 2
    cols[1].values = std::string{char(2), char(2), char(0), char(2), char(1), char(2), char(2)};
    const std::string path = temp_file("legacy.parquet", build_file(schema, cols, 3));
    rf::ParquetReader r(path);
    std::vector<std::pair<std::string, std::string>> types;
    for (const auto& f : r.fields()) types.emplace_back(f.name, f.type);
    EXPECT_EQ(types, (std::vector<std::pair<std::string, std::string>>{
                         {"legacy", "list<int32>"}, {"tags", "list<string>"}, {"pairs", "list<struct<x: int32, y: string>>"}}));
    const auto rows = r.read_row_group(0);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0], json::parse(R"({"legacy":[1,2],"tags":["a","b"],"pairs":[{"x":1,"y":"p"}]})"));
    EXPECT_EQ(rows[1], json::parse(R"({"legacy":[],"tags":[],"pairs":[{"x":2,"y":null},{"x":3,"y":"q"}]})"));
    EXPECT_EQ(rows[2], json::parse(R"({"legacy":null,"tags":["c"],"pairs":[]})"));
}

TEST(ParquetDamaged, HostileCountsAndSchemasAreRefused) {
    const std::vector<HandSchema> flat = {{"schema", -1, -1, 1, -1}, {"x", 1, 0, 0, -1}};
    HandColumn x{{"x"}, 1, {0, 0}, {0, 0}, 0, 0, le32(7) + le32(8)};
    // the file itself is fine
    {
        rf::ParquetReader r(temp_file("flat.parquet", build_file(flat, {x}, 2)));
        EXPECT_EQ(r.read_row_group(0), (std::vector<json>{json{{"x", 7}}, json{{"x", 8}}}));
    }
    auto fails = [](const std::string& name, const std::string& bytes, const std::string& what) {
        const std::string path = temp_file(name, bytes);
        try {
            rf::ParquetReader r(path);
            r.for_each_row([](const json&) { return true; });
            ADD_FAILURE() << name << ": no error";
        } catch (const rf::InputError& e) {
            EXPECT_EQ(e.file, path);
            EXPECT_NE((e.key + " " + e.message).find(what), std::string::npos) << name << ": " << e.what();
        }
    };
    fails("rows_huge.parquet", build_file(flat, {x}, int64_t(1) << 40), "out of range");
    fails("rows_negative.parquet", build_file(flat, {x}, -5), "out of range");
    fails("rows_mismatch.parquet", build_file(flat, {x}, 3), "values for 3 rows");
    // dictionary index past the dictionary
    HandColumn d{{"x"}, 1, {0, 0}, {0, 0}, 0, 0, std::string{char(2), char(2), char(0), char(2), char(3)}};
    d.dict = le32(1) + le32(2);
    d.dict_count = 2;
    fails("dict_index.parquet", build_file(flat, {d}, 2), "dictionary index 3 out of range");
    // schema nested 100 groups deep, and a group claiming more children than there are elements
    std::vector<HandSchema> deep = {{"schema", -1, -1, 1, -1}};
    for (int i = 0; i < 100; ++i) deep.push_back({"g" + std::to_string(i), -1, 1, 1, -1});
    deep.push_back({"x", 1, 1, 0, -1});
    fails("deep.parquet", build_file(deep, {x}, 2), "nested deeper than 64");
    fails("children.parquet", build_file({{"schema", -1, -1, 1, -1}, {"g", -1, 0, 1000000, -1}, {"x", 1, 0, 0, -1}}, {x}, 2), "claims 1000000 children");
    // a level above the column's maximum
    HandColumn lv{{"x"}, 1, {0, 0}, {1, 5}, 0, 1, le32(7)};
    fails("level.parquet", build_file({{"schema", -1, -1, 1, -1}, {"x", 1, 1, 0, -1}}, {lv}, 2), "does not fit its bit width");
}

// ---- damaged files -----------------------------------------------------------------------------

void expect_input_error(const std::string& path, bool read_all = true) {
    try {
        rf::ParquetReader r(path);
        if (read_all) r.for_each_row([](const json&) { return true; });
        ADD_FAILURE() << "no error for " << path;
    } catch (const rf::InputError& e) {
        EXPECT_EQ(e.file, path);
        EXPECT_FALSE(e.message.empty());
    }
}

TEST(ParquetDamaged, TruncatedWrongMagicFooterLength) {
    const std::string good = slurp(kDir + "arrow_snappy_v1_dict.parquet");
    expect_input_error(temp_file("empty.parquet", ""));
    expect_input_error(temp_file("tiny.parquet", "PAR1"));
    for (size_t cut : {size_t(8), size_t(100), good.size() / 2, good.size() - 9, good.size() - 1})
        expect_input_error(temp_file("cut" + std::to_string(cut) + ".parquet", good.substr(0, cut)));
    std::string bad = good;
    bad[bad.size() - 1] = 'X';
    expect_input_error(temp_file("magic_end.parquet", bad));
    bad = good;
    bad[0] = 'X';
    expect_input_error(temp_file("magic_start.parquet", bad));
    for (uint32_t len : {0u, 5u, uint32_t(good.size()), 0x7fffffffu, 0xffffffffu}) {
        bad = good;
        for (int k = 0; k < 4; ++k) bad[bad.size() - 8 + size_t(k)] = char((len >> (8 * k)) & 0xff);
        expect_input_error(temp_file("footer_len" + std::to_string(len) + ".parquet", bad));
    }
    try {
        rf::ParquetReader r("/nonexistent/x.parquet");
        ADD_FAILURE();
    } catch (const rf::InputError& e) {
        EXPECT_EQ(e.file, "/nonexistent/x.parquet");
    }
}

// Every single-byte corruption over the data pages (and a sweep over the footer) either reads or
// throws InputError naming the file — never a crash or another exception type.
TEST(ParquetDamaged, ByteMutationsNeverCrash) {
    for (const char* name : {"arrow_snappy_v1_dict", "arrow_zstd_v2_plain", "arrow_gzip_v1_plain", "arrow_delta", "arrow_map", "hyparquet_writer_basic"}) {
        const std::string good = slurp(kDir + std::string(name) + ".parquet");
        const std::string path = (fs::path(REINFORGE_TEST_CACHE) / "parquet" / "mutant.parquet").string();
        temp_file("mutant.parquet", good);
        int errors = 0, reads = 0;
        const size_t step = std::max<size_t>(1, good.size() / 400);
        for (size_t pos = 4; pos + 8 < good.size(); pos += step) {
            for (uint8_t x : {uint8_t(0xff), uint8_t(0x01), uint8_t(0x80)}) {
                std::string bad = good;
                bad[pos] = char(uint8_t(bad[pos]) ^ x);
                std::ofstream(path, std::ios::binary | std::ios::trunc).write(bad.data(), std::streamsize(bad.size()));
                try {
                    rf::ParquetReader r(path);
                    size_t n = 0;
                    r.for_each_row([&](const json& row) { n += row.size(); return true; });
                    ++reads;
                } catch (const rf::InputError& e) {
                    ASSERT_EQ(e.file, path);
                    ++errors;
                }
            }
        }
        EXPECT_GT(errors, 0) << name;
        EXPECT_GT(reads, 0) << name;
    }
}

TEST(ParquetDamaged, PageHeaderSizesAreChecked) {
    // Raise every plausible page-size varint in the first column chunk (bytes after offset 4): each
    // mutated file must still fail or read cleanly; and one with a huge size field must fail.
    const std::string good = slurp(kDir + "arrow_uncompressed_v1_plain.parquet");
    // A page header starts at offset 4: field 1 (type, i32) = 0x15 <zigzag>, field 2 = 0x15 <varint>.
    ASSERT_EQ(uint8_t(good[4]), 0x15);
    std::string bad = good;
    // replace the uncompressed size varint with a 5-byte huge one is length-changing; instead set
    // the page type to an invalid value and then to DICTIONARY without a header
    bad[5] = char(0x7e);   // type = 63
    expect_input_error(temp_file("page_type.parquet", bad));
    bad = good;
    bad[7] = char(0x7f);   // first byte of the uncompressed size varint
    expect_input_error(temp_file("page_usize.parquet", bad));
}

}  // namespace
