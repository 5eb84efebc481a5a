// Evaluates the Jinja AST: statements write to an output string, expressions give Values.
// Scoping as in Jinja2: a for-loop body is a new scope per iteration (so `set` inside a loop does
// not leak out; templates use namespace() for that); if-blocks are not scopes.
#include <cmath>
#include <cstdint>
#include <ctime>
#include <unordered_map>

#include "core/error.h"
#include "text/jinja/builtins.h"
#include "text/jinja/jinja.h"

namespace rf::jinja {

namespace {

enum class Flow { Normal, Break, Continue };

class Interpreter {
public:
    Interpreter(std::string name, const std::function<std::string(const std::string&)>& strftime_now)
        : m_name(std::move(name)), m_strftime(strftime_now) {}

    std::string run(const Body& body, const Value& context) {
        m_frames.emplace_back();
        install_globals();
        if (context.is_mapping()) for (auto& [k, v] : context.dict->items) m_frames.back()[k] = v;
        std::string out;
        try {
            exec(body, out);
        } catch (const EvalError& e) {  // from code outside guarded(): printing or comparing values
            fail(e.message);
        }
        return out;
    }

private:
    std::string m_name;
    const std::function<std::string(const std::string&)>& m_strftime;
    std::vector<std::unordered_map<std::string, Value>> m_frames;
    int m_line = 0;
    uint64_t m_steps = 0;  // work done so far (kMaxSteps, jinja.h)

    [[noreturn]] void fail(const std::string& msg) const { throw InputError(m_name, m_line, "chat_template", msg); }

    // The limits of jinja.h: work, output and value sizes.
    void charge(uint64_t units) {
        m_steps += units;
        if (m_steps > kMaxSteps)
            fail("the template did more than " + std::to_string(kMaxSteps) + " steps of work (an endless or huge loop?)");
    }
    static uint64_t weight(const Value& v) {
        if (v.is_string()) return v.s.size() / 256;
        if (v.is_list()) return v.list->size();
        if (v.is_mapping()) return v.dict->items.size();
        return 0;
    }
    void check_size(size_t bytes, const char* what) const {
        if (bytes > kMaxOutputBytes)
            fail(std::string(what) + " would be larger than the " + std::to_string(kMaxOutputBytes >> 20) + " MiB limit");
    }
    void check_output(const std::string& out) const { check_size(out.size(), "the rendered text"); }

    void install_globals() {
        auto& g = m_frames.front();
        g["raise_exception"] = Value::function([this](std::vector<Value>& a, Kwargs&) -> Value {
            fail("the template raised an exception: " + (a.empty() ? std::string() : a[0].str()));
        });
        g["range"] = Value::function([](std::vector<Value>& a, Kwargs&) {
            auto num = [](const Value& v) {
                if (v.type != Value::Type::Int) throw EvalError{"range() expects integers"};
                return v.i;
            };
            int64_t start = 0, stop, step = 1;
            if (a.size() == 1) stop = num(a[0]);
            else if (a.size() >= 2) { start = num(a[0]); stop = num(a[1]); if (a.size() > 2) step = num(a[2]); }
            else throw EvalError{"range() needs arguments"};
            if (step == 0) throw EvalError{"range() step cannot be zero"};
            List out;
            for (int64_t k = start; step > 0 ? k < stop : k > stop;) {
                out.push_back(Value::integer(k));
                if (out.size() > kMaxListItems) throw EvalError{"range() too large (more than " + std::to_string(kMaxListItems) + " items)"};
                if (__builtin_add_overflow(k, step, &k)) break;  // past INT64_MAX/MIN: past stop too
            }
            return Value::make_list(std::move(out));
        });
        g["namespace"] = Value::function([](std::vector<Value>& a, Kwargs& kw) {
            Value ns = Value::make_namespace();
            for (Value& d : a) if (d.type == Value::Type::Dict) for (auto& [k, v] : d.dict->items) ns.dict->set(k, v);
            for (auto& [k, v] : kw) ns.dict->set(k, v);
            return ns;
        });
        g["dict"] = Value::function([](std::vector<Value>& a, Kwargs& kw) {
            Value d = Value::make_dict();
            for (Value& x : a) if (x.type == Value::Type::Dict) for (auto& [k, v] : x.dict->items) d.dict->set(k, v);
            for (auto& [k, v] : kw) d.dict->set(k, v);
            return d;
        });
        g["strftime_now"] = Value::function([this](std::vector<Value>& a, Kwargs&) {
            if (a.empty() || !a[0].is_string()) throw EvalError{"strftime_now() expects a format string"};
            try {
                return Value::string(m_strftime(a[0].s));
            } catch (const InputError& e) {
                throw EvalError{e.message + (e.hint.empty() ? "" : " (" + e.hint + ")")};
            }
        });
    }

    Value lookup(const std::string& name) const {
        for (auto it = m_frames.rbegin(); it != m_frames.rend(); ++it) {
            auto f = it->find(name);
            if (f != it->end()) return f->second;
        }
        return Value::undefined(name);
    }

    Flow exec(const Body& body, std::string& out) {
        for (const NodePtr& n : body) {
            Flow f = exec_one(*n, out);
            if (f != Flow::Normal) return f;
        }
        return Flow::Normal;
    }

    Flow exec_one(const Node& n, std::string& out) {
        m_line = n.line;
        charge(1);
        switch (n.kind) {
        case Kind::Text: out += n.str; check_output(out); return Flow::Normal;
        case Kind::Output: {
            std::string s = eval(*n.a[0]).str();
            charge(s.size() / 256);
            check_size(out.size() + s.size(), "the rendered text");
            out += s;
            return Flow::Normal;
        }
        case Kind::If: return exec(eval(*n.a[0]).truthy() ? n.body : n.orelse, out);
        case Kind::For: return exec_for(n, out);
        case Kind::Set: exec_set(n); return Flow::Normal;
        case Kind::Break: return Flow::Break;
        case Kind::Continue: return Flow::Continue;
        default: fail("internal: expression used as a statement");
        }
    }

    void bind(std::unordered_map<std::string, Value>& frame, const std::vector<std::string>& names, const Value& v) {
        if (names.size() == 1) { frame[names[0]] = v; return; }
        List items = guarded([&] { return iterate(v); });
        if (items.size() != names.size())
            fail("cannot unpack " + std::to_string(items.size()) + " values into " + std::to_string(names.size()) + " names");
        for (size_t k = 0; k < names.size(); ++k) frame[names[k]] = items[k];
    }

    Flow exec_for(const Node& n, std::string& out) {
        Value seq = eval(*n.a[0]);
        if (seq.is_undefined()) fail("'" + seq.s + "' is undefined (used in a for loop)");
        List items = guarded([&] { return iterate(seq); });
        if (n.a.size() > 1) {  // {% for x in xs if cond %}: filter first, so loop.* count the kept items
            List kept;
            for (Value& it : items) {
                m_frames.emplace_back();
                bind(m_frames.back(), n.names, it);
                bool keep = eval(*n.a[1]).truthy();
                m_frames.pop_back();
                if (keep) kept.push_back(it);
            }
            items = std::move(kept);
        }
        if (items.empty()) return exec(n.orelse, out);
        int64_t len = int64_t(items.size());
        for (int64_t k = 0; k < len; ++k) {
            charge(1);
            m_frames.emplace_back();
            Value loop = Value::make_dict();
            loop.dict->set("index", Value::integer(k + 1));
            loop.dict->set("index0", Value::integer(k));
            loop.dict->set("revindex", Value::integer(len - k));
            loop.dict->set("revindex0", Value::integer(len - k - 1));
            loop.dict->set("first", Value::boolean(k == 0));
            loop.dict->set("last", Value::boolean(k == len - 1));
            loop.dict->set("length", Value::integer(len));
            loop.dict->set("previtem", k > 0 ? items[size_t(k - 1)] : Value::undefined("previtem"));
            loop.dict->set("nextitem", k + 1 < len ? items[size_t(k + 1)] : Value::undefined("nextitem"));
            m_frames.back()["loop"] = loop;
            bind(m_frames.back(), n.names, items[size_t(k)]);
            Flow f = exec(n.body, out);
            m_frames.pop_back();
            if (f == Flow::Break) break;
        }
        return Flow::Normal;
    }

    void exec_set(const Node& n) {
        Value v;
        if (n.a.size() > 1) {
            v = eval(*n.a[1]);
        } else {
            std::string s;
            exec(n.body, s);
            v = Value::string(s);
        }
        if (n.a[0]) {  // ns.attr = value
            const Node& target = *n.a[0];
            Value ns = eval(*target.a[0]);
            if (ns.type != Value::Type::Namespace)
                fail("cannot assign attribute '" + target.str + "' on a " + ns.type_name() + " (only namespace() objects)");
            ns.dict->set(target.str, v);
            return;
        }
        bind(m_frames.back(), n.names, v);
    }

    template <class F>
    auto guarded(F&& f) -> decltype(f()) {
        try {
            return f();
        } catch (const EvalError& e) {
            fail(e.message);
        }
    }

    void eval_args(const Node& n, size_t first, std::vector<Value>& args, Kwargs& kw) {
        size_t npos = n.a.size() - n.kwnames.size();
        for (size_t k = first; k < n.a.size(); ++k) {
            Value v = eval(*n.a[k]);
            if (k < npos) args.push_back(std::move(v));
            else kw.emplace_back(n.kwnames[k - npos], std::move(v));
        }
    }

    Value eval(const Node& n) {
        m_line = n.line;
        charge(1);
        switch (n.kind) {
        case Kind::Literal: return n.value;
        case Kind::Name: return lookup(n.str);
        case Kind::ListLit: case Kind::TupleLit: {
            List items;
            for (auto& x : n.a) items.push_back(eval(*x));
            return Value::make_list(std::move(items));
        }
        case Kind::DictLit: {
            Value d = Value::make_dict();
            for (size_t k = 0; k + 1 < n.a.size(); k += 2) {
                Value key = eval(*n.a[k]);
                if (!key.is_string()) fail("dict keys must be strings");
                d.dict->set(key.s, eval(*n.a[k + 1]));
            }
            return d;
        }
        case Kind::Attr: {
            Value base = eval(*n.a[0]);
            m_line = n.line;
            return guarded([&] { return get_attr(base, n.str); });
        }
        case Kind::Index: {
            Value base = eval(*n.a[0]);
            Value idx = eval(*n.a[1]);
            m_line = n.line;
            return guarded([&] { return get_item(base, idx); });
        }
        case Kind::Slice: {
            Value base = eval(*n.a[0]);
            Value parts[3];
            for (int k = 0; k < 3; ++k) if (n.a[size_t(k + 1)]) parts[k] = eval(*n.a[size_t(k + 1)]);
            m_line = n.line;
            return guarded([&] { return slice(base, parts[0], parts[1], parts[2]); });
        }
        case Kind::Call: {
            Value fn = eval(*n.a[0]);
            std::vector<Value> args;
            Kwargs kw;
            eval_args(n, 1, args, kw);
            m_line = n.line;
            if (fn.type != Value::Type::Function) {
                std::string what = n.a[0]->kind == Kind::Name ? n.a[0]->str : n.a[0]->kind == Kind::Attr ? n.a[0]->str : "value";
                fail("'" + what + "' is not a function (" + fn.type_name() + ")");
            }
            uint64_t w = 0;
            for (const Value& a : args) w += weight(a);
            for (const auto& [k, a] : kw) w += weight(a);
            charge(w);
            Value r = guarded([&] { return (*fn.fn)(args, kw); });
            charge(weight(r));
            if (r.is_string()) check_size(r.s.size(), "a string");
            return r;
        }
        case Kind::Filter: {
            Value v = eval(*n.a[0]);
            std::vector<Value> args;
            Kwargs kw;
            eval_args(n, 1, args, kw);
            m_line = n.line;
            uint64_t w = weight(v);
            for (const Value& a : args) w += weight(a);
            for (const auto& [k, a] : kw) w += weight(a);
            charge(w);
            Value r = guarded([&] { return apply_filter(n.str, std::move(v), args, kw); });
            charge(weight(r));
            if (r.is_string()) check_size(r.s.size(), "a string");
            return r;
        }
        case Kind::Test: {
            Value v = eval(*n.a[0]);
            std::vector<Value> args;
            Kwargs kw;
            eval_args(n, 1, args, kw);
            m_line = n.line;
            charge(weight(v));
            bool r = guarded([&] { return apply_test(n.str, v, args); });
            return Value::boolean(r != n.negate);
        }
        case Kind::Unary: {
            Value v = eval(*n.a[0]);
            if (n.str == "not") return Value::boolean(!v.truthy());
            if (v.type == Value::Type::Int) {
                if (n.str == "-" && v.i == INT64_MIN) fail("integer overflow: -" + std::to_string(v.i) + " does not fit in 64 bits");
                return Value::integer(n.str == "-" ? -v.i : v.i);
            }
            if (v.type == Value::Type::Float) return Value::number(n.str == "-" ? -v.f : v.f);
            fail("unary " + n.str + " needs a number, not a " + v.type_name());
        }
        case Kind::Ternary: {
            if (eval(*n.a[1]).truthy()) return eval(*n.a[0]);
            return n.a[2] ? eval(*n.a[2]) : Value::undefined();
        }
        case Kind::Binary: return eval_binary(n);
        default: fail("internal: statement used as an expression");
        }
    }

    Value eval_binary(const Node& n) {
        const std::string& op = n.str;
        Value l = eval(*n.a[0]);
        if (op == "and") return l.truthy() ? eval(*n.a[1]) : l;
        if (op == "or") return l.truthy() ? l : eval(*n.a[1]);
        Value r = eval(*n.a[1]);
        m_line = n.line;
        if (op == "==") return Value::boolean(equal(l, r));
        if (op == "!=") return Value::boolean(!equal(l, r));
        if (op == "in" || op == "not in") return Value::boolean(guarded([&] { return contains(r, l); }) == (op == "in"));
        if (op == "~") {
            std::string ls = l.str(), rs = r.str();
            check_size(ls.size() + rs.size(), "a string");
            charge((ls.size() + rs.size()) / 256);
            return Value::string(ls + rs);
        }
        if (op == "<" || op == ">" || op == "<=" || op == ">=") {
            int c;
            if (l.is_number() && r.is_number()) c = l.as_double() < r.as_double() ? -1 : l.as_double() > r.as_double() ? 1 : 0;
            else if (l.is_string() && r.is_string()) c = l.s < r.s ? -1 : l.s > r.s ? 1 : 0;
            else fail("cannot compare a " + std::string(l.type_name()) + " with a " + r.type_name() + " using " + op);
            return Value::boolean(op == "<" ? c < 0 : op == ">" ? c > 0 : op == "<=" ? c <= 0 : c >= 0);
        }
        if (op == "+") {
            if (l.is_string() && r.is_string()) {
                check_size(l.s.size() + r.s.size(), "a string");
                charge((l.s.size() + r.s.size()) / 256);
                return Value::string(l.s + r.s);
            }
            if (l.is_list() && r.is_list()) {
                if (l.list->size() + r.list->size() > kMaxListItems)
                    fail("a list would have more than " + std::to_string(kMaxListItems) + " items");
                charge(l.list->size() + r.list->size());
                List items = *l.list;
                items.insert(items.end(), r.list->begin(), r.list->end());
                return Value::make_list(std::move(items));
            }
        }
        if (op == "*" && ((l.is_string() && r.type == Value::Type::Int) || (r.is_string() && l.type == Value::Type::Int))) {
            const std::string& s = l.is_string() ? l.s : r.s;
            int64_t times = l.is_string() ? r.i : l.i;
            if (times > 100000) fail("string repetition too large");
            if (times > 0) check_size(s.size() * size_t(times), "a string");
            if (times > 0) charge(s.size() * size_t(times) / 256);
            std::string out;
            for (int64_t k = 0; k < times; ++k) out += s;
            return Value::string(out);
        }
        bool lnum = l.is_number() || l.type == Value::Type::Bool, rnum = r.is_number() || r.type == Value::Type::Bool;
        if (!lnum || !rnum) {
            auto desc = [](const Value& v) { return v.is_undefined() ? "undefined value '" + v.s + "'" : std::string(v.type_name()); };
            fail("unsupported operand types for " + op + ": " + desc(l) + " and " + desc(r));
        }
        bool ints = l.type != Value::Type::Float && r.type != Value::Type::Float;
        int64_t li = l.type == Value::Type::Bool ? l.b : l.i, ri = r.type == Value::Type::Bool ? r.b : r.i;
        double lf = l.as_double(), rf_ = r.as_double();
        // Python's integers do not overflow; ours are 64-bit, and a result that does not fit is an error
        // (signed overflow is undefined behaviour in C++: found by fuzz_chat_template).
        auto overflow = [&]() { fail("integer overflow: " + std::to_string(li) + " " + op + " " + std::to_string(ri) + " does not fit in 64 bits"); };
        int64_t res = 0;
        if (op == "+") {
            if (ints && __builtin_add_overflow(li, ri, &res)) overflow();
            return ints ? Value::integer(res) : Value::number(lf + rf_);
        }
        if (op == "-") {
            if (ints && __builtin_sub_overflow(li, ri, &res)) overflow();
            return ints ? Value::integer(res) : Value::number(lf - rf_);
        }
        if (op == "*") {
            if (ints && __builtin_mul_overflow(li, ri, &res)) overflow();
            return ints ? Value::integer(res) : Value::number(lf * rf_);
        }
        if (op == "/") {
            if (rf_ == 0) fail("division by zero");
            return Value::number(lf / rf_);
        }
        if (op == "//" || op == "%") {
            if (rf_ == 0) fail("division by zero");
            if (ints) {
                if (li == INT64_MIN && ri == -1) {
                    if (op == "%") return Value::integer(0);
                    overflow();
                }
                int64_t q = li / ri, m = li % ri;
                if (m != 0 && ((m < 0) != (ri < 0))) { --q; m += ri; }  // Python floors
                return Value::integer(op == "//" ? q : m);
            }
            double q = std::floor(lf / rf_);
            return Value::number(op == "//" ? q : lf - q * rf_);
        }
        if (op == "**") {
            if (ints && ri >= 0) {
                if (li == 0 || li == 1) return Value::integer(ri == 0 ? 1 : li);
                if (li == -1) return Value::integer(ri % 2 ? -1 : 1);
                int64_t p = 1;  // |li| >= 2: overflows within 63 factors
                for (int64_t k = 0; k < ri; ++k)
                    if (__builtin_mul_overflow(p, li, &p)) overflow();
                return Value::integer(p);
            }
            return Value::number(std::pow(lf, rf_));
        }
        fail("unknown operator " + op);
    }
};

void collect_names(const Body& body, std::vector<std::string>& out);
void collect_names(const Node& n, std::vector<std::string>& out) {
    if (n.kind == Kind::Name) out.push_back(n.str);
    for (auto& c : n.a) if (c) collect_names(*c, out);
    collect_names(n.body, out);
    collect_names(n.orelse, out);
}
void collect_names(const Body& body, std::vector<std::string>& out) {
    for (auto& n : body) collect_names(*n, out);
}

}  // namespace

Template::Template(const std::string& source, std::string name)
    : m_body(std::make_shared<Body>(parse(source, name))), m_name(std::move(name)) {}

std::string Template::render(const Value& context, const std::function<std::string(const std::string&)>& strftime_now) const {
    Interpreter in(m_name, strftime_now);
    return in.run(*m_body, context);
}

bool Template::reads(const std::string& name) const {
    std::vector<std::string> names;
    collect_names(*m_body, names);
    for (auto& n : names) if (n == name) return true;
    return false;
}

std::string strftime_fixed(const std::string& fmt, int year, int month, int day, int hour, int minute, int second) {
    static const char* mshort[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    static const char* mlong[] = {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"};
    static const char* dshort[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char* dlong[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
    if (month < 1 || month > 12) throw InputError({}, 0, "strftime_now", "month out of range");
    // day of week (Sakamoto)
    static const int t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
    int y = month < 3 ? year - 1 : year;
    int wday = (y + y / 4 - y / 100 + y / 400 + t[month - 1] + day) % 7;
    auto pad = [](int v, int w) { std::string s = std::to_string(v); while (int(s.size()) < w) s = "0" + s; return s; };
    std::string out;
    for (size_t i = 0; i < fmt.size(); ++i) {
        if (fmt[i] != '%' || i + 1 >= fmt.size()) { out += fmt[i]; continue; }
        char c = fmt[++i];
        switch (c) {
        case 'Y': out += std::to_string(year); break;
        case 'y': out += pad(year % 100, 2); break;
        case 'm': out += pad(month, 2); break;
        case 'd': out += pad(day, 2); break;
        case 'e': out += (day < 10 ? " " : "") + std::to_string(day); break;
        case 'b': out += mshort[month - 1]; break;
        case 'B': out += mlong[month - 1]; break;
        case 'a': out += dshort[wday]; break;
        case 'A': out += dlong[wday]; break;
        case 'H': out += pad(hour, 2); break;
        case 'M': out += pad(minute, 2); break;
        case 'S': out += pad(second, 2); break;
        case '%': out += '%'; break;
        default:
            throw InputError({}, 0, "strftime_now", std::string("unsupported strftime directive %") + c,
                             "supported: %Y %y %m %d %e %b %B %a %A %H %M %S %%");
        }
    }
    return out;
}

}  // namespace rf::jinja
