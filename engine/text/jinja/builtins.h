// Builtin filters, tests, methods and globals of the Jinja subset (internal to text/jinja).
#pragma once
#include <string>
#include <vector>

#include "text/jinja/value.h"

namespace rf::jinja {

// Thrown by builtins; the interpreter adds the template name and line.
struct EvalError {
    std::string message;
};

Value apply_filter(const std::string& name, Value v, std::vector<Value>& args, Kwargs& kwargs);
bool apply_test(const std::string& name, const Value& v, std::vector<Value>& args);
// value.name: dict entries first, then the methods of strings, lists and dicts (as bound functions).
Value get_attr(const Value& base, const std::string& name);
// base[index] with Python semantics (negative indices; Undefined when out of range or missing).
Value get_item(const Value& base, const Value& index);
Value slice(const Value& base, const Value& start, const Value& stop, const Value& step);
// Python's `in`.
bool contains(const Value& container, const Value& item);
// Elements of a list, the keys of a dict, the characters of a string.
List iterate(const Value& v);
// String helpers by code point.
std::vector<std::string> code_points(const std::string& s);
std::string py_strip(const std::string& s, const Value& chars, bool left, bool right);

}  // namespace rf::jinja
