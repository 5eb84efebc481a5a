#include "io/hf_cache.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <pwd.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/resources.h"

namespace rf {

namespace fs = std::filesystem;

namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

std::string home_dir() {
    std::string h = env("HOME");
    if (!h.empty()) return h;
    if (const passwd* pw = ::getpwuid(::getuid())) return pw->pw_dir;
    return "/";
}

std::string expand_tilde(const std::string& p) {
    if (p == "~") return home_dir();
    if (p.rfind("~/", 0) == 0) return home_dir() + p.substr(1);
    return p;
}

bool is_dir(const fs::path& p) {
    std::error_code ec;
    return fs::is_directory(p, ec);
}


std::string cache_folder_name(const std::string& kind, const std::string& id) {
    std::string r = kind + "s--";
    for (char c : id) r += c == '/' ? std::string("--") : std::string(1, c);
    return r;
}

std::string trim(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(s.begin());
    return s;
}

// The snapshot for `revision` (a branch under refs/ or a hash under snapshots/), or for "main",
// falling back to the newest snapshot when refs/main is absent or stale. Empty when none.
std::string pick_snapshot(const fs::path& repo, const std::string& revision) {
    const fs::path snaps = repo / "snapshots";
    std::error_code ec;
    std::string rev = revision.empty() ? "main" : revision;
    fs::path ref = repo / "refs" / rev;
    if (fs::is_regular_file(ref, ec)) {
        std::string hash = trim(read_file(ref.string()));
        if (!hash.empty() && hash.find('/') == std::string::npos && is_dir(snaps / hash)) return (snaps / hash).string();
    }
    if (rev.find('/') == std::string::npos && rev != "." && rev != ".." && is_dir(snaps / rev)) return (snaps / rev).string();
    if (!revision.empty()) return {};  // an explicit revision that is not here
    fs::path newest;
    fs::file_time_type newest_t{};
    for (auto& e : fs::directory_iterator(snaps, ec)) {
        if (!e.is_directory(ec)) continue;
        auto t = e.last_write_time(ec);
        if (newest.empty() || t > newest_t) newest = e.path(), newest_t = t;
    }
    return newest.string();
}

std::string resolve(const std::string& id_or_path, const std::string& kind) {
    const std::string p = expand_tilde(id_or_path);
    if (is_dir(p)) return p;
    if (std::string b = bundled_resource(id_or_path, kind); !b.empty()) return b;  // resources/models/NAME
    std::error_code ec;
    if (fs::exists(p, ec)) throw InputError(p, 0, {}, "is a file, expected a " + kind + " folder or a Hugging Face id");
    std::string id = id_or_path, revision;
    if (size_t at = id.find('@'); at != std::string::npos) revision = id.substr(at + 1), id = id.substr(0, at);
    bool looks_like_path = p.rfind("/", 0) == 0 || p.rfind("./", 0) == 0 || p.rfind("../", 0) == 0 || id_or_path.rfind("~", 0) == 0;
    if (looks_like_path || !valid_repo_id(id))
        throw InputError(id_or_path, 0, {}, "no such folder" + std::string(looks_like_path ? "" : ", and not a Hugging Face id (ORG/NAME)"),
                         "give a local " + kind + " folder or an id such as Qwen/Qwen3-0.6B");
    std::vector<std::string> looked;
    const fs::path repo = fs::path(hf_hub_cache_dir()) / cache_folder_name(kind, id);
    looked.push_back(repo.string() + "/snapshots/" + (revision.empty() ? "<refs/main or newest>" : revision));
    if (is_dir(repo)) {
        std::string snap = pick_snapshot(repo, revision);
        if (!snap.empty()) return snap;
    }
    if (kind == "model" && revision.empty()) {
        for (const std::string& d : lmstudio_model_dirs()) {
            fs::path cand = fs::path(d) / id;
            looked.push_back(cand.string());
            if (is_dir(cand)) return cand.string();
        }
    }
    std::string where;
    for (const std::string& l : looked) where += "\n  " + l;
    throw InputError(id_or_path, 0, {}, kind + " not found on this machine; looked in:" + where,
                     "`reinforge-cli download " + id + (kind == "dataset" ? " --repo-type dataset" : "") +
                         "` fetches it (runs do so by themselves unless HF_HUB_OFFLINE is set), set HF_HOME, or give a local folder");
}

}  // namespace

bool valid_repo_id(const std::string& id) {
    if (id.empty() || id.size() > 96 || id.find("--") != std::string::npos || id.find("..") != std::string::npos) return false;
    size_t slash = id.find('/');
    if (slash != std::string::npos && (slash == 0 || slash + 1 == id.size() || id.find('/', slash + 1) != std::string::npos)) return false;
    for (char c : id)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/')) return false;
    return id.front() != '.' && id.front() != '-';
}

std::string hf_hub_cache_dir() {
    for (const char* v : {"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"})
        if (!env(v).empty()) return expand_tilde(env(v));
    if (!env("HF_HOME").empty()) return (fs::path(expand_tilde(env("HF_HOME"))) / "hub").string();
    if (!env("XDG_CACHE_HOME").empty()) return (fs::path(env("XDG_CACHE_HOME")) / "huggingface" / "hub").string();
    return (fs::path(home_dir()) / ".cache" / "huggingface" / "hub").string();
}

std::vector<std::string> lmstudio_model_dirs() {
    const fs::path h = home_dir();
    return {(h / ".lmstudio" / "models").string(), (h / ".cache" / "lm-studio" / "models").string()};
}

std::string resolve_model_dir(const std::string& id_or_path) { return resolve(id_or_path, "model"); }
std::string resolve_dataset_dir(const std::string& id_or_path) { return resolve(id_or_path, "dataset"); }

std::vector<CachedModel> list_cached_model_entries() {
    std::vector<CachedModel> out;
    std::error_code ec;
    for (auto& e : fs::directory_iterator(hf_hub_cache_dir(), ec)) {
        std::string name = e.path().filename().string();
        if (name.rfind("models--", 0) != 0 || !e.is_directory(ec)) continue;
        std::string id = name.substr(8);
        if (size_t sep = id.find("--"); sep != std::string::npos) id.replace(sep, 2, "/");
        std::string snap = pick_snapshot(e.path(), {});
        if (!snap.empty() && fs::exists(fs::path(snap) / "config.json", ec)) out.push_back({id, snap, "hf"});
    }
    for (const std::string& root : lmstudio_model_dirs()) {
        for (auto& pub : fs::directory_iterator(root, ec)) {
            if (!pub.is_directory(ec)) continue;
            std::error_code ec2;
            for (auto& m : fs::directory_iterator(pub.path(), ec2)) {
                if (m.is_directory(ec2) && fs::exists(m.path() / "config.json", ec2)) out.push_back({m.path().string(), m.path().string(), "lmstudio"});
            }
        }
    }
    std::sort(out.begin(), out.end(), [](const CachedModel& a, const CachedModel& b) { return a.id < b.id; });
    return out;
}

std::vector<std::string> list_cached_models() {
    std::vector<std::string> ids;
    for (const CachedModel& m : list_cached_model_entries()) ids.push_back(m.id);
    return ids;
}

}  // namespace rf
