#include "core/error.h"

namespace rf {

static std::string format_input_error(const std::string& file, int line, const std::string& key,
                                      const std::string& message, const std::string& hint) {
    std::string s;
    if (!file.empty()) {
        s += file;
        if (line > 0) s += ":" + std::to_string(line);
        s += ": ";
    } else if (line > 0) {
        s += "line " + std::to_string(line) + ": ";
    }
    if (!key.empty()) s += "'" + key + "': ";
    s += message;
    if (!hint.empty()) s += " (hint: " + hint + ")";
    return s;
}

InputError::InputError(std::string file_, int line_, std::string key_, std::string message_, std::string hint_)
    : std::runtime_error(format_input_error(file_, line_, key_, message_, hint_)),
      file(std::move(file_)), line(line_), key(std::move(key_)), message(std::move(message_)), hint(std::move(hint_)) {}

void internal_error(const char* file, int line, const char* cond, const std::string& msg) {
    std::string s = std::string("internal error at ") + file + ":" + std::to_string(line) + ": check failed: " + cond;
    if (!msg.empty()) s += " — " + msg;
    throw InternalError(s);
}

}  // namespace rf
