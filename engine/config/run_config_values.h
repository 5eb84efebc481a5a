// Internal to engine/config/run_config*.cpp: converting key values between strings and C++ values,
// with errors that name the key, the expected type/range and what was found.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/run_config.h"

namespace rf::config_detail {

// Shortest text that reads back to the same double and that Python's YAML 1.1 also reads as a float
// ("1.0e-05", "0.2", "20.0").
std::string format_real(double v);
std::string format_real_list(const std::vector<double>& v);     // "[2.0, 0.5]"
std::string format_string_list(const std::vector<std::string>& v);  // "a, b"

// Parsers; each throws InputError({}, 0, key, "expected …, got '…'", hint).
bool parse_bool(const std::string& key, const std::string& s);
int64_t parse_int(const std::string& key, const std::string& s);
double parse_real(const std::string& key, const std::string& s);
// "a, b", "[a, b]", "['a', \"b\"]" → {a, b}; "" or "[]" → {}.
std::vector<std::string> parse_string_list(const std::string& key, const std::string& s);
std::vector<double> parse_real_list(const std::string& key, const std::string& s);
nlohmann::json parse_mapping(const std::string& key, const std::string& s);  // JSON or YAML flow map

// "expected a real number >= 0 (0 = off)" style description of what a key accepts.
std::string expected_text(const KeySpec& k);
// Empty when v is inside the key's bounds, else the error message ("expected … , got 3").
std::string range_error(const KeySpec& k, double v, const std::string& shown);

std::string now_stamp();  // yyyy-MM-dd-HHmmss, local time

// mlx-lm-lora / Studio keys that Reinforge reads but does not implement: (name, refused when set to a
// true value, note). Defined in run_config_yaml.cpp; listed in docs/config.md.
struct ForeignKey {
    std::string_view name;
    bool error_if_truthy;
    std::string_view note;
};
std::span<const ForeignKey> foreign_keys();

}  // namespace rf::config_detail

namespace YAML {
class Node;
}
namespace rf::config_detail {
nlohmann::json yaml_to_json(const YAML::Node& n);

}  // namespace rf::config_detail
