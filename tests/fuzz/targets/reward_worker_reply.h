// The Python reward worker's replies (rewards/python_worker.h): the first line (parse_worker_hello)
// and a "score" reply (parse_score_reply for one and for two functions on 2 completions). Each either
// parses or throws InputError.
#pragma once
#include <cmath>

#include "core/error.h"
#include "rewards/python_worker.h"
#include "fuzz_util.h"

namespace rf_fuzz {

inline void reward_worker_reply(const uint8_t* data, size_t size) {
    std::string line = text_of(data, size);
    try {
        (void)rf::parse_worker_hello(line, "rewards.py");
    } catch (const rf::InputError&) {
    }
    for (const std::vector<std::string>& names : {std::vector<std::string>{"f"}, std::vector<std::string>{"f", "g"}}) {
        try {
            auto s = rf::parse_score_reply(line, names, 2, "rewards.py");
            if (s.size() != names.size()) std::abort();
            for (const auto& col : s) {
                if (col.size() != 2) std::abort();
                for (float v : col) if (std::isinf(v)) std::abort();
            }
        } catch (const rf::InputError&) {
        }
    }
}

}  // namespace rf_fuzz
