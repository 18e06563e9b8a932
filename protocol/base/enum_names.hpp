// One way to name an enum's values, for every enum above the bare core: each enum declares
// its {value, name} table once, beside the enum, as a constexpr function found by
// argument-dependent lookup:
//
//     enum class OpenStatus : std::uint8_t { ok, truncated };
//     constexpr auto enum_names(OpenStatus) {
//         using enum OpenStatus;
//         return std::to_array<EnumName<OpenStatus>>({{ok, "ok"}, {truncated, "truncated"}});
//     }
//
// (Tables pack several {value, name} pairs a line, between clang-format off/on, so that a
// table reads as data.)
//
// and everything else is generic: name_of(value) for printing, parse<E>(name) for reading
// flags and vector files, values_of<E>() to iterate. No hand-written switch per enum.
//
// Rules: the table lists every value exactly once, in declaration order, and no name twice
// (names_are_distinct<E>() checks the "once" and the names at compile time: put a
// static_assert beside the table; the layer's tests check that each value round-trips). A
// value missing from its table prints as "?".
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <optional>
#include <string_view>
#include <type_traits>

namespace kcpkit {

template <typename E>
struct EnumName {
    E value;
    std::string_view name;
};

/// An enum with a name table (see the top of this file).
template <typename E>
concept NamedEnum = std::is_enum_v<E> && requires {
    {enum_names(E{})};
};

/// The name of `value` in its table; "?" for a value not listed.
template <NamedEnum E>
constexpr std::string_view name_of(E value) {
    for (const auto& entry : enum_names(E{}))
        if (entry.value == value) return entry.name;
    return "?";
}

/// The value named `name` (exact, case-sensitive match); nullopt for any other string.
template <NamedEnum E>
constexpr std::optional<E> parse(std::string_view name) {
    for (const auto& entry : enum_names(E{}))
        if (entry.name == name) return entry.value;
    return std::nullopt;
}

/// Every value of E, in table order.
template <NamedEnum E>
constexpr auto values_of() {
    constexpr auto table = enum_names(E{});
    std::array<E, table.size()> values{};
    for (std::size_t i = 0; i < table.size(); ++i) values[i] = table[i].value;
    return values;
}

/// True when no value and no name appears twice in E's table.
template <NamedEnum E>
constexpr bool names_are_distinct() {
    constexpr auto table = enum_names(E{});
    for (std::size_t i = 0; i < table.size(); ++i)
        for (std::size_t j = i + 1; j < table.size(); ++j)
            if (table[i].value == table[j].value || table[i].name == table[j].name) return false;
    return true;
}

}  // namespace kcpkit
