// Asking a person without blocking the run forever: `ask` gets a flag to poll (every HumanAsker
// method takes one) that rises when the run's `stop` does or, when wait_seconds > 0, when the time is
// up. Used by the human reward (human_reward.h) and judge: human with a fallback (fallback_judge.h).
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>

namespace rf {

enum class AskEnd { answered, timed_out, stopped };

// `ask` returns true when the person answered, false when it gave up because the flag rose.
AskEnd ask_within(const std::atomic<bool>& stop, double wait_seconds, const std::function<bool(const std::atomic<bool>&)>& ask);

// Whether item `index` of step `step` is one the person is asked about: a share `fraction` of them,
// chosen by a hash of (seed, step, index), so a retrained step asks about the same items.
bool chosen_for_person(uint64_t seed, int step, int64_t index, double fraction);

}  // namespace rf
