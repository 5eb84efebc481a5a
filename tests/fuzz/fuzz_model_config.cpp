// libFuzzer target: config.json text -> ModelConfig either parses (and then re-serialises and
// re-parses to the same sizes) or throws rf::InputError. Anything else is a finding.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.h"
#include "model/model_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    try {
        rf::ModelConfig c = rf::ModelConfig::from_json_text(text, "fuzz/config.json");
        rf::ModelConfig d = rf::ModelConfig::from_json_text(c.to_json_text(), "roundtrip");
        if (d.hidden_size != c.hidden_size || d.head_dim != c.head_dim || d.num_key_value_heads != c.num_key_value_heads ||
            d.eos_token_ids != c.eos_token_ids || d.rope_scaling.rope_type != c.rope_scaling.rope_type)
            std::abort();
    } catch (const rf::InputError&) {
    }
    return 0;
}
