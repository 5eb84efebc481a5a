// Running a judge inside a training step: the randomised A/B order of pairwise judging, the
// `judge_failures` count, and judgments.jsonl (every verdict appended the moment it is final).
//
// judgments.jsonl, one JSON object per line (docs: SPEC §6 run folder):
//   {"step": 12, "phase": "train", "kind": "pairwise", "judge": "human",
//    "prompt": "...", "completions": ["...", "..."], "answer": "...",
//    "verdict": {"winner": "0"|"1"|"tie"|"skip", "scores": [a, b] (optional), "swapped": bool,
//                "failed": bool, "raw": "..."}, "time": "2026-11-22T10:00:00Z"}
//   {"step": 12, "phase": "train", "kind": "scalar", "judge": "rewards", "prompt": "...",
//    "completions": ["..."], "answer": "...",
//    "verdict": {"score": 7.0, "skipped": bool, "failed": bool, "raw": "..."}, "time": "..."}
// "winner" is relative to "completions" as written (already un-swapped); "swapped" tells whether the
// judge saw them in the opposite order.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/rng.h"
#include "judge/judge.h"

namespace rf {

class JudgmentLog {
public:
    explicit JudgmentLog(std::string path) : m_path(std::move(path)) {}
    // A log that holds its lines instead of writing them: a data-parallel rank other than 0 hands
    // them to rank 0, which writes them (train/data_parallel.h).
    static JudgmentLog held() { return JudgmentLog(std::string()); }
    const std::string& path() const { return m_path; }
    // The lines held since the last call (empty for a log that writes).
    std::vector<std::string> take_held() { return std::exchange(m_held, {}); }
    // Appends lines formatted by another log (atomic_file.h append_line; a held log holds them).
    void append_lines(const std::vector<std::string>& lines) const;
    // Append one line and flush (atomic_file.h append_line). Throws InputError when it cannot write.
    void append(int step, const std::string& phase, const std::string& judge, const JudgeItem& item,
                const ScalarVerdict& v) const;
    void append(int step, const std::string& phase, const std::string& judge, const PairItem& item,
                const PairVerdict& v) const;

private:
    void write(const std::string& line) const;
    std::string m_path;                         // empty: held
    mutable std::vector<std::string> m_held;
};

struct JudgeStats {
    int64_t verdicts = 0;
    int64_t failures = 0;  // the `judge_failures` metric
    int64_t skipped = 0;   // human skips (scalar and pairwise)
    int64_t ties = 0;
};

struct JudgeContext {
    int step = 0;
    std::string phase = "train";  // "train" | "val"
    JudgmentLog* log = nullptr;   // null: verdicts are not saved
    JudgeStats* stats = nullptr;  // null: not counted
};

// Scores a batch; logs and counts every verdict. Exceptions from the judge (JudgeCancelled,
// JudgeError, InputError) pass through after the verdicts already given are saved.
std::vector<ScalarVerdict> judge_scalar(Judge& judge, const std::vector<JudgeItem>& items, const JudgeContext& ctx);

// Pairwise with a random A/B order per pair (one rng.below(2) draw per pair, in order), so a judge's
// position bias averages out; the returned verdicts are relative to the order in `items`.
std::vector<PairVerdict> judge_pairs(Judge& judge, const std::vector<PairItem>& items, Rng& rng,
                                     const JudgeContext& ctx);

// The verdict as seen from the other order (winner and scores exchanged, `swapped` toggled).
PairVerdict swap_verdict(PairVerdict v);

}  // namespace rf
