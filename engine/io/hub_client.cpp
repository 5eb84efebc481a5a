// Hugging Face Hub downloads, following huggingface_hub (file_download.py: hf_hub_download,
// _snapshot_download.py: snapshot_download) so the cache is shared with the Python tools:
//   1. GET  {endpoint}/api/{models|datasets}/ID/revision/REV?blobs=true  -> commit sha, files
//   2. per file missing from snapshots/<sha>/:
//      HEAD {endpoint}/[datasets/]ID/resolve/<sha>/PATH  (redirects not followed) -> etag (X-Linked-Etag
//           over ETag, W/ and quotes stripped), size (X-Linked-Size over Content-Length), Location
//      GET  the Location (the LFS CDN) or the resolve URL, into blobs/<etag>.incomplete, with
//           `Range: bytes=N-` when a partial file is there; the Authorization header only goes to the
//           endpoint's own host
//      verify (size; sha256 when the etag is one), rename to blobs/<etag>, then the relative symlink
//      snapshots/<sha>/PATH -> ../../blobs/<etag>
// Two processes downloading the same blob serialize on <hub>/.locks/<repo folder>/<etag>.lock, as
// huggingface_hub does.
#include "io/hub_client.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <pwd.h>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/sha256.h"
#include "io/hf_cache.h"
#include "io/hub_http.h"

namespace rf {

namespace fs = std::filesystem;
using hub::HttpClient;
using hub::HttpRequest;
using hub::HttpResponse;

namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

std::string trim(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    size_t i = 0;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    return s.substr(i);
}

std::string read_small_file(const fs::path& p) {
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) return {};
    try {
        return read_file(p.string());
    } catch (const InputError&) {
        return {};
    }
}

std::string home_dir() {
    if (std::string h = env("HOME"); !h.empty()) return h;
    if (const passwd* pw = ::getpwuid(::getuid())) return pw->pw_dir;
    return "/";
}


bool is_commit_hash(const std::string& s) {
    return s.size() == 40 && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f'); });
}

bool is_sha256(const std::string& s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f'); });
}

void check_repo(const std::string& repo_id, const HubOptions& opts) {
    if (opts.repo_type != "model" && opts.repo_type != "dataset")
        throw InputError({}, 0, "repo_type", "unknown repo type '" + opts.repo_type + "'", "use model or dataset");
    if (!valid_repo_id(repo_id))
        throw InputError(repo_id, 0, {}, "not a Hugging Face repo id", "ids look like ORG/NAME, e.g. Qwen/Qwen3-0.6B");
    if (opts.revision.empty()) throw InputError(repo_id, 0, "revision", "empty revision", "use a branch, tag or commit, e.g. main");
}

std::string repo_folder(const std::string& repo_id, const std::string& repo_type) {
    std::string r = repo_type + "s--";
    for (char c : repo_id) r += c == '/' ? std::string("--") : std::string(1, c);
    return r;
}

std::string resolve_url(const std::string& repo_id, const std::string& repo_type, const std::string& revision, const std::string& path) {
    return hub_endpoint() + (repo_type == "dataset" ? "/datasets/" : "/") + repo_id + "/resolve/" + hub::url_quote(revision, false) + "/" +
           hub::url_quote(path, true);
}

bool wanted(const std::string& path, const std::vector<std::string>& include) {
    if (include.empty()) return true;
    for (std::string pat : include) {
        if (!pat.empty() && pat.back() == '/') pat += '*';  // "folder/" means everything under it
        if (hub::glob_match(pat, path)) return true;
    }
    return false;
}

// One download: the HTTP client (one connection), the token, progress and cancellation.
struct Session {
    HubOptions opts;
    std::string repo_id, token, origin;
    HttpClient http;
    HubProgressFn progress_fn;
    HubProgress progress;
    bool cancelled = false;
    std::string last_bad_sha;  // of the last download that failed its sha256 check

    Session(const std::string& id, const HubOptions& o, const HubProgressFn& fn)
        : opts(o), repo_id(id), token(hub::read_token()), origin(hub::url_origin(hub_endpoint())), progress_fn(fn) {}

    bool tick() {
        if (!cancelled && progress_fn && !progress_fn(progress)) cancelled = true;
        return !cancelled;
    }
    [[noreturn]] void throw_cancelled() const {
        throw HubCancelled("download of " + repo_id + " cancelled" + (progress.file.empty() ? std::string() : " during " + progress.file) +
                           "; the partial file stays in the cache and the next download resumes it");
    }

    std::vector<std::string> headers_for(const std::string& url) const {
        std::vector<std::string> h;
        if (!token.empty() && hub::url_origin(url) == origin) h.push_back("Authorization: Bearer " + token);
        return h;
    }

    // Waits before retry number `attempt` (0-based): backoff_ms * 2^attempt, at most 8x; a Retry-After
    // header (seconds) is honoured up to that cap as well. The progress callback keeps being called.
    void backoff(int attempt, const HttpResponse& r) {
        int64_t cap = int64_t(opts.backoff_ms) * 8;
        int64_t wait = std::min<int64_t>(int64_t(opts.backoff_ms) << std::min(attempt, 3), cap);
        if (std::string ra = r.header("retry-after"); !ra.empty() && std::all_of(ra.begin(), ra.end(), ::isdigit))
            wait = std::min<int64_t>(std::max<int64_t>(wait, std::stoll(ra) * 1000), std::max<int64_t>(cap, 1000));
        auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait);
        while (std::chrono::steady_clock::now() < until) {
            if (!tick()) throw_cancelled();
            std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(wait, 50)));
        }
    }

    [[noreturn]] void throw_status(const std::string& url, const HttpResponse& r, const std::string& what) const {
        std::string code = r.header("x-error-code"), server_msg = r.header("x-error-message");
        std::string detail = server_msg.empty() ? std::string() : " (server: " + server_msg + ")";
        std::string type = opts.repo_type;
        if (r.status == 401 || r.status == 403) {
            throw InputError(url, 0, repo_id,
                             "the Hub refused access (HTTP " + std::to_string(r.status) + "): the " + type + " " + repo_id +
                                 " is gated or private, or does not exist" + detail,
                             token.empty() ? "no token was sent: set HF_TOKEN=hf_... (or run `huggingface-cli login`, which writes ~/.cache/huggingface/token) "
                                             "after accepting the repo's terms on its Hub page"
                                           : "a token was sent and refused: check that it is valid and that its account has accepted the repo's terms on its Hub page");
        }
        if (r.status == 404) {
            if (code == "RevisionNotFound")
                throw InputError(url, 0, "revision", "no revision '" + opts.revision + "' in " + type + " " + repo_id + detail, "check the branch, tag or commit");
            if (code == "EntryNotFound")
                throw InputError(url, 0, repo_id, "no file '" + progress.file + "' in " + type + " " + repo_id + " at " + opts.revision + detail);
            throw InputError(url, 0, repo_id, "no such " + type + " '" + repo_id + "' (or no revision '" + opts.revision + "') on " + hub_endpoint() + detail,
                             type == "model" ? "check the id on the Hub; for a dataset use --repo-type dataset" : "check the id on the Hub");
        }
        std::string body = r.body.substr(0, 300);
        throw HubNetworkError("HTTP " + std::to_string(r.status) + " from " + url + " while " + what + detail + (body.empty() ? "" : ": " + body));
    }

    static bool retryable(const HttpResponse& r) { return !r.transport_error.empty() || r.status == 429 || r.status >= 500; }

    [[noreturn]] void throw_gave_up(const std::string& url, const HttpResponse& r, const std::string& what) const {
        std::string why = !r.transport_error.empty() ? r.transport_error : "HTTP " + std::to_string(r.status);
        throw HubNetworkError("could not reach " + url + " while " + what + " after " + std::to_string(opts.retries + 1) + " tries (last: " + why +
                              "); check the network and HF_ENDPOINT (" + hub_endpoint() + "), or set HF_HUB_OFFLINE=1 to use the cache only");
    }

    // A small request (API call or HEAD) with retries; returns the answer (any status but 429/5xx).
    HttpResponse request(HttpRequest req, const std::string& what) {
        req.timeout_s = opts.timeout_s;
        req.tick = [this] { return tick(); };
        for (int attempt = 0;; ++attempt) {
            HttpResponse r = http.perform(req);
            if (r.cancelled) throw_cancelled();
            if (!retryable(r)) return r;
            if (attempt >= opts.retries) throw_gave_up(req.url, r, what);
            backoff(attempt, r);
        }
    }
};

HubRepoInfo repo_info(Session& s) {
    const HubOptions& o = s.opts;
    std::string url = hub_endpoint() + "/api/" + o.repo_type + "s/" + s.repo_id + "/revision/" + hub::url_quote(o.revision, false) + "?blobs=true";
    HttpRequest req;
    req.url = url;
    req.headers = s.headers_for(url);
    req.follow_redirects = true;  // a renamed repo answers with a redirect to its new name
    req.max_body = o.max_list_bytes;
    HttpResponse r = s.request(req, "reading the file list of " + s.repo_id);
    if (r.status != 200) s.throw_status(url, r, "reading the file list of " + s.repo_id);
    if (r.body_truncated)
        throw HubNetworkError("the file list of " + s.repo_id + " from " + url + " is longer than " +
                              std::to_string(o.max_list_bytes >> 20) + " MiB, more than a Hub repo's (at most ~100,000 files); "
                              "check HF_ENDPOINT (" + hub_endpoint() + "), or download the files another way and point the "
                              "config at the folder");
    return parse_repo_info(r.body, s.repo_id, o.repo_type, url);
}

// An exclusive lock file (flock), polled so the progress callback can cancel the wait.
class BlobLock {
public:
    BlobLock(const fs::path& path, Session& s) {
        std::error_code ec;
        fs::create_directories(path.parent_path(), ec);
        m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (m_fd < 0) return;  // a read-only cache still downloads; just without the lock
        while (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
            if (!s.tick()) {
                ::close(m_fd);
                s.throw_cancelled();
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    ~BlobLock() {
        if (m_fd >= 0) ::close(m_fd);  // closing releases the flock
    }
    BlobLock(const BlobLock&) = delete;
    BlobLock& operator=(const BlobLock&) = delete;

private:
    int m_fd = -1;
};

struct FileMeta {
    std::string etag, download_url, commit;
    int64_t size = -1;
    bool lfs = false;  // X-Linked-Etag present: the etag is the sha256 of the content
};

// HEAD on the resolve URL without following redirects to another host (huggingface_hub
// get_hf_file_metadata): the LFS headers are on the Hub's own answer, not the CDN's.
FileMeta file_meta(Session& s, const std::string& url) {
    std::string cur = url;
    for (int hop = 0; hop < 10; ++hop) {
        HttpRequest req;
        req.method = "HEAD";
        req.url = cur;
        req.headers = s.headers_for(cur);
        req.headers.push_back("Accept-Encoding: identity");  // Content-Length is then the file size
        HttpResponse r = s.request(req, "reading the metadata of " + s.progress.file);
        std::string location = r.header("location");
        bool redirect = r.status >= 300 && r.status < 400 && !location.empty();
        if (redirect && hub::url_origin(hub::url_join(cur, location)) == hub::url_origin(cur) && location.find("://") == std::string::npos) {
            cur = hub::url_join(cur, location);  // a relative redirect (renamed repo): follow it
            continue;
        }
        if (!redirect && (r.status < 200 || r.status >= 300)) s.throw_status(cur, r, "reading the metadata of " + s.progress.file);
        FileMeta m;
        std::string linked = r.header("x-linked-etag");
        m.lfs = !linked.empty();
        m.etag = hub::normalize_etag(m.lfs ? linked : r.header("etag"));
        m.commit = r.header("x-repo-commit");
        std::string size = r.header("x-linked-size");
        if (size.empty() && !redirect) size = r.header("content-length");  // a redirect's own length is not the file's
        if (!size.empty() && std::all_of(size.begin(), size.end(), ::isdigit)) m.size = std::stoll(size);
        m.download_url = redirect ? hub::url_join(cur, location) : cur;
        if (m.etag.empty() || m.etag.find('/') != std::string::npos || m.etag == "." || m.etag == "..")
            throw HubNetworkError("no usable ETag in the answer of " + cur + " (the server does not speak the Hub's protocol, or a proxy strips headers)");
        return m;
    }
    throw HubNetworkError("too many redirects from " + url);
}

// Downloads one blob into blobs/<etag> through blobs/<etag>.incomplete (resumed with Range). Returns
// false when the bytes do not hash to the expected sha256 (the partial file is then removed).
bool download_blob_once(Session& s, const FileMeta& meta, const std::string& lfs_sha256, const fs::path& blob) {
    const fs::path part = blob.string() + ".incomplete";
    const std::string expect_sha = !lfs_sha256.empty() ? lfs_sha256 : (meta.lfs && is_sha256(meta.etag) ? meta.etag : std::string());
    std::error_code ec;
    Sha256 hasher;
    int64_t hashed = 0;  // bytes of `part` already fed to `hasher`
    auto rehash = [&](int64_t upto) {  // hasher := sha256 state of the first `upto` bytes of part
        hasher = Sha256();
        hashed = 0;
        if (expect_sha.empty() || upto == 0) return;
        FILE* f = std::fopen(part.c_str(), "rb");
        if (!f) throw HubNetworkError("cannot read " + part.string());
        std::vector<char> buf(1 << 20);
        while (hashed < upto) {
            size_t n = std::fread(buf.data(), 1, size_t(std::min<int64_t>(int64_t(buf.size()), upto - hashed)), f);
            if (n == 0) break;
            hasher.update(buf.data(), n);
            hashed += int64_t(n);
        }
        std::fclose(f);
    };
    const int64_t all_base = s.progress.all_done;  // the bytes of the files before this one
    for (int attempt = 0;; ++attempt) {
        int64_t have = fs::exists(part, ec) ? int64_t(fs::file_size(part, ec)) : 0;
        if (meta.size >= 0 && have > meta.size) {  // longer than the file: not ours to resume
            fs::resize_file(part, 0, ec);
            have = 0;
        }
        if (hashed != have) rehash(have);
        s.progress.file_done = have;
        if (meta.size >= 0 && have == meta.size) break;  // complete already (cancelled at the very end)
        FILE* out = std::fopen(part.c_str(), have ? "ab" : "wb");
        if (!out) throw InputError(part.string(), 0, {}, "cannot write into the Hugging Face cache", "check the permissions of " + hf_hub_cache_dir());
        std::vector<char> vbuf(1 << 20);
        std::setvbuf(out, vbuf.data(), _IOFBF, vbuf.size());
        bool restarted = false, write_failed = false;
        HttpRequest req;
        req.url = meta.download_url;
        req.headers = s.headers_for(req.url);  // the redirect hops are curl's: it drops Authorization on another host
        req.headers.push_back("Accept-Encoding: identity");
        if (have > 0) req.headers.push_back("Range: bytes=" + std::to_string(have) + "-");
        req.follow_redirects = true;
        req.timeout_s = s.opts.timeout_s;
        req.tick = [&s] { return s.tick(); };
        req.sink = [&](int status, const char* data, size_t n) {
            if (status == 200 && have > 0 && !restarted) {  // the server ignored the Range: start over
                restarted = true;
                std::fflush(out);
                if (::ftruncate(fileno(out), 0) != 0) {
                    write_failed = true;
                    return false;
                }
                std::fseek(out, 0, SEEK_SET);
                have = 0;
                hasher = Sha256();
                hashed = 0;
                s.progress.file_done = 0;
            }
            if (std::fwrite(data, 1, n, out) != n) {
                write_failed = true;
                return false;
            }
            if (!expect_sha.empty()) hasher.update(data, n);
            hashed += int64_t(n);
            s.progress.file_done += int64_t(n);
            s.progress.all_done = all_base + s.progress.file_done;
            return s.tick();
        };
        HttpResponse r = s.http.perform(req);
        bool flushed = std::fflush(out) == 0;
        std::fclose(out);
        s.progress.all_done = all_base + s.progress.file_done;
        if (write_failed || !flushed)
            throw InputError(part.string(), 0, {}, "cannot write into the Hugging Face cache (disk full?)", "free space under " + hf_hub_cache_dir());
        if (r.cancelled || (r.sink_stopped && s.cancelled)) s.throw_cancelled();
        if (r.transport_error.empty() && (r.status == 200 || r.status == 206)) {
            if (r.status == 206 && have > 0) {
                std::string cr = r.header("content-range");  // "bytes N-M/T": must start where we are
                if (cr.rfind("bytes " + std::to_string(have) + "-", 0) != 0) {
                    fs::resize_file(part, 0, ec);
                    hashed = -1;
                    if (attempt >= s.opts.retries) throw HubNetworkError("bad Content-Range '" + cr + "' from " + req.url);
                    continue;
                }
            }
            break;
        }
        if (r.status == 416) {  // nothing past what we have: the partial file is bad, start over
            fs::resize_file(part, 0, ec);
            hashed = -1;
            if (attempt >= s.opts.retries) throw HubNetworkError("the server keeps refusing the byte range of " + req.url + " (HTTP 416)");
            continue;
        }
        if (r.transport_error.empty() && !Session::retryable(r)) s.throw_status(req.url, r, "downloading " + s.progress.file);
        // A connection that brought bytes before it dropped does not use up a retry: a long download
        // over a flaky network goes on as long as it moves.
        const bool progressed = s.progress.file_done > have;
        if (!progressed && attempt >= s.opts.retries) s.throw_gave_up(req.url, r, "downloading " + s.progress.file);
        s.backoff(progressed ? 0 : attempt, r);
        if (progressed) attempt = -1;
    }
    int64_t got = int64_t(fs::file_size(part, ec));
    if (meta.size >= 0 && got != meta.size) {
        throw HubNetworkError("downloaded " + std::to_string(got) + " bytes of " + s.progress.file + ", expected " + std::to_string(meta.size) + " (from " +
                              meta.download_url + "); try again");
    }
    if (!expect_sha.empty()) {
        if (hashed != got) rehash(got);
        std::string sha = hasher.hex_digest();
        if (sha != expect_sha) {
            fs::remove(part, ec);  // corrupt: resuming it would keep the bad bytes
            s.last_bad_sha = sha;
            return false;
        }
    }
    fs::rename(part, blob, ec);
    if (ec) throw InputError(blob.string(), 0, {}, "cannot move the downloaded file into place: " + ec.message());
    return true;
}

// download_blob_once, started over once from nothing when the bytes are corrupt; refuses up front
// when the disk has clearly no room for the file.
void download_blob(Session& s, const FileMeta& meta, const std::string& lfs_sha256, const fs::path& blob) {
    std::error_code ec;
    if (meta.size > 0) {
        const fs::path part = blob.string() + ".incomplete";
        int64_t have = fs::exists(part, ec) ? int64_t(fs::file_size(part, ec)) : 0;
        fs::space_info space = fs::space(blob.parent_path(), ec);
        if (!ec && int64_t(space.available) < meta.size - have)
            throw InputError(blob.parent_path().string(), 0, {},
                             "not enough disk space for " + s.progress.file + ": it needs " + std::to_string((meta.size - have) >> 20) + " MiB, " +
                                 std::to_string(space.available >> 20) + " MiB are free",
                             "free space, or set HF_HUB_CACHE (or HF_HOME) to a folder on a larger disk");
    }
    for (int attempt = 0; attempt < 2; ++attempt)
        if (download_blob_once(s, meta, lfs_sha256, blob)) return;
    throw HubNetworkError("the download of " + s.progress.file + " from " + meta.download_url + " is corrupt twice: sha256 " + s.last_bad_sha +
                          ", expected " + (lfs_sha256.empty() ? meta.etag : lfs_sha256) + "; the partial file was removed");
}

// snapshots/<sha>/<path> -> ../../blobs/<etag> (one more ../ per folder in path), made beside and renamed.
void link_snapshot(const fs::path& pointer, const std::string& rel_path, const std::string& etag) {
    std::error_code ec;
    fs::create_directories(pointer.parent_path(), ec);
    std::string target = "../../";
    for (char c : rel_path)
        if (c == '/') target += "../";
    target += "blobs/" + etag;
    fs::path tmp = pointer.string() + ".tmp." + std::to_string(::getpid());
    fs::remove(tmp, ec);
    fs::create_symlink(target, tmp, ec);
    if (ec) throw InputError(pointer.string(), 0, {}, "cannot create the snapshot link: " + ec.message(), "the cache folder must allow symlinks");
    fs::rename(tmp, pointer, ec);
    if (ec) {
        fs::remove(tmp, ec);
        throw InputError(pointer.string(), 0, {}, "cannot create the snapshot link: " + ec.message());
    }
}

// The snapshot for `revision` in the cache (a commit folder, or what refs/<revision> names); empty if absent.
fs::path cached_snapshot(const fs::path& repo, const std::string& revision) {
    std::error_code ec;
    if (is_commit_hash(revision) && fs::is_directory(repo / "snapshots" / revision, ec)) return repo / "snapshots" / revision;
    std::string commit = trim(read_small_file(repo / "refs" / revision));
    if (is_commit_hash(commit) && fs::is_directory(repo / "snapshots" / commit, ec)) return repo / "snapshots" / commit;
    return {};
}

std::string offline_download(const std::string& repo_id, const HubOptions& opts) {
    const fs::path repo = fs::path(hf_hub_cache_dir()) / repo_folder(repo_id, opts.repo_type);
    fs::path snap = cached_snapshot(repo, opts.revision);
    std::string hint = "unset HF_HUB_OFFLINE to download it, or download it where the network is reachable";
    if (snap.empty())
        throw InputError(repo_id, 0, {}, "offline (HF_HUB_OFFLINE is set) and the " + opts.repo_type + " is not in the cache at revision '" + opts.revision + "' (looked in " + repo.string() + ")", hint);
    // Offline the repo's file list is unknown, so completeness cannot be checked: the snapshot is
    // accepted when it holds at least one file matching the patterns (ensure_model checks a model's
    // config and weights on top).
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(snap, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (fs::is_regular_file(it->path(), ec) && wanted(fs::relative(it->path(), snap, ec).generic_string(), opts.include)) return snap.string();
    }
    std::string pats;
    for (const std::string& p : opts.include) pats += (pats.empty() ? "" : " ") + p;
    throw InputError(snap.string(), 0, {}, "offline (HF_HUB_OFFLINE is set) and the cached snapshot of " + repo_id + " has no file" + (pats.empty() ? "" : " matching " + pats), hint);
}

}  // namespace

HubRepoInfo parse_repo_info(const std::string& json_text, const std::string& repo_id, const std::string& repo_type,
                            const std::string& url) {
    HubRepoInfo info;
    info.id = repo_id;
    info.repo_type = repo_type;
    try {
        nlohmann::json j = nlohmann::json::parse(json_text);
        info.sha = j.value("sha", "");
        for (const auto& f : j.value("siblings", nlohmann::json::array())) {
            HubFile hf;
            hf.path = f.value("rfilename", "");
            if (f.contains("size") && f["size"].is_number_integer()) hf.size = f["size"].get<int64_t>();
            if (f.contains("lfs") && f["lfs"].is_object()) {
                hf.lfs_sha256 = f["lfs"].value("sha256", "");
                if (hf.size < 0 && f["lfs"].contains("size") && f["lfs"]["size"].is_number_integer())
                    hf.size = f["lfs"]["size"].get<int64_t>();
            }
            if (!hf.path.empty()) info.files.push_back(hf);
        }
    } catch (const nlohmann::json::exception& e) {
        throw HubNetworkError("the answer of " + url + " is not the Hub's JSON: " + e.what());
    }
    if (!is_commit_hash(info.sha)) throw HubNetworkError("the answer of " + url + " has no commit sha");
    return info;
}

bool hub_offline() {
    std::string v = env("HF_HUB_OFFLINE");
    for (char& c : v) c = char(std::tolower(static_cast<unsigned char>(c)));
    v = trim(v);
    return v == "1" || v == "true" || v == "yes" || v == "on";
}

std::string hub_endpoint() {
    std::string e = trim(env("HF_ENDPOINT"));
    if (e.empty()) e = "https://huggingface.co";
    while (!e.empty() && e.back() == '/') e.pop_back();
    return e;
}

HubRepoInfo hub_repo_info(const std::string& repo_id, const HubOptions& opts) {
    check_repo(repo_id, opts);
    if (hub_offline())
        throw InputError(repo_id, 0, {}, "offline (HF_HUB_OFFLINE is set): cannot ask the Hub for the files of " + repo_id, "unset HF_HUB_OFFLINE");
    Session s(repo_id, opts, {});
    return repo_info(s);
}

std::string hub_download(const std::string& repo_id, const HubOptions& opts, const HubProgressFn& progress) {
    check_repo(repo_id, opts);
    if (hub_offline()) return offline_download(repo_id, opts);
    Session s(repo_id, opts, progress);
    HubRepoInfo info = repo_info(s);

    const fs::path hub = hf_hub_cache_dir();
    const fs::path repo = hub / repo_folder(repo_id, opts.repo_type);
    const fs::path snap = repo / "snapshots" / info.sha;
    std::error_code ec;
    fs::create_directories(repo / "blobs", ec);
    if (ec) throw InputError(repo.string(), 0, {}, "cannot create the cache folder: " + ec.message(), "set HF_HUB_CACHE or HF_HOME to a writable folder");
    if (opts.revision != info.sha) {
        const fs::path ref = repo / "refs" / opts.revision;
        if (trim(read_small_file(ref)) != info.sha) {
            fs::create_directories(ref.parent_path(), ec);
            write_file_atomic(ref.string(), info.sha);
        }
    }

    std::vector<HubFile> todo;
    int n_wanted = 0;
    for (const HubFile& f : info.files) {
        if (!wanted(f.path, opts.include)) continue;
        if (!hub::safe_relative_path(f.path)) throw HubNetworkError("the Hub listed an unsafe file name in " + repo_id + ": '" + f.path + "'");
        ++n_wanted;
        if (!fs::exists(snap / f.path, ec)) todo.push_back(f);  // exists() follows the link: the blob must be there
    }
    if (n_wanted == 0) {
        std::string pats, some;
        for (const std::string& p : opts.include) pats += (pats.empty() ? "" : " ") + p;
        for (size_t i = 0; i < info.files.size() && i < 8; ++i) some += (some.empty() ? "" : ", ") + info.files[i].path;
        throw InputError(repo_id, 0, "include", "no file of " + opts.repo_type + " " + repo_id + " matches " + (pats.empty() ? "(the repo is empty)" : pats),
                         some.empty() ? std::string() : "its files include: " + some);
    }
    s.progress.files_total = int(todo.size());
    s.progress.all_total = 0;
    for (const HubFile& f : todo) s.progress.all_total = f.size < 0 || s.progress.all_total < 0 ? -1 : s.progress.all_total + f.size;
    for (const HubFile& f : todo) {
        s.progress.file = f.path;
        s.progress.file_done = 0;
        s.progress.file_total = f.size;
        if (!s.tick()) s.throw_cancelled();
        FileMeta meta = file_meta(s, resolve_url(repo_id, opts.repo_type, info.sha, f.path));
        if (meta.size < 0) meta.size = f.size;  // from the file list when the headers did not say
        s.progress.file_total = meta.size;
        const fs::path blob = repo / "blobs" / meta.etag;
        if (!fs::exists(blob, ec)) {
            BlobLock lock(hub / ".locks" / repo_folder(repo_id, opts.repo_type) / (meta.etag + ".lock"), s);
            if (!fs::exists(blob, ec)) download_blob(s, meta, f.lfs_sha256, blob);
        }
        link_snapshot(snap / f.path, f.path, meta.etag);
        s.progress.all_done += s.progress.file_total >= 0 ? s.progress.file_total - s.progress.file_done : 0;
        s.progress.file_done = s.progress.file_total >= 0 ? s.progress.file_total : s.progress.file_done;
        ++s.progress.files_done;
        if (!s.tick()) s.throw_cancelled();
    }
    return snap.string();
}

std::vector<std::string> hub_model_patterns() {
    // Named shards only ("model-00001-of-00002.safetensors"): some repos also carry a consolidated
    // copy of the weights (consolidated.safetensors) that would double the download.
    return {"config.json",          "generation_config.json", "model.safetensors",      "model-*-of-*.safetensors",
            "model.safetensors.index.json", "adapter_config.json", "adapter_model.safetensors", "adapters.safetensors",
            "tokenizer.json",       "tokenizer_config.json",  "special_tokens_map.json", "tokenizer.model",
            "vocab.json",           "merges.txt",             "added_tokens.json",       "chat_template.jinja",
            "chat_template.json"};
}

namespace {

// A model folder with its config and every weight file (the index's shards all present).
bool model_folder_complete(const fs::path& dir) {
    std::error_code ec;
    if (!fs::exists(dir / "config.json", ec)) return false;
    if (fs::exists(dir / "model.safetensors", ec) || fs::exists(dir / "adapter_model.safetensors", ec) || fs::exists(dir / "adapters.safetensors", ec)) return true;
    const fs::path index = dir / "model.safetensors.index.json";
    if (!fs::exists(index, ec)) return false;
    try {
        nlohmann::json j = nlohmann::json::parse(read_file(index.string()));
        for (const auto& [name, shard] : j.at("weight_map").items())
            if (!shard.is_string() || !fs::exists(dir / shard.get<std::string>(), ec)) return false;
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace

std::string ensure_model(const std::string& id_or_path, const HubProgressFn& progress) {
    std::string p = id_or_path;
    if (p == "~" || p.rfind("~/", 0) == 0) p = home_dir() + p.substr(1);
    std::error_code ec;
    if (fs::is_directory(p, ec)) return p;
    std::string id = id_or_path, revision = "main";
    if (size_t at = id.find('@'); at != std::string::npos) revision = id.substr(at + 1), id = id.substr(0, at);
    std::string cached, not_cached;
    try {
        cached = resolve_model_dir(id_or_path);
    } catch (const InputError& e) {
        if (!valid_repo_id(id) || hub_offline()) throw;  // a bad path, or offline: resolve's message says where it looked
        not_cached = e.message;
    }
    if (!cached.empty()) {
        bool in_hf_cache = cached.rfind(hf_hub_cache_dir(), 0) == 0;
        if (!in_hf_cache || model_folder_complete(cached)) return cached;  // a local / LM Studio / bundled folder as is
        if (hub_offline())
            throw InputError(cached, 0, {}, "offline (HF_HUB_OFFLINE is set) and the cached model " + id + " is incomplete (config.json or weight files missing)",
                             "unset HF_HUB_OFFLINE so the missing files are downloaded");
    }
    HubOptions opts;
    opts.revision = revision;
    opts.include = hub_model_patterns();
    std::string snap;
    try {
        snap = hub_download(id, opts, progress);
    } catch (const HubNetworkError& e) {
        if (not_cached.empty()) throw;
        // not on this machine and the Hub cannot be reached: say both, as one input problem
        throw InputError(id, 0, "model", not_cached + "\nand the download failed: " + std::string(e.what()),
                         "check the network and HF_ENDPOINT, or give a local folder");
    }
    if (!model_folder_complete(snap))
        throw InputError(snap, 0, {}, "the Hub repo " + id + " has no config.json with safetensors weights (model.safetensors, or an index and its shards)",
                         "Reinforge trains safetensors checkpoints; pick a repo that has them (GGUF- or .bin-only repos cannot be loaded)");
    return snap;
}

}  // namespace rf
