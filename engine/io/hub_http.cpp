#include "io/hub_http.h"

#include <algorithm>
#include <cctype>
#include <curl/curl.h>
#include <mutex>

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
    if (t->resp->body.size() < (1u << 20)) t->resp->body.append(data, std::min(bytes, (size_t(1) << 20) - t->resp->body.size()));
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
    if (rc != CURLE_OK && !resp.cancelled && !resp.sink_stopped)
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

}  // namespace rf::hub
