// The Hub client (io/hub_client.h) against a loopback fake Hub (tests/support/fake_hub.py, started
// once for the suite): the cache layout huggingface_hub documents, resume with Range, sha256
// verification, HTTP errors and retries, offline mode, cancel, include globs, datasets, and a
// cross-check of the cache tree against the one @huggingface/hub (Hugging Face's JS client, run in
// node) writes from the same server.
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <curl/curl.h>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.h"
#include "core/sha256.h"
#include "io/hub_client.h"
#include "io/hub_http.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const fs::path kSource = fs::path(REINFORGE_FIXTURES).parent_path().parent_path();

std::string slurp(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

void put(const fs::path& p, const std::string& data) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << data;
}

std::string random_bytes(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::string s(n, '\0');
    for (char& c : s) c = char(rng() & 0xFF);
    return s;
}

size_t on_write(char* d, size_t s, size_t n, void* u) {
    static_cast<std::string*>(u)->append(d, s * n);
    return s * n;
}

// A plain HTTP call to the fake Hub's test hooks (not through the client under test).
std::string http(const std::string& url, const std::string& post_body = {}, bool post = false) {
    CURL* c = curl_easy_init();
    std::string out;
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &on_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
    if (post) curl_easy_setopt(c, CURLOPT_POSTFIELDS, post_body.c_str());
    EXPECT_EQ(curl_easy_perform(c), CURLE_OK) << url;
    curl_easy_cleanup(c);
    return out;
}

// FIPS 180-4 examples (and NIST's one-million-'a' vector), through the portable code and the SHA-NI
// one where the CPU has it, fed in odd-sized pieces.
TEST(HubClientSha256, KnownVectorsAndBothCodePathsAgree) {
    const std::pair<std::string, std::string> cases[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {std::string(1000000, 'a'), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
    };
    for (bool hw : {false, true}) {
        for (const auto& [in, want] : cases) {
            rf::Sha256 h(hw);
            for (size_t i = 0, step = 1; i < in.size(); i += step, step = step * 7 % 1009 + 1) h.update(in.data() + i, std::min(step, in.size() - i));
            EXPECT_EQ(h.hex_digest(), want) << "hardware " << hw << ", " << in.size() << " bytes";
        }
    }
    const std::string data = random_bytes(1 << 20, 9);
    rf::Sha256 portable(false), fast;
    portable.update(data.data(), data.size());
    fast.update(data.data(), data.size());
    EXPECT_EQ(portable.hex_digest(), fast.hex_digest());
    std::printf("SHA-NI %s\n", rf::Sha256::hardware_available() ? "used" : "not available: portable code only");
}

// Include patterns follow Python's fnmatch as huggingface_hub uses it: '*' also crosses '/'.
TEST(HubClientGlob, MatchesLikePythonFnmatch) {
    struct Case {
        const char *pattern, *path;
        bool match;
    } cases[] = {
        {"*.json", "config.json", true},          {"*.json", "sub/x.json", true},
        {"*.json", "config.json.bak", false},     {"config.json", "config.json", true},
        {"model-*-of-*.safetensors", "model-00001-of-00002.safetensors", true},
        {"model-*-of-*.safetensors", "model.safetensors", false},
        {"?.txt", "a.txt", true},                 {"?.txt", "ab.txt", false},
        {"[ab].txt", "b.txt", true},              {"[!ab].txt", "b.txt", false},
        {"[!ab].txt", "c.txt", true},             {"data-[0-9]*", "data-7.parquet", true},
        {"data-[0-9]*", "data-x.parquet", false}, {"[", "[", true},
        {"*", "", true},                          {"", "", true},
        {"**/*.md", "a/b/README.md", true},       {"sub/*", "sub/deep/x", true},
    };
    for (const Case& c : cases) EXPECT_EQ(rf::hub::glob_match(c.pattern, c.path), c.match) << c.pattern << " vs " << c.path;
    EXPECT_EQ(rf::hub::normalize_etag("W/\"abc\""), "abc");
    EXPECT_EQ(rf::hub::normalize_etag("\"abc\""), "abc");
    EXPECT_FALSE(rf::hub::safe_relative_path("../x"));
    EXPECT_FALSE(rf::hub::safe_relative_path("/etc/passwd"));
    EXPECT_FALSE(rf::hub::safe_relative_path("a//b"));
    EXPECT_TRUE(rf::hub::safe_relative_path("a/b.txt"));
}

class HubClient : public ::testing::Test {
protected:
    static inline fs::path root, repos;
    static inline std::string endpoint;
    static inline pid_t server = -1;
    fs::path cache;

    static void SetUpTestSuite() {
        root = fs::path(REINFORGE_TEST_CACHE) / ("hub-client-" + std::to_string(::getpid()));
        fs::remove_all(root);
        repos = root / "repos";
        const fs::path tiny = repos / "models/org/tiny";
        put(tiny / "config.json", R"({"model_type": "llama", "hidden_size": 16})");
        put(tiny / "tokenizer.json", std::string(R"({"version": "1.0", "pad": ")") + std::string(3000, 'x') + "\"}");  // > 1 KB: LFS
        put(tiny / "model.safetensors", random_bytes(4096, 1));
        put(tiny / "README.md", "# tiny\n");
        put(tiny / "sub/notes.txt", "nested file\n");
        put(tiny / "sub/deeper/weights.bin", random_bytes(1500, 2));
        put(repos / "models/org/gated/config.json", "{}");
        put(repos / "models/org/gated/model.safetensors", random_bytes(2000, 3));
        put(repos / "models/org/gated/.hub.json", R"({"token": "hf_secret"})");
        put(repos / "models/org/big/big.bin", random_bytes(3 << 20, 4));
        put(repos / "datasets/org/data/README.md", "# data\n");
        put(repos / "datasets/org/data/main/train-00000-of-00001.parquet", random_bytes(2048, 5));

        int fds[2];
        ASSERT_EQ(::pipe(fds), 0);
        server = ::fork();
        if (server == 0) {
            ::dup2(fds[1], 1);
            ::close(fds[0]);
            std::string script = (kSource / "tests/support/fake_hub.py").string();
            ::execlp("python3", "python3", script.c_str(), repos.c_str(), (char*)nullptr);
            ::_exit(127);
        }
        ::close(fds[1]);
        FILE* f = ::fdopen(fds[0], "r");
        char line[64] = {0};
        ASSERT_NE(std::fgets(line, sizeof line, f), nullptr) << "fake_hub.py did not start";
        std::fclose(f);
        endpoint = "http://127.0.0.1:" + std::to_string(std::atoi(line));
    }

    static void TearDownTestSuite() {
        if (server > 0) {
            ::kill(server, SIGTERM);
            ::waitpid(server, nullptr, 0);
        }
        fs::remove_all(root);
    }

    void SetUp() override {
        ASSERT_GT(server, 0);
        cache = root / ("cache-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
        fs::remove_all(cache);
        ::setenv("HF_HUB_CACHE", cache.c_str(), 1);
        ::setenv("HF_ENDPOINT", endpoint.c_str(), 1);
        ::setenv("HF_TOKEN_PATH", (root / "no-token").c_str(), 1);
        ::unsetenv("HF_TOKEN");
        ::unsetenv("HF_HUB_OFFLINE");
        ::setenv("no_proxy", "127.0.0.1,localhost", 1);  // a proxy in the environment must not see loopback
        ::setenv("NO_PROXY", "127.0.0.1,localhost", 1);
        control(json::object());
        log(true);
    }

    static void control(const json& c) { http(endpoint + "/_control", c.dump(), true); }
    static json log(bool clear = false) { return json::parse(http(endpoint + "/_log" + (clear ? "?clear=1" : ""))); }
    static rf::HubOptions fast() {
        rf::HubOptions o;
        o.backoff_ms = 5;
        o.timeout_s = 10;
        return o;
    }
    static int count(const json& lg, const std::string& needle, const std::string& method = {}) {
        int n = 0;
        for (const auto& e : lg) n += e["path"].get<std::string>().find(needle) != std::string::npos && (method.empty() || e["method"] == method);
        return n;
    }
    // Every entry under `dir` that is a file or a link (what a reader could pick up).
    static std::vector<std::string> entries(const fs::path& dir) {
        std::vector<std::string> out;
        std::error_code ec;
        for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
            if (!it->is_directory() || it->is_symlink()) out.push_back(it->path().lexically_relative(dir).generic_string());
        std::sort(out.begin(), out.end());
        return out;
    }
};

TEST_F(HubClient, DownloadWritesTheDocumentedCacheLayout) {
    rf::HubRepoInfo info = rf::hub_repo_info("org/tiny", fast());
    ASSERT_EQ(info.sha.size(), 40u);
    ASSERT_EQ(info.files.size(), 6u);
    std::string snap = rf::hub_download("org/tiny", fast());
    const fs::path repo = cache / "models--org--tiny";
    EXPECT_EQ(fs::path(snap), repo / "snapshots" / info.sha);
    EXPECT_EQ(slurp(repo / "refs/main"), info.sha);  // no newline, as huggingface_hub writes it
    for (const rf::HubFile& f : info.files) {
        SCOPED_TRACE(f.path);
        const fs::path link = fs::path(snap) / f.path;
        ASSERT_TRUE(fs::is_symlink(link));
        const std::string content = slurp(repos / "models/org/tiny" / f.path);
        // Blob name: the sha256 of the content for LFS files (computed here), else the git blob sha1
        // the server sent (the repo info's blobId, the same as its ETag without W/ and quotes).
        std::string blob_name = !f.lfs_sha256.empty() ? rf::sha256_hex(content) : std::string();
        if (blob_name.empty()) {
            const json listing = json::parse(http(endpoint + "/api/models/org/tiny/revision/main"));
            for (const auto& s : listing["siblings"])
                if (s["rfilename"].get<std::string>() == f.path) blob_name = s["blobId"].get<std::string>();
        }
        EXPECT_EQ(f.lfs_sha256.empty(), f.size <= 1024 && f.path.find(".safetensors") == std::string::npos && f.path.find(".bin") == std::string::npos);
        std::string up = "../../";
        for (char c : f.path) up += c == '/' ? "../" : "";
        EXPECT_EQ(fs::read_symlink(link).string(), up + "blobs/" + blob_name);
        EXPECT_EQ(slurp(repo / "blobs" / blob_name), content);
        EXPECT_EQ(slurp(link), content);
    }
    EXPECT_EQ(entries(repo / "blobs").size(), 6u);  // no .incomplete left
    // LFS files came from the CDN path after the resolve redirect; HEAD first, as huggingface_hub.
    json lg = log();
    EXPECT_EQ(count(lg, "/cdn/", "GET"), 3);
    EXPECT_EQ(count(lg, "/resolve/", "HEAD"), 6);
}

TEST_F(HubClient, SecondDownloadFetchesNothing) {
    std::string a = rf::hub_download("org/tiny", fast());
    log(true);
    std::string b = rf::hub_download("org/tiny", fast());
    EXPECT_EQ(a, b);
    json lg = log();
    ASSERT_EQ(lg.size(), 1u) << lg.dump();  // only the revision -> commit lookup
    EXPECT_NE(lg[0]["path"].get<std::string>().find("/api/models/org/tiny/revision/main"), std::string::npos);
}

TEST_F(HubClient, ResumesWithRangeAfterADroppedConnection) {
    control({{"faults", {{{"match", "/cdn/"}, {"method", "GET"}, {"mode", "drop"}, {"after", 1000}, {"times", 1}}}}});
    rf::HubOptions o = fast();
    o.include = {"model.safetensors"};
    std::string snap = rf::hub_download("org/tiny", o);
    EXPECT_EQ(slurp(fs::path(snap) / "model.safetensors"), slurp(repos / "models/org/tiny/model.safetensors"));
    json lg = log();
    bool resumed = false;
    for (const auto& e : lg) resumed |= e["range"] == "bytes=1000-" && e["status"] == 206;
    EXPECT_TRUE(resumed) << lg.dump(1);
}

TEST_F(HubClient, ConnectionsThatBringBytesDoNotUseUpRetries) {
    // Five drops, 500 bytes each, with retries = 2: every connection moved the download on.
    control({{"faults", {{{"match", "/cdn/"}, {"method", "GET"}, {"mode", "drop"}, {"after", 500}, {"times", 5}}}}});
    rf::HubOptions o = fast();
    o.retries = 2;
    o.include = {"model.safetensors"};
    std::string snap = rf::hub_download("org/tiny", o);
    EXPECT_EQ(slurp(fs::path(snap) / "model.safetensors"), slurp(repos / "models/org/tiny/model.safetensors"));
    EXPECT_EQ(count(log(), "/cdn/", "GET"), 6);
}

TEST_F(HubClient, StartsOverWhenTheServerIgnoresRange) {
    control({{"faults", {{{"match", "/cdn/"}, {"method", "GET"}, {"mode", "drop"}, {"after", 700}, {"times", 1}},
                         {{"match", "/cdn/"}, {"method", "GET"}, {"mode", "ignore_range"}, {"times", 1}}}}});
    rf::HubOptions o = fast();
    o.include = {"model.safetensors"};
    std::string snap = rf::hub_download("org/tiny", o);
    EXPECT_EQ(slurp(fs::path(snap) / "model.safetensors"), slurp(repos / "models/org/tiny/model.safetensors"));
}

TEST_F(HubClient, StartsOverOnceWhenABlobArrivesCorrupt) {
    control({{"faults", {{{"match", "/cdn/"}, {"method", "GET"}, {"mode", "corrupt"}, {"after", 100}, {"times", 1}}}}});
    rf::HubOptions o = fast();
    o.include = {"model.safetensors"};
    std::string snap = rf::hub_download("org/tiny", o);
    EXPECT_EQ(slurp(fs::path(snap) / "model.safetensors"), slurp(repos / "models/org/tiny/model.safetensors"));
    json lg = log();
    EXPECT_EQ(count(lg, "/cdn/", "GET"), 2);
    for (const auto& e : lg) EXPECT_TRUE(e["range"].is_null()) << "a corrupt file is not resumed: " << e.dump();
}

TEST_F(HubClient, RejectsABlobWhoseSha256IsNotItsEtag) {
    control({{"faults", {{{"match", "/cdn/"}, {"method", "GET"}, {"mode", "corrupt"}, {"after", 100}, {"times", 100}}}}});
    rf::HubOptions o = fast();
    o.include = {"model.safetensors"};
    try {
        rf::hub_download("org/tiny", o);
        FAIL() << "a corrupt blob was accepted";
    } catch (const rf::HubNetworkError& e) {
        EXPECT_NE(std::string(e.what()).find("sha256"), std::string::npos) << e.what();
    }
    const fs::path repo = cache / "models--org--tiny";
    EXPECT_TRUE(entries(repo / "snapshots").empty());
    EXPECT_TRUE(entries(repo / "blobs").empty());  // the corrupt partial file is not kept for resuming
}

TEST_F(HubClient, GatedRepoNeedsTheTokenWhichNeverGoesToTheCdnHost) {
    try {
        rf::hub_download("org/gated", fast());
        FAIL() << "no error without a token";
    } catch (const rf::InputError& e) {
        std::string m = e.what();
        EXPECT_NE(m.find("gated or private"), std::string::npos) << m;
        EXPECT_NE(m.find("HF_TOKEN"), std::string::npos) << m;
    }
    ::setenv("HF_TOKEN", "hf_wrong", 1);
    try {
        rf::hub_download("org/gated", fast());
        FAIL() << "no error with a wrong token";
    } catch (const rf::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("token was sent and refused"), std::string::npos) << e.what();
    }
    // The token file ($HF_TOKEN_PATH) is read when HF_TOKEN is unset; the CDN is another host name.
    ::unsetenv("HF_TOKEN");
    put(root / "token-file", "hf_secret\n");
    ::setenv("HF_TOKEN_PATH", (root / "token-file").c_str(), 1);
    control({{"cdn_host", "localhost"}});
    log(true);
    std::string snap = rf::hub_download("org/gated", fast());
    EXPECT_EQ(slurp(fs::path(snap) / "model.safetensors"), slurp(repos / "models/org/gated/model.safetensors"));
    json lg = log();
    ASSERT_EQ(count(lg, "/cdn/", "GET"), 1) << lg.dump(1);
    for (const auto& e : lg) {
        bool cdn = e["path"].get<std::string>().rfind("/cdn/", 0) == 0;
        EXPECT_EQ(e["auth"].is_null(), cdn) << e.dump();  // Bearer to the Hub, nothing to the CDN
        if (!cdn) {
            EXPECT_EQ(e["auth"], "Bearer hf_secret");
        }
    }
}

TEST_F(HubClient, NotFoundErrorsSayWhatIsMissing) {
    try {
        rf::hub_download("org/nope", fast());
        FAIL();
    } catch (const rf::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("no such model 'org/nope'"), std::string::npos) << e.what();
    }
    rf::HubOptions o = fast();
    o.revision = "v9";
    try {
        rf::hub_download("org/tiny", o);
        FAIL();
    } catch (const rf::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("no revision 'v9'"), std::string::npos) << e.what();
    }
    o = fast();
    o.include = {"*.gguf"};
    EXPECT_THROW(rf::hub_download("org/tiny", o), rf::InputError);  // nothing matches
    EXPECT_THROW(rf::hub_download("not a repo", fast()), rf::InputError);
}

TEST_F(HubClient, RetriesOn429And500ThenGivesUpNamingTheUrl) {
    control({{"faults", {{{"match", "/api/"}, {"mode", "429"}, {"times", 2}},
                         {{"match", "/resolve/"}, {"method", "HEAD"}, {"mode", "500"}, {"times", 1}},
                         {{"match", "/cdn/"}, {"method", "GET"}, {"mode", "500"}, {"times", 1}}}}});
    std::string snap = rf::hub_download("org/tiny", fast());
    EXPECT_TRUE(fs::exists(fs::path(snap) / "model.safetensors"));
    json lg = log();
    int n429 = 0, n500 = 0;
    for (const auto& e : lg) n429 += e["status"] == 429, n500 += e["status"] == 500;
    EXPECT_EQ(n429, 2);
    EXPECT_EQ(n500, 2);

    fs::remove_all(cache);
    control({{"faults", {{{"match", "/api/"}, {"mode", "500"}, {"times", 100}}}}});
    rf::HubOptions o = fast();
    o.retries = 2;
    try {
        rf::hub_download("org/tiny", o);
        FAIL();
    } catch (const rf::HubNetworkError& e) {
        std::string m = e.what();
        EXPECT_NE(m.find(endpoint + "/api/models/org/tiny/revision/main"), std::string::npos) << m;
        EXPECT_NE(m.find("3 tries"), std::string::npos) << m;
    }
    // Nothing listening: a connection error, retried, naming the URL.
    ::setenv("HF_ENDPOINT", "http://127.0.0.1:1", 1);
    EXPECT_THROW(rf::hub_download("org/tiny", o), rf::HubNetworkError);
}

// The repo-info answer (the file list) is read up to HubOptions::max_list_bytes (64 MiB): a 3 MiB
// list, valid JSON, is read whole (it used to be cut at 1 MiB and fail to parse); one over the cap
// is a clear error naming the repo and the URL, stops the transfer and is not retried.
TEST_F(HubClient, AFileListOverTheCapIsAClearError) {
    control({{"faults", {{{"match", "/api/"}, {"mode", "pad"}, {"bytes", 3 << 20}, {"times", 1}}}}});
    std::string snap = rf::hub_download("org/tiny", fast());
    EXPECT_TRUE(fs::exists(fs::path(snap) / "config.json"));

    fs::remove_all(cache);
    control({{"faults", {{{"match", "/api/"}, {"mode", "pad"}, {"bytes", 8 << 20}, {"times", 100}}}}});
    log(true);
    rf::HubOptions o = fast();
    o.max_list_bytes = size_t(2) << 20;
    try {
        rf::hub_download("org/tiny", o);
        FAIL() << "an 8 MiB file list was read with a 2 MiB cap";
    } catch (const rf::HubNetworkError& e) {
        std::string m = e.what();
        EXPECT_NE(m.find("the file list of org/tiny from " + endpoint + "/api/models/org/tiny/revision/main"), std::string::npos) << m;
        EXPECT_NE(m.find("is longer than 2 MiB"), std::string::npos) << m;
    }
    EXPECT_EQ(count(log(), "/api/"), 1);
}

TEST_F(HubClient, OfflineUsesTheCacheOrSaysItIsOffline) {
    ::setenv("HF_HUB_OFFLINE", "1", 1);
    EXPECT_TRUE(rf::hub_offline());
    try {
        rf::hub_download("org/tiny", fast());
        FAIL();
    } catch (const rf::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("offline"), std::string::npos) << e.what();
    }
    EXPECT_THROW(rf::ensure_model("org/tiny"), rf::InputError);
    ::unsetenv("HF_HUB_OFFLINE");
    std::string snap = rf::hub_download("org/tiny", fast());
    ::setenv("HF_HUB_OFFLINE", "true", 1);
    log(true);
    EXPECT_EQ(rf::hub_download("org/tiny", fast()), snap);
    EXPECT_EQ(rf::ensure_model("org/tiny"), snap);
    EXPECT_TRUE(log().empty());
}

TEST_F(HubClient, CancelKeepsTheIncompleteFileAndALaterCallResumes) {
    rf::HubOptions o = fast();
    try {
        rf::hub_download("org/big", o, [&](const rf::HubProgress& p) {
            if (!p.file.empty()) {
                EXPECT_EQ(p.file_total, 3 << 20);  // (before the file list is read, no file)
            }
            return p.file_done < (1 << 20);
        });
        FAIL() << "not cancelled";
    } catch (const rf::HubCancelled&) {
    }
    const fs::path repo = cache / "models--org--big";
    std::vector<std::string> blobs = entries(repo / "blobs");
    ASSERT_EQ(blobs.size(), 1u);
    EXPECT_NE(blobs[0].find(".incomplete"), std::string::npos);
    int64_t partial = int64_t(fs::file_size(repo / "blobs" / blobs[0]));
    EXPECT_GE(partial, 1 << 20);
    EXPECT_LT(partial, 3 << 20);
    EXPECT_TRUE(entries(repo / "snapshots").empty());
    log(true);
    int64_t last_all = -1;
    std::string snap = rf::hub_download("org/big", o, [&](const rf::HubProgress& p) {
        last_all = p.all_done;
        if (!p.file.empty()) {
            EXPECT_EQ(p.all_total, 3 << 20);
        }
        return true;
    });
    EXPECT_EQ(last_all, 3 << 20);
    EXPECT_EQ(slurp(fs::path(snap) / "big.bin"), slurp(repos / "models/org/big/big.bin"));
    json lg = log();
    bool ranged = false;
    for (const auto& e : lg) ranged |= e["range"] == "bytes=" + std::to_string(partial) + "-" && e["status"] == 206;
    EXPECT_TRUE(ranged) << lg.dump(1);
}

TEST_F(HubClient, IncludeGlobsSelectFilesAcrossFolders) {
    rf::HubOptions o = fast();
    o.include = {"*.json", "sub/deeper/"};
    std::string snap = rf::hub_download("org/tiny", o);
    EXPECT_EQ(entries(snap), (std::vector<std::string>{"config.json", "sub/deeper/weights.bin", "tokenizer.json"}));
    o.include = {"*.txt", "READ?E.[lm]d"};  // '*' crosses '/'
    rf::hub_download("org/tiny", o);
    EXPECT_EQ(entries(snap), (std::vector<std::string>{"README.md", "config.json", "sub/deeper/weights.bin", "sub/notes.txt", "tokenizer.json"}));
}

TEST_F(HubClient, DatasetReposUseTheirOwnPaths) {
    rf::HubOptions o = fast();
    o.repo_type = "dataset";
    std::string snap = rf::hub_download("org/data", o);
    EXPECT_EQ(fs::path(snap).parent_path().parent_path(), cache / "datasets--org--data");
    EXPECT_EQ(fs::read_symlink(fs::path(snap) / "main/train-00000-of-00001.parquet").string(),
              "../../../blobs/" + rf::sha256_hex(slurp(repos / "datasets/org/data/main/train-00000-of-00001.parquet")));
    json lg = log();
    EXPECT_EQ(count(lg, "/api/datasets/org/data/revision/main"), 1);
    EXPECT_EQ(count(lg, "/datasets/org/data/resolve/", "HEAD"), 2);
    EXPECT_EQ(count(lg, "/cdn/dataset/org/data/", "GET"), 1);
}

TEST_F(HubClient, EnsureModelTakesAFolderTheCacheOrDownloadsWhatAModelNeeds) {
    EXPECT_EQ(rf::ensure_model((repos / "models/org/tiny").string()), (repos / "models/org/tiny").string());
    std::string snap = rf::ensure_model("org/tiny");
    EXPECT_EQ(entries(snap), (std::vector<std::string>{"config.json", "model.safetensors", "tokenizer.json"}));
    log(true);
    EXPECT_EQ(rf::ensure_model("org/tiny"), snap);
    EXPECT_TRUE(log().empty());  // cached and complete: no request at all
    // A repo without safetensors weights: what matches is downloaded, then a clear error.
    try {
        rf::ensure_model("org/data");  // (a model repo of that name does not exist)
        FAIL();
    } catch (const rf::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("no such model"), std::string::npos) << e.what();
    }
    put(repos / "models/org/binonly/config.json", "{}");
    put(repos / "models/org/binonly/pytorch_model.bin", random_bytes(2000, 6));
    try {
        rf::ensure_model("org/binonly");
        FAIL();
    } catch (const rf::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("safetensors"), std::string::npos) << e.what();
    }
}

// The same repo downloaded by @huggingface/hub (snapshotDownload, in node) into a second cache: the
// two trees must match: same paths, same symlink targets, same blob bytes. @huggingface/hub names
// blobs from its paths-info call (lfs.oid, else the git oid) where huggingface_hub uses the resolve
// ETags; with a Hub that is consistent, as the fake one is, the names agree. It creates no .locks/.
TEST_F(HubClient, CacheTreeMatchesHuggingFaceJsClient) {
    const fs::path node_cache = fs::path(REINFORGE_TEST_CACHE) / "hf-hub-js";
    std::string fetch = "bash '" + (kSource / "tests/reference/fetch_hf_hub_js.sh").string() + "' '" + node_cache.string() + "'";
    int rc = std::system(fetch.c_str());
    if (WIFEXITED(rc) && WEXITSTATUS(rc) == 3) GTEST_SKIP() << "npm could not fetch @huggingface/hub";
    ASSERT_EQ(rc, 0);
    const fs::path js_cache = root / ("js-cache-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(js_cache);
    for (const std::string type : {"model", "dataset"}) {
        SCOPED_TRACE(type);
        const std::string id = type == "model" ? "org/tiny" : "org/data";
        std::string cmd = "node '" + (kSource / "tests/reference/hf_hub_js_snapshot.mjs").string() + "' '" + node_cache.string() + "' " + endpoint + " " +
                          type + " " + id + " '" + js_cache.string() + "'";
        ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
        rf::HubOptions o = fast();
        o.repo_type = type;
        rf::hub_download(id, o);
        const std::string folder = type + "s--org--" + (type == "model" ? "tiny" : "data");
        const fs::path a = cache / folder, b = js_cache / folder;
        std::vector<std::string> ours = entries(a), theirs = entries(b);
        EXPECT_EQ(ours, theirs);
        for (const std::string& e : ours) {
            SCOPED_TRACE(e);
            if (fs::is_symlink(a / e)) {
                ASSERT_TRUE(fs::is_symlink(b / e));
                EXPECT_EQ(fs::read_symlink(a / e), fs::read_symlink(b / e));
            } else {
                EXPECT_EQ(slurp(a / e), slurp(b / e));
            }
        }
    }
}

}  // namespace
