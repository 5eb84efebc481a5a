#include "io/hub_http.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <curl/curl.h>
#include <filesystem>
#include <mutex>
#include <pwd.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/error.h"

namespace rf::hub {

namespace {

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string lower(std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string trim(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    size_t i = 0;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    return s.substr(i);
}

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

std::string home_dir() {
    if (std::string h = env("HOME"); !h.empty()) return h;
    if (const passwd* pw = ::getpwuid(::getuid())) return pw->pw_dir;
    return "/";
}

std::string read_small_file(const std::filesystem::path& p) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(p, ec)) return {};
    try {
        return read_file(p.string());
    } catch (const InputError&) {
        return {};
    }
}

// Python's fnmatch with '*' crossing '/' (huggingface_hub filter_repo_objects): *, ?, [seq], [!seq].
bool glob_match_c(const char* p, const char* s) {
    for (; *p; ++p, ++s) {
        if (*p == '*') {
            while (p[1] == '*') ++p;
            for (const char* t = s;; ++t) {
                if (glob_match_c(p + 1, t)) return true;
                if (!*t) return false;
            }
        }
        if (!*s) return false;
        if (*p == '?') continue;
        if (*p == '[') {
            const char* q = p + 1;
            bool negate = *q == '!';
            if (negate) ++q;
            const char* start = q;
            bool hit = false;
            while (*q && (*q != ']' || q == start)) {
                if (q[1] == '-' && q[2] && q[2] != ']') {
                    hit |= *s >= q[0] && *s <= q[2];
                    q += 3;
                } else {
                    hit |= *s == *q++;
                }
            }
            if (*q == ']') {
                if (hit == negate) return false;
                p = q;
                continue;
            }
            // no closing ']': a literal '['
        }
        if (*p != *s) return false;
    }
    return !*s;
}

struct Transfer {
    const HttpRequest* req;
    HttpResponse* resp;
    CURL* curl;
};

size_t on_header(char* data, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    std::string line(data, size * n);
    if (line.rfind("HTTP/", 0) == 0) {
        t->resp->headers.clear();  // a new answer (after a redirect or a 100 Continue)
    } else if (size_t colon = line.find(':'); colon != std::string::npos) {
        t->resp->headers[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
    }
    return size * n;
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const size_t bytes = size * n;
    long status = 0;
    curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status < 300 && t->req->sink) {
        if (!t->req->sink(int(status), data, bytes)) {
            t->resp->sink_stopped = true;
            return 0;
        }
        return bytes;
    }
    const size_t room = t->req->max_body - std::min(t->req->max_body, t->resp->body.size());
    t->resp->body.append(data, std::min(bytes, room));
    if (bytes > room) {  // stop: the rest would be dropped anyway, and a server might never end it
        t->resp->body_truncated = true;
        return 0;
    }
    return bytes;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* t = static_cast<Transfer*>(user);
    if (t->req->tick && !t->req->tick()) {
        t->resp->cancelled = true;
        return 1;
    }
    return 0;
}

}  // namespace

std::string HttpResponse::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
}

struct HttpClient::Impl {
    CURL* curl = nullptr;
};

HttpClient::HttpClient() : m(std::make_unique<Impl>()) {
    global_init();
    m->curl = curl_easy_init();
    RF_CHECK(m->curl != nullptr, "curl_easy_init failed");
}

HttpClient::~HttpClient() { curl_easy_cleanup(m->curl); }

HttpResponse HttpClient::perform(const HttpRequest& req) {
    HttpResponse resp;
    CURL* c = m->curl;
    curl_easy_reset(c);  // keeps the connection cache: the next request reuses the connection
    Transfer t{&req, &resp, c};
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, &curl_slist_free_all);
    for (const std::string& h : req.headers) headers.reset(curl_slist_append(headers.release(), h.c_str()));
    curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_USERAGENT, "reinforge/" REINFORGE_VERSION);
    if (req.method == "HEAD") curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, req.follow_redirects ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(c, CURLOPT_UNRESTRICTED_AUTH, 0L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, long(req.timeout_s));
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);  // a stall of timeout_s seconds is a timeout
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, long(req.timeout_s));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 512L * 1024);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    resp.status = int(status);
    if (rc != CURLE_OK && !resp.cancelled && !resp.sink_stopped && !resp.body_truncated)
        resp.transport_error = std::string(curl_easy_strerror(rc)) + (errbuf[0] ? std::string(": ") + errbuf : std::string());
    return resp;
}

std::string url_quote(std::string_view s, bool keep_slash) {
    static const char* hexd = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) out += char(c);
        else out += '%', out += hexd[c >> 4], out += hexd[c & 15];
    }
    return out;
}

std::string url_origin(const std::string& url) {
    size_t scheme_end = url.find("://");
    if (scheme_end == std::string::npos) return {};
    size_t end = url.find_first_of("/?#", scheme_end + 3);
    std::string origin = lower(url.substr(0, end));
    // An explicit default port names the same origin as none.
    auto strip = [&](const char* scheme, const char* port) {
        if (origin.rfind(scheme, 0) == 0 && origin.size() > std::string(port).size() &&
            origin.compare(origin.size() - std::string(port).size(), std::string::npos, port) == 0)
            origin.resize(origin.size() - std::string(port).size());
    };
    strip("https://", ":443");
    strip("http://", ":80");
    return origin;
}

std::string url_join(const std::string& base, const std::string& location) {
    if (location.find("://") != std::string::npos) return location;
    if (!location.empty() && location[0] == '/') {
        size_t scheme_end = base.find("://");
        size_t end = base.find_first_of("/?#", scheme_end == std::string::npos ? 0 : scheme_end + 3);
        return base.substr(0, end) + location;
    }
    size_t q = base.find_first_of("?#");
    std::string b = base.substr(0, q);
    return b.substr(0, b.rfind('/') + 1) + location;
}

// huggingface_hub constants.py / utils/_auth.py: HF_TOKEN, else the file HF_TOKEN_PATH, else
// $HF_HOME/token with HF_HOME = $XDG_CACHE_HOME/huggingface or ~/.cache/huggingface.
std::string read_token() {
    if (std::string t = trim(env("HF_TOKEN")); !t.empty()) return t;
    if (std::string p = env("HF_TOKEN_PATH"); !p.empty()) return trim(read_small_file(p));
    std::filesystem::path home = !env("HF_HOME").empty()          ? std::filesystem::path(env("HF_HOME"))
                    : !env("XDG_CACHE_HOME").empty() ? std::filesystem::path(env("XDG_CACHE_HOME")) / "huggingface"
                                                     : std::filesystem::path(home_dir()) / ".cache" / "huggingface";
    return trim(read_small_file(home / "token"));
}

// A repo-relative path that stays inside the snapshot folder.
bool safe_relative_path(const std::string& p) {
    if (p.empty() || p[0] == '/' || p.find('\\') != std::string::npos) return false;
    size_t start = 0;
    while (start <= p.size()) {
        size_t end = p.find('/', start);
        std::string part = p.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (part.empty() || part == "." || part == "..") return false;
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return true;
}

// The blob name from an ETag header: without a weak-validator prefix and without quotes.
std::string normalize_etag(std::string e) {
    e = trim(e);
    if (e.rfind("W/", 0) == 0) e = e.substr(2);
    if (e.size() >= 2 && e.front() == '"' && e.back() == '"') e = e.substr(1, e.size() - 2);
    return e;
}

bool glob_match(const std::string& pattern, const std::string& path) { return glob_match_c(pattern.c_str(), path.c_str()); }

}  // namespace rf::hub
