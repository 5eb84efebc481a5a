// Downloads from the Hugging Face Hub (or any server speaking its HTTP API: HF_ENDPOINT) into the
// standard Hugging Face cache layout, shared with huggingface_hub, transformers, mlx-lm:
//   <hub>/models--ORG--NAME/blobs/<etag>                 file contents, named by etag (sha256 for LFS)
//   <hub>/models--ORG--NAME/snapshots/<commit>/<path>    relative symlinks to ../../blobs/<etag>
//   <hub>/models--ORG--NAME/refs/<revision>              the commit a branch/tag resolved to
// (datasets: datasets--ORG--NAME). <hub> is hf_hub_cache_dir() (io/hf_cache.h).
//
// Environment, as huggingface_hub documents it: HF_ENDPOINT (default https://huggingface.co),
// HF_TOKEN, else the token file $HF_TOKEN_PATH, else $HF_HOME/token (~/.cache/huggingface/token);
// HF_HUB_OFFLINE=1 (nothing is fetched: the cache is used or a clear error says it is offline);
// HF_HOME / HF_HUB_CACHE through hf_hub_cache_dir().
//
// Downloads are resumable (a partial blob `blobs/<etag>.incomplete` continues with HTTP Range),
// verified (sha256 of LFS files against their etag), atomic (the blob is renamed into place and the
// snapshot symlink is made only after verification), retried on timeouts, 429 and 5xx with backoff,
// and cancellable from the progress callback (the partial file stays, to be resumed).
#pragma once
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace rf {

struct HubFile {
    std::string path;      // repo-relative ("model.safetensors", "main/train-00000-of-00001.parquet")
    int64_t size = -1;     // bytes, -1 when the server did not say
    std::string lfs_sha256;  // empty for regular (git) files
};

struct HubRepoInfo {
    std::string id, repo_type;  // repo_type: "model" | "dataset"
    std::string sha;            // the commit the revision resolved to
    std::vector<HubFile> files;
};

// Called during downloads: the file, bytes done and total (-1 unknown) of that file, and the same
// for the whole download. Return false to cancel (the download then throws HubCancelled).
struct HubProgress {
    std::string file;
    int64_t file_done = 0, file_total = -1;
    int64_t all_done = 0, all_total = -1;
    int files_done = 0, files_total = 0;
};
using HubProgressFn = std::function<bool(const HubProgress&)>;

struct HubCancelled : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The Hub could not be reached or kept failing (connection refused, timeouts, 429 or 5xx after
// every retry), or sent something that cannot be right (a blob whose sha256 is not its etag). The
// message names the URL. Bad ids, gated repos and missing files are InputError instead.
struct HubNetworkError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct HubOptions {
    std::string repo_type = "model";   // "model" | "dataset"
    std::string revision = "main";     // branch, tag or commit
    std::vector<std::string> include;  // glob patterns (fnmatch, '*' crosses '/'); empty = every file
    int timeout_s = 30;                // connect / stalled-transfer timeout
    int retries = 4;                   // per request, on timeouts, 429 and 5xx
    int backoff_ms = 1000;             // first wait before a retry; doubles each time, at most 8x
    // The longest file list (repo-info JSON) read: the Hub asks to keep a repo under 100,000 files,
    // and with blobs=true an entry takes ~150-300 bytes (path, size, blob id, LFS sha256), so the
    // largest lists are ~30 MB; 64 MiB leaves room for that and bounds what a wrong server costs.
    size_t max_list_bytes = size_t(64) << 20;
};

// True when HF_HUB_OFFLINE is set to 1/true/yes/on.
bool hub_offline();
// HF_ENDPOINT or https://huggingface.co, without a trailing slash.
std::string hub_endpoint();

// The repo's files at `opts.revision` (GET /api/{models|datasets}/ID/revision/REV). Throws
// InputError with the HTTP status explained (401/403: gated or private — set HF_TOKEN or run
// `huggingface-cli login`; 404: no such repo or revision) and a network error naming the endpoint.
HubRepoInfo hub_repo_info(const std::string& repo_id, const HubOptions& opts);
// The JSON of GET /api/{repo_type}s/{id}/revision/{rev}?blobs=true (what hub_repo_info reads): the
// commit sha and the files. Throws HubNetworkError naming `url` when the text is not that JSON or has
// no commit sha. A server's reply is untrusted input (tests/fuzz/fuzz_hub_repo_info.cpp).
HubRepoInfo parse_repo_info(const std::string& json_text, const std::string& repo_id, const std::string& repo_type,
                            const std::string& url);

// Downloads the files of `repo_id` matching `opts.include` that are not already in the cache and
// returns the snapshot folder (<hub>/<kind>s--ORG--NAME/snapshots/<commit>). Writes refs/<revision>
// when the revision is a branch or tag. Offline (HF_HUB_OFFLINE): returns the cached snapshot of the
// revision (refs/<revision> or the commit folder); as the repo's file list cannot be read offline,
// it checks only that the snapshot holds a file matching `opts.include` (ensure_model checks a
// model's config and weights on top), else throws InputError saying it is offline and what is missing.
std::string hub_download(const std::string& repo_id, const HubOptions& opts, const HubProgressFn& progress = {});

// What a model needs to load and train: config.json, generation_config.json, the safetensors
// weights (single file, or the index and its shards), the tokenizer files (tokenizer.json,
// tokenizer_config.json, special_tokens_map.json, tokenizer.model, vocab.json, merges.txt,
// added_tokens.json, chat_template.jinja/json), adapter_config.json. Patterns for HubOptions::include.
std::vector<std::string> hub_model_patterns();

// The folder of a model: an existing local path as is; a cached id (io/hf_cache.h); otherwise the
// model is downloaded (hub_model_patterns()) unless offline. `progress` may be empty.
std::string ensure_model(const std::string& id_or_path, const HubProgressFn& progress = {});

}  // namespace rf
