// Bundled resources found without the source tree: $REINFORGE_RESOURCES_DIR, else
// <exe>/../share/reinforge (an installed package; checked end to end by packaging/test_package.sh),
// else the source tree's resources/. Presets name them "resources/models/NAME", which must resolve
// from any working directory.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "core/error.h"
#include "core/resources.h"
#include "io/hf_cache.h"

namespace fs = std::filesystem;
using namespace rf;

namespace {

struct EnvResources {
    fs::path root;
    EnvResources() {
        std::string tmpl = (fs::temp_directory_path() / "rf-res-XXXXXX").string();
        root = ::mkdtemp(tmpl.data());
        fs::create_directories(root / "models" / "tiny-default");
        fs::create_directories(root / "datasets" / "arith");
        ::setenv("REINFORGE_RESOURCES_DIR", root.c_str(), 1);
    }
    ~EnvResources() {
        ::unsetenv("REINFORGE_RESOURCES_DIR");
        std::error_code ec;
        fs::remove_all(root, ec);
    }
};

}  // namespace

TEST(Resources, BuildTreeFallsBackToTheSourceTree) {
    ::unsetenv("REINFORGE_RESOURCES_DIR");
    EXPECT_EQ(resources_dir(), std::string(REINFORGE_SOURCE_DIR) + "/resources");
}

TEST(Resources, PresetNamesResolveFromAnyWorkingDirectory) {
    EnvResources env;
    EXPECT_EQ(resources_dir(), env.root.string());
    const std::string model = (env.root / "models" / "tiny-default").string();
    EXPECT_EQ(bundled_resource("resources/models/tiny-default", "model"), model);
    EXPECT_EQ(bundled_resource("tiny-default", "model"), model);
    EXPECT_EQ(bundled_resource("resources/datasets/arith/", "dataset"), (env.root / "datasets" / "arith").string());
    EXPECT_EQ(bundled_resource("resources/models/absent", "model"), "");
    EXPECT_EQ(bundled_resource("resources/models/../datasets/arith", "model"), "");
    EXPECT_EQ(bundled_resource("Qwen/Qwen3-0.6B", "model"), "");
    EXPECT_EQ(bundled_resource("arith", "model"), "") << "a dataset is not a model";

    const fs::path old = fs::current_path();
    fs::current_path(fs::temp_directory_path());  // no resources/ folder here
    EXPECT_EQ(resolve_model_dir("resources/models/tiny-default"), model);
    EXPECT_EQ(resolve_dataset_dir("resources/datasets/arith"), (env.root / "datasets" / "arith").string());
    EXPECT_THROW(resolve_model_dir("resources/models/absent"), InputError);
    fs::current_path(old);
}
