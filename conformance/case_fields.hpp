// Reading the fields of a kcpvec/1 case: the typed getters and the failure messages every
// replayer needs (a malformed field throws MalformedCase; the replayer turns it into
// CaseOutcome::bad_case). Every replayer uses them.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace kcpkit::conformance {

struct MalformedCase : std::runtime_error {
    using std::runtime_error::runtime_error;
};

using Bytes = std::vector<std::uint8_t>;

/// `v` as hex bytes; throws (naming `what`) if it is not a hex string.
Bytes hex_value(const nlohmann::json& v, const std::string& what);
/// `c[key]` as hex bytes; throws if it is missing or not hex.
Bytes hex_field(const nlohmann::json& c, const char* key);
std::optional<Bytes> optional_hex_field(const nlohmann::json& c, const char* key);
/// `c[key]` as a list of hex strings, or nullopt if absent.
std::optional<std::vector<Bytes>> optional_hex_list(const nlohmann::json& c, const char* key);
std::optional<std::string> optional_string_field(const nlohmann::json& c, const char* key);
std::optional<long long> optional_int_field(const nlohmann::json& c, const char* key);
std::optional<bool> optional_bool_field(const nlohmann::json& c, const char* key);

/// "at byte N: expected xx... actual yy..." for the first difference (plus the lengths).
std::string first_difference(std::span<const std::uint8_t> expected,
                             std::span<const std::uint8_t> actual);

}  // namespace kcpkit::conformance
