#define PCRE2_CODE_UNIT_WIDTH 8
#include "text/regex.h"

#include <pcre2.h>

#include <mutex>

#include "core/error.h"

namespace rf {

namespace {

// Match data is per thread: find_all is const and may run on several threads at once.
struct MatchData {
    pcre2_match_data* md = nullptr;
    pcre2_match_context* ctx = nullptr;
    pcre2_jit_stack* stack = nullptr;
    MatchData() {
        md = pcre2_match_data_create(16, nullptr);
        ctx = pcre2_match_context_create(nullptr);
        stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, nullptr);
        pcre2_jit_stack_assign(ctx, nullptr, stack);
    }
    ~MatchData() {
        pcre2_jit_stack_free(stack);
        pcre2_match_context_free(ctx);
        pcre2_match_data_free(md);
    }
};

MatchData& thread_match_data() {
    thread_local MatchData data;
    return data;
}

}  // namespace

Regex::Regex(const std::string& pattern, const std::string& where) : m_pattern(pattern) {
    int err = 0;
    PCRE2_SIZE off = 0;
    auto* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                               PCRE2_UTF | PCRE2_UCP, &err, &off, nullptr);
    if (!code) {
        PCRE2_UCHAR buf[256];
        pcre2_get_error_message(err, buf, sizeof buf);
        throw InputError(where, 0, "pattern",
                         "regular expression does not compile at offset " + std::to_string(off) + ": " +
                             reinterpret_cast<const char*>(buf),
                         "the pattern is /" + pattern + "/");
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter when JIT is unavailable
    m_code = code;
}

Regex::~Regex() { pcre2_code_free(static_cast<pcre2_code*>(m_code)); }

std::vector<std::pair<size_t, size_t>> Regex::find_all(std::string_view subject) const {
    std::vector<std::pair<size_t, size_t>> out;
    auto* code = static_cast<pcre2_code*>(m_code);
    MatchData& data = thread_match_data();
    auto* s = reinterpret_cast<PCRE2_SPTR>(subject.data());
    size_t pos = 0;
    // PCRE2_NO_UTF_CHECK: otherwise every call re-validates the whole subject (quadratic).
    while (pos <= subject.size()) {
        int rc = pcre2_match(code, s, subject.size(), pos, PCRE2_NO_UTF_CHECK, data.md, data.ctx);
        if (rc == PCRE2_ERROR_NOMATCH) break;
        if (rc < 0) {
            PCRE2_UCHAR buf[256];
            pcre2_get_error_message(rc, buf, sizeof buf);
            throw InputError({}, 0, "pattern",
                             std::string("regular expression failed while matching: ") +
                                 reinterpret_cast<const char*>(buf),
                             "the pattern is /" + m_pattern + "/");
        }
        PCRE2_SIZE* ov = pcre2_get_ovector_pointer(data.md);
        size_t b = ov[0], e = ov[1];
        if (e > b) {
            out.emplace_back(b, e);
            pos = e;
        } else {
            // empty match: step over one code point
            if (b >= subject.size()) break;
            size_t step = 1;
            while (b + step < subject.size() && (static_cast<unsigned char>(subject[b + step]) & 0xC0) == 0x80) ++step;
            pos = b + step;
        }
    }
    return out;
}

bool Regex::first_capture(std::string_view subject, std::string& out) const {
    MatchData& data = thread_match_data();
    int rc = pcre2_match(static_cast<pcre2_code*>(m_code), reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0,
                         PCRE2_NO_UTF_CHECK, data.md, data.ctx);
    if (rc == PCRE2_ERROR_NOMATCH) return false;
    if (rc < 0) throw InputError({}, 0, "pattern", "regular expression failed while matching", "the pattern is /" + m_pattern + "/");
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(data.md);
    int g = rc >= 2 && ov[2] != PCRE2_UNSET ? 1 : 0;
    out.assign(subject.substr(ov[2 * g], ov[2 * g + 1] - ov[2 * g]));
    return true;
}

}  // namespace rf
