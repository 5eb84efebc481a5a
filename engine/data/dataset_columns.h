// Dataset column names: the `*_feature` keys of the run config (mlx-lm-lora's names and defaults).
// RunConfig fills this from YAML (dataset_columns(cfg)); the dataset readers only see this struct.
#pragma once
#include <string>
#include <vector>

namespace rf {

struct RunConfig;

struct DatasetColumns {
    std::string prompt = "prompt";                      // prompt_feature
    std::string answer = "answer";                      // answer_feature (GRPO)
    std::string type = "type";                          // type_feature (GRPO, optional)
    std::string system = "system";                      // system_feature (optional)
    std::string chat = "messages";                      // chat_feature (SFT chat rows)
    std::string completion = "completion";              // completion_feature (SFT)
    std::string text = "text";                          // text_feature (SFT)
    std::string chosen = "chosen";                      // chosen_feature (preference data)
    std::string rejected = "rejected";                  // rejected_feature
    std::string preference_score = "preference_score";  // preference_score_feature
    std::string answer_pattern;                         // answer_pattern: regex or preset name, "" = as is
};

// The regex an answer_pattern names: the presets (gsm8k, boxed) expanded, anything else as is.
std::string answer_regex(const std::string& answer_pattern);

DatasetColumns dataset_columns(const RunConfig& cfg);

}  // namespace rf
