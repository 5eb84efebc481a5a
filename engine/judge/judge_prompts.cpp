#include "judge/judge_prompts.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cctype>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/error.h"

namespace rf {

const char* const kDefaultJudgeRubric =
    "You are a careful and impartial judge of answers written by AI assistants. You value answers that "
    "are correct, helpful, honest, clear and that follow the instruction; you ignore their length and "
    "their position in the list.";

const char* const kDefaultPairwiseTemplate =
    "Two AI assistants, identified as 0 and 1, answered the same instruction. Decide which answer "
    "is better.\n"
    "\n"
    "## Instruction\n"
    "{prompt}\n"
    "\n"
    "## Answer of assistant 0\n"
    "{response0}\n"
    "\n"
    "## Answer of assistant 1\n"
    "{response1}\n"
    "\n"
    "Which answer is better? Reply with the identifier of the better assistant only: the single "
    "character 0 or 1.";

const char* const kDefaultScalarTemplate =
    "Rate how well the AI assistant's answer below follows the instruction, on a scale from 0 "
    "(useless, wrong or harmful) to 10 (excellent: correct, helpful and clear).\n"
    "\n"
    "## Instruction\n"
    "{prompt}\n"
    "\n"
    "## Answer\n"
    "{response0}\n"
    "\n"
    "Reply with the score only: one number from 0 to 10.";

namespace {

using nlohmann::json;

struct Match {
    size_t pos;
    std::string group;
};

// All matches of `pattern` (caseless, byte mode) in `text`, with capture group 1.
std::vector<Match> find_all(const char* pattern, std::string_view text, uint32_t extra = 0) {
    int err = 0;
    PCRE2_SIZE off = 0;
    std::unique_ptr<pcre2_code, decltype(&pcre2_code_free)> code(
        pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern), PCRE2_ZERO_TERMINATED, PCRE2_CASELESS | extra, &err,
                      &off, nullptr),
        &pcre2_code_free);
    RF_CHECK(code != nullptr, std::string("judge verdict pattern does not compile: ") + pattern);
    std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> md(
        pcre2_match_data_create_from_pattern(code.get(), nullptr), &pcre2_match_data_free);
    std::vector<Match> out;
    size_t start = 0;
    while (start <= text.size()) {
        int rc = pcre2_match(code.get(), reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), start, 0, md.get(),
                             nullptr);
        if (rc < 2) break;
        PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.get());
        out.push_back({size_t(ov[0]), std::string(text.substr(ov[2], ov[3] - ov[2]))});
        start = ov[1] > ov[0] ? size_t(ov[1]) : size_t(ov[0]) + 1;
    }
    return out;
}

std::string trim(std::string_view s, const char* chars = " \t\r\n") {
    size_t b = s.find_first_not_of(chars), e = s.find_last_not_of(chars);
    return b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
}

// Markup models wrap short answers in: quotes, bold, brackets, a final period.
std::string unwrap(std::string_view s) { return trim(s, " \t\r\n\"'`*_[](){}.:!"); }

std::string first_line(std::string_view s) {
    std::string t = trim(s);
    size_t nl = t.find('\n');
    return nl == std::string::npos ? t : t.substr(0, nl);
}

// The JSON object from the first '{' to the last '}' (mlx-lm-lora's approach), if it parses.
std::optional<json> json_object(std::string_view t) {
    size_t b = t.find('{'), e = t.rfind('}');
    if (b == std::string_view::npos || e == std::string_view::npos || e < b) return std::nullopt;
    json j = json::parse(t.substr(b, e - b + 1), nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    return j;
}

std::optional<double> as_number(const json& v) {
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) {
        std::string s = trim(v.get<std::string>());
        char* end = nullptr;
        double d = std::strtod(s.c_str(), &end);
        if (!s.empty() && end == s.c_str() + s.size()) return d;
    }
    return std::nullopt;
}

std::optional<float> in_range(double v) {
    if (v >= 0.0 && v <= 10.0) return float(v);
    return std::nullopt;
}

const char* kNumber = "(\\d+(?:\\.\\d+)?)";

}  // namespace

std::string fill_template(std::string_view tpl, const std::map<std::string, std::string>& values) {
    std::string out;
    out.reserve(tpl.size() + 256);
    for (size_t i = 0; i < tpl.size();) {
        char c = tpl[i];
        if (c == '{' && i + 1 < tpl.size() && tpl[i + 1] == '{') {
            out += '{', i += 2;
        } else if (c == '}' && i + 1 < tpl.size() && tpl[i + 1] == '}') {
            out += '}', i += 2;
        } else if (c == '{') {
            size_t close = tpl.find('}', i + 1);
            if (close != std::string_view::npos) {
                auto it = values.find(std::string(tpl.substr(i + 1, close - i - 1)));
                if (it != values.end()) {
                    out += it->second;
                    i = close + 1;
                    continue;
                }
            }
            out += c, ++i;
        } else {
            out += c, ++i;
        }
    }
    return out;
}

bool check_judge_template(std::string_view tpl, JudgeMode mode) {
    // Placeholders as str.format sees them: "{{response0}}" is a literal, not a placeholder.
    const std::string probe = fill_template(tpl, {{"prompt", "\x01P"}, {"response0", "\x01R0"},
                                                  {"response", "\x01R0"}, {"response1", "\x01R1"}});
    const bool r0 = probe.find("\x01R0") != std::string::npos, r1 = probe.find("\x01R1") != std::string::npos;
    if (mode == JudgeMode::pairwise) {
        if (!r0 || !r1)
            throw InputError({}, 0, "judge_config.system_prompt",
                             "a pairwise judge template needs both {response0} and {response1}",
                             "write the two completions as {response0} and {response1} (and the question as {prompt}); "
                             "literal braces are written {{ and }}");
        return false;
    }
    if (!r0 && !r1)
        throw InputError({}, 0, "judge_config.system_prompt",
                         "a scalar judge template needs {response0} (the completion to score)",
                         "write the completion as {response0} and the question as {prompt}");
    return r1;
}

std::string strip_reasoning(std::string_view reply) {
    std::string s(reply);
    // A reply that starts inside a reasoning block (the template opened it) has only the closing tag.
    size_t open = s.find("<think>"), close = s.find("</think>");
    if (close != std::string::npos && (open == std::string::npos || close < open)) s.erase(0, close + 8);
    for (;;) {
        open = s.find("<think>");
        if (open == std::string::npos) break;
        close = s.find("</think>", open);
        if (close == std::string::npos) {
            s.erase(open);  // unfinished reasoning: no verdict in it
            break;
        }
        s.erase(open, close + 8 - open);
    }
    return trim(s);
}

std::optional<int> parse_pair_verdict(std::string_view reply) {
    const std::string t = strip_reasoning(reply);
    if (t.empty()) return std::nullopt;
    // 1. a bare identifier, possibly named and wrapped: "1", "**0**", "Assistant 1.", "[[1]]"
    const char* kBare = "^(?:response|model|output|answer|assistant|completion)?\\s*#?\\s*([01])$";
    if (auto m = find_all(kBare, unwrap(t)); !m.empty()) return m[0].group[0] - '0';
    // 2. JSON: {"winner": 1}, {"model_identifier": "0"}, ...
    if (auto j = json_object(t)) {
        for (auto& [key, value] : j->items()) {
            std::string k = key;
            for (char& ch : k) ch = char(std::tolower(static_cast<unsigned char>(ch)));
            if (k != "winner" && k != "choice" && k != "answer" && k != "best" && k != "better" && k != "preferred" &&
                k != "model_identifier" && k != "verdict" && k != "result")
                continue;
            if (auto m = find_all(kBare, value.is_string() ? unwrap(value.get<std::string>()) : value.dump()); !m.empty())
                return m[0].group[0] - '0';
        }
    }
    // 3. the first line starts with the identifier: "1\n\nBecause ...", "0 - it answers the question"
    const char* kLead = "^(?:response|model|output|answer|assistant)?\\s*#?\\s*([01])(?:\\s*$|[\\s.:,)\\]*-])";
    if (auto m = find_all(kLead, unwrap(first_line(t))); !m.empty()) return m[0].group[0] - '0';
    // 4. an explicit phrase; the last one wins (models conclude at the end)
    const char* kPhrases[] = {
        "(?:final answer|answer|verdict|winner|choice|decision)\\s*(?:is|:|=|-)\\s*[*\"'\\[(]*\\s*"
        "(?:response|model|output|assistant)?\\s*#?\\s*([01])\\b",
        "(?:response|model|output|assistant|answer)\\s*#?\\s*([01])\\s*(?:is|was)\\s*(?:the\\s+|clearly\\s+)?"
        "(?:better|best|preferred|superior|stronger|more)",
        "(?:better|best|preferred|stronger)\\s+(?:response|model|output|one|answer)\\s*(?:is|:)\\s*[*\"'\\[(]*\\s*"
        "(?:response|model|output|assistant)?\\s*#?\\s*([01])\\b",
        "(?:prefer|choose|pick|select)\\s+(?:response|model|output|assistant|answer)?\\s*#?\\s*([01])\\b",
    };
    std::optional<Match> last;
    for (const char* p : kPhrases)
        for (const Match& m : find_all(p, t))
            if (!last || m.pos >= last->pos) last = m;
    if (last) return last->group[0] - '0';
    return std::nullopt;
}

std::optional<float> parse_scalar_verdict(std::string_view reply) {
    const std::string t = strip_reasoning(reply);
    if (t.empty()) return std::nullopt;
    const std::string bare = std::string("^\\+?") + kNumber + "$";
    if (auto m = find_all(bare.c_str(), unwrap(t)); !m.empty()) return in_range(std::atof(m[0].group.c_str()));
    if (auto j = json_object(t)) {
        for (const char* k : {"score", "rating", "grade", "Score", "Rating"})
            if (j->contains(k))
                if (auto v = as_number((*j)[k])) return in_range(*v);
        if (j->contains("scores") && (*j)["scores"].is_array() && !(*j)["scores"].empty()) {
            const json& first = (*j)["scores"][0];
            if (first.is_object() && first.contains("score"))
                if (auto v = as_number(first["score"])) return in_range(*v);
            if (auto v = as_number(first)) return in_range(*v);
        }
    }
    std::optional<Match> last;
    const std::string out_of = std::string(kNumber) + "\\s*(?:/|out\\s+of)\\s*10(?!\\d|\\.\\d)";
    const std::string labelled =
        std::string("(?:score|rating|grade)\\s*(?:is|:|=|of)?\\s*[*\"'\\[(]*\\s*") + kNumber + "(?![\\d])";
    for (const std::string& p : {out_of, labelled})
        for (const Match& m : find_all(p.c_str(), t))
            if (!last || m.pos >= last->pos) last = m;
    if (last) return in_range(std::atof(last->group.c_str()));
    const std::string lead = std::string("^\\+?") + kNumber + "(?![\\d])";
    if (auto m = find_all(lead.c_str(), unwrap(first_line(t))); !m.empty()) return in_range(std::atof(m[0].group.c_str()));
    return std::nullopt;
}

std::optional<std::array<float, 2>> parse_pair_scores(std::string_view reply) {
    const std::string t = strip_reasoning(reply);
    auto j = json_object(t);
    if (!j) return std::nullopt;
    std::optional<double> s[2];
    if (j->contains("scores") && (*j)["scores"].is_array()) {
        for (const json& e : (*j)["scores"]) {
            if (!e.is_object() || !e.contains("model_identifier") || !e.contains("score")) continue;
            std::optional<double> id = as_number(e["model_identifier"]);
            if (id && (*id == 0.0 || *id == 1.0)) s[int(*id)] = as_number(e["score"]);
        }
    } else {
        if (j->contains("0")) s[0] = as_number((*j)["0"]);
        if (j->contains("1")) s[1] = as_number((*j)["1"]);
    }
    if (!s[0] || !s[1]) return std::nullopt;
    auto a = in_range(*s[0]), b = in_range(*s[1]);
    if (!a || !b) return std::nullopt;
    return std::array<float, 2>{*a, *b};
}

}  // namespace rf
