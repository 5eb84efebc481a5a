// The HTTP judge against a small OpenAI-compatible server that this test starts on 127.0.0.1 (a
// thread with a socket; no internet): request shape, parsing, retries with back-off, errors that stop
// the run, timeouts, the stop flag, and the LLM judge logic on top (also with a fake backend that
// reads verdicts from token probabilities).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/error.h"
#include "core/rng.h"
#include "judge/http_backend.h"
#include "judge/judge_runner.h"
#include "judge/llm_judge.h"
#include "text/utf8.h"

using namespace rf;
using nlohmann::json;

namespace {

struct Request {
    std::string head, body;
};
struct Response {
    int status = 200;
    std::string body;
    int delay_ms = 0;         // wait before answering (a hang: longer than the client's timeout)
    int dribble_ms = 0;       // > 0: send the answer one byte at a time, this far apart
    bool no_length = false;   // no Content-Length: the body ends when the connection closes
    bool raw = false;         // send `body` as the whole answer, no status line or headers
};

std::string chat_reply(const std::string& content) {
    return json{{"id", "x"}, {"object", "chat.completion"},
                {"choices", json::array({{{"index", 0}, {"message", {{"role", "assistant"}, {"content", content}}},
                                          {"finish_reason", "stop"}}})}}
        .dump();
}

// One connection at a time, HTTP/1.1 with Connection: close.
class TestServer {
public:
    explicit TestServer(std::function<Response(const Request&, int)> handler) : handler_(std::move(handler)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = 0;
        EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        ::listen(fd_, 16);
        thread_ = std::thread([this] { loop(); });
    }
    ~TestServer() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
    std::vector<Request> requests() {
        std::lock_guard<std::mutex> l(mu_);
        return requests_;
    }

private:
    void loop() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0) continue;
            int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) continue;
            serve(c);
            ::close(c);
        }
    }
    void serve(int c) {
        std::string data;
        char buf[4096];
        size_t header_end = std::string::npos, need = 0;
        while (!stop_) {
            pollfd p{c, POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0) continue;
            ssize_t n = ::read(c, buf, sizeof buf);
            if (n <= 0) return;
            data.append(buf, size_t(n));
            if (header_end == std::string::npos && (header_end = data.find("\r\n\r\n")) != std::string::npos) {
                size_t cl = data.find("Content-Length: ");
                need = cl == std::string::npos ? 0 : std::stoul(data.substr(cl + 16));
            }
            if (header_end != std::string::npos && data.size() >= header_end + 4 + need) break;
        }
        if (header_end == std::string::npos) return;
        Request r{data.substr(0, header_end), data.substr(header_end + 4)};
        int index;
        {
            std::lock_guard<std::mutex> l(mu_);
            requests_.push_back(r);
            index = int(requests_.size()) - 1;
        }
        Response resp = handler_(r, index);
        for (int waited = 0; waited < resp.delay_ms && !stop_; waited += 10)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        std::string out = resp.raw ? resp.body
                                   : "HTTP/1.1 " + std::to_string(resp.status) + " X\r\nContent-Type: application/json\r\n" +
                                         (resp.no_length ? std::string() : "Content-Length: " + std::to_string(resp.body.size()) + "\r\n") +
                                         "Connection: close\r\n\r\n" + resp.body;
        if (resp.dribble_ms > 0) {
            for (size_t i = 0; i < out.size() && !stop_; ++i) {
                if (::send(c, out.data() + i, 1, MSG_NOSIGNAL) != 1) return;  // the client hung up
                std::this_thread::sleep_for(std::chrono::milliseconds(resp.dribble_ms));
            }
            return;
        }
        ssize_t ignored = ::send(c, out.data(), out.size(), MSG_NOSIGNAL);
        (void)ignored;
    }

    std::function<Response(const Request&, int)> handler_;
    int fd_ = -1, port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    std::mutex mu_;
    std::vector<Request> requests_;
};

HttpBackendOptions options(const std::string& url) {
    HttpBackendOptions o;
    o.base_url = url;
    o.model = "judge-m";
    o.timeout_s = 5;
    o.retries = 3;
    o.backoff_s = 0.01;
    return o;
}

std::unique_ptr<LlmJudge> http_judge(HttpBackendOptions o, LlmJudgeOptions lo = {}) {
    return std::make_unique<LlmJudge>(std::make_unique<HttpChatBackend>(std::move(o)), std::move(lo));
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST(HttpJudge, PairwiseRequestAndVerdict) {
    TestServer server([](const Request&, int) { return Response{200, chat_reply("1")}; });
    HttpBackendOptions o = options(server.url() + "/");
    o.api_key = "sk-test";
    auto judge = http_judge(o, {"Prefer answers in French.", "", 16, 200});
    auto v = judge->compare({{"What is 2+2?", {"four", "quatre"}, "", ""}});
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].winner, Winner::second);
    EXPECT_FALSE(v[0].failed);
    EXPECT_EQ(v[0].raw, "1");
    auto reqs = server.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].head.rfind("POST /v1/chat/completions HTTP/1.1", 0), 0u) << reqs[0].head;
    EXPECT_NE(reqs[0].head.find("Authorization: Bearer sk-test"), std::string::npos);
    json body = json::parse(reqs[0].body);
    EXPECT_EQ(body["model"], "judge-m");
    EXPECT_EQ(body["max_tokens"], 16);
    EXPECT_EQ(body["temperature"], 0.0);
    ASSERT_EQ(body["messages"].size(), 2u);
    EXPECT_EQ(body["messages"][0]["role"], "system");
    EXPECT_EQ(body["messages"][0]["content"], "Prefer answers in French.");  // judge_system is used
    std::string user = body["messages"][1]["content"];
    EXPECT_NE(user.find("What is 2+2?"), std::string::npos);
    EXPECT_LT(user.find("four"), user.find("quatre"));
    EXPECT_EQ(judge->name(), "http:judge-m@" + server.url() + "/");
}

TEST(HttpJudge, CustomTemplateIsTheUserMessage) {
    TestServer server([](const Request&, int) { return Response{200, chat_reply("Score: 8/10")}; });
    auto judge = http_judge(options(server.url()), {"", "Q={prompt} A={response0} {{json}}", 16, 200});
    auto v = judge->score({{"q", "a", "", ""}});
    EXPECT_EQ(v[0].score, 8.f);
    json body = json::parse(server.requests()[0].body);
    ASSERT_EQ(body["messages"].size(), 1u);  // custom template, no judge_system: no system message
    EXPECT_EQ(body["messages"][0]["content"], "Q=q A=a {json}");
    EXPECT_EQ(body["max_tokens"], 200);
}

// The mlx-lm-lora REINFORCE template: two responses per call, JSON scores back.
TEST(HttpJudge, ScalarTemplateWithTwoResponses) {
    TestServer server([](const Request& r, int) {
        std::string user = json::parse(r.body)["messages"][0]["content"];
        bool second_is_good = user.find("B=good") != std::string::npos;
        json s = {{"scores", {{{"model_identifier", "0"}, {"score", 2}}, {{"model_identifier", "1"}, {"score", second_is_good ? 9 : 2}}}}};
        return Response{200, chat_reply("```json\n" + s.dump() + "\n```")};
    });
    auto judge = http_judge(options(server.url()), {"", "{prompt}: A={response0} B={response1}", 16, 200});
    auto v = judge->score({{"p1", "bad", "", ""}, {"p1", "good", "", ""}, {"p2", "x", "", ""}});
    EXPECT_EQ(server.requests().size(), 2u);  // (p1, p1) together, p2 alone
    EXPECT_EQ(v[0].score, 2.f);
    EXPECT_EQ(v[1].score, 9.f);
    EXPECT_EQ(v[2].score, 2.f);
}

TEST(HttpJudge, UnparsableRepliesAreCountedFailures) {
    TestServer server([](const Request&, int) { return Response{200, chat_reply("Both are fine, really.")}; });
    auto judge = http_judge(options(server.url()));
    JudgeStats stats;
    Rng rng(1);
    auto v = judge_pairs(*judge, std::vector<PairItem>(3, PairItem{"p", {"a", "b"}, "", ""}), rng, {0, "train", nullptr, &stats});
    for (auto& x : v) {
        EXPECT_TRUE(x.failed);
        EXPECT_EQ(x.chosen(), -1);
    }
    EXPECT_EQ(stats.failures, 3);
}

TEST(HttpJudge, RetriesServerErrorsThenSucceeds) {
    TestServer server([](const Request&, int n) {
        return n < 2 ? Response{503, "{\"error\": {\"message\": \"loading model\"}}"} : Response{200, chat_reply("0")};
    });
    HttpChatBackend backend(options(server.url()));
    EXPECT_EQ(backend.complete("", "hi", 4), "0");
    EXPECT_EQ(backend.last_attempts(), 3);
    EXPECT_EQ(server.requests().size(), 3u);
}

TEST(HttpJudge, ClientErrorStopsAtOnceWithServerMessage) {
    TestServer server([](const Request&, int) { return Response{404, "{\"error\": {\"message\": \"model 'judge-m' not found\"}}"}; });
    HttpChatBackend backend(options(server.url()));
    try {
        backend.complete("", "hi", 4);
        FAIL();
    } catch (const JudgeError& e) {
        std::string msg = e.what();
        EXPECT_NE(msg.find("HTTP 404"), std::string::npos) << msg;
        EXPECT_NE(msg.find("model 'judge-m' not found"), std::string::npos) << msg;
        EXPECT_NE(msg.find(server.url() + "/chat/completions"), std::string::npos) << msg;
    }
    EXPECT_EQ(server.requests().size(), 1u);
}

TEST(HttpJudge, MalformedReplyIsRetriedThenAnError) {
    TestServer server([](const Request&, int) { return Response{200, "<html>proxy</html>"}; });
    HttpBackendOptions o = options(server.url());
    o.retries = 1;
    HttpChatBackend backend(o);
    try {
        backend.complete("", "hi", 4);
        FAIL();
    } catch (const JudgeError& e) {
        EXPECT_NE(std::string(e.what()).find("not an OpenAI chat completion"), std::string::npos) << e.what();
    }
    EXPECT_EQ(server.requests().size(), 2u);
}

TEST(HttpJudge, TimeoutIsRetriedThenAnError) {
    TestServer server([](const Request&, int) { return Response{200, chat_reply("0"), 3000}; });
    HttpBackendOptions o = options(server.url());
    o.timeout_s = 0.3;
    o.retries = 1;
    HttpChatBackend backend(o);
    auto t0 = std::chrono::steady_clock::now();
    try {
        backend.complete("", "hi", 4);
        FAIL();
    } catch (const JudgeError& e) {
        EXPECT_NE(std::string(e.what()).find("2 attempts"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("imeout"), std::string::npos) << e.what();
    }
    EXPECT_LT(seconds_since(t0), 2.5);
}

// Hostile servers (issue 18): each is a JudgeError naming the endpoint with a hint, within the
// timeouts, with bounded memory.
std::string judge_error(HttpChatBackend& backend) {
    try {
        backend.complete("", "hi", 4);
    } catch (const JudgeError& e) {
        return e.what();
    }
    ADD_FAILURE() << "no JudgeError";
    return {};
}

std::string garbage(size_t n) {
    std::string s(n, '\0');
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (char& c : s) x ^= x << 13, x ^= x >> 7, x ^= x << 17, c = char(x >> 56);
    return s;
}

TEST(HttpJudgeHostile, ServerThatAcceptsAndNeverAnswers) {
    TestServer server([](const Request&, int) { return Response{200, chat_reply("0"), 600'000}; });
    HttpBackendOptions o = options(server.url());
    o.timeout_s = 0.4;
    o.retries = 1;
    HttpChatBackend backend(o);
    auto t0 = std::chrono::steady_clock::now();
    std::string msg = judge_error(backend);
    EXPECT_LT(seconds_since(t0), 3.0);
    EXPECT_NE(msg.find(server.url() + "/chat/completions"), std::string::npos) << msg;
    EXPECT_NE(msg.find("imeout"), std::string::npos) << msg;
    EXPECT_NE(msg.find("2 attempts"), std::string::npos) << msg;
    EXPECT_NE(msg.find("judge_config.timeout_seconds"), std::string::npos) << msg;  // the hint
}

// One byte every 50 ms never stalls long enough for a low-speed limit; the whole-request timeout ends it.
TEST(HttpJudgeHostile, ServerThatDribblesBytes) {
    Response slow{200, chat_reply(std::string(2000, 'x'))};
    slow.dribble_ms = 50;
    TestServer server([&](const Request&, int) { return slow; });
    HttpBackendOptions o = options(server.url());
    o.timeout_s = 0.6;
    o.retries = 0;
    HttpChatBackend backend(o);
    auto t0 = std::chrono::steady_clock::now();
    std::string msg = judge_error(backend);
    EXPECT_LT(seconds_since(t0), 3.0);
    EXPECT_NE(msg.find("imeout"), std::string::npos) << msg;
    EXPECT_NE(msg.find(server.url() + "/chat/completions"), std::string::npos) << msg;
}

// 10 MB of random bytes as a 200 answer: read (under the 64 MiB cap), refused as not a chat
// completion, quoted as escapes (an error message must be text), retried as a proxy hiccup would be.
TEST(HttpJudgeHostile, TenMegabytesOfGarbage) {
    const std::string junk = garbage(10'000'000);
    TestServer server([&](const Request&, int) { return Response{200, junk}; });
    HttpBackendOptions o = options(server.url());
    o.retries = 1;
    HttpChatBackend backend(o);
    std::string msg = judge_error(backend);
    EXPECT_NE(msg.find("not an OpenAI chat completion"), std::string::npos) << msg.substr(0, 400);
    EXPECT_NE(msg.find("(10000000 bytes)"), std::string::npos) << msg.substr(0, 400);
    EXPECT_NE(msg.find("\\x"), std::string::npos) << msg.substr(0, 400);
    EXPECT_LT(msg.size(), 3000u);  // an excerpt, not the reply
    EXPECT_TRUE(rf::utf8::is_valid(msg));  // it may go into JSON (nlohmann refuses invalid UTF-8)
    for (unsigned char c : msg) EXPECT_TRUE(c >= 0x20 || c == '\n' || c == '\t') << int(c);
    EXPECT_EQ(server.requests().size(), 2u);
}

// Over max_reply_bytes: refused as it arrives, whether the server declares the length or not, and
// not retried. Not HTTP at all: curl's error, naming the endpoint.
TEST(HttpJudgeHostile, ReplyOverTheCapAndAnswersThatAreNotHttp) {
    for (bool no_length : {false, true}) {
        Response big{200, garbage(10'000'000)};
        big.no_length = no_length;
        TestServer server([&](const Request&, int) { return big; });
        HttpBackendOptions o = options(server.url());
        o.max_reply_bytes = size_t(1) << 20;
        HttpChatBackend backend(o);
        std::string msg = judge_error(backend);
        EXPECT_NE(msg.find("the reply is longer than 1 MiB"), std::string::npos) << no_length << ": " << msg;
        EXPECT_NE(msg.find(server.url() + "/chat/completions"), std::string::npos) << msg;
        EXPECT_EQ(server.requests().size(), 1u) << no_length;
    }
    Response raw{200, garbage(10'000'000)};
    raw.raw = true;
    TestServer server([&](const Request&, int) { return raw; });
    HttpBackendOptions o = options(server.url());
    o.retries = 0;
    HttpChatBackend backend(o);
    std::string msg = judge_error(backend);
    EXPECT_NE(msg.find(server.url() + "/chat/completions"), std::string::npos) << msg;
    EXPECT_NE(msg.find("1 attempt"), std::string::npos) << msg;
}

TEST(HttpJudge, ConnectionRefused) {
    int port;
    {
        TestServer gone([](const Request&, int) { return Response{}; });
        port = std::stoi(gone.url().substr(17));
    }
    HttpBackendOptions o = options("http://127.0.0.1:" + std::to_string(port) + "/v1");
    o.retries = 2;
    HttpChatBackend backend(o);
    try {
        backend.complete("", "hi", 4);
        FAIL();
    } catch (const JudgeError& e) {
        EXPECT_NE(std::string(e.what()).find("3 attempts"), std::string::npos) << e.what();
    }
}

TEST(HttpJudge, StopFlagCancelsRequestInFlight) {
    TestServer server([](const Request&, int) { return Response{200, chat_reply("0"), 10000}; });
    std::atomic<bool> stop{false};
    HttpBackendOptions o = options(server.url());
    o.timeout_s = 30;
    o.stop = &stop;
    HttpChatBackend backend(o);
    std::thread t([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        stop = true;
    });
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_THROW(backend.complete("", "hi", 4), JudgeCancelled);
    t.join();
    EXPECT_LT(seconds_since(t0), 2.0);
}

TEST(HttpJudge, BadConfiguration) {
    EXPECT_THROW(HttpChatBackend(options("ftp://host/v1")), InputError);
    HttpBackendOptions o = options("http://localhost:1234/v1");
    o.model = "";
    try {
        HttpChatBackend b(o);
        FAIL();
    } catch (const InputError& e) {
        EXPECT_EQ(e.key, "judge_model");
    }
    EXPECT_EQ(HttpChatBackend(options("http://h/v1/chat/completions")).endpoint(), "http://h/v1/chat/completions");
}

// A backend that knows its next-token distribution (what the local judge model will implement).
class ProbBackend : public ChatBackend {
public:
    std::string name() const override { return "fake-model"; }
    std::string complete(const std::string&, const std::string&, int) override {
        ADD_FAILURE() << "complete() must not be used when probabilities are available";
        return "";
    }
    std::vector<double> choice_probabilities(const std::string&, const std::string& user,
                                             const std::vector<std::string>& choices) override {
        if (choices.size() == 2) return user.find("0: long") != std::string::npos ? std::vector<double>{0.8, 0.2}
                                                                                  : std::vector<double>{0.3, 0.7};
        std::vector<double> p(choices.size(), 0.0);
        p[6] = 0.5, p[8] = 0.5;  // expected score 7
        return p;
    }
};

TEST(LlmJudge, VerdictFromTokenProbabilitiesNeverFails) {
    LlmJudge judge(std::make_unique<ProbBackend>(), {"", "0: {response0} 1: {response1} {prompt}", 16, 200});
    auto v = judge.compare({{"p", {"long", "short"}, "", ""}, {"p", {"short", "long"}, "", ""}});
    EXPECT_EQ(v[0].winner, Winner::first);
    EXPECT_EQ(v[1].winner, Winner::second);
    EXPECT_FLOAT_EQ((*v[1].scores)[1], 0.7f);
    LlmJudge scalar(std::make_unique<ProbBackend>(), {});
    auto s = scalar.score({{"p", "c", "", ""}});
    EXPECT_FLOAT_EQ(s[0].score, 7.f);
    EXPECT_FALSE(s[0].failed);
}
