// Recursive-descent parser for the Jinja subset, with Jinja's operator precedence:
//   ternary < or < and < not < comparison (== != < > <= >= in, not in) < + - < ~ < * / // %
//   < ** < unary - + < postfix (.attr [index] [a:b] (call)) < filter | and test `is`.
// reference: pallets/jinja src/jinja2/parser.py
#include <cstdlib>

#include "core/error.h"
#include "text/jinja/ast.h"
#include "text/jinja/lexer.h"

namespace rf::jinja {

namespace {

class Parser {
public:
    Parser(std::vector<Token> toks, std::string name) : m_t(std::move(toks)), m_name(std::move(name)) {}

    Body parse_all() {
        Body body = parse_body({});
        if (peek().type != Tok::End) fail("unexpected '" + peek().text + "'");
        return body;
    }

private:
    std::vector<Token> m_t;
    size_t m_p = 0;
    std::string m_name;
    int m_depth = 0;  // nesting of expressions and blocks: a hostile template must not overflow the stack

    struct DepthGuard {
        Parser& p;
        explicit DepthGuard(Parser& parser) : p(parser) {
            if (++p.m_depth > 200) p.fail("the template nests expressions or blocks more than 200 deep");
        }
        ~DepthGuard() { --p.m_depth; }
    };

    const Token& peek(size_t k = 0) const { return m_t[std::min(m_p + k, m_t.size() - 1)]; }
    const Token& next() { const Token& t = peek(); if (m_p < m_t.size() - 1) ++m_p; return t; }
    [[noreturn]] void fail(const std::string& msg) const { throw InputError(m_name, peek().line, "chat_template", msg); }
    bool is_op(const char* op, size_t k = 0) const { return peek(k).type == Tok::Op && peek(k).text == op; }
    bool is_name(const char* n, size_t k = 0) const { return peek(k).type == Tok::Name && peek(k).text == n; }
    void expect_op(const char* op) {
        if (!is_op(op)) fail(std::string("expected '") + op + "' but found '" + peek().text + "'");
        next();
    }
    void expect(Tok t, const char* what) {
        if (peek().type != t) fail(std::string("expected ") + what + " but found '" + peek().text + "'");
        next();
    }
    std::string expect_name() {
        if (peek().type != Tok::Name) fail("expected a name but found '" + peek().text + "'");
        return next().text;
    }
    NodePtr node(Kind k, int line) { auto n = std::make_unique<Node>(); n->kind = k; n->line = line; return n; }

    // Parses statements until a {% <one of ends> %} (not consumed; the keyword is left at peek()).
    Body parse_body(const std::vector<std::string>& ends) {
        DepthGuard guard(*this);
        Body body;
        for (;;) {
            const Token& t = peek();
            if (t.type == Tok::End) {
                if (!ends.empty()) fail("missing {% " + ends.back() + " %}");
                return body;
            }
            if (t.type == Tok::Text) {
                auto n = node(Kind::Text, t.line);
                n->str = t.text;
                next();
                body.push_back(std::move(n));
            } else if (t.type == Tok::OpenExpr) {
                int line = t.line;
                next();
                auto n = node(Kind::Output, line);
                n->a.push_back(parse_expr());
                expect(Tok::CloseExpr, "'}}'");
                body.push_back(std::move(n));
            } else if (t.type == Tok::OpenStmt) {
                const Token& kw = peek(1);
                for (const std::string& e : ends) if (kw.type == Tok::Name && kw.text == e) { next(); return body; }
                next();
                body.push_back(parse_statement());
            } else {
                fail("unexpected '" + t.text + "'");
            }
        }
    }

    NodePtr parse_statement() {
        int line = peek().line;
        std::string kw = expect_name();
        if (kw == "if") return parse_if(line);
        if (kw == "for") return parse_for(line);
        if (kw == "set") return parse_set(line);
        if (kw == "break" || kw == "continue") {
            expect(Tok::CloseStmt, "'%}'");
            return node(kw == "break" ? Kind::Break : Kind::Continue, line);
        }
        static const char* unsupported[] = {"macro", "call", "filter", "include", "import", "from", "extends", "block",
                                            "with", "raw", "autoescape", "do", "trans"};
        for (const char* u : unsupported)
            if (kw == u) fail(std::string("unsupported template construct '{% ") + u + " %}'");
        fail("unknown statement '{% " + kw + " %}'");
    }

    NodePtr parse_if(int line) {
        auto n = node(Kind::If, line);
        n->a.push_back(parse_expr());
        expect(Tok::CloseStmt, "'%}'");
        n->body = parse_body({"elif", "else", "endif"});
        std::string kw = next().text;
        if (kw == "elif") {
            n->orelse.push_back(parse_if(peek().line));
            return n;  // the nested if consumed the endif
        }
        if (kw == "else") {
            expect(Tok::CloseStmt, "'%}'");
            n->orelse = parse_body({"endif"});
            next();
        }
        expect(Tok::CloseStmt, "'%}'");
        return n;
    }

    NodePtr parse_for(int line) {
        auto n = node(Kind::For, line);
        n->names.push_back(expect_name());
        while (is_op(",")) { next(); n->names.push_back(expect_name()); }
        if (!is_name("in")) fail("expected 'in' in the for loop");
        next();
        n->a.push_back(parse_ternary(false));
        if (is_name("if")) { next(); n->a.push_back(parse_ternary(false)); }
        if (is_name("recursive")) fail("unsupported template construct 'recursive' loops");
        expect(Tok::CloseStmt, "'%}'");
        n->body = parse_body({"else", "endfor"});
        if (next().text == "else") {
            expect(Tok::CloseStmt, "'%}'");
            n->orelse = parse_body({"endfor"});
            next();
        }
        expect(Tok::CloseStmt, "'%}'");
        return n;
    }

    NodePtr parse_set(int line) {
        auto n = node(Kind::Set, line);
        std::string first = expect_name();
        if (is_op(".")) {  // {% set ns.attr = value %}
            next();
            auto target = node(Kind::Attr, line);
            auto base = node(Kind::Name, line);
            base->str = first;
            target->a.push_back(std::move(base));
            target->str = expect_name();
            n->a.push_back(std::move(target));
        } else {
            n->a.push_back(nullptr);
            n->names.push_back(first);
            while (is_op(",")) { next(); n->names.push_back(expect_name()); }
        }
        if (is_op("=")) {
            next();
            n->a.push_back(parse_expr());
            expect(Tok::CloseStmt, "'%}'");
            return n;
        }
        if (peek().type == Tok::CloseStmt && n->names.size() == 1) {  // {% set x %}...{% endset %}
            next();
            n->body = parse_body({"endset"});
            next();
            expect(Tok::CloseStmt, "'%}'");
            return n;
        }
        fail("expected '=' in the set statement");
    }

    // ---- expressions ----
    NodePtr parse_expr() {
        NodePtr e = parse_ternary(true);
        if (is_op(",")) {  // bare tuple: a, b
            auto t = node(Kind::TupleLit, e->line);
            t->a.push_back(std::move(e));
            while (is_op(",")) {
                next();
                if (peek().type == Tok::CloseExpr || peek().type == Tok::CloseStmt) break;
                t->a.push_back(parse_ternary(true));
            }
            return t;
        }
        return e;
    }

    NodePtr parse_ternary(bool allow) {
        DepthGuard guard(*this);
        NodePtr e = parse_or();
        while (allow && is_name("if")) {
            int line = peek().line;
            next();
            auto t = node(Kind::Ternary, line);
            t->a.push_back(std::move(e));
            t->a.push_back(parse_or());
            if (is_name("else")) { next(); t->a.push_back(parse_ternary(true)); }
            else t->a.push_back(nullptr);
            e = std::move(t);
        }
        return e;
    }

    NodePtr binary(std::string op, NodePtr l, NodePtr r) {
        auto b = node(Kind::Binary, l->line);
        b->str = std::move(op);
        b->a.push_back(std::move(l));
        b->a.push_back(std::move(r));
        return b;
    }

    NodePtr parse_or() {
        NodePtr l = parse_and();
        while (is_name("or")) { next(); l = binary("or", std::move(l), parse_and()); }
        return l;
    }
    NodePtr parse_and() {
        NodePtr l = parse_not();
        while (is_name("and")) { next(); l = binary("and", std::move(l), parse_not()); }
        return l;
    }
    NodePtr parse_not() {
        DepthGuard guard(*this);
        if (is_name("not")) {
            int line = peek().line;
            next();
            auto u = node(Kind::Unary, line);
            u->str = "not";
            u->a.push_back(parse_not());
            return u;
        }
        return parse_compare();
    }
    NodePtr parse_compare() {
        NodePtr l = parse_math1();
        for (;;) {
            if (peek().type == Tok::Op && (peek().text == "==" || peek().text == "!=" || peek().text == "<" ||
                                           peek().text == ">" || peek().text == "<=" || peek().text == ">=")) {
                std::string op = next().text;
                l = binary(op, std::move(l), parse_math1());
            } else if (is_name("in")) {
                next();
                l = binary("in", std::move(l), parse_math1());
            } else if (is_name("not") && is_name("in", 1)) {
                next();
                next();
                l = binary("not in", std::move(l), parse_math1());
            } else {
                return l;
            }
        }
    }
    NodePtr parse_math1() {
        NodePtr l = parse_concat();
        while (is_op("+") || is_op("-")) { std::string op = next().text; l = binary(op, std::move(l), parse_concat()); }
        return l;
    }
    NodePtr parse_concat() {
        NodePtr l = parse_math2();
        while (is_op("~")) { next(); l = binary("~", std::move(l), parse_math2()); }
        return l;
    }
    NodePtr parse_math2() {
        NodePtr l = parse_pow();
        while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) { std::string op = next().text; l = binary(op, std::move(l), parse_pow()); }
        return l;
    }
    NodePtr parse_pow() {
        NodePtr l = parse_unary(true);
        while (is_op("**")) { next(); l = binary("**", std::move(l), parse_unary(true)); }
        return l;
    }
    NodePtr parse_unary(bool with_filter) {
        DepthGuard guard(*this);
        NodePtr e;
        if (is_op("-") || is_op("+")) {
            int line = peek().line;
            auto u = node(Kind::Unary, line);
            u->str = next().text;
            u->a.push_back(parse_unary(false));
            e = std::move(u);
        } else {
            e = parse_primary();
        }
        e = parse_postfix(std::move(e));
        if (with_filter) e = parse_filters(std::move(e));
        return e;
    }

    NodePtr parse_primary() {
        const Token& t = peek();
        int line = t.line;
        if (t.type == Tok::String) {
            auto n = node(Kind::Literal, line);
            std::string s = next().text;
            while (peek().type == Tok::String) s += next().text;  // adjacent literals concatenate
            n->value = Value::string(s);
            return n;
        }
        if (t.type == Tok::Integer) {
            auto n = node(Kind::Literal, line);
            n->value = Value::integer(std::strtoll(next().text.c_str(), nullptr, 10));
            return n;
        }
        if (t.type == Tok::Float) {
            auto n = node(Kind::Literal, line);
            n->value = Value::number(std::strtod(next().text.c_str(), nullptr));
            return n;
        }
        if (t.type == Tok::Name) {
            std::string s = next().text;
            auto n = node(Kind::Literal, line);
            if (s == "true" || s == "True") { n->value = Value::boolean(true); return n; }
            if (s == "false" || s == "False") { n->value = Value::boolean(false); return n; }
            if (s == "none" || s == "None") { n->value = Value::none(); return n; }
            n->kind = Kind::Name;
            n->str = s;
            return n;
        }
        if (is_op("(")) {
            next();
            if (is_op(")")) { next(); return node(Kind::TupleLit, line); }
            NodePtr e = parse_expr();
            expect_op(")");
            return e;
        }
        if (is_op("[")) {
            next();
            auto n = node(Kind::ListLit, line);
            while (!is_op("]")) {
                n->a.push_back(parse_ternary(true));
                if (!is_op(",")) break;
                next();
            }
            expect_op("]");
            return n;
        }
        if (is_op("{")) {
            next();
            auto n = node(Kind::DictLit, line);
            while (!is_op("}")) {
                n->a.push_back(parse_ternary(true));
                expect_op(":");
                n->a.push_back(parse_ternary(true));
                if (!is_op(",")) break;
                next();
            }
            expect_op("}");
            return n;
        }
        fail("unexpected '" + t.text + "' in an expression");
    }

    void parse_call_args(Node& n) {
        expect_op("(");
        while (!is_op(")")) {
            if (peek().type == Tok::Name && is_op("=", 1)) {
                n.kwnames.push_back(next().text);
                next();
                n.a.push_back(parse_ternary(true));
            } else {
                if (!n.kwnames.empty()) fail("positional argument after a keyword argument");
                if (is_op("*")) fail("unsupported template construct '*args' in a call");
                n.a.push_back(parse_ternary(true));
            }
            if (!is_op(",")) break;
            next();
        }
        expect_op(")");
    }

    NodePtr parse_postfix(NodePtr e) {
        for (;;) {
            int line = peek().line;
            if (is_op(".")) {
                next();
                auto n = node(Kind::Attr, line);
                if (peek().type == Tok::Integer) n->str = next().text;
                else n->str = expect_name();
                n->a.push_back(std::move(e));
                e = std::move(n);
            } else if (is_op("[")) {
                next();
                NodePtr parts[3];
                bool slice = false;
                for (int k = 0; k < 3; ++k) {
                    if (!is_op(":") && !is_op("]")) parts[k] = parse_ternary(true);
                    if (k < 2 && is_op(":")) { next(); slice = true; continue; }
                    break;
                }
                expect_op("]");
                auto n = node(slice ? Kind::Slice : Kind::Index, line);
                n->a.push_back(std::move(e));
                if (slice) for (auto& p : parts) n->a.push_back(std::move(p));
                else n->a.push_back(std::move(parts[0]));
                if (!slice && !n->a[1]) fail("empty subscript []");
                e = std::move(n);
            } else if (is_op("(")) {
                auto n = node(Kind::Call, line);
                n->a.push_back(std::move(e));
                parse_call_args(*n);
                e = std::move(n);
            } else {
                return e;
            }
        }
    }

    NodePtr parse_filters(NodePtr e) {
        for (;;) {
            int line = peek().line;
            if (is_op("|")) {
                next();
                auto n = node(Kind::Filter, line);
                n->str = expect_name();
                n->a.push_back(std::move(e));
                if (is_op("(")) parse_call_args(*n);
                e = parse_postfix(std::move(n));
            } else if (is_name("is")) {
                next();
                auto n = node(Kind::Test, line);
                if (is_name("not")) { next(); n->negate = true; }
                // test names may be keywords: none, true, false, defined, ...
                if (peek().type != Tok::Name) fail("expected a test name after 'is'");
                n->str = next().text;
                n->a.push_back(std::move(e));
                if (is_op("(")) parse_call_args(*n);
                else if (peek().type == Tok::String || peek().type == Tok::Integer || peek().type == Tok::Float ||
                         (peek().type == Tok::Name && !is_name("and") && !is_name("or") && !is_name("if") && !is_name("else") &&
                          !is_name("in") && !is_name("not") && !is_name("is")))
                    n->a.push_back(parse_primary());  // `x is divisibleby 3`, `x is sameas none`
                e = std::move(n);
            } else {
                return e;
            }
        }
    }
};

}  // namespace

Body parse(const std::string& source, const std::string& name) {
    Parser p(tokenize(source, name), name);
    return p.parse_all();
}

}  // namespace rf::jinja
