// judge: http(s)://…/v1 with judge_model: an OpenAI-compatible chat/completions endpoint (LM Studio,
// Ollama, llama.cpp server, vLLM, OpenAI), through libcurl.
//
//   POST <base_url>/chat/completions
//   {"model": judge_model, "messages": [{"role": "system", ...}, {"role": "user", ...}],
//    "temperature": 0, "max_tokens": N, "stream": false}
//   -> choices[0].message.content
//
// Timeouts on connecting and on the whole request; connection failures, timeouts, HTTP 429 and 5xx
// are retried `retries` times with exponential back-off (0.5 s, 1 s, 2 s, … capped at 8 s); any
// other HTTP error (401, 404 unknown model, …) stops at once. When the endpoint cannot answer the
// run stops with a JudgeError naming the URL, the model and the server's own message.
// A hostile or broken server cannot hold the run: one that accepts and never answers, or dribbles
// its reply a byte at a time, meets the whole-request timeout (a low-speed limit would not do: a
// server generating a non-streamed reply sends nothing until it is done); a reply longer than
// max_reply_bytes is refused as it arrives (from its Content-Length when it has one) and not
// retried; what an error quotes of a reply that is not text shows as escapes, never raw bytes.
// The stop flag aborts a request in flight and any back-off (JudgeCancelled).
#pragma once
#include <atomic>
#include <string>

#include "judge/llm_judge.h"

namespace rf {

struct HttpBackendOptions {
    std::string base_url;          // http(s)://host[:port]/v1 (a trailing '/' is ignored; a URL that
                                   // already ends in /chat/completions is used as it is)
    std::string model;             // judge_model
    std::string api_key;           // sent as "Authorization: Bearer …" when not empty
    double timeout_s = 60.0;       // judge_config.timeout_seconds: the whole request
    double connect_timeout_s = 10.0;
    int retries = 3;               // judge_config.retries: attempts after the first
    double backoff_s = 0.5;        // first back-off, doubled each retry, capped at 8 s
    double temperature = 0.0;
    size_t max_reply_bytes = size_t(64) << 20;  // a longer reply is refused, not read (a judge's is a
                                                // few KB; tests lower it)
    const std::atomic<bool>* stop = nullptr;  // the run's stop flag (may be null)
};

// The reply body of a 2xx answer: true and *content = choices[0].message.content (or choices[0].text,
// completions-style; "" when absent or not a string), false when the body is not a chat completion.
// Never throws: a server's reply is untrusted input (tests/fuzz/fuzz_http_judge_reply.cpp).
bool parse_chat_completion(const std::string& body, std::string* content);
// The server's own message in an error body ({"error": {"message": …}} or {"error": "…"}; at most 2000
// bytes), else the first 300 bytes of the body; bytes that are not text show as \xNN.
std::string http_error_message(const std::string& body);

class HttpChatBackend : public ChatBackend {
public:
    // Throws InputError (key judge) for a URL that is not http(s)://, and (key judge_model) when the
    // model is empty.
    explicit HttpChatBackend(HttpBackendOptions options);
    std::string name() const override { return "http:" + m_options.model + "@" + m_options.base_url; }
    std::string complete(const std::string& system, const std::string& user, int max_tokens) override;
    const std::string& endpoint() const { return m_endpoint; }
    // Attempts made by the last complete() (1 = no retry); for tests and logs.
    int last_attempts() const { return m_last_attempts; }

private:
    HttpBackendOptions m_options;
    std::string m_endpoint;
    int m_last_attempts = 0;
};

}  // namespace rf
