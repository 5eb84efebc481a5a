// Levenshtein distance, for "did you mean …?" hints (config keys, optimizer options, reward
// functions, dataset columns).
#pragma once
#include <cstddef>
#include <string_view>

namespace rf {

// Insertions, deletions and substitutions (each 1) that turn a into b; ASCII case is ignored when
// ignore_case is set.
size_t edit_distance(std::string_view a, std::string_view b, bool ignore_case = false);

}  // namespace rf
