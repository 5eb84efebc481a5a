// adapter_config.json: parse_adapter_config either gives an AdapterSpec (which then serialises with
// adapter_config_json and parses back to the same spec) or throws InputError.
#pragma once
#include "core/error.h"
#include "model/adapter_io.h"
#include "fuzz_util.h"

namespace rf_fuzz {

inline void adapter_config(const uint8_t* data, size_t size) {
    try {
        rf::AdapterSpec s = rf::parse_adapter_config(text_of(data, size), "fuzz/adapter_config.json");
        rf::AdapterSpec t = rf::parse_adapter_config(rf::adapter_config_json(s), "roundtrip");
        if (t.type != s.type || t.rank != s.rank || t.num_layers != s.num_layers || t.keys != s.keys) std::abort();
    } catch (const rf::InputError&) {
    }
}

}  // namespace rf_fuzz
