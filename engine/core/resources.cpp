#include "core/resources.h"

#include <cstdlib>
#include <filesystem>

namespace rf {

namespace fs = std::filesystem;

namespace {

bool is_dir(const fs::path& p) {
    std::error_code ec;
    return fs::is_directory(p, ec);
}

}  // namespace

std::string resources_dir() {
    if (const char* env = std::getenv("REINFORGE_RESOURCES_DIR"); env && *env && is_dir(env)) return env;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path installed = exe.parent_path().parent_path() / "share" / "reinforge";
        if (is_dir(installed)) return installed.lexically_normal().string();
    }
    const fs::path src = fs::path(REINFORGE_SOURCE_DIR) / "resources";
    if (is_dir(src)) return src.string();
    return {};
}

std::string bundled_resource(const std::string& name, const std::string& kind) {
    const std::string sub = kind == "dataset" ? "datasets" : "models";
    const std::string root = resources_dir();
    if (root.empty() || name.empty() || name.find("..") != std::string::npos) return {};
    const std::string prefix = "resources/" + sub + "/";
    std::string rel;
    if (name.rfind(prefix, 0) == 0) rel = name.substr(prefix.size());
    else if (name.find('/') == std::string::npos) rel = name;
    while (!rel.empty() && rel.back() == '/') rel.pop_back();
    if (rel.empty() || rel.find('/') != std::string::npos) return {};
    const fs::path p = fs::path(root) / sub / rel;
    return is_dir(p) ? p.string() : std::string();
}

}  // namespace rf
