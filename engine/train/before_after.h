// Before / after (issue 20 item 6): the same prompts answered by the base model and by any of a run's
// saved weights, side by side, with the run's reward functions' total for each answer.
//
//   answer_sources(run)   what a run folder offers: "base" (the adapters off), each checkpoint
//                         adapters/NNNNNNN_adapters.safetensors ("step N"), "best" (keep_best's
//                         weights, when best.json is there) and "latest" (adapters.safetensors)
//   before_after(run, …)  loads the run's config.yaml, model and scorer once (no run folder is
//                         written), takes the first `prompts` prompts of the validation split (the
//                         training split when there is none), and decodes one answer per prompt and
//                         source with the run's max_completion_length — greedy by default, so a
//                         difference between two columns is the weights', not the sampler's — then
//                         scores each with the reward functions (GRPO, judge: rewards; others: no score).
//
// Works on a run in progress: the files it reads are written atomically. LoRA/DoRA runs (a full
// fine-tuning checkpoint replaces every weight and is refused with a hint to use `generate`).
#pragma once
#include <string>
#include <vector>

namespace rf {

class RunObserver;

struct AnswerSource {
    std::string label;         // "base", "step 50", "best", "latest"
    std::string adapter_file;  // "" = the base model (adapters off)
};

// Throws InputError when `run_dir` is not a run folder.
std::vector<AnswerSource> answer_sources(const std::string& run_dir);

struct BeforeAfterOptions {
    int prompts = 4;
    double temperature = 0.0;  // 0 = greedy
    int max_tokens = 0;        // 0 = the run's max_completion_length
};

struct BeforeAfterCell {
    std::string text;
    double reward = 0.0;  // the weighted sum of the reward functions; NaN when the run has none
    bool truncated = false;
};

struct BeforeAfterRow {
    std::string prompt, answer;
    std::vector<BeforeAfterCell> cells;  // one per source, in order
};

struct BeforeAfter {
    std::vector<std::string> labels;       // one per source
    std::vector<BeforeAfterRow> rows;      // one per prompt
    std::vector<double> mean_reward;       // per source; NaN when unscored
    std::string split;                     // "valid" | "train": where the prompts come from
    bool scored = false;
};

// Throws InputError (not a run folder, a missing weights file, full fine-tuning, no prompts).
BeforeAfter before_after(const std::string& run_dir, const std::vector<AnswerSource>& sources,
                         const BeforeAfterOptions& options, RunObserver* observer = nullptr);

}  // namespace rf
