#include "data/dataset_columns.h"

#include "config/run_config.h"

namespace rf {

DatasetColumns dataset_columns(const RunConfig& c) {
    DatasetColumns d;
    d.prompt = c.prompt_feature;
    d.answer = c.answer_feature;
    d.type = c.type_feature;
    d.system = c.system_feature;
    d.chat = c.chat_feature;
    d.completion = c.completion_feature;
    d.text = c.text_feature;
    d.chosen = c.chosen_feature;
    d.rejected = c.rejected_feature;
    d.preference_score = c.preference_score_feature;
    d.answer_pattern = c.answer_pattern;
    return d;
}

std::string answer_regex(const std::string& p) {
    // gsm8k: "... #### 72" (TRL's and verl's GSM8K recipes take the text after "####")
    if (p == "gsm8k") return R"(####\s*(.+?)\s*$)";
    // boxed: the last \boxed{...}, braces nested up to two levels (MATH, DeepMath solutions)
    if (p == "boxed") return R"((?s).*\\boxed\{((?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*)\})";
    return p;
}

}  // namespace rf
