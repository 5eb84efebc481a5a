// A small Jinja interpreter for chat templates: lexer (lexer.h) -> parser to an AST (ast.h) ->
// evaluator (interpreter.cpp) with the builtins chat templates use (builtins.cpp). It follows
// Python Jinja2 semantics as transformers configures it (trim_blocks, lstrip_blocks, tojson without
// HTML escaping) and is tested byte for byte against @huggingface/jinja on real templates.
// Where the two references differ we follow Python Jinja2 (what transformers runs): strings are
// indexed, sliced and measured by code point (@huggingface/jinja: UTF-16 units, so an emoji counts
// 2); str.strip/lstrip/rstrip honour their `chars` argument (@huggingface/jinja ignores it and
// strips whitespace); True/False/None print as Python prints them. The real templates tested do
// not hit these cases.
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "text/jinja/ast.h"
#include "text/jinja/value.h"

namespace rf::jinja {

// Limits on one render, so that a hostile or broken template (tokenizer_config.json is downloaded
// input) ends in an InputError instead of hanging or exhausting memory: the output and every string
// value at most kMaxOutputBytes (a loop cannot render gigabytes), lists at most kMaxListItems
// (range() and list +), and at most kMaxSteps units of work (one per statement, expression node and
// loop iteration, plus the sizes of the values each filter, test and call reads and returns: a
// string counts one unit per 256 bytes, a list one per item; 4M units take about 1.5 s). Real chat
// templates need tens to a few hundred units per message, so a conversation of thousands of messages
// renders; the 16 MiB row DatasetOptions allows costs 64K units per filter that reads it.
inline constexpr size_t kMaxOutputBytes = size_t(64) << 20;
inline constexpr size_t kMaxListItems = 1'000'000;
inline constexpr uint64_t kMaxSteps = 4'000'000;

class Template {
public:
    // Parses `source`; `name` (e.g. ".../tokenizer_config.json: chat_template") names it in errors.
    Template(const std::string& source, std::string name);
    // Renders with the variables of `context` (a Dict value). `strftime_now(fmt)` gives the date
    // bits (the caller decides which date: tests pin one). Throws InputError on template errors,
    // including raise_exception() and unsupported filters/tests/methods, naming them and the line,
    // and when the render passes one of the limits above (naming the limit).
    std::string render(const Value& context, const std::function<std::string(const std::string&)>& strftime_now) const;
    // True when the template mentions `name` as a variable anywhere (e.g. "enable_thinking").
    bool reads(const std::string& name) const;

private:
    std::shared_ptr<const Body> m_body;
    std::string m_name;
};

// Python's strftime for the directives templates use (%Y %m %d %b %B %H %M %S %y %a %A %e %%), in the
// C locale. Throws InputError for others.
std::string strftime_fixed(const std::string& fmt, int year, int month, int day, int hour, int minute, int second);

}  // namespace rf::jinja
