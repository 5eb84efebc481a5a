// Values of the Jinja subset interpreter (chat templates). Python semantics: lists and dicts are
// shared by reference (list.append mutates), dicts keep insertion order.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace rf::jinja {

struct Value;
using List = std::vector<Value>;
struct Dict;
// Builtin function: positional args, keyword args.
using Kwargs = std::vector<std::pair<std::string, Value>>;
using Function = std::function<Value(std::vector<Value>& args, Kwargs& kwargs)>;

struct Value {
    enum class Type { Undefined, None, Bool, Int, Float, String, List, Dict, Namespace, Function };
    Type type = Type::Undefined;
    bool b = false;
    int64_t i = 0;
    double f = 0;
    std::string s;                    // String; also the name of an Undefined (for messages)
    std::shared_ptr<List> list;       // List
    std::shared_ptr<Dict> dict;       // Dict, Namespace
    std::shared_ptr<Function> fn;     // Function

    static Value undefined(std::string name = {}) { Value v; v.s = std::move(name); return v; }
    static Value none() { Value v; v.type = Type::None; return v; }
    static Value boolean(bool x) { Value v; v.type = Type::Bool; v.b = x; return v; }
    static Value integer(int64_t x) { Value v; v.type = Type::Int; v.i = x; return v; }
    static Value number(double x) { Value v; v.type = Type::Float; v.f = x; return v; }
    static Value string(std::string x) { Value v; v.type = Type::String; v.s = std::move(x); return v; }
    static Value make_list(List items = {});
    static Value make_dict();
    static Value make_namespace();
    static Value function(Function f);

    bool is_undefined() const { return type == Type::Undefined; }
    bool is_none() const { return type == Type::None; }
    bool is_string() const { return type == Type::String; }
    bool is_number() const { return type == Type::Int || type == Type::Float; }
    bool is_list() const { return type == Type::List; }
    bool is_mapping() const { return type == Type::Dict || type == Type::Namespace; }
    double as_double() const { return type == Type::Int ? double(i) : type == Type::Bool ? double(b) : f; }

    bool truthy() const;
    // Python's str(): what {{ value }} prints.
    std::string str() const;
    // Python's repr() (strings quoted), used inside printed lists/dicts.
    std::string repr() const;
    const char* type_name() const;
};

struct Dict {
    std::vector<std::pair<std::string, Value>> items;
    Value* find(const std::string& key);
    const Value* find(const std::string& key) const;
    void set(const std::string& key, Value v);
};

bool equal(const Value& a, const Value& b);
// Python's json.dumps(x, ensure_ascii=False, indent, separators=None, sort_keys=False), as
// transformers' chat-template `tojson` calls it.
std::string to_json(const Value& v, int indent = -1);
Value from_json(const nlohmann::json& j);

}  // namespace rf::jinja
