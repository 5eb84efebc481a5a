// String ⇄ value conversions for RunConfig keys (see run_config_values.h).
#include "config/run_config_values.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <ctime>

#include "core/error.h"
#include "text/utf8.h"

namespace rf::config_detail {

static std::string trim(std::string_view s) {
    size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return std::string(s.substr(b, e - b));
}

static std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string format_real(double v) {
    if (std::isnan(v)) return ".nan";
    if (std::isinf(v)) return v > 0 ? ".inf" : "-.inf";
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    std::string s(buf, r.ptr);
    // YAML 1.1 (PyYAML) reads a float only with a '.' in the mantissa and a signed exponent.
    size_t e = s.find('e');
    std::string mant = e == std::string::npos ? s : s.substr(0, e);
    std::string exp = e == std::string::npos ? "" : s.substr(e);
    if (mant.find('.') == std::string::npos) mant += ".0";
    return mant + exp;
}

std::string format_real_list(const std::vector<double>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + format_real(v[i]);
    return s + "]";
}

std::string format_string_list(const std::vector<std::string>& v) {
    bool needs_flow = false;
    for (auto& x : v) needs_flow |= x.find(',') != std::string::npos || x != trim(x) || x.empty();
    if (!needs_flow) {
        std::string s;
        for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
        return s;
    }
    YAML::Emitter em;
    em << YAML::Flow << YAML::BeginSeq;
    for (auto& x : v) em << YAML::DoubleQuoted << x;
    em << YAML::EndSeq;
    return em.c_str();
}

static std::string shown(const std::string& s) {
    std::string t = s.size() > 60 ? s.substr(0, 57) + "..." : s;
    return "'" + t + "'";
}

bool parse_bool(const std::string& key, const std::string& s) {
    std::string t = lower(trim(s));
    if (t == "true" || t == "yes" || t == "on" || t == "1") return true;
    if (t == "false" || t == "no" || t == "off" || t == "0") return false;
    throw InputError({}, 0, key, "expected true or false, got " + shown(s));
}

int64_t parse_int(const std::string& key, const std::string& s) {
    std::string t = trim(s);
    if (!t.empty() && t[0] == '+') t.erase(0, 1);
    int64_t v = 0;
    auto r = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || r.ec != std::errc() || r.ptr != t.data() + t.size()) {
        std::string hint;
        double d = 0;
        auto rd = std::from_chars(t.data(), t.data() + t.size(), d);
        if (!t.empty() && rd.ec == std::errc() && rd.ptr == t.data() + t.size()) hint = "write a whole number";
        throw InputError({}, 0, key, "expected an integer, got " + shown(s), hint);
    }
    return v;
}

double parse_real(const std::string& key, const std::string& s) {
    std::string t = trim(s);
    if (!t.empty() && t[0] == '+') t.erase(0, 1);
    double v = 0;
    auto r = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || r.ec != std::errc() || r.ptr != t.data() + t.size() || !std::isfinite(v))
        throw InputError({}, 0, key, "expected a finite real number, got " + shown(s));
    return v;
}

std::vector<std::string> parse_string_list(const std::string& key, const std::string& s) {
    std::string t = trim(s);
    std::vector<std::string> out;
    if (t.size() >= 2 && t.front() == '[' && t.back() == ']') {
        YAML::Node n;
        try {
            n = YAML::Load(t);
        } catch (const YAML::Exception& e) {
            throw InputError({}, 0, key, "expected a list of strings, got " + shown(s), e.msg);
        }
        if (!n.IsSequence()) throw InputError({}, 0, key, "expected a list of strings, got " + shown(s));
        for (const auto& item : n) {
            if (!item.IsScalar()) throw InputError({}, 0, key, "expected a list of strings, got " + shown(s));
            out.push_back(item.Scalar());
        }
        return out;
    }
    size_t start = 0;
    while (start <= t.size()) {
        size_t comma = t.find(',', start);
        if (comma == std::string::npos) comma = t.size();
        std::string item = trim(std::string_view(t).substr(start, comma - start));
        if (!item.empty()) out.push_back(item);
        start = comma + 1;
    }
    return out;
}

std::vector<double> parse_real_list(const std::string& key, const std::string& s) {
    std::string t = trim(s);
    if (t.size() >= 2 && t.front() == '[' && t.back() == ']') t = t.substr(1, t.size() - 2);
    std::vector<double> out;
    if (trim(t).empty()) return out;
    size_t start = 0;
    while (start <= t.size()) {
        size_t comma = t.find(',', start);
        if (comma == std::string::npos) comma = t.size();
        std::string item = trim(std::string_view(t).substr(start, comma - start));
        try {
            out.push_back(parse_real(key, item));
        } catch (const InputError&) {
            throw InputError({}, 0, key, "expected a list of numbers like [2.0, 0.5], got " + shown(s));
        }
        start = comma + 1;
    }
    return out;
}


nlohmann::json parse_mapping(const std::string& key, const std::string& s) {
    std::string t = trim(s);
    if (t.empty()) return nlohmann::json::object();
    nlohmann::json j = nlohmann::json::parse(t, nullptr, false);
    if (j.is_discarded()) {
        try {
            j = yaml_to_json(YAML::Load(t));
        } catch (const InputError& e) {
            throw InputError({}, 0, key, e.message);
        } catch (const YAML::Exception& e) {
            throw InputError({}, 0, key, "expected a mapping like {adamw: {weight_decay: 0.01}}, got " + shown(s),
                             e.msg);
        }
    }
    if (j.is_null()) return nlohmann::json::object();
    if (!j.is_object())
        throw InputError({}, 0, key, "expected a mapping like {adamw: {weight_decay: 0.01}}, got " + shown(s));
    return j;
}

// YAML → JSON. Plain scalars become numbers/booleans/null where they read as such; quoted ones stay strings.
// `budget` bounds the nodes visited: YAML aliases can make a small file expand exponentially.
// `depth` bounds the nesting: an alias inside its own anchor (`&a [*a]`) is a cycle, which recursed
// until the stack overflowed (found by fuzz_run_config).
static nlohmann::json yaml_to_json(const YAML::Node& n, size_t& budget, int depth = 0) {
    if (budget == 0) throw InputError("the value is too large (more than 10000 nodes after expanding aliases)");
    if (depth > 64) throw InputError("the value nests more than 64 levels deep (or an alias refers to itself)");
    --budget;
    if (!n.IsDefined() || n.IsNull()) return nullptr;
    if (n.IsSequence()) {
        nlohmann::json a = nlohmann::json::array();
        for (const auto& x : n) a.push_back(yaml_to_json(x, budget, depth + 1));
        return a;
    }
    if (n.IsMap()) {
        nlohmann::json o = nlohmann::json::object();
        for (const auto& kv : n) {
            if (!utf8::is_valid(kv.first.Scalar())) throw InputError("a key is not UTF-8 text");
            o[kv.first.Scalar()] = yaml_to_json(kv.second, budget, depth + 1);
        }
        return o;
    }
    const std::string& s = n.Scalar();
    // yaml-cpp can yield bytes that are not UTF-8 from UTF-8 text (a NUL makes it guess UTF-16/32);
    // nlohmann's dump() would throw type_error 316 (found by fuzz_run_config)
    if (!utf8::is_valid(s)) throw InputError("the value is not UTF-8 text");
    if (n.Tag() == "!") return s;  // quoted
    std::string l = lower(s);
    if (l == "true" || l == "yes" || l == "on") return true;
    if (l == "false" || l == "no" || l == "off") return false;
    int64_t i = 0;
    auto ri = std::from_chars(s.data(), s.data() + s.size(), i);
    if (!s.empty() && ri.ec == std::errc() && ri.ptr == s.data() + s.size()) return i;
    double d = 0;
    auto rd = std::from_chars(s.data(), s.data() + s.size(), d);
    if (!s.empty() && rd.ec == std::errc() && rd.ptr == s.data() + s.size()) return d;
    return s;
}

nlohmann::json yaml_to_json(const YAML::Node& n) {
    // A run config's largest values are lists of a few hundred items; 10,000 nodes keep an alias
    // bomb's work small (100,000 took ~0.5 s per value under ASan: a fuzz_run_config slow unit).
    size_t budget = 10000;
    return yaml_to_json(n, budget);
}

static std::string bounds_text(const KeySpec& k) {
    auto num = [&](double v) {
        return k.type == KeyType::integer ? std::to_string(static_cast<int64_t>(v)) : format_real(v);
    };
    std::string s;
    if (k.min && k.max)
        s = std::string(" in ") + (k.min_open ? "(" : "[") + num(*k.min) + ", " + num(*k.max) + (k.max_open ? ")" : "]");
    else if (k.min) s = (k.min_open ? " > " : " >= ") + num(*k.min);
    else if (k.max) s = (k.max_open ? " < " : " <= ") + num(*k.max);
    if (!k.range_doc.empty()) s += " (" + k.range_doc + ")";
    return s;
}

std::string expected_text(const KeySpec& k) {
    switch (k.type) {
        case KeyType::boolean: return "true or false";
        case KeyType::integer:
            if (!k.choices.empty()) {
                std::string s = "one of ";
                for (size_t i = 0; i < k.choices.size(); ++i) s += (i ? ", " : "") + k.choices[i];
                return s;
            }
            return "an integer" + bounds_text(k);
        case KeyType::real: return "a real number" + bounds_text(k);
        case KeyType::string: return "a string";
        case KeyType::text: return "a string";
        case KeyType::path: return "a path";
        case KeyType::choice: {
            std::string s = "one of ";
            for (size_t i = 0; i < k.choices.size(); ++i) s += (i ? ", " : "") + k.choices[i];
            return s;
        }
        case KeyType::string_list: return "a list of strings";
        case KeyType::real_list: return "a list of real numbers" + bounds_text(k);
        case KeyType::mapping: return "a mapping";
    }
    return "a value";
}

std::string range_error(const KeySpec& k, double v, const std::string& shown_value) {
    bool bad = (k.min && (k.min_open ? v <= *k.min : v < *k.min)) || (k.max && (k.max_open ? v >= *k.max : v > *k.max));
    if (!bad) return {};
    return "expected " + expected_text(k) + ", got " + shown_value;
}

std::string now_stamp() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d-%H%M%S", &tm);
    return buf;
}

}  // namespace rf::config_detail
