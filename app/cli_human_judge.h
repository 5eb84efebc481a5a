// The terminal implementation of the human judge (judge: human in reinforge-cli train): prints the
// prompt and the completions, then reads the answer from a terminal, polling the run's stop flag
// every 100 ms so that Ctrl-C / stop never waits for a person who is not there.
//   pairwise: 1 or a = A, 2 or b = B, t = tie, s = skip
//   scalar:   a number from 0 to 10, or s = skip
// Qt-free; the train command passes it to rf::HumanJudge.
#pragma once
#include <cstdio>
#include <string>

#include "judge/human_judge.h"

namespace rf::cli {

class TerminalAsker : public HumanAsker {
public:
    // Reads answers from `in_fd` and writes questions to `out` (default: stdin, stderr). Closing
    // `in_fd` (EOF) while a question is open is an InputError: nobody can answer.
    explicit TerminalAsker(int in_fd = 0, std::FILE* out = stderr) : in_fd_(in_fd), out_(out) {}

    std::optional<Winner> ask_pair(const PairItem& item, int index, int count, const std::atomic<bool>& stop) override;
    std::optional<ScalarAnswer> ask_scalar(const JudgeItem& item, int index, int count,
                                           const std::atomic<bool>& stop) override;

private:
    // One line of input without the '\n'; nullopt when `stop` was raised first.
    std::optional<std::string> read_line(const std::atomic<bool>& stop);
    void header(const std::string& prompt, int index, int count);

    int in_fd_;
    std::FILE* out_;
    std::string buf_;
};

// Parses an answer; nullopt when it is not one (the question is asked again).
std::optional<Winner> parse_pair_answer(const std::string& text);
std::optional<ScalarAnswer> parse_scalar_answer(const std::string& text);

}  // namespace rf::cli
