#include "text/jinja/lexer.h"

#include <cstring>

#include "core/error.h"

namespace rf::jinja {

namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Whitespace as JavaScript's trimEnd()/\s sees it, for the {%- / -%} stripping (ASCII + NBSP + the
// Unicode spaces), so output matches the reference renderer byte for byte.
size_t ws_len_at(const std::string& s, size_t i) {
    if (i >= s.size()) return 0;
    if (is_ws(s[i])) return 1;
    static const char* multi[] = {"\xC2\xA0", "\xE1\x9A\x80", "\xE2\x80\x80", "\xE2\x80\x81", "\xE2\x80\x82", "\xE2\x80\x83",
                                  "\xE2\x80\x84", "\xE2\x80\x85", "\xE2\x80\x86", "\xE2\x80\x87", "\xE2\x80\x88", "\xE2\x80\x89",
                                  "\xE2\x80\x8A", "\xE2\x80\xA8", "\xE2\x80\xA9", "\xE2\x80\xAF", "\xE2\x81\x9F", "\xE3\x80\x80",
                                  "\xEF\xBB\xBF"};
    for (const char* m : multi) if (s.compare(i, std::strlen(m), m) == 0) return std::strlen(m);
    return 0;
}

void trim_end(std::string& s) {
    for (;;) {
        if (!s.empty() && is_ws(s.back())) { s.pop_back(); continue; }
        bool cut = false;
        for (size_t n : {2u, 3u}) {
            if (s.size() >= n && ws_len_at(s, s.size() - n) == n) { s.resize(s.size() - n); cut = true; break; }
        }
        if (!cut) return;
    }
}

// The preprocessing of @huggingface/jinja (and Python Jinja's trim_blocks / lstrip_blocks):
//  - one trailing newline of the template is dropped;
//  - lstrip_blocks: spaces/tabs from a line start up to "{%", "{#" (and "{-") are dropped;
//  - trim_blocks: the newline right after "%}", "#}" (and "-}") is dropped;
//  - transformers' {% generation %} / {% endgeneration %} tags are removed.
std::string preprocess(std::string src) {
    if (!src.empty() && src.back() == '\n') src.pop_back();
    std::string a;
    a.reserve(src.size());
    for (size_t i = 0; i < src.size();) {
        bool line_start = i == 0 || src[i - 1] == '\n' || src[i - 1] == '\r';
        if (line_start) {
            size_t j = i;
            while (j < src.size() && (src[j] == ' ' || src[j] == '\t')) ++j;
            if (j > i && j + 1 < src.size() && src[j] == '{' && (src[j + 1] == '#' || src[j + 1] == '%' || src[j + 1] == '-')) i = j;
        }
        a += src[i++];
    }
    std::string b;
    b.reserve(a.size());
    for (size_t i = 0; i < a.size(); ++i) {
        b += a[i];
        if (a[i] == '}' && i > 0 && (a[i - 1] == '#' || a[i - 1] == '%' || a[i - 1] == '-') && i + 1 < a.size() && a[i + 1] == '\n') ++i;
    }
    // {% generation %} tags
    std::string c;
    c.reserve(b.size());
    for (size_t i = 0; i < b.size();) {
        size_t open = b.find("{%", i);
        if (open == std::string::npos) { c.append(b, i, std::string::npos); break; }
        size_t k = open + 2;
        bool lstrip = k < b.size() && b[k] == '-';
        if (lstrip) ++k;
        while (k < b.size() && is_ws(b[k])) ++k;
        size_t word = k;
        if (b.compare(k, 3, "end") == 0) k += 3;
        bool is_gen = b.compare(k, 10, "generation") == 0;
        if (is_gen) {
            k += 10;
            while (k < b.size() && is_ws(b[k])) ++k;
            bool rstrip = k < b.size() && b[k] == '-';
            if (rstrip) ++k;
            is_gen = b.compare(k, 2, "%}") == 0;
            if (is_gen) {
                std::string before = b.substr(i, open - i);
                size_t after = k + 2;
                if (lstrip) {
                    size_t e = before.size();
                    while (e > 0 && is_ws(before[e - 1])) --e;
                    before.resize(e);
                }
                c += before;
                if (rstrip) while (after < b.size() && is_ws(b[after])) ++after;
                i = after;
                continue;
            }
        }
        (void)word;
        c.append(b, i, open + 2 - i);
        i = open + 2;
    }
    return c;
}

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::vector<Token> tokenize(const std::string& source, const std::string& name) {
    const std::string src = preprocess(source);
    std::vector<Token> out;
    size_t i = 0;
    int line = 1;
    auto fail = [&](const std::string& msg) -> void { throw InputError(name, line, "chat_template", msg); };
    auto advance = [&](size_t n) {
        for (size_t k = 0; k < n && i < src.size(); ++k, ++i) if (src[i] == '\n') ++line;
    };
    auto skip_ws = [&] {
        for (size_t n; (n = ws_len_at(src, i)) > 0;) advance(n);
    };
    auto strip_prev_text = [&] {
        if (!out.empty() && out.back().type == Tok::Text) {
            trim_end(out.back().text);
            if (out.back().text.empty()) out.pop_back();
        }
    };
    while (i < src.size()) {
        // text up to the next tag
        size_t next = i;
        while (next < src.size() && !(src[next] == '{' && next + 1 < src.size() && (src[next + 1] == '%' || src[next + 1] == '{' || src[next + 1] == '#'))) ++next;
        if (next > i) {
            out.push_back({Tok::Text, src.substr(i, next - i), line});
            advance(next - i);
            continue;
        }
        if (src.compare(i, 2, "{#") == 0) {
            int start_line = line;
            advance(2);
            bool strip_before = i < src.size() && src[i] == '-';
            size_t end = src.find("#}", i);
            if (end == std::string::npos) { line = start_line; fail("comment {# is never closed with #}"); }
            bool strip_after = end > i && src[end - 1] == '-';
            if (strip_before) strip_prev_text();
            advance(end + 2 - i);
            if (strip_after) skip_ws();
            continue;
        }
        bool is_stmt = src[i + 1] == '%';
        advance(2);
        if (i < src.size() && src[i] == '-') {
            strip_prev_text();
            advance(1);
        }
        out.push_back({is_stmt ? Tok::OpenStmt : Tok::OpenExpr, is_stmt ? "{%" : "{{", line});
        // tokens inside the tag
        int depth = 0;  // { } nesting inside an expression, so "}}" of a dict literal is not the end
        for (;;) {
            skip_ws();
            if (i >= src.size()) fail(std::string("tag ") + (is_stmt ? "{%" : "{{") + " is never closed");
            const char* close = is_stmt ? "%}" : "}}";
            bool dash = src[i] == '-' && src.compare(i + 1, 2, close) == 0;
            if ((dash || src.compare(i, 2, close) == 0) && (is_stmt || depth == 0)) {
                advance(dash ? 3 : 2);
                out.push_back({is_stmt ? Tok::CloseStmt : Tok::CloseExpr, close, line});
                if (dash) skip_ws();
                break;
            }
            char c = src[i];
            if (is_name_start(c)) {
                size_t j = i;
                while (j < src.size() && is_name_char(src[j])) ++j;
                out.push_back({Tok::Name, src.substr(i, j - i), line});
                advance(j - i);
            } else if (is_digit(c)) {
                size_t j = i;
                while (j < src.size() && is_digit(src[j])) ++j;
                bool is_float = j + 1 < src.size() && src[j] == '.' && is_digit(src[j + 1]);
                if (is_float) { ++j; while (j < src.size() && is_digit(src[j])) ++j; }
                out.push_back({is_float ? Tok::Float : Tok::Integer, src.substr(i, j - i), line});
                advance(j - i);
            } else if (c == '\'' || c == '"') {
                int start_line = line;
                advance(1);
                std::string s;
                for (;;) {
                    if (i >= src.size()) { line = start_line; fail("string literal is never closed"); }
                    char d = src[i];
                    if (d == c) { advance(1); break; }
                    if (d == '\\') {
                        if (i + 1 >= src.size()) fail("string literal ends with a backslash");
                        char e = src[i + 1];
                        advance(2);
                        switch (e) {
                        case 'n': s += '\n'; break;
                        case 't': s += '\t'; break;
                        case 'r': s += '\r'; break;
                        case 'b': s += '\b'; break;
                        case 'f': s += '\f'; break;
                        case 'v': s += '\v'; break;
                        case '\\': s += '\\'; break;
                        case '\'': s += '\''; break;
                        case '"': s += '"'; break;
                        case '\n': break;
                        default: fail(std::string("unsupported escape sequence \\") + e + " in a string literal");
                        }
                        continue;
                    }
                    s += d;
                    advance(1);
                }
                out.push_back({Tok::String, s, line});
            } else {
                static const char* ops[] = {"**", "//", "==", "!=", "<=", ">=", "(", ")", "[", "]", "{", "}", ",", ".",
                                            ":", "|", "=", "+", "-", "~", "*", "/", "%", "<", ">"};
                const char* hit = nullptr;
                for (const char* op : ops) if (src.compare(i, std::strlen(op), op) == 0) { hit = op; break; }
                if (!hit) fail(std::string("unexpected character '") + c + "' inside a tag");
                if (std::strcmp(hit, "{") == 0) ++depth;
                if (std::strcmp(hit, "}") == 0) --depth;
                out.push_back({Tok::Op, hit, line});
                advance(std::strlen(hit));
            }
        }
    }
    out.push_back({Tok::End, "", line});
    return out;
}

}  // namespace rf::jinja
