// Filters, tests and methods that chat templates use, with Python / Jinja2 semantics.
// reference: pallets/jinja src/jinja2/{filters,tests}.py; Python's str methods;
//            transformers' chat-template tojson (json.dumps without HTML escaping).
#include "text/jinja/builtins.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>

#include "text/jinja/jinja.h"
#include "text/utf8.h"

namespace rf::jinja {

namespace {

[[noreturn]] void fail(const std::string& msg) { throw EvalError{msg}; }

bool is_py_space(char32_t c) {
    return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

char32_t cp_of(const std::string& ch) {
    char32_t c = 0;
    return utf8::decode(ch, 0, c) ? c : 0xFFFD;
}

const Value* kwarg(Kwargs& kw, const char* name) {
    for (auto& [k, v] : kw) if (k == name) return &v;
    return nullptr;
}

// positional k, else keyword `name`, else nullptr
const Value* arg(std::vector<Value>& args, Kwargs& kw, size_t k, const char* name) {
    if (k < args.size()) return &args[k];
    return kwarg(kw, name);
}

const std::string& need_string(const Value& v, const char* what) {
    if (!v.is_string()) fail(std::string(what) + " expects a string, got " + v.type_name());
    return v.s;
}

int64_t need_int(const Value& v, const char* what) {
    if (v.type == Value::Type::Int) return v.i;
    if (v.type == Value::Type::Bool) return v.b;
    fail(std::string(what) + " expects an integer, got " + v.type_name());
}

std::string to_upper(std::string s) { for (char& c : s) if (c >= 'a' && c <= 'z') c = char(c - 32); return s; }
std::string to_lower(std::string s) { for (char& c : s) if (c >= 'A' && c <= 'Z') c = char(c + 32); return s; }

std::vector<std::string> split_str(const std::string& s, const Value& sep, int64_t maxsplit) {
    std::vector<std::string> out;
    if (sep.is_none() || sep.is_undefined()) {  // runs of whitespace, no empty strings
        auto cps = code_points(s);
        size_t i = 0;
        while (i < cps.size()) {
            while (i < cps.size() && is_py_space(cp_of(cps[i]))) ++i;
            if (i >= cps.size()) break;
            if (maxsplit >= 0 && int64_t(out.size()) >= maxsplit) {
                std::string rest;
                for (; i < cps.size(); ++i) rest += cps[i];
                out.push_back(rest);
                break;
            }
            std::string w;
            while (i < cps.size() && !is_py_space(cp_of(cps[i]))) w += cps[i++];
            out.push_back(w);
        }
        return out;
    }
    const std::string& d = need_string(sep, "split()");
    if (d.empty()) fail("split(): empty separator");
    size_t pos = 0;
    for (size_t h; (maxsplit < 0 || int64_t(out.size()) < maxsplit) && (h = s.find(d, pos)) != std::string::npos; pos = h + d.size())
        out.push_back(s.substr(pos, h - pos));
    out.push_back(s.substr(pos));
    return out;
}

Value string_list(const std::vector<std::string>& parts) {
    List l;
    for (auto& p : parts) l.push_back(Value::string(p));
    return Value::make_list(std::move(l));
}

bool prefix_match(const std::string& s, const Value& pat, bool ends) {
    auto one = [&](const std::string& p) {
        return ends ? s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0 : s.compare(0, p.size(), p) == 0;
    };
    if (pat.is_string()) return one(pat.s);
    if (pat.is_list()) {
        for (const Value& v : *pat.list) if (one(need_string(v, ends ? "endswith()" : "startswith()"))) return true;
        return false;
    }
    fail(std::string(ends ? "endswith()" : "startswith()") + " expects a string or a tuple of strings");
}

std::string title_case(const std::string& s) {
    std::string out;
    bool prev_alpha = false;
    for (char c : s) {
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (alpha) out += prev_alpha ? (c >= 'A' && c <= 'Z' ? char(c + 32) : c) : (c >= 'a' && c <= 'z' ? char(c - 32) : c);
        else out += c;
        prev_alpha = alpha || (static_cast<unsigned char>(c) >= 0x80);
    }
    return out;
}

Value length_of(const Value& v) {
    switch (v.type) {
    case Value::Type::String: return Value::integer(int64_t(utf8::length(v.s)));
    case Value::Type::List: return Value::integer(int64_t(v.list->size()));
    case Value::Type::Dict: case Value::Type::Namespace: return Value::integer(int64_t(v.dict->items.size()));
    case Value::Type::Undefined: return Value::integer(0);
    default: fail(std::string("length of a ") + v.type_name() + " is undefined");
    }
}

int compare_values(const Value& a, const Value& b) {
    if (a.is_number() && b.is_number()) return a.as_double() < b.as_double() ? -1 : a.as_double() > b.as_double() ? 1 : 0;
    if (a.is_string() && b.is_string()) return a.s < b.s ? -1 : a.s > b.s ? 1 : 0;
    fail(std::string("cannot compare ") + a.type_name() + " with " + b.type_name());
}

Value attribute_path(const Value& v, const std::string& path) {
    Value cur = v;
    size_t pos = 0;
    for (;;) {
        size_t dot = path.find('.', pos);
        std::string part = path.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
        cur = get_attr(cur, part);
        if (dot == std::string::npos) return cur;
        pos = dot + 1;
    }
}

Value method(const Value& base, const std::string& name) {
    // Bound methods capture `base` by value (lists/dicts are shared, so append mutates the original).
    if (base.is_string()) {
        const std::string s = base.s;
        if (name == "startswith" || name == "endswith")
            return Value::function([s, ends = name == "endswith"](std::vector<Value>& a, Kwargs&) {
                if (a.empty()) fail(std::string(ends ? "endswith" : "startswith") + "() needs an argument");
                return Value::boolean(prefix_match(s, a[0], ends));
            });
        if (name == "strip" || name == "lstrip" || name == "rstrip")
            return Value::function([s, name](std::vector<Value>& a, Kwargs&) {
                Value chars = a.empty() ? Value::none() : a[0];
                return Value::string(py_strip(s, chars, name != "rstrip", name != "lstrip"));
            });
        if (name == "split" || name == "rsplit")
            return Value::function([s, name](std::vector<Value>& a, Kwargs& kw) {
                const Value* sep = arg(a, kw, 0, "sep");
                const Value* mx = arg(a, kw, 1, "maxsplit");
                int64_t maxsplit = mx ? need_int(*mx, "split()") : -1;
                if (name == "rsplit" && maxsplit >= 0) fail("rsplit() with maxsplit is not supported");
                return string_list(split_str(s, sep ? *sep : Value::none(), maxsplit));
            });
        if (name == "upper") return Value::function([s](std::vector<Value>&, Kwargs&) { return Value::string(to_upper(s)); });
        if (name == "lower") return Value::function([s](std::vector<Value>&, Kwargs&) { return Value::string(to_lower(s)); });
        if (name == "title") return Value::function([s](std::vector<Value>&, Kwargs&) { return Value::string(title_case(s)); });
        if (name == "capitalize")
            return Value::function([s](std::vector<Value>&, Kwargs&) {
                std::string r = to_lower(s);
                if (!r.empty() && r[0] >= 'a' && r[0] <= 'z') r[0] = char(r[0] - 32);
                return Value::string(r);
            });
        if (name == "replace")
            return Value::function([s](std::vector<Value>& a, Kwargs& kw) {
                if (a.size() < 2) fail("replace() needs two arguments");
                const std::string& from = need_string(a[0], "replace()");
                const std::string& to = need_string(a[1], "replace()");
                const Value* c = arg(a, kw, 2, "count");
                int64_t count = c && !c->is_none() ? need_int(*c, "replace()") : -1;
                std::string out;
                size_t pos = 0;
                int64_t n = 0;
                if (from.empty()) fail("replace() with an empty pattern is not supported");
                for (size_t h; (count < 0 || n < count) && (h = s.find(from, pos)) != std::string::npos; pos = h + from.size(), ++n)
                {
                    if (out.size() + (h - pos) + to.size() > kMaxOutputBytes) fail("replace(): the result would be larger than the 64 MiB limit");
                    out.append(s, pos, h - pos).append(to);
                }
                out.append(s, pos, std::string::npos);
                return Value::string(out);
            });
        if (name == "find" || name == "count")
            return Value::function([s, name](std::vector<Value>& a, Kwargs&) {
                if (a.empty()) fail(name + "() needs an argument");
                const std::string& sub = need_string(a[0], "find()");
                if (name == "count") {
                    if (sub.empty()) return Value::integer(int64_t(utf8::length(s)) + 1);
                    int64_t n = 0;
                    for (size_t h = s.find(sub); h != std::string::npos; h = s.find(sub, h + sub.size())) ++n;
                    return Value::integer(n);
                }
                size_t h = s.find(sub);
                return Value::integer(h == std::string::npos ? -1 : int64_t(utf8::length(s.substr(0, h))));
            });
        if (name == "join")
            return Value::function([s](std::vector<Value>& a, Kwargs&) {
                if (a.empty()) fail("join() needs an argument");
                std::string out;
                List items = iterate(a[0]);
                for (size_t k = 0; k < items.size(); ++k) {
                    out += (k ? s : "") + need_string(items[k], "join()");
                    if (out.size() > kMaxOutputBytes) fail("join(): the result would be larger than the 64 MiB limit");
                }
                return Value::string(out);
            });
        if (name == "isdigit" || name == "isspace" || name == "isalpha" || name == "isalnum" || name == "isupper" || name == "islower")
            return Value::function([s, name](std::vector<Value>&, Kwargs&) {
                if (s.empty()) return Value::boolean(false);
                bool ok = true, cased = false;
                for (unsigned char c : s) {
                    if (c >= 0x80) { ok = ok && (name == "isalpha" || name == "isalnum"); continue; }
                    if (name == "isdigit") ok = ok && std::isdigit(c);
                    else if (name == "isspace") ok = ok && std::isspace(c);
                    else if (name == "isalpha") ok = ok && std::isalpha(c);
                    else if (name == "isalnum") ok = ok && std::isalnum(c);
                    else if (name == "isupper") { ok = ok && !std::islower(c); cased = cased || std::isupper(c); }
                    else { ok = ok && !std::isupper(c); cased = cased || std::islower(c); }
                }
                if (name == "isupper" || name == "islower") ok = ok && cased;
                return Value::boolean(ok);
            });
        fail("unsupported string method '" + name + "()'");
    }
    if (base.type == Value::Type::Dict) {
        Value d = base;
        if (name == "get")
            return Value::function([d](std::vector<Value>& a, Kwargs&) {
                if (a.empty()) fail("get() needs a key");
                if (!a[0].is_string()) return a.size() > 1 ? a[1] : Value::none();
                const Value* v = d.dict->find(a[0].s);
                return v ? *v : (a.size() > 1 ? a[1] : Value::none());
            });
        if (name == "items" || name == "keys" || name == "values")
            return Value::function([d, name](std::vector<Value>&, Kwargs&) {
                List out;
                for (auto& [k, v] : d.dict->items) {
                    if (name == "items") out.push_back(Value::make_list({Value::string(k), v}));
                    else out.push_back(name == "keys" ? Value::string(k) : v);
                }
                return Value::make_list(std::move(out));
            });
        fail("unsupported dict method '" + name + "()'");
    }
    if (base.is_list()) {
        Value l = base;
        if (name == "append")
            return Value::function([l](std::vector<Value>& a, Kwargs&) {
                if (a.size() != 1) fail("append() takes one argument");
                l.list->push_back(a[0]);
                return Value::none();
            });
        if (name == "extend")
            return Value::function([l](std::vector<Value>& a, Kwargs&) {
                if (a.size() != 1) fail("extend() takes one argument");
                for (Value& v : iterate(a[0])) l.list->push_back(v);
                return Value::none();
            });
        if (name == "pop")
            return Value::function([l](std::vector<Value>& a, Kwargs&) {
                if (l.list->empty()) fail("pop() from an empty list");
                int64_t k = a.empty() ? -1 : need_int(a[0], "pop()");
                int64_t n = int64_t(l.list->size());
                if (k < 0) k += n;
                if (k < 0 || k >= n) fail("pop() index out of range");
                Value v = (*l.list)[size_t(k)];
                l.list->erase(l.list->begin() + k);
                return v;
            });
        if (name == "index" || name == "count")
            return Value::function([l, name](std::vector<Value>& a, Kwargs&) {
                if (a.size() != 1) fail(name + "() takes one argument");
                int64_t n = 0;
                for (size_t k = 0; k < l.list->size(); ++k) {
                    if (!equal((*l.list)[k], a[0])) continue;
                    if (name == "index") return Value::integer(int64_t(k));
                    ++n;
                }
                if (name == "index") fail("index(): value is not in the list");
                return Value::integer(n);
            });
        fail("unsupported list method '" + name + "()'");
    }
    return Value::undefined(name);
}

}  // namespace

std::vector<std::string> code_points(const std::string& s) {
    std::vector<std::string> out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        char32_t c;
        size_t n = utf8::decode(s, i, c);
        if (n == 0) n = 1;
        out.push_back(s.substr(i, n));
        i += n;
    }
    return out;
}

std::string py_strip(const std::string& s, const Value& chars, bool left, bool right) {
    auto cps = code_points(s);
    std::vector<std::string> set;
    bool ws = chars.is_none() || chars.is_undefined();
    if (!ws) set = code_points(need_string(chars, "strip()"));
    auto strip_it = [&](const std::string& ch) {
        if (ws) return is_py_space(cp_of(ch));
        return std::find(set.begin(), set.end(), ch) != set.end();
    };
    size_t b = 0, e = cps.size();
    while (left && b < e && strip_it(cps[b])) ++b;
    while (right && e > b && strip_it(cps[e - 1])) --e;
    std::string out;
    for (size_t k = b; k < e; ++k) out += cps[k];
    return out;
}

List iterate(const Value& v) {
    switch (v.type) {
    case Value::Type::List: return *v.list;
    case Value::Type::Dict: {
        List keys;
        for (auto& [k, x] : v.dict->items) keys.push_back(Value::string(k));
        return keys;
    }
    case Value::Type::String: {
        List chars;
        for (auto& c : code_points(v.s)) chars.push_back(Value::string(c));
        return chars;
    }
    case Value::Type::Undefined: return {};
    default: fail(std::string("a ") + v.type_name() + " is not iterable");
    }
}

Value get_attr(const Value& base, const std::string& name) {
    if (base.is_undefined()) fail("'" + (base.s.empty() ? std::string("value") : base.s) + "' is undefined (reading ." + name + ")");
    if (base.is_mapping()) {
        if (const Value* v = base.dict->find(name)) return *v;
        if (base.type == Value::Type::Dict && (name == "get" || name == "items" || name == "keys" || name == "values"))
            return method(base, name);
        return Value::undefined(name);
    }
    if (base.is_string() || base.is_list()) return method(base, name);
    if (base.is_none()) fail("None has no attribute '" + name + "'");
    return Value::undefined(name);
}

Value get_item(const Value& base, const Value& index) {
    if (base.is_undefined()) fail("'" + (base.s.empty() ? std::string("value") : base.s) + "' is undefined (indexing it)");
    if (base.is_mapping()) {
        if (!index.is_string()) return Value::undefined();
        return get_attr(base, index.s);
    }
    if (base.is_list() || base.is_string()) {
        if (index.is_string()) return get_attr(base, index.s);
        if (index.type != Value::Type::Int) fail(std::string("indices must be integers, not ") + index.type_name());
        if (base.is_list()) {
            int64_t n = int64_t(base.list->size()), k = index.i < 0 ? index.i + n : index.i;
            if (k < 0 || k >= n) return Value::undefined("[" + std::to_string(index.i) + "]");
            return (*base.list)[size_t(k)];
        }
        auto cps = code_points(base.s);
        int64_t n = int64_t(cps.size()), k = index.i < 0 ? index.i + n : index.i;
        if (k < 0 || k >= n) return Value::undefined("[" + std::to_string(index.i) + "]");
        return Value::string(cps[size_t(k)]);
    }
    fail(std::string("a ") + base.type_name() + " cannot be indexed");
}

Value slice(const Value& base, const Value& start, const Value& stop, const Value& step) {
    auto opt = [](const Value& v, const char* what) -> std::optional<int64_t> {
        if (v.is_undefined() || v.is_none()) return std::nullopt;
        return need_int(v, what);
    };
    std::optional<int64_t> a = opt(start, "slice start"), b = opt(stop, "slice stop"), c = opt(step, "slice step");
    int64_t st = c.value_or(1);
    if (st == 0) fail("slice step cannot be zero");
    List items;
    std::vector<std::string> cps;
    int64_t n;
    if (base.is_list()) n = int64_t(base.list->size());
    else if (base.is_string()) { cps = code_points(base.s); n = int64_t(cps.size()); }
    else fail(std::string("a ") + base.type_name() + " cannot be sliced");
    // Python's slice.indices()
    auto clamp = [&](std::optional<int64_t> x, int64_t dflt, bool is_start) {
        if (!x) return dflt;
        int64_t v = *x;
        if (v < 0) v += n;
        if (st > 0) return std::clamp<int64_t>(v, 0, n);
        (void)is_start;
        return std::clamp<int64_t>(v, -1, n - 1);
    };
    int64_t lo = clamp(a, st > 0 ? 0 : n - 1, true), hi = clamp(b, st > 0 ? n : -1, false);
    std::string out;
    for (int64_t k = lo; st > 0 ? k < hi : k > hi;) {
        if (base.is_list()) items.push_back((*base.list)[size_t(k)]);
        else out += cps[size_t(k)];
        if (__builtin_add_overflow(k, st, &k)) break;  // a huge step: past the end
    }
    return base.is_list() ? Value::make_list(std::move(items)) : Value::string(out);
}

bool contains(const Value& container, const Value& item) {
    if (container.is_string()) return container.s.find(need_string(item, "'in' on a string")) != std::string::npos;
    if (container.is_list()) {
        for (const Value& v : *container.list) if (equal(v, item)) return true;
        return false;
    }
    if (container.is_mapping()) return item.is_string() && container.dict->find(item.s) != nullptr;
    if (container.is_undefined()) fail("'" + container.s + "' is undefined (used with 'in')");
    fail(std::string("'in' needs a string, list or dict, not a ") + container.type_name());
}

Value apply_filter(const std::string& name, Value v, std::vector<Value>& args, Kwargs& kw) {
    if (name == "trim") {
        const Value* chars = arg(args, kw, 0, "chars");
        return Value::string(py_strip(v.is_undefined() ? std::string() : need_string(v, "trim"), chars ? *chars : Value::none(), true, true));
    }
    if (name == "length" || name == "count") return length_of(v);
    if (name == "upper") return Value::string(to_upper(need_string(v, "upper")));
    if (name == "lower") return Value::string(to_lower(need_string(v, "lower")));
    if (name == "title") return Value::string(title_case(need_string(v, "title")));
    if (name == "capitalize") {
        std::string r = to_lower(need_string(v, "capitalize"));
        if (!r.empty() && r[0] >= 'a' && r[0] <= 'z') r[0] = char(r[0] - 32);
        return Value::string(r);
    }
    if (name == "string") return Value::string(v.str());
    if (name == "safe") return v;
    if (name == "int") {
        if (v.type == Value::Type::Int) return v;
        if (v.type == Value::Type::Float) {
            // a double outside int64's range cast to int64_t is undefined behaviour
            if (!(v.f > -9223372036854775808.0 && v.f < 9223372036854775808.0)) fail("int: " + v.str() + " does not fit in 64 bits");
            return Value::integer(int64_t(v.f));
        }
        if (v.is_string()) { try { return Value::integer(std::stoll(v.s)); } catch (...) {} }
        const Value* d = arg(args, kw, 0, "default");
        return d ? *d : Value::integer(0);
    }
    if (name == "float") {
        if (v.is_number()) return Value::number(v.as_double());
        if (v.is_string()) { try { return Value::number(std::stod(v.s)); } catch (...) {} }
        const Value* d = arg(args, kw, 0, "default");
        return d ? *d : Value::number(0.0);
    }
    if (name == "abs") {
        if (v.type == Value::Type::Int) return Value::integer(v.i < 0 ? -v.i : v.i);
        if (v.type == Value::Type::Float) return Value::number(std::fabs(v.f));
        fail("abs expects a number");
    }
    if (name == "round") {
        const Value* p = arg(args, kw, 0, "precision");
        double scale = std::pow(10.0, p ? double(need_int(*p, "round")) : 0.0);
        return Value::number(std::round(v.as_double() * scale) / scale);
    }
    if (name == "default" || name == "d") {
        const Value* dflt = arg(args, kw, 0, "default_value");
        const Value* boolean = arg(args, kw, 1, "boolean");
        bool use = v.is_undefined() || (boolean && boolean->truthy() && !v.truthy());
        return use ? (dflt ? *dflt : Value::string("")) : v;
    }
    if (name == "join") {
        const Value* sep = arg(args, kw, 0, "d");
        const Value* attr = kwarg(kw, "attribute");
        std::string out, d = sep ? need_string(*sep, "join") : std::string();
        List items = iterate(v);
        for (size_t k = 0; k < items.size(); ++k) {
            out += (k ? d : "") + (attr ? attribute_path(items[k], attr->str()).str() : items[k].str());
            if (out.size() > kMaxOutputBytes) fail("join: the result would be larger than the 64 MiB limit");
        }
        return Value::string(out);
    }
    if (name == "first" || name == "last") {
        List items = iterate(v);
        if (items.empty()) return Value::undefined(name);
        return name == "first" ? items.front() : items.back();
    }
    if (name == "list") return Value::make_list(iterate(v));
    if (name == "reverse") {
        if (v.is_string()) { auto cps = code_points(v.s); std::string r; for (auto it = cps.rbegin(); it != cps.rend(); ++it) r += *it; return Value::string(r); }
        List items = iterate(v);
        std::reverse(items.begin(), items.end());
        return Value::make_list(std::move(items));
    }
    if (name == "unique") {
        List out;
        for (Value& x : iterate(v)) {
            bool seen = false;
            for (Value& y : out) seen = seen || equal(x, y);
            if (!seen) out.push_back(x);
        }
        return Value::make_list(std::move(out));
    }
    if (name == "sum") {
        List items = iterate(v);
        bool is_float = false;
        double s = 0;
        int64_t si = 0;  // exact while every item is an integer (a double sum cast back could overflow)
        for (Value& x : items) {
            if (!x.is_number()) fail("sum expects numbers");
            is_float = is_float || x.type == Value::Type::Float;
            s += x.as_double();
            if (!is_float && __builtin_add_overflow(si, x.i, &si)) fail("sum: integer overflow (more than 64 bits)");
        }
        return is_float ? Value::number(s) : Value::integer(si);
    }
    if (name == "min" || name == "max") {
        List items = iterate(v);
        if (items.empty()) return Value::undefined(name);
        Value best = items[0];
        for (Value& x : items) if ((compare_values(x, best) < 0) == (name == "min") && compare_values(x, best) != 0) best = x;
        return best;
    }
    if (name == "replace") {
        std::vector<Value> a(args.begin(), args.end());
        Value m = method(Value::string(need_string(v, "replace")), "replace");
        return (*m.fn)(a, kw);
    }
    if (name == "tojson") {
        const Value* indent = arg(args, kw, 0, "indent");
        int64_t n = indent && !indent->is_none() ? need_int(*indent, "tojson") : -1;
        if (n > 4096) fail("tojson indent must be at most 4096");
        return Value::string(to_json(v, n < 0 ? -1 : int(n)));
    }
    if (name == "items") {
        if (!v.is_mapping()) fail("items expects a dict");
        List out;
        for (auto& [k, x] : v.dict->items) out.push_back(Value::make_list({Value::string(k), x}));
        return Value::make_list(std::move(out));
    }
    if (name == "dictsort") {
        if (!v.is_mapping()) fail("dictsort expects a dict");
        List out;
        for (auto& [k, x] : v.dict->items) out.push_back(Value::make_list({Value::string(k), x}));
        std::stable_sort(out.begin(), out.end(), [](const Value& a, const Value& b) { return to_lower((*a.list)[0].s) < to_lower((*b.list)[0].s); });
        return Value::make_list(std::move(out));
    }
    if (name == "indent") {
        const Value* w = arg(args, kw, 0, "width");
        const Value* first = arg(args, kw, 1, "first");
        const Value* blank = arg(args, kw, 2, "blank");
        int64_t width = w && !w->is_string() ? need_int(*w, "indent") : 4;
        if (width < 0 || width > 4096) fail("indent width must be 0..4096");  // size_t(-1) spaces threw length_error
        std::string pad = w && w->is_string() ? w->s : std::string(size_t(width), ' ');
        std::string s = need_string(v, "indent"), out;
        bool at_line_start = first && first->truthy();
        for (size_t k = 0; k < s.size(); ++k) {
            if (at_line_start && (s[k] != '\n' || (blank && blank->truthy()))) out += pad;
            if (out.size() > kMaxOutputBytes) fail("indent: the result would be larger than the 64 MiB limit");
            at_line_start = false;
            out += s[k];
            if (s[k] == '\n') at_line_start = true;
        }
        return Value::string(out);
    }
    if (name == "map" || name == "selectattr" || name == "rejectattr" || name == "select" || name == "reject") {
        List items = iterate(v), out;
        const Value* attr = kwarg(kw, "attribute");
        for (Value& x : items) {
            if (name == "map") {
                if (attr) {
                    Value r = attribute_path(x, attr->str());
                    const Value* dflt = kwarg(kw, "default");
                    out.push_back(r.is_undefined() && dflt ? *dflt : r);
                } else {
                    if (args.empty()) fail("map needs a filter name or attribute=");
                    std::vector<Value> rest(args.begin() + 1, args.end());
                    Kwargs none;
                    out.push_back(apply_filter(need_string(args[0], "map"), x, rest, none));
                }
                continue;
            }
            bool by_attr = name == "selectattr" || name == "rejectattr";
            size_t first_test = by_attr ? 1 : 0;
            if (by_attr && args.empty()) fail(name + " needs an attribute name");
            Value subject = by_attr ? attribute_path(x, need_string(args[0], name.c_str())) : x;
            bool ok;
            if (args.size() <= first_test) ok = subject.truthy();
            else {
                std::vector<Value> targs(args.begin() + first_test + 1, args.end());
                ok = apply_test(need_string(args[first_test], name.c_str()), subject, targs);
            }
            if (ok == (name == "select" || name == "selectattr")) out.push_back(x);
        }
        return Value::make_list(std::move(out));
    }
    fail("unsupported filter '" + name + "'");
}

bool apply_test(const std::string& name, const Value& v, std::vector<Value>& args) {
    using T = Value::Type;
    if (name == "defined") return !v.is_undefined();
    if (name == "undefined") return v.is_undefined();
    if (name == "none") return v.is_none();
    if (name == "string") return v.is_string();
    if (name == "number") return v.is_number();
    if (name == "integer") return v.type == T::Int;
    if (name == "float") return v.type == T::Float;
    if (name == "boolean") return v.type == T::Bool;
    if (name == "true") return v.type == T::Bool && v.b;
    if (name == "false") return v.type == T::Bool && !v.b;
    if (name == "mapping") return v.type == T::Dict;
    if (name == "iterable") return v.is_list() || v.is_string() || v.type == T::Dict;
    if (name == "sequence") return v.is_list() || v.is_string() || v.type == T::Dict;
    if (name == "callable") return v.type == T::Function;
    if (name == "lower") return v.is_string() && to_lower(v.s) == v.s;
    if (name == "upper") return v.is_string() && to_upper(v.s) == v.s;
    if (name == "odd" || name == "even") return need_int(v, name.c_str()) % 2 == (name == "odd" ? 1 : 0) || need_int(v, name.c_str()) % 2 == (name == "odd" ? -1 : 0);
    if (args.empty()) fail("unsupported test '" + name + "' (or it needs an argument)");
    const Value& o = args[0];
    if (name == "divisibleby") { int64_t d = need_int(o, "divisibleby"); return d != 0 && need_int(v, "divisibleby") % d == 0; }
    if (name == "eq" || name == "equalto" || name == "==") return equal(v, o);
    if (name == "ne" || name == "!=") return !equal(v, o);
    if (name == "lt" || name == "lessthan" || name == "<") return compare_values(v, o) < 0;
    if (name == "le" || name == "<=") return compare_values(v, o) <= 0;
    if (name == "gt" || name == "greaterthan" || name == ">") return compare_values(v, o) > 0;
    if (name == "ge" || name == ">=") return compare_values(v, o) >= 0;
    if (name == "in") return contains(o, v);
    if (name == "sameas") return v.type == o.type && (v.type == T::None || v.type == T::Undefined || equal(v, o));
    fail("unsupported test '" + name + "'");
}

}  // namespace rf::jinja
