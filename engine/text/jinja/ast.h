// Jinja AST: one node type with a kind; statements and expressions share it.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "text/jinja/value.h"

namespace rf::jinja {

struct Node;
using NodePtr = std::unique_ptr<Node>;
using Body = std::vector<NodePtr>;

enum class Kind {
    // statements
    Text,      // str: literal text
    Output,    // a[0]: expression to print
    If,        // a[0]: condition; body; orelse (an elif is a nested If in orelse)
    For,       // names: loop targets; a[0]: iterable; a[1]: optional filter condition; body; orelse
    Set,       // names: targets (or str = "ns.attr" target via a[0] = Attr node); a[1]: value, or body
    Break,
    Continue,
    // expressions
    Literal,   // value
    Name,      // str
    ListLit,   // a: items
    TupleLit,  // a: items
    DictLit,   // a: key, value, key, value, ...
    Attr,      // a[0].str
    Index,     // a[0][a[1]]
    Slice,     // a[0][a[1]:a[2]:a[3]] (null children for omitted parts)
    Call,      // a[0](a[1..]) with kwnames naming the trailing arguments
    Filter,    // a[0] | str(a[1..]) with kwnames
    Test,      // a[0] is [not] str(a[1..]); negate
    Unary,     // str: "not" | "-" | "+"; a[0]
    Binary,    // str: operator; a[0], a[1]  ("and"/"or" short-circuit; "in"/"not in")
    Ternary,   // a[0] if a[1] else a[2] (a[2] may be null)
};

struct Node {
    Kind kind;
    int line = 0;
    std::string str;
    Value value;
    std::vector<NodePtr> a;
    std::vector<std::string> names;    // For/Set targets
    std::vector<std::string> kwnames;  // Call/Filter: names of the last kwnames.size() arguments
    bool negate = false;
    Body body, orelse;
};

// Parses a template into its top-level statements. Throws InputError naming `name` and the line;
// unsupported constructs (macro, call, filter blocks, include, import, extends, block, with,
// raw, ...) are named in the message.
Body parse(const std::string& source, const std::string& name);

}  // namespace rf::jinja
