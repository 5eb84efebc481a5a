#include "judge/judge.h"

#include "core/error.h"

namespace rf {

const char* to_string(Winner w) {
    switch (w) {
        case Winner::first: return "0";
        case Winner::second: return "1";
        case Winner::tie: return "tie";
        case Winner::skip: return "skip";
    }
    return "skip";
}

Winner winner_from_string(std::string_view s) {
    if (s == "0") return Winner::first;
    if (s == "1") return Winner::second;
    if (s == "tie") return Winner::tie;
    if (s == "skip") return Winner::skip;
    throw InputError({}, 0, "winner", "unknown winner '" + std::string(s) + "'", "expected 0, 1, tie or skip");
}

}  // namespace rf
