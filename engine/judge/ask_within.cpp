#include "judge/ask_within.h"

#include <chrono>
#include <cstdint>
#include <thread>

namespace rf {

namespace {

uint64_t mix(uint64_t x) {  // splitmix64's finaliser
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

}  // namespace

AskEnd ask_within(const std::atomic<bool>& stop, double wait_seconds, const std::function<bool(const std::atomic<bool>&)>& ask) {
    if (wait_seconds <= 0) return ask(stop) ? AskEnd::answered : AskEnd::stopped;
    std::atomic<bool> raise{false}, done{false}, late{false};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(wait_seconds);
    std::thread watcher([&] {
        while (!done.load()) {
            if (stop.load()) break;
            if (std::chrono::steady_clock::now() >= deadline) {
                late = true;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        raise = true;
    });
    const bool answered = ask(raise);
    done = true;
    watcher.join();
    if (answered) return AskEnd::answered;
    return late.load() && !stop.load() ? AskEnd::timed_out : AskEnd::stopped;
}

bool chosen_for_person(uint64_t seed, int step, int64_t index, double fraction) {
    if (fraction >= 1.0) return true;
    if (fraction <= 0.0) return false;
    const uint64_t h = mix(mix(mix(seed) ^ uint64_t(step)) ^ uint64_t(index));
    return double(h >> 11) * 0x1.0p-53 < fraction;
}

}  // namespace rf
