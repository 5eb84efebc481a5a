// Enums spelled as in YAML / JSON: each enum E has a table of {value, name} pairs beside its
// definition and an overload `enum_names(E)` returning it (found by argument-dependent lookup);
// enum_name(e) and enum_from_name<E>(s) work on any of them.
#pragma once
#include <optional>
#include <span>
#include <string_view>

namespace rf {

template <class E>
struct EnumName {
    E value;
    std::string_view name;
};

template <class E>
constexpr std::string_view enum_name(E e) {
    for (const auto& n : enum_names(E{}))
        if (n.value == e) return n.name;
    return "?";
}
template <class E>
constexpr std::optional<E> enum_from_name(std::string_view s) {
    for (const auto& n : enum_names(E{}))
        if (n.name == s) return n.value;
    return std::nullopt;
}

}  // namespace rf
