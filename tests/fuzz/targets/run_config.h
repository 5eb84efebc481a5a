// Run config YAML with --set overrides: parse_run_config never throws for bad input (every problem is
// an Issue). Lines "#set key=value" of the input become --set strings (YAML ignores them as comments).
// When the config has no error, to_yaml re-serialises it and the result must parse without error.
#pragma once
#include "config/run_config.h"
#include "fuzz_util.h"

namespace rf_fuzz {

inline void run_config(const uint8_t* data, size_t size) {
    std::string text = text_of(data, size);
    std::vector<std::string> sets;
    for (size_t at = 0; (at = text.find("#set ", at)) != std::string::npos;) {
        size_t end = text.find('\n', at);
        sets.push_back(text.substr(at + 5, end == std::string::npos ? std::string::npos : end - at - 5));
        at += 5;
    }
    rf::ParsedConfig p = rf::parse_run_config(text, "fuzz.yaml", sets);
    bool error = false;
    for (const rf::Issue& i : p.issues) error |= i.severity == rf::Severity::error;
    if (error) return;
    rf::ParsedConfig q = rf::parse_run_config(rf::to_yaml(p.config), "roundtrip.yaml");
    for (const rf::Issue& i : q.issues)
        if (i.severity == rf::Severity::error) std::abort();  // to_yaml wrote what the parser refuses
}

}  // namespace rf_fuzz
