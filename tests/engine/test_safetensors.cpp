// safetensors reader/writer: a reference file written independently (tests/reference/
// gen_safetensors_fixtures.py), round trips, hostile headers (each must be an InputError naming the
// file and the tensor, never an out-of-bounds read), and random mutations of a valid file.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/rng.h"
#include "io/safetensors.h"

namespace fs = std::filesystem;
using rf::DType;

namespace {

std::string fixture(const std::string& name) { return std::string(REINFORGE_FIXTURES) + "/io/" + name; }

fs::path temp_dir(const std::string& name) {
    fs::path p = fs::temp_directory_path() / ("rf_test_safetensors_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
}

// 8-byte little-endian length + header text + data.
std::vector<uint8_t> make_file(const std::string& header, size_t data_bytes, uint64_t declared_len = UINT64_MAX) {
    uint64_t n = declared_len == UINT64_MAX ? header.size() : declared_len;
    std::vector<uint8_t> b(8);
    for (int i = 0; i < 8; ++i) b[i] = uint8_t(n >> (8 * i));
    b.insert(b.end(), header.begin(), header.end());
    for (size_t i = 0; i < data_bytes; ++i) b.push_back(uint8_t(i * 7 + 1));
    return b;
}

// Parses and expects an InputError whose message mentions the file name and `needle`.
void expect_rejected(const std::vector<uint8_t>& bytes, const std::string& needle) {
    try {
        rf::SafetensorsFile::parse(bytes.data(), bytes.size(), "hostile.safetensors");
        FAIL() << "accepted a hostile file; expected an error mentioning '" << needle << "'";
    } catch (const rf::InputError& e) {
        std::string msg = e.what();
        EXPECT_NE(msg.find("hostile.safetensors"), std::string::npos) << msg;
        EXPECT_NE(msg.find(needle), std::string::npos) << msg;
    }
}

}  // namespace

TEST(Safetensors, ReadsIndependentlyWrittenReferenceFile) {
    auto expected = nlohmann::json::parse(rf::read_file(fixture("reference.json")));
    auto f = rf::SafetensorsFile::open(fixture("reference.safetensors"));
    EXPECT_EQ(f->metadata().at("format"), "pt");
    EXPECT_EQ(f->metadata().at("note"), "hand-written reference");
    ASSERT_EQ(f->tensors().size(), expected["tensors"].size());
    for (auto& [name, exp] : expected["tensors"].items()) {
        const rf::TensorInfo* t = f->find(name);
        ASSERT_NE(t, nullptr) << name;
        EXPECT_STREQ(rf::dtype_name(t->dtype), exp["dtype"].get<std::string>().c_str()) << name;
        EXPECT_EQ(t->shape, exp["shape"].get<std::vector<int64_t>>()) << name;
        auto values = exp["values"];
        ASSERT_EQ(size_t(t->numel()), values.size()) << name;
        if (t->dtype == DType::U32) {
            for (size_t i = 0; i < values.size(); ++i) {
                uint32_t w;
                std::memcpy(&w, t->data + 4 * i, 4);
                EXPECT_EQ(w, values[i].get<uint32_t>()) << name << "[" << i << "]";
            }
            EXPECT_THROW(f->read_f32(*t, nullptr), rf::InputError);
            continue;
        }
        std::vector<float> got(values.size());
        f->read_f32(*t, got.data());
        for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(got[i], values[i].get<float>()) << name << "[" << i << "]";  // exact: same rounding
    }
    EXPECT_EQ(f->find("absent"), nullptr);
}

TEST(Safetensors, RoundTripAllFloatDtypesAndRaw) {
    fs::path dir = temp_dir("roundtrip");
    rf::Rng rng(1);
    std::vector<float> a(37 * 5), b(129), c(3);
    for (float& x : a) x = rng.normal() * 3.0f;
    for (float& x : b) x = rng.normal() * 1000.0f;
    for (float& x : c) x = rng.normal();
    uint32_t words[4] = {0xdeadbeefu, 1u, 0u, 0xffffffffu};
    std::string path = (dir / "t.safetensors").string();
    rf::write_safetensors(path,
                          {{"a", {37, 5}, a.data(), DType::F32},
                           {"b", {129}, b.data(), DType::BF16},
                           {"c", {1, 3}, c.data(), DType::F16},
                           {"w", {2, 2}, nullptr, DType::U32, words},
                           {"z", {0, 4}, nullptr, DType::F16}},
                          {{"format", "mlx"}});
    EXPECT_FALSE(fs::exists(path + ".tmp." + std::to_string(::getpid())));
    auto f = rf::SafetensorsFile::open(path);
    ASSERT_EQ(f->tensors().size(), 5u);
    EXPECT_EQ(f->tensors()[0].name, "a");  // file order = the given order
    EXPECT_EQ(f->tensors()[3].name, "w");
    EXPECT_EQ(f->metadata().at("format"), "mlx");
    std::string raw = rf::read_file(path);
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | uint8_t(raw[i]);
    EXPECT_EQ(n % 8, 0u) << "header padded to a multiple of 8";

    std::vector<float> got(a.size());
    f->read_f32(*f->find("a"), got.data());
    EXPECT_EQ(got, a);
    got.resize(b.size());
    f->read_f32(*f->find("b"), got.data());
    for (size_t i = 0; i < b.size(); ++i) {
        EXPECT_EQ(got[i], rf::bf16_to_f32(rf::f32_to_bf16(b[i])));
        EXPECT_LE(std::fabs(got[i] - b[i]), std::fabs(b[i]) * (1.0f / 256.0f));  // bf16: 8-bit mantissa, half-ulp 2^-9 relative
    }
    got.resize(c.size());
    f->read_f32(*f->find("c"), got.data());
    for (size_t i = 0; i < c.size(); ++i) EXPECT_LE(std::fabs(got[i] - c[i]), std::fabs(c[i]) * (1.0f / 2048.0f));
    const rf::TensorInfo* w = f->find("w");
    ASSERT_EQ(w->nbytes, 16u);
    EXPECT_EQ(std::memcmp(w->data, words, 16), 0);
    EXPECT_EQ(f->find("z")->numel(), 0);
    fs::remove_all(dir);
}

TEST(Safetensors, OpenErrorsNameThePath) {
    fs::path dir = temp_dir("open");
    EXPECT_THROW(rf::SafetensorsFile::open((dir / "missing.safetensors").string()), rf::InputError);
    EXPECT_THROW(rf::SafetensorsFile::open(dir.string()), rf::InputError);  // a folder
    rf::write_file_atomic((dir / "short.safetensors").string(), "abc");
    try {
        rf::SafetensorsFile::open((dir / "short.safetensors").string());
        FAIL();
    } catch (const rf::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("short.safetensors"), std::string::npos);
    }
    fs::remove_all(dir);
}

TEST(Safetensors, HostileHeadersAreInputErrors) {
    const std::string ok_entry = R"("t": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]})";
    // Sanity: the well-formed version parses.
    auto good = make_file("{" + ok_entry + "}", 16);
    EXPECT_NO_THROW(rf::SafetensorsFile::parse(good.data(), good.size(), "good"));

    expect_rejected({1, 2, 3}, "too small");
    expect_rejected(make_file("{}", 0, 1000), "larger than the file");
    expect_rejected(make_file("{}", 0, uint64_t(1) << 63), "100 MB");
    expect_rejected(make_file("{}", 0, 200'000'000), "100 MB");
    expect_rejected(make_file("[1, 2]", 0), "must start with '{'");
    expect_rejected(make_file(" {}", 0), "must start with '{'");
    expect_rejected(make_file("{\"t\": ", 0), "not valid JSON");
    expect_rejected(make_file("{\"t\": 3}", 0), "'t'");
    expect_rejected(make_file(R"({"t": {"dtype": "F32", "shape": [9e728], "data_offsets": [0, 4]}})", 4), "not valid JSON");
    expect_rejected(make_file(R"({"t": {"shape": [1], "data_offsets": [0, 4]}})", 4), "dtype");
    expect_rejected(make_file(R"({"t": {"dtype": "F7", "shape": [1], "data_offsets": [0, 4]}})", 4), "unknown dtype 'F7'");
    expect_rejected(make_file(R"({"t": {"dtype": 5, "shape": [1], "data_offsets": [0, 4]}})", 4), "dtype");
    expect_rejected(make_file(R"({"t": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}})", 4), "non-negative");
    expect_rejected(make_file(R"({"t": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]}})", 4), "non-negative");
    expect_rejected(make_file(R"({"t": {"dtype": "F32", "shape": 4, "data_offsets": [0, 16]}})", 16), "shape");
    expect_rejected(make_file(R"({"t": {"dtype": "F32", "shape": [4294967296, 4294967296, 4], "data_offsets": [0, 16]}})", 16), "overflow");
    expect_rejected(make_file(R"({"t": {"dtype": "F64", "shape": [4611686018427387904], "data_offsets": [0, 16]}})", 16), "overflow");
    expect_rejected(make_file(R"({"t": {"dtype": "F32", "shape": [99999999999999999999], "data_offsets": [0, 16]}})", 16), "non-negative");
    expect_rejected(make_file(R"({"t": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 12]}})", 12), "needs 16");
    expect_rejected(make_file(R"({"t": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}})", 8), "past the end");
    expect_rejected(make_file(R"({"t": {"dtype": "F32", "shape": [2, 2], "data_offsets": [18446744073709551600, 16]}})", 16), "before begin");
    expect_rejected(make_file(R"({"t": {"dtype": "F32", "shape": [2, 2], "data_offsets": [18446744073709551600, 18446744073709551615]}})", 16), "past the end");
    expect_rejected(make_file(R"({"t": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0]}})", 16), "data_offsets");
    expect_rejected(make_file(R"({"t": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, -16]}})", 16), "data_offsets");
    expect_rejected(make_file(R"({"t": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}, "u": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}})", 16), "overlap");
    expect_rejected(make_file(R"({"t": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}})", 16), "gap");
    expect_rejected(make_file("{" + ok_entry + "}", 20), "trailing bytes");
    expect_rejected(make_file(R"({"__metadata__": {"a": 1}})", 0), "metadata values must be strings");
    expect_rejected(make_file(R"({"__metadata__": [1]})", 0), "__metadata__");
}

TEST(Safetensors, ErrorNamesTheTensor) {
    auto f = make_file(R"({"model.layers.3.mlp.up_proj.weight": {"dtype": "BF16", "shape": [2, 2], "data_offsets": [0, 6]}})", 6);
    try {
        rf::SafetensorsFile::parse(f.data(), f.size(), "shard-2.safetensors");
        FAIL();
    } catch (const rf::InputError& e) {
        EXPECT_EQ(e.file, "shard-2.safetensors");
        EXPECT_EQ(e.key, "model.layers.3.mlp.up_proj.weight");
    }
}

// Random byte flips, truncations and length rewrites of a valid file: parse must either succeed
// (and then every tensor lies inside the buffer) or throw InputError. Runs under ASan in CI builds
// with sanitizers; here it checks the "never anything but InputError" contract.
TEST(Safetensors, RandomMutationsNeverEscapeInputError) {
    std::string path = fixture("reference.safetensors");
    std::string base = rf::read_file(path);
    rf::Rng rng(99);
    int accepted = 0;
    for (int iter = 0; iter < 20000; ++iter) {
        std::vector<uint8_t> b(base.begin(), base.end());
        int kind = int(rng.below(4));
        if (kind == 0) {
            int flips = 1 + int(rng.below(4));
            for (int i = 0; i < flips; ++i) b[rng.below(uint32_t(b.size()))] = uint8_t(rng.next_u32());
        } else if (kind == 1) {
            b.resize(rng.below(uint32_t(b.size())));
        } else if (kind == 2) {
            size_t at = 8 + rng.below(uint32_t(b.size() - 8));
            b[at] = "0123456789[]{},:\"-. eE"[rng.below(22)];
        } else {
            uint64_t n = rng.next_u64() >> rng.below(64);
            for (int i = 0; i < 8; ++i) b[i] = uint8_t(n >> (8 * i));
        }
        try {
            auto f = rf::SafetensorsFile::parse(b.data(), b.size(), "mutated");
            ++accepted;
            for (const rf::TensorInfo& t : f->tensors()) {
                ASSERT_GE(t.data, b.data());
                ASSERT_LE(t.data + t.nbytes, b.data() + b.size());
                ASSERT_EQ(t.nbytes, size_t(t.numel()) * rf::dtype_size(t.dtype));
                if (t.dtype == DType::F32 || t.dtype == DType::F16 || t.dtype == DType::BF16) {
                    std::vector<float> tmp(size_t(t.numel()));
                    f->read_f32(t, tmp.data());
                }
            }
        } catch (const rf::InputError&) {
        }
    }
    EXPECT_GT(accepted, 0);  // some mutations only touch data bytes
}
