#include "data/dataset_presets.h"

namespace rf {

namespace {

struct Preset {
    const char* id;
    const char* config;          // "" = none
    const char* prompt;          // the prompt column
    const char* answer;          // the answer column
    const char* answer_pattern;  // "" = the column as is
};

// Columns as the Hub's dataset viewer shows them (checked against each dataset card).
constexpr Preset kPresets[] = {
    {"openai/gsm8k", "main", "question", "answer", "gsm8k"},     // answer: worked solution ending "#### 72"
    {"gsm8k", "main", "question", "answer", "gsm8k"},            // the legacy id of the same dataset
    {"trl-lib/DeepMath-103K", "", "prompt", "solution", ""},     // prompt: list of {role, content}
    {"HuggingFaceH4/MATH-500", "", "problem", "answer", ""},
    {"AI-MO/NuminaMath-TIR", "", "problem", "solution", "boxed"},
    {"openai/openai_humaneval", "", "prompt", "canonical_solution", ""},
};

}  // namespace

std::string apply_dataset_preset(const std::string& id, DatasetColumns& cols, DatasetSelect& sel) {
    for (const Preset& p : kPresets) {
        if (id != p.id) continue;
        std::string note;
        auto fill = [&](std::string& field, const std::string& default_value, const char* value, const char* key) {
            if (field != default_value || value == default_value) return;
            field = value;
            note += std::string(note.empty() ? "" : ", ") + key + ": " + value;
        };
        fill(sel.config, "", p.config, "dataset_config");
        fill(cols.prompt, "prompt", p.prompt, "prompt_feature");
        fill(cols.answer, "answer", p.answer, "answer_feature");
        fill(cols.answer_pattern, "", p.answer_pattern, "answer_pattern");
        return note.empty() ? std::string() : "data: " + id + " is a known dataset: " + note + " (set a key to override)";
    }
    return {};
}

}  // namespace rf
