#include "rewards/r1_rewards.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <memory>

#include "core/error.h"
#include "rewards/py_str.h"

namespace rf {
namespace {

std::vector<float> zeros(size_t n) { return std::vector<float>(n, 0.0f); }

// Python's re.search of the strict pattern. Without PCRE2_UTF the match runs on bytes, which is the
// same as matching code points here: '.' matches any byte but '\n' (newline convention set to LF
// only, as Python's '.' excludes only '\n'), and no multi-byte character contains the byte '\n'.
class StrictPattern {
public:
    StrictPattern() {
        static const char kPattern[] = "<think> .*? </think> <answer> .*? </answer>";
        pcre2_compile_context* cctx = pcre2_compile_context_create(nullptr);
        RF_CHECK(cctx != nullptr);
        pcre2_set_newline(cctx, PCRE2_NEWLINE_LF);
        int err = 0;
        PCRE2_SIZE off = 0;
        code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(kPattern), PCRE2_ZERO_TERMINATED, 0, &err, &off, cctx);
        pcre2_compile_context_free(cctx);
        RF_CHECK(code_ != nullptr, "strict format pattern failed to compile");
    }
    ~StrictPattern() { pcre2_code_free(code_); }
    bool search(std::string_view s) const {
        std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> md(
            pcre2_match_data_create_from_pattern(code_, nullptr), &pcre2_match_data_free);
        RF_CHECK(md != nullptr);
        int rc = pcre2_match(code_, reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), 0, 0, md.get(), nullptr);
        if (rc >= 0) return true;
        // PCRE2_ERROR_MATCHLIMIT (pathological backtracking on a huge line) counts as no match.
        RF_CHECK(rc == PCRE2_ERROR_NOMATCH || rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT,
                 "pcre2_match failed with code " + std::to_string(rc));
        return false;
    }

private:
    pcre2_code* code_ = nullptr;
};

}  // namespace

std::string_view r1_extract_xml_answer(std::string_view text) {
    return py::strip(py::split_first(py::split_last(text, "<answer>"), "</answer>"));
}

std::vector<float> r1_accuracy_reward_func(const Strings& prompts, const Strings& completions, const Strings& answers,
                                           const Strings&) {
    if (completions.empty() || answers.empty()) return zeros(prompts.size());
    const size_t n = std::min(completions.size(), answers.size());  // zip()
    std::vector<float> out(n);
    for (size_t i = 0; i < n; ++i) {
        std::string_view r = r1_extract_xml_answer(completions[i]);
        const std::string& a = answers[i];
        out[i] = (!r.empty() && !a.empty() && r == a) ? 2.0f : 0.0f;
    }
    return out;
}

std::vector<float> r1_int_reward_func(const Strings& prompts, const Strings& completions, const Strings&,
                                      const Strings&) {
    if (completions.empty()) return zeros(prompts.size());
    std::vector<float> out(completions.size());
    for (size_t i = 0; i < completions.size(); ++i) {
        std::string_view r = r1_extract_xml_answer(completions[i]);
        out[i] = py::isdigit(r) ? 0.5f : 0.0f;  // isdigit() is false on "" like `r and ...`
    }
    return out;
}

std::vector<float> r1_strict_format_reward_func(const Strings& prompts, const Strings& completions, const Strings&,
                                                const Strings&) {
    if (completions.empty()) return zeros(prompts.size());
    static const StrictPattern pattern;  // thread-safe initialisation; matching is re-entrant
    std::vector<float> out(completions.size());
    for (size_t i = 0; i < completions.size(); ++i)
        out[i] = (!completions[i].empty() && pattern.search(completions[i])) ? 0.5f : 0.0f;
    return out;
}

std::vector<float> r1_soft_format_reward_func(const Strings& prompts, const Strings& completions, const Strings&,
                                              const Strings&) {
    if (completions.empty()) return zeros(prompts.size());
    std::vector<float> out(completions.size(), 0.0f);
    for (size_t i = 0; i < completions.size(); ++i) {
        std::string_view c = completions[i];
        const size_t npos = std::string_view::npos;
        size_t ts = c.find("<think>"), te = c.find("</think>"), as = c.find("<answer>"), ae = c.find("</answer>");
        if (ts == npos || te == npos || as == npos || ae == npos) continue;
        if (!(ts < te && te < as && as < ae)) continue;
        std::string_view reason = py::strip(c.substr(ts + 7, te - (ts + 7)));
        std::string_view answer = py::strip(c.substr(as + 8, ae - (as + 8)));
        if (!reason.empty() && !answer.empty()) out[i] = 0.5f;
    }
    return out;
}

std::vector<float> r1_count_xml(const Strings& prompts, const Strings& completions, const Strings&, const Strings&) {
    if (completions.empty()) return zeros(prompts.size());
    std::vector<float> out(completions.size(), 0.0f);
    for (size_t i = 0; i < completions.size(); ++i) {
        std::string_view t = completions[i];
        if (t.empty()) continue;
        double score = 0.0;  // Python floats: accumulate in double, round once to float
        if (py::count(t, "<think>\n") == 1) score += 0.125;
        if (py::count(t, "</think>") == 1) score += 0.125;
        if (py::count(t, "<answer>") == 1) score += 0.125;
        if (py::count(t, "</answer>") == 1) score += 0.125;
        const size_t tail = py::len(py::split_last(t, "</answer>"));
        if (tail > 0) score -= double(tail) * 0.001;
        out[i] = float(score > 0.0 ? score : 0.0);
    }
    return out;
}

}  // namespace rf
