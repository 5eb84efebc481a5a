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
    return d;
}

}  // namespace rf
