// The run folder's logs on resume (SPEC §13: a stopped or killed run resumes, nothing lost, nothing
// doubled): the steps after the checkpoint are trained again, so what they logged is undone.
#pragma once
#include <cstddef>
#include <string>

namespace rf {

// metrics.jsonl / rollouts.jsonl: removes the rows of steps after `step` and a torn last line (a kill
// mid-write). Returns the rows removed. Rewrites the file atomically; nothing when it does not exist.
size_t drop_rows_after(const std::string& path, int step);

// judgments.jsonl: a person's verdicts are never thrown away (they stay usable for the preference
// export), but those of steps after `step` are marked "after_resume_point": true; the retrained steps
// log their verdicts again, and the export keeps one verdict per comparison. Returns the rows marked.
size_t mark_judgments_after(const std::string& path, int step);

}  // namespace rf
