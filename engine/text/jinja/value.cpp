#include "text/jinja/value.h"

#include <cmath>
#include <cstdio>
#include <optional>

#include <nlohmann/json.hpp>

#include "text/jinja/builtins.h"
#include "text/jinja/jinja.h"
#include "text/utf8.h"

namespace rf::jinja {

Value Value::make_list(List items) {
    Value v;
    v.type = Type::List;
    v.list = std::make_shared<List>(std::move(items));
    return v;
}
Value Value::make_dict() {
    Value v;
    v.type = Type::Dict;
    v.dict = std::make_shared<Dict>();
    return v;
}
Value Value::make_namespace() {
    Value v = make_dict();
    v.type = Type::Namespace;
    return v;
}
Value Value::function(Function f) {
    Value v;
    v.type = Type::Function;
    v.fn = std::make_shared<Function>(std::move(f));
    return v;
}

Value* Dict::find(const std::string& key) {
    for (auto& [k, v] : items) if (k == key) return &v;
    return nullptr;
}
const Value* Dict::find(const std::string& key) const {
    for (auto& [k, v] : items) if (k == key) return &v;
    return nullptr;
}
void Dict::set(const std::string& key, Value v) {
    if (Value* e = find(key)) *e = std::move(v);
    else items.emplace_back(key, std::move(v));
}

bool Value::truthy() const {
    switch (type) {
    case Type::Undefined: case Type::None: return false;
    case Type::Bool: return b;
    case Type::Int: return i != 0;
    case Type::Float: return f != 0;
    case Type::String: return !s.empty();
    case Type::List: return !list->empty();
    case Type::Dict: return !dict->items.empty();
    case Type::Namespace: case Type::Function: return true;
    }
    return false;
}

namespace {

// Python's float repr: shortest round-trip digits, always with a '.' or exponent.
std::string float_repr(double x) {
    if (std::isnan(x)) return "nan";
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    char buf[64];
    for (int prec = 1; prec <= 17; ++prec) {
        std::snprintf(buf, sizeof buf, "%.*g", prec, x);
        if (std::strtod(buf, nullptr) == x) break;
    }
    std::string s = buf;
    size_t e = s.find('e');
    if (e != std::string::npos) {  // Python: 1e-05 -> "1e-05", 1e+16 -> "1e+16"
        return s;
    }
    if (s.find('.') == std::string::npos) s += ".0";
    return s;
}

std::string quote_repr(const std::string& s) {
    bool has_single = s.find('\'') != std::string::npos, has_double = s.find('"') != std::string::npos;
    char q = has_single && !has_double ? '"' : '\'';
    std::string out(1, q);
    for (char c : s) {
        if (c == q || c == '\\') { out += '\\'; out += c; }
        else if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '\t') out += "\\t";
        else out += c;
    }
    return out + q;
}

}  // namespace

namespace {
// repr, tojson and == recurse into lists and dicts, which a template can make cyclic (l.append(l))
// or exponentially shared ([x, x] doubled 40 times): nesting at most 100 levels, and at most
// kMaxSteps values visited per top-level call (EvalError: the interpreter names the line).
thread_local int t_nesting = 0;
thread_local uint64_t t_visits = 0;
struct NestGuard {
    NestGuard() {
        if (t_nesting == 0) t_visits = 0;
        if (++t_visits > kMaxSteps || t_nesting >= 100) throw EvalError{"a value nests more than 100 levels deep or is too large to compare or print (a list that contains itself?)"};
        ++t_nesting;
    }
    ~NestGuard() { --t_nesting; }
    NestGuard(const NestGuard&) = delete;
    NestGuard& operator=(const NestGuard&) = delete;
};
void check_size(const std::string& out) {
    if (out.size() > kMaxOutputBytes) throw EvalError{"a value's text would be larger than the 64 MiB limit"};
}
}  // namespace

std::string Value::str() const {
    switch (type) {
    case Type::Undefined: return "";
    case Type::None: return "None";
    case Type::Bool: return b ? "True" : "False";
    case Type::Int: return std::to_string(i);
    case Type::Float: return float_repr(f);
    case Type::String: return s;
    default: return repr();
    }
}

std::string Value::repr() const {
    switch (type) {
    case Type::String: return quote_repr(s);
    case Type::List: {
        NestGuard guard;
        std::string out = "[";
        for (size_t k = 0; k < list->size(); ++k) {
            out += (k ? ", " : "") + (*list)[k].repr();
            check_size(out);
        }
        return out + "]";
    }
    case Type::Dict: case Type::Namespace: {
        NestGuard guard;
        std::string out = type == Type::Namespace ? "<Namespace {" : "{";
        for (size_t k = 0; k < dict->items.size(); ++k) {
            out += (k ? ", " : "") + quote_repr(dict->items[k].first) + ": " + dict->items[k].second.repr();
            check_size(out);
        }
        return out + (type == Type::Namespace ? "}>" : "}");
    }
    case Type::Function: return "<function>";
    default: return str();
    }
}

const char* Value::type_name() const {
    switch (type) {
    case Type::Undefined: return "undefined";
    case Type::None: return "none";
    case Type::Bool: return "boolean";
    case Type::Int: return "integer";
    case Type::Float: return "float";
    case Type::String: return "string";
    case Type::List: return "list";
    case Type::Dict: return "dict";
    case Type::Namespace: return "namespace";
    case Type::Function: return "function";
    }
    return "?";
}

bool equal(const Value& a, const Value& b) {
    if (a.is_number() && b.is_number()) return a.as_double() == b.as_double();
    if (a.type == Value::Type::List && b.type == Value::Type::List && a.list == b.list) return true;  // the same list
    if (a.is_mapping() && a.type == b.type && a.dict == b.dict) return true;
    std::optional<NestGuard> guard;
    if (a.type == b.type && (a.is_list() || a.is_mapping())) guard.emplace();
    if ((a.type == Value::Type::Bool && b.is_number()) || (b.type == Value::Type::Bool && a.is_number()))
        return a.as_double() == b.as_double();
    if (a.type != b.type) return false;
    switch (a.type) {
    case Value::Type::Undefined: case Value::Type::None: return true;
    case Value::Type::Bool: return a.b == b.b;
    case Value::Type::String: return a.s == b.s;
    case Value::Type::List:
        if (a.list->size() != b.list->size()) return false;
        for (size_t k = 0; k < a.list->size(); ++k) if (!equal((*a.list)[k], (*b.list)[k])) return false;
        return true;
    case Value::Type::Dict: case Value::Type::Namespace:
        if (a.dict->items.size() != b.dict->items.size()) return false;
        for (auto& [k, v] : a.dict->items) {
            const Value* o = b.dict->find(k);
            if (!o || !equal(v, *o)) return false;
        }
        return true;
    case Value::Type::Function: return a.fn == b.fn;
    default: return false;
    }
}

namespace {

void json_string(const std::string& s, std::string& out) {
    out += '"';
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += char(c);
            }
        }
    }
    out += '"';
}

void dump(const Value& v, int indent, int depth, std::string& out) {
    check_size(out);
    std::optional<NestGuard> guard;
    if (v.is_list() || v.is_mapping()) guard.emplace();
    std::string pad = indent >= 0 ? "\n" + std::string(size_t(indent * (depth + 1)), ' ') : "";
    std::string close = indent >= 0 ? "\n" + std::string(size_t(indent * depth), ' ') : "";
    const char* item_sep = indent >= 0 ? "," : ", ";
    switch (v.type) {
    case Value::Type::Undefined: case Value::Type::None: out += "null"; return;
    case Value::Type::Bool: out += v.b ? "true" : "false"; return;
    case Value::Type::Int: out += std::to_string(v.i); return;
    case Value::Type::Float:
        out += std::isnan(v.f) ? "NaN" : std::isinf(v.f) ? (v.f > 0 ? "Infinity" : "-Infinity") : v.str();
        return;
    case Value::Type::String: json_string(v.s, out); return;
    case Value::Type::List:
        if (v.list->empty()) { out += "[]"; return; }
        out += '[';
        for (size_t k = 0; k < v.list->size(); ++k) {
            if (k) out += item_sep;
            out += pad;
            dump((*v.list)[k], indent, depth + 1, out);
        }
        out += close + "]";
        return;
    case Value::Type::Dict: case Value::Type::Namespace:
        if (v.dict->items.empty()) { out += "{}"; return; }
        out += '{';
        for (size_t k = 0; k < v.dict->items.size(); ++k) {
            if (k) out += item_sep;
            out += pad;
            json_string(v.dict->items[k].first, out);
            out += ": ";
            dump(v.dict->items[k].second, indent, depth + 1, out);
        }
        out += close + "}";
        return;
    case Value::Type::Function: out += "null"; return;
    }
}

}  // namespace

std::string to_json(const Value& v, int indent) {
    std::string out;
    dump(v, indent, 0, out);
    return out;
}

Value from_json(const nlohmann::json& j) {
    using nlohmann::json;
    switch (j.type()) {
    case json::value_t::null: return Value::none();
    case json::value_t::boolean: return Value::boolean(j.get<bool>());
    case json::value_t::number_integer: return Value::integer(j.get<int64_t>());
    case json::value_t::number_unsigned: return Value::integer(int64_t(j.get<uint64_t>()));
    case json::value_t::number_float: return Value::number(j.get<double>());
    case json::value_t::string: return Value::string(j.get<std::string>());
    case json::value_t::array: {
        List items;
        for (const json& x : j) items.push_back(from_json(x));
        return Value::make_list(std::move(items));
    }
    case json::value_t::object: {
        Value d = Value::make_dict();
        for (auto it = j.begin(); it != j.end(); ++it) d.dict->set(it.key(), from_json(it.value()));
        return d;
    }
    default: return Value::none();
    }
}

}  // namespace rf::jinja
