// Byte counts for people: "412.0 MiB", "1.16 GiB" (binary units), "?" for an unknown (negative) count.
#pragma once
#include <cstdint>
#include <string>

namespace rf {

std::string human_bytes(int64_t bytes);

}  // namespace rf
