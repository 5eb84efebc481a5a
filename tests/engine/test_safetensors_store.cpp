// WeightStore: single file, sharded (model.safetensors.index.json), model*.safetensors glob, and
// the errors for a stale index, a shard path escaping the folder, a missing tensor, a wrong shape.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "io/safetensors.h"

namespace fs = std::filesystem;
using rf::DType;

namespace {

fs::path temp_dir(const std::string& name) {
    fs::path p = fs::temp_directory_path() / ("rf_test_store_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const rf::InputError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST(WeightStore, ShardedIndex) {
    fs::path d = temp_dir("sharded");
    std::vector<float> a = {1, 2, 3, 4, 5, 6}, b = {-1, -2}, c = {0.5f};
    rf::write_safetensors((d / "model-00001-of-00002.safetensors").string(), {{"a", {2, 3}, a.data(), DType::F32}, {"c", {1}, c.data(), DType::BF16}});
    rf::write_safetensors((d / "model-00002-of-00002.safetensors").string(), {{"b", {2}, b.data(), DType::F16}});
    rf::write_file_atomic((d / "model.safetensors.index.json").string(),
                          R"({"metadata": {"total_size": 30}, "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors", "c": "model-00001-of-00002.safetensors"}})");
    rf::WeightStore ws = rf::WeightStore::open_dir(d.string());
    EXPECT_EQ(ws.names(), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(ws.files().size(), 2u);
    std::vector<float> got(6);
    ws.read_f32("a", got.data(), {2, 3});
    EXPECT_EQ(got, a);
    got.resize(2);
    ws.read_f32("b", got.data(), {2});
    EXPECT_EQ(got, b);
    EXPECT_EQ(ws.find("c")->dtype, DType::BF16);
    EXPECT_NE(ws.file_of("b")->path().find("00002"), std::string::npos);
    EXPECT_EQ(ws.find("zz"), nullptr);

    std::string e = error_of([&] { ws.read_f32("a", got.data(), {3, 2}); });
    EXPECT_NE(e.find("'a'"), std::string::npos) << e;
    EXPECT_NE(e.find("[2, 3]"), std::string::npos) << e;
    e = error_of([&] { ws.read_f32("missing.weight", got.data(), {1}); });
    EXPECT_NE(e.find("missing.weight"), std::string::npos) << e;
    EXPECT_NE(e.find(d.string()), std::string::npos) << e;

    // A stale index: names a tensor the shard does not hold.
    rf::write_file_atomic((d / "model.safetensors.index.json").string(), R"({"weight_map": {"a": "model-00001-of-00002.safetensors", "q": "model-00002-of-00002.safetensors"}})");
    e = error_of([&] { rf::WeightStore::open_dir(d.string()); });
    EXPECT_NE(e.find("'q'"), std::string::npos) << e;
    EXPECT_NE(e.find("00002"), std::string::npos) << e;
    // A shard outside the folder, a missing shard, a non-object index.
    rf::write_file_atomic((d / "model.safetensors.index.json").string(), R"({"weight_map": {"a": "../model-00001-of-00002.safetensors"}})");
    EXPECT_NE(error_of([&] { rf::WeightStore::open_dir(d.string()); }).find("plain file name"), std::string::npos);
    rf::write_file_atomic((d / "model.safetensors.index.json").string(), R"({"weight_map": {"a": "model-00009-of-00009.safetensors"}})");
    EXPECT_NE(error_of([&] { rf::WeightStore::open_dir(d.string()); }).find("model-00009-of-00009.safetensors"), std::string::npos);
    rf::write_file_atomic((d / "model.safetensors.index.json").string(), "[]");
    EXPECT_NE(error_of([&] { rf::WeightStore::open_dir(d.string()); }).find("index.json"), std::string::npos);
    fs::remove_all(d);
}

TEST(WeightStore, SingleFileAndGlob) {
    fs::path d = temp_dir("single");
    std::vector<float> a = {1, 2};
    EXPECT_NE(error_of([&] { rf::WeightStore::open_dir(d.string()); }).find("no weights found"), std::string::npos);
    EXPECT_NE(error_of([&] { rf::WeightStore::open_dir((d / "nope").string()); }).find("not a folder"), std::string::npos);
    rf::write_safetensors((d / "model-a.safetensors").string(), {{"x", {2}, a.data(), DType::F32}});
    rf::write_safetensors((d / "model-b.safetensors").string(), {{"y", {2}, a.data(), DType::F32}});
    rf::write_safetensors((d / "adapters.safetensors").string(), {{"lora", {2}, a.data(), DType::F32}});
    auto ws = rf::WeightStore::open_dir(d.string());
    EXPECT_EQ(ws.names(), (std::vector<std::string>{"x", "y"}));  // adapters.safetensors is not a model file
    rf::write_safetensors((d / "model-b.safetensors").string(), {{"x", {2}, a.data(), DType::F32}});
    EXPECT_NE(error_of([&] { rf::WeightStore::open_dir(d.string()); }).find("also present"), std::string::npos);
    rf::write_safetensors((d / "model.safetensors").string(), {{"z", {2}, a.data(), DType::F32}});
    EXPECT_EQ(rf::WeightStore::open_dir(d.string()).names(), (std::vector<std::string>{"z"}));  // model.safetensors wins
    fs::remove_all(d);
}
