// The three tiers of errors (STYLE.md):
//   1. InternalError: a broken invariant (RF_CHECK). Never abort(): the app must survive and show it.
//   2. InputError:    bad input found at a boundary; names the file, the place, what was expected, a hint.
//   3. Failures during a run are caught by the caller (CLI / worker) and reported; the run folder
//      keeps the last good checkpoint.
#pragma once
#include <stdexcept>
#include <string>

namespace rf {

struct InternalError : std::logic_error {
    using std::logic_error::logic_error;
};

// Bad input. `what()` is the full message: "<file>:<line>: <message> (hint: <hint>)".
struct InputError : std::runtime_error {
    std::string file;     // may be empty
    int line = 0;         // 0 when unknown
    std::string key;      // config key / field / tensor name, may be empty
    std::string message;  // without the location
    std::string hint;     // may be empty
    InputError(std::string file, int line, std::string key, std::string message, std::string hint = {});
    explicit InputError(std::string message) : InputError({}, 0, {}, std::move(message)) {}
};

[[noreturn]] void internal_error(const char* file, int line, const char* cond, const std::string& msg);

}  // namespace rf

// Always-on invariant check (also in Release). The message is optional extra context.
#define RF_CHECK(cond, ...)                                                                      \
    do {                                                                                         \
        if (!(cond)) ::rf::internal_error(__FILE__, __LINE__, #cond, ::std::string{__VA_ARGS__}); \
    } while (0)
