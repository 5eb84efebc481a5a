#include "cli_human_judge.h"

#include <poll.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "core/error.h"

namespace rf::cli {
namespace {

std::string lower_trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t\r"), e = s.find_last_not_of(" \t\r");
    std::string t = b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    for (char& c : t) c = char(std::tolower(static_cast<unsigned char>(c)));
    return t;
}

void block(std::FILE* out, const char* label, const std::string& text) {
    std::fprintf(out, "%s\n%s\n", label, text.c_str());
    if (text.empty() || text.back() != '\n') std::fputc('\n', out);
}

}  // namespace

std::optional<Winner> parse_pair_answer(const std::string& text) {
    const std::string t = lower_trim(text);
    if (t == "1" || t == "a") return Winner::first;
    if (t == "2" || t == "b") return Winner::second;
    if (t == "t" || t == "tie") return Winner::tie;
    if (t == "s" || t == "skip") return Winner::skip;
    return std::nullopt;
}

std::optional<ScalarAnswer> parse_scalar_answer(const std::string& text) {
    const std::string t = lower_trim(text);
    if (t == "s" || t == "skip") return ScalarAnswer{true, 0.0f};
    if (t.empty()) return std::nullopt;
    char* end = nullptr;
    double v = std::strtod(t.c_str(), &end);
    if (end != t.c_str() + t.size() || !(v >= 0.0 && v <= 10.0)) return std::nullopt;
    return ScalarAnswer{false, float(v)};
}

std::optional<std::string> TerminalAsker::read_line(const std::atomic<bool>& stop) {
    for (;;) {
        size_t nl = buf_.find('\n');
        if (nl != std::string::npos) {
            std::string line = buf_.substr(0, nl);
            buf_.erase(0, nl + 1);
            return line;
        }
        if (stop.load()) return std::nullopt;
        pollfd p{in_fd_, POLLIN, 0};
        int r = ::poll(&p, 1, 100);
        if (r < 0 && errno != EINTR)
            throw InputError("stdin", 0, "judge", "cannot read the human verdict from stdin", "run in a terminal");
        if (r <= 0) continue;
        char chunk[1024];
        ssize_t n = ::read(in_fd_, chunk, sizeof chunk);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) {
            if (!buf_.empty()) {  // a last answer without its newline
                std::string line;
                line.swap(buf_);
                return line;
            }
            throw InputError("stdin", 0, "judge",
                             "stdin was closed while waiting for a human verdict (judge: human)",
                             "run reinforge-cli in a terminal, or choose judge: rewards, an LLM or an http(s)://…/v1 endpoint");
        }
        buf_.append(chunk, size_t(n));
    }
}

void TerminalAsker::header(const std::string& prompt, int index, int count) {
    std::fprintf(out_, "\n======== human judge: verdict %d of %d ========\n", index + 1, count);
    block(out_, "PROMPT:", prompt);
}

std::optional<Winner> TerminalAsker::ask_pair(const PairItem& item, int index, int count, const std::atomic<bool>& stop) {
    header(item.prompt, index, count);
    block(out_, "---- [A] ----", item.completions[0]);
    block(out_, "---- [B] ----", item.completions[1]);
    for (;;) {
        std::fprintf(out_, "Which is better?  1/a = A   2/b = B   t = tie   s = skip: ");
        std::fflush(out_);
        std::optional<std::string> line = read_line(stop);
        if (!line) {
            std::fprintf(out_, "\n(stopped)\n");
            return std::nullopt;
        }
        if (auto w = parse_pair_answer(*line)) return w;
        std::fprintf(out_, "'%s' is not an answer.\n", line->c_str());
    }
}

std::optional<ScalarAnswer> TerminalAsker::ask_scalar(const JudgeItem& item, int index, int count,
                                                      const std::atomic<bool>& stop) {
    header(item.prompt, index, count);
    block(out_, "---- COMPLETION ----", item.completion);
    for (;;) {
        std::fprintf(out_, "Score from 0 (bad) to 10 (excellent), or s = skip: ");
        std::fflush(out_);
        std::optional<std::string> line = read_line(stop);
        if (!line) {
            std::fprintf(out_, "\n(stopped)\n");
            return std::nullopt;
        }
        if (auto a = parse_scalar_answer(*line)) return a;
        std::fprintf(out_, "'%s' is not a score from 0 to 10.\n", line->c_str());
    }
}

}  // namespace rf::cli
