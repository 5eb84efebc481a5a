// The HTTP layer of the Hub client (io/hub_client.cpp): one libcurl easy handle per download (so
// connections are reused), requests with the response headers collected, URL helpers, and the
// small protocol rules (token lookup, include globs, etags).
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rf::hub {

struct HttpRequest {
    std::string method = "GET";        // GET | HEAD
    std::string url;
    std::vector<std::string> headers;  // "Name: value"
    bool follow_redirects = false;     // curl drops a custom Authorization header on a redirect to another host
    int timeout_s = 30;                // connect timeout, and the longest stall of a transfer
    // Body bytes of a 2xx answer (other answers are collected in HttpResponse::body). The status is
    // known when it is called. Return false to stop the transfer (a write error).
    std::function<bool(int status, const char* data, size_t n)> sink;
    // Called while the transfer runs (at least once a second); return false to cancel it.
    std::function<bool()> tick;
    // Bytes of a body collected in HttpResponse::body (without a sink); a longer body stops the
    // transfer there and sets HttpResponse::body_truncated (not a transport error: not retried).
    size_t max_body = size_t(1) << 20;
};

struct HttpResponse {
    int status = 0;                             // 0 when no answer came (see transport_error)
    std::map<std::string, std::string> headers; // of the last answer; lowercase names
    std::string body;                           // non-2xx answers, and 2xx without a sink (first max_body bytes)
    bool body_truncated = false;                // the body was longer than max_body
    std::string transport_error;                // curl's message when the transfer failed, else empty
    bool cancelled = false;                     // tick returned false
    bool sink_stopped = false;                  // sink returned false
    std::string header(const std::string& lower_name) const;
};

class HttpClient {
public:
    HttpClient();
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;
    HttpResponse perform(const HttpRequest& req);

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

// Percent-encodes everything but RFC 3986 unreserved characters (and '/' when keep_slash), as
// Python's urllib.parse.quote(s, safe="/" or "").
std::string url_quote(std::string_view s, bool keep_slash);
// "http://host:port" of a URL (scheme and authority, lowercased), for same-host checks.
std::string url_origin(const std::string& url);
// A Location header resolved against the URL it answered (absolute, or "/path" on the same origin).
std::string url_join(const std::string& base, const std::string& location);

// Protocol details, as huggingface_hub has them:
// The token: HF_TOKEN, else the file $HF_TOKEN_PATH, else $HF_HOME/token (HF_HOME defaults to
// $XDG_CACHE_HOME/huggingface or ~/.cache/huggingface). Empty when there is none.
std::string read_token();
// Python's fnmatch with '*' crossing '/' (huggingface_hub filter_repo_objects): *, ?, [seq], [!seq].
bool glob_match(const std::string& pattern, const std::string& path);
// A repo-relative path that stays inside the snapshot folder (no '..', no absolute path).
bool safe_relative_path(const std::string& path);
// The blob name from an ETag header: without a weak-validator prefix (W/) and without quotes.
std::string normalize_etag(std::string etag);

}  // namespace rf::hub
