// judgments.jsonl -> a DPO preference dataset (prompt, chosen, rejected), for
// `reinforge-cli export-preferences RUN_DIR`: the pairwise verdicts of the human judge (or of every
// judge) that picked a winner; ties, skips and failed verdicts carry no preference and are left out.
// Scalar verdicts (0..10 per completion: the human reward, judge: human in REINFORCE/RLOO) give one
// pair per prompt and step: its highest-scored completion over its lowest (the first of each on
// ties), when they differ.
#pragma once
#include <string>
#include <vector>

namespace rf {

struct PreferenceRow {
    std::string prompt, chosen, rejected;
    std::string judge;
    int step = 0;
    bool after_resume_point = false;  // judged after the checkpoint a resume went back to
};

struct PreferenceExport {
    std::vector<PreferenceRow> rows;
    int lines = 0;             // verdicts read
    int pairwise = 0;          // pairwise verdicts from the selected judges
    int scalar = 0;            // scalar verdicts from the selected judges
    int scalar_pairs = 0;      // rows made from them (best over worst of a prompt's scored completions)
    int undecided = 0;         // of those: tie, skip or failed
    int other_judges = 0;      // pairwise verdicts left out because of their judge
    int repeated = 0;          // verdicts given after a resume point and given again when the step was retrained
    bool truncated_tail = false;  // the last line was cut off (a crash while writing it) and skipped
};

// Reads `judgments_path`. all_judges = false keeps only judge "human". Throws InputError naming the
// file and line for a line that is not a verdict (except a cut-off last line). A verdict marked
// "after_resume_point" (train/run_logs.h) is kept unless the same comparison (prompt and the two
// completions, in either order) was judged again later: then the later verdict counts, once.
PreferenceExport collect_preferences(const std::string& judgments_path, bool all_judges);
// One {"prompt", "chosen", "rejected"} JSON object per line.
std::string preferences_jsonl(const std::vector<PreferenceRow>& rows);

}  // namespace rf
