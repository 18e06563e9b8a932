#include "conformance/case_fields.hpp"

#include <algorithm>

#include "conformance/hex.hpp"

namespace kcpkit::conformance {

Bytes hex_value(const nlohmann::json& v, const std::string& what) {
    if (!v.is_string()) throw MalformedCase(what + " is not a hex string");
    auto bytes = from_hex(v.get<std::string>());
    if (!bytes) throw MalformedCase(what + " is not valid hex");
    return *std::move(bytes);
}

Bytes hex_field(const nlohmann::json& c, const char* key) {
    auto it = c.find(key);
    if (it == c.end()) throw MalformedCase(std::string(key) + " is missing");
    return hex_value(*it, key);
}

std::optional<Bytes> optional_hex_field(const nlohmann::json& c, const char* key) {
    auto it = c.find(key);
    if (it == c.end()) return std::nullopt;
    return hex_value(*it, key);
}

std::optional<std::vector<Bytes>> optional_hex_list(const nlohmann::json& c, const char* key) {
    auto it = c.find(key);
    if (it == c.end()) return std::nullopt;
    if (!it->is_array()) throw MalformedCase(std::string(key) + " is not an array");
    std::vector<Bytes> out;
    for (std::size_t i = 0; i < it->size(); ++i)
        out.push_back(hex_value((*it)[i], std::string(key) + "[" + std::to_string(i) + "]"));
    return out;
}

std::optional<std::string> optional_string_field(const nlohmann::json& c, const char* key) {
    auto it = c.find(key);
    if (it == c.end()) return std::nullopt;
    if (!it->is_string()) throw MalformedCase(std::string(key) + " is not a string");
    return it->get<std::string>();
}

std::optional<long long> optional_int_field(const nlohmann::json& c, const char* key) {
    auto it = c.find(key);
    if (it == c.end()) return std::nullopt;
    if (!it->is_number_integer()) throw MalformedCase(std::string(key) + " is not an integer");
    return it->get<long long>();
}

std::optional<bool> optional_bool_field(const nlohmann::json& c, const char* key) {
    auto it = c.find(key);
    if (it == c.end()) return std::nullopt;
    if (!it->is_boolean()) throw MalformedCase(std::string(key) + " is not a boolean");
    return it->get<bool>();
}

std::string first_difference(std::span<const std::uint8_t> expected,
                             std::span<const std::uint8_t> actual) {
    std::size_t i = 0;
    while (i < expected.size() && i < actual.size() && expected[i] == actual[i]) ++i;
    const auto window = [i](std::span<const std::uint8_t> b) {
        const std::size_t from = std::min(i, b.size());
        return to_hex(b.subspan(from, std::min<std::size_t>(16, b.size() - from)));
    };
    std::string s = "at byte " + std::to_string(i) + ": expected " + window(expected) +
                    "... actual " + window(actual) + "...";
    if (expected.size() != actual.size())
        s += " (lengths " + std::to_string(expected.size()) + " vs " +
             std::to_string(actual.size()) + ")";
    return s;
}

}  // namespace kcpkit::conformance
