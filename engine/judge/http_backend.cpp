#include "judge/http_backend.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/error.h"
#include "text/utf8.h"

namespace rf {
namespace {

using nlohmann::json;

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Body {
    std::string text;
    size_t cap = 0;
    bool too_long = false;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
    auto* body = static_cast<Body*>(user);
    if (body->text.size() + size * n > body->cap) {  // a judge reply is never this large: abort
        body->too_long = true;
        return 0;
    }
    body->text.append(data, size * n);
    return size * n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* stop = static_cast<const std::atomic<bool>*>(user);
    return stop && stop->load() ? 1 : 0;  // non-zero aborts the transfer
}

struct Attempt {
    bool ok = false;         // 2xx with a readable reply
    bool retryable = false;  // worth another try
    bool cancelled = false;
    std::string content;     // the reply text when ok
    std::string error;       // what went wrong otherwise
};

// The first `n` bytes of a reply, fit to quote in an error: valid UTF-8 is kept, any other byte
// (binary garbage, a character cut at n) and control characters but \n and \t become \xNN.
std::string excerpt(const std::string& s, size_t n = 300) {
    std::string out;
    const size_t end = std::min(s.size(), n);
    const std::string_view head(s.data(), end);
    for (size_t i = 0; i < end;) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        char32_t cp = 0;
        const size_t len = utf8::decode(head, i, cp);  // 0: not a complete, valid sequence
        const bool ok = len > 1 || (len == 1 && ((c >= 0x20 && c != 0x7F) || c == '\n' || c == '\t'));
        if (ok) {
            out.append(s, i, len);
            i += len;
        } else {
            static const char* hex = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
            i += 1;
        }
    }
    return s.size() <= n ? out : out + "… (" + std::to_string(s.size()) + " bytes)";
}

std::string mib(size_t bytes) {
    return bytes % (size_t(1) << 20) == 0 ? std::to_string(bytes >> 20) + " MiB" : std::to_string(bytes) + " bytes";
}

}  // namespace

std::string http_error_message(const std::string& body) {
    json j = json::parse(body, nullptr, false);
    if (!j.is_discarded() && j.is_object() && j.contains("error")) {
        const json& e = j["error"];
        if (e.is_object() && e.contains("message") && e["message"].is_string()) return excerpt(e["message"].get<std::string>(), 2000);
        if (e.is_string()) return excerpt(e.get<std::string>(), 2000);
    }
    return excerpt(body);
}

bool parse_chat_completion(const std::string& body, std::string* content) {
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("choices") || !j["choices"].is_array() || j["choices"].empty())
        return false;
    const json& choice = j["choices"][0];
    content->clear();
    if (choice.contains("message") && choice["message"].is_object()) {
        const json& c = choice["message"].value("content", json());
        if (c.is_string()) *content = c.get<std::string>();
    } else if (choice.contains("text") && choice["text"].is_string()) {
        *content = choice["text"].get<std::string>();  // completions-style servers
    }
    return true;
}

HttpChatBackend::HttpChatBackend(HttpBackendOptions options) : m_options(std::move(options)) {
    std::string url = m_options.base_url;
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
        throw InputError({}, 0, "judge", "'" + url + "' is not an http:// or https:// URL",
                         "an OpenAI-compatible endpoint looks like http://localhost:1234/v1");
    while (!url.empty() && url.back() == '/') url.pop_back();
    const std::string suffix = "/chat/completions";
    m_endpoint = url.size() >= suffix.size() && url.compare(url.size() - suffix.size(), suffix.size(), suffix) == 0
                    ? url
                    : url + suffix;
    if (m_options.model.empty())
        throw InputError({}, 0, "judge_model", "an HTTP judge needs judge_model (the model name the server serves)",
                         "e.g. judge_model: qwen2.5-7b-instruct (LM Studio, Ollama and vLLM list them at /v1/models)");
    if (!(m_options.timeout_s > 0)) m_options.timeout_s = 60.0;
    if (!(m_options.connect_timeout_s > 0)) m_options.connect_timeout_s = 10.0;
    m_options.retries = std::max(0, m_options.retries);
    global_init();
}

std::string HttpChatBackend::complete(const std::string& system, const std::string& user, int max_tokens) {
    json messages = json::array();
    if (!system.empty()) messages.push_back({{"role", "system"}, {"content", system}});
    messages.push_back({{"role", "user"}, {"content", user}});
    json req = {{"model", m_options.model}, {"messages", messages}, {"temperature", m_options.temperature},
                {"max_tokens", max_tokens}, {"stream", false}};
    const std::string body = req.dump(-1, ' ', false, json::error_handler_t::replace);

    auto attempt_once = [&]() {
        Attempt a;
        std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
        RF_CHECK(curl != nullptr, "curl_easy_init failed");
        std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, &curl_slist_free_all);
        curl_slist* h = curl_slist_append(nullptr, "Content-Type: application/json");
        h = curl_slist_append(h, "Expect:");  // no 100-continue round trip
        if (!m_options.api_key.empty()) h = curl_slist_append(h, ("Authorization: Bearer " + m_options.api_key).c_str());
        headers.reset(h);
        Body response;
        response.cap = m_options.max_reply_bytes;
        char errbuf[CURL_ERROR_SIZE] = {0};
        CURL* c = curl.get();
        curl_easy_setopt(c, CURLOPT_URL, m_endpoint.c_str());
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.size()));
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &response);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, long(m_options.timeout_s * 1000));
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, long(m_options.connect_timeout_s * 1000));
        curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(m_options.max_reply_bytes));  // by Content-Length
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_NOPROXY, "localhost,127.0.0.1,::1");  // local servers never via a proxy
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &on_progress);
        curl_easy_setopt(c, CURLOPT_XFERINFODATA, static_cast<const void*>(m_options.stop));
        CURLcode rc = curl_easy_perform(c);
        if (rc == CURLE_ABORTED_BY_CALLBACK && m_options.stop && m_options.stop->load()) {
            a.cancelled = true;
            return a;
        }
        if (response.too_long || rc == CURLE_FILESIZE_EXCEEDED) {
            a.error = "the reply is longer than " + mib(m_options.max_reply_bytes) +
                      " (a judge's reply is a few KB: is this an OpenAI-compatible endpoint?)";
            return a;  // not retried: the same server would send it again
        }
        if (rc != CURLE_OK) {
            a.error = std::string(curl_easy_strerror(rc)) + (errbuf[0] ? std::string(": ") + errbuf : std::string());
            a.retryable = rc != CURLE_UNSUPPORTED_PROTOCOL && rc != CURLE_URL_MALFORMAT;
            return a;
        }
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (status < 200 || status >= 300) {
            a.error = "HTTP " + std::to_string(status) + ": " + http_error_message(response.text);
            a.retryable = status == 408 || status == 429 || status >= 500;
            return a;
        }
        if (!parse_chat_completion(response.text, &a.content)) {
            a.error = "the reply is not an OpenAI chat completion: " + excerpt(response.text);
            a.retryable = true;
            return a;
        }
        a.ok = true;
        return a;
    };

    double backoff = m_options.backoff_s;
    std::string last_error;
    for (int attempt = 0; attempt <= m_options.retries; ++attempt) {
        m_last_attempts = attempt + 1;
        if (m_options.stop && m_options.stop->load()) throw JudgeCancelled();
        Attempt a = attempt_once();
        if (a.cancelled) throw JudgeCancelled();
        if (a.ok) return a.content;
        last_error = a.error;
        if (!a.retryable) break;
        if (attempt == m_options.retries) break;
        // Back-off, interruptible by the stop flag.
        auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(backoff);
        while (std::chrono::steady_clock::now() < until) {
            if (m_options.stop && m_options.stop->load()) throw JudgeCancelled();
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        backoff = std::min(backoff * 2.0, 8.0);
    }
    throw JudgeError("HTTP judge " + m_endpoint + " (model '" + m_options.model + "') failed after " +
                     std::to_string(m_last_attempts) + (m_last_attempts == 1 ? " attempt: " : " attempts: ") +
                     last_error + " (hint: check that the server is running and serves this model; judge_config."
                     "timeout_seconds and judge_config.retries tune the waiting)");
}

}  // namespace rf
