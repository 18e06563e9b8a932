// Lowercase hex, the byte-string encoding of kcpvec/1.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kcpkit::conformance {

std::string to_hex(std::span<const std::uint8_t> bytes);

/// Decodes hex (either case); nullopt for an odd length or a non-hex character.
std::optional<std::vector<std::uint8_t>> from_hex(std::string_view text);

}  // namespace kcpkit::conformance
