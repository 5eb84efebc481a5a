// Jinja lexer: template text -> tokens, with the whitespace control of transformers' chat templates
// (trim_blocks, lstrip_blocks, {%- -%} {{- -}} {#- -#}), as @huggingface/jinja's tokenize() does.
#pragma once
#include <string>
#include <vector>

namespace rf::jinja {

enum class Tok {
    Text,         // literal output between tags
    OpenStmt,     // {%
    CloseStmt,    // %}
    OpenExpr,     // {{
    CloseExpr,    // }}
    Name,         // identifiers and keywords
    String,       // 'x' or "x", escapes resolved
    Integer,
    Float,
    Op,           // ( ) [ ] { } , . : | = + - ~ * / // % ** == != < > <= >=
    End,
};

struct Token {
    Tok type;
    std::string text;
    int line;
};

// Throws InputError naming `name` and the line on malformed input.
std::vector<Token> tokenize(const std::string& source, const std::string& name);

}  // namespace rf::jinja
