// resolve_model_dir / resolve_dataset_dir / list_cached_models on a fake HF cache and a fake LM
// Studio folder in a temp dir ($HF_HOME and $HOME point there for the test).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "io/hf_cache.h"

namespace fs = std::filesystem;

class HfCache : public ::testing::Test {
protected:
    fs::path root;
    void SetUp() override {
        root = fs::temp_directory_path() / ("rf_test_hfcache_" + std::to_string(::getpid()));
        fs::remove_all(root);
        fs::create_directories(root / "home");
        ::setenv("HF_HOME", (root / "hf").c_str(), 1);
        ::setenv("HOME", (root / "home").c_str(), 1);
        ::unsetenv("HF_HUB_CACHE");
        ::unsetenv("HUGGINGFACE_HUB_CACHE");
    }
    void TearDown() override { fs::remove_all(root); }
    fs::path hub() const { return root / "hf" / "hub"; }
    // A snapshot folder with a config.json; `age_s` seconds old.
    fs::path snapshot(const std::string& folder, const std::string& hash, int age_s = 0) {
        fs::path s = hub() / folder / "snapshots" / hash;
        fs::create_directories(s);
        rf::write_file_atomic((s / "config.json").string(), "{}");
        fs::last_write_time(s, fs::file_time_type::clock::now() - std::chrono::seconds(age_s));
        return s;
    }
    void ref(const std::string& folder, const std::string& branch, const std::string& hash) {
        fs::create_directories(hub() / folder / "refs");
        rf::write_file_atomic((hub() / folder / "refs" / branch).string(), hash + "\n");
    }
};

static std::string error_of(const std::string& id, bool dataset = false) {
    try {
        dataset ? rf::resolve_dataset_dir(id) : rf::resolve_model_dir(id);
    } catch (const rf::InputError& e) {
        return e.what();
    }
    return "(no error)";
}

TEST_F(HfCache, CacheDirFollowsEnvironment) {
    EXPECT_EQ(rf::hf_hub_cache_dir(), hub().string());
    ::setenv("HF_HUB_CACHE", "/x/hub", 1);
    EXPECT_EQ(rf::hf_hub_cache_dir(), "/x/hub");
    ::unsetenv("HF_HUB_CACHE");
    ::unsetenv("HF_HOME");
    EXPECT_EQ(rf::hf_hub_cache_dir(), (root / "home" / ".cache" / "huggingface" / "hub").string());
}

TEST_F(HfCache, ExistingFolderReturnedAsIs) {
    fs::create_directories(root / "local" / "m");
    EXPECT_EQ(rf::resolve_model_dir((root / "local" / "m").string()), (root / "local" / "m").string());
    EXPECT_EQ(rf::resolve_dataset_dir((root / "local").string()), (root / "local").string());
    rf::write_file_atomic((root / "file.txt").string(), "x");
    EXPECT_NE(error_of((root / "file.txt").string()).find("is a file"), std::string::npos);
    EXPECT_NE(error_of((root / "nope").string()).find("no such folder"), std::string::npos);
}

TEST_F(HfCache, RefsMainThenNewestSnapshot) {
    const std::string f = "models--Qwen--Qwen3-0.6B";
    fs::path old_snap = snapshot(f, "aaaa1111", 100);
    fs::path new_snap = snapshot(f, "bbbb2222", 10);
    EXPECT_EQ(rf::resolve_model_dir("Qwen/Qwen3-0.6B"), new_snap.string());  // no refs: newest
    ref(f, "main", "aaaa1111");
    EXPECT_EQ(rf::resolve_model_dir("Qwen/Qwen3-0.6B"), old_snap.string());  // refs/main wins
    ref(f, "main", "deadbeef");                                                // stale ref
    EXPECT_EQ(rf::resolve_model_dir("Qwen/Qwen3-0.6B"), new_snap.string());
    ref(f, "dev", "aaaa1111");
    EXPECT_EQ(rf::resolve_model_dir("Qwen/Qwen3-0.6B@dev"), old_snap.string());
    EXPECT_EQ(rf::resolve_model_dir("Qwen/Qwen3-0.6B@bbbb2222"), new_snap.string());
    std::string e = error_of("Qwen/Qwen3-0.6B@v9");
    EXPECT_NE(e.find("snapshots/v9"), std::string::npos) << e;
}

TEST_F(HfCache, AbsentNamesTheFoldersLookedIn) {
    std::string e = error_of("Org/Missing-Model");
    EXPECT_NE(e.find((hub() / "models--Org--Missing-Model").string()), std::string::npos) << e;
    EXPECT_NE(e.find((root / "home" / ".lmstudio" / "models" / "Org" / "Missing-Model").string()), std::string::npos) << e;
    EXPECT_NE(e.find("reinforge-cli download Org/Missing-Model"), std::string::npos) << e;
    fs::create_directories(hub() / "models--Org--Empty" / "snapshots");  // folder but no snapshot
    EXPECT_NE(error_of("Org/Empty").find("models--Org--Empty"), std::string::npos);
    e = error_of("Org/Missing", true);
    EXPECT_NE(e.find((hub() / "datasets--Org--Missing").string()), std::string::npos) << e;
    EXPECT_NE(e.find("--repo-type dataset"), std::string::npos) << e;
    for (const char* bad : {"a/b/c", "a--b/c", "/a", "x/..", "-x"}) EXPECT_NE(error_of(bad).find("no such folder"), std::string::npos) << bad;
}

TEST_F(HfCache, DatasetsAndLmStudio) {
    fs::path ds = snapshot("datasets--trl-lib--tldr", "cafe");
    EXPECT_EQ(rf::resolve_dataset_dir("trl-lib/tldr"), ds.string());
    EXPECT_NE(error_of("trl-lib/tldr").find("models--trl-lib--tldr"), std::string::npos);  // a dataset is not a model
    fs::path lms = root / "home" / ".lmstudio" / "models" / "mlx-community" / "Qwen3-0.6B-4bit";
    fs::create_directories(lms);
    rf::write_file_atomic((lms / "config.json").string(), "{}");
    EXPECT_EQ(rf::resolve_model_dir("mlx-community/Qwen3-0.6B-4bit"), lms.string());
    snapshot("models--gpt2", "0001");  // an id without org
    EXPECT_EQ(rf::resolve_model_dir("gpt2"), (hub() / "models--gpt2" / "snapshots" / "0001").string());
}

TEST_F(HfCache, ListCachedModels) {
    snapshot("models--Qwen--Qwen3-0.6B", "aa");
    snapshot("models--gpt2", "bb");
    fs::create_directories(hub() / "models--Org--NoConfig" / "snapshots" / "cc");  // skipped: no config.json
    snapshot("datasets--trl-lib--tldr", "dd");                                      // skipped: a dataset
    fs::path lms = root / "home" / ".lmstudio" / "models" / "pub" / "m";
    fs::create_directories(lms);
    rf::write_file_atomic((lms / "config.json").string(), "{}");
    fs::create_directories(root / "home" / ".lmstudio" / "models" / "pub" / "gguf-only");  // skipped
    auto ids = rf::list_cached_models();
    std::vector<std::string> want = {lms.string(), "Qwen/Qwen3-0.6B", "gpt2"};
    std::sort(want.begin(), want.end());
    EXPECT_EQ(ids, want);
    auto entries = rf::list_cached_model_entries();
    ASSERT_EQ(entries.size(), 3u);
    for (auto& m : entries) {
        EXPECT_TRUE(fs::exists(fs::path(m.path) / "config.json")) << m.id;
        EXPECT_EQ(rf::resolve_model_dir(m.id), m.path);
    }
}
