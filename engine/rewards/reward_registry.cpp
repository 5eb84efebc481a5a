#include "rewards/reward_registry.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "core/error.h"
#include "rewards/r1_rewards.h"

namespace rf {
namespace {

class BuiltinRewardFunction : public RewardFunction {
public:
    explicit BuiltinRewardFunction(const BuiltinReward& b) : b_(b) {}
    std::string name() const override { return b_.name; }
    std::vector<float> score(const Strings& prompts, const Strings& completions, const Strings& answers,
                             const Strings& types) override {
        return b_.fn(prompts, completions, answers, types);
    }

private:
    BuiltinReward b_;
};

std::string trim_ascii(const std::string& s) {
    size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

const std::vector<BuiltinReward>& builtin_rewards() {
    static const std::vector<BuiltinReward> table = {
        {"r1_accuracy_reward_func", &r1_accuracy_reward_func,
         "2.0 when the <answer> text equals the dataset answer exactly"},
        {"r1_int_reward_func", &r1_int_reward_func, "0.5 when the <answer> text is all digits"},
        {"r1_strict_format_reward_func", &r1_strict_format_reward_func,
         "0.5 for '<think> ... </think> <answer> ... </answer>' on one line, single spaces"},
        {"r1_soft_format_reward_func", &r1_soft_format_reward_func,
         "0.5 when think/answer tags are in order with non-blank contents"},
        {"r1_count_xml", &r1_count_xml,
         "0.125 per tag present once, minus 0.001 per character after </answer>"},
    };
    return table;
}

std::vector<std::string> default_reward_function_names() {
    std::vector<std::string> names;
    for (const BuiltinReward& b : builtin_rewards()) names.push_back(b.name);
    return names;
}

std::unique_ptr<RewardFunction> make_builtin_reward(const std::string& name) {
    for (const BuiltinReward& b : builtin_rewards())
        if (name == b.name) return std::make_unique<BuiltinRewardFunction>(b);
    return nullptr;
}

std::vector<std::string> parse_reward_function_names(const std::string& text) {
    std::vector<std::string> names;
    size_t start = 0;
    for (;;) {
        size_t comma = text.find(',', start);
        std::string part = trim_ascii(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (!part.empty()) names.push_back(part);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return names;
}

std::vector<float> parse_reward_weights(const std::string& text) {
    std::string body = trim_ascii(text);
    // Python: str.strip("[]") removes any run of '[' / ']' at both ends.
    size_t b = body.find_first_not_of("[]"), e = body.find_last_not_of("[]");
    body = b == std::string::npos ? std::string() : body.substr(b, e - b + 1);
    std::vector<float> weights;
    if (trim_ascii(body).empty()) return weights;
    size_t start = 0;
    for (;;) {
        size_t comma = body.find(',', start);
        std::string part = trim_ascii(body.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        char* end = nullptr;
        errno = 0;
        double v = part.empty() ? 0.0 : std::strtod(part.c_str(), &end);
        if (part.empty() || end != part.c_str() + part.size() || errno == ERANGE || !std::isfinite(v))
            throw InputError({}, 0, "reward_weights", "'" + part + "' is not a number (in \"" + text + "\")",
                             "write the weights as numbers, e.g. \"[2.0, 0.5, 0.5, 0.5, 0.5]\"");
        weights.push_back(float(v));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return weights;
}

}  // namespace rf
