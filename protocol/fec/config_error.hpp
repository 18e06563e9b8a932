// Why a constructor of the FEC layer (ReedSolomon::create, FecEncoder::create,
// FecDecoder::create) made nothing. The same arguments fail the same way every time: the
// caller changes the configuration.
#pragma once

#include <cstdint>

#include "kcpkit/base/enum_names.hpp"

namespace kcpkit::fec {

enum class ConfigError : std::uint8_t {
    bad_shard_count = 1,  ///< data shards < 1, parity shards < 0 (encoder: < 1), or more than
                          ///< 256 shards in all: pick counts in range
    bad_datagram_size,    ///< max_datagram / header_offset leave no room for the FEC header,
                          ///< or exceed what the 16-bit size field holds: fix the sizes
    singular_matrix,      ///< the encoding matrix did not invert (cannot happen for a valid
                          ///< shape: a bug to report)
};
// Several names a line: a table, not code to lay out.
// clang-format off
constexpr auto enum_names(ConfigError) {
    using enum ConfigError;
    return std::to_array<EnumName<ConfigError>>({{bad_shard_count, "bad_shard_count"},
        {bad_datagram_size, "bad_datagram_size"}, {singular_matrix, "singular_matrix"}});
}
// clang-format on
static_assert(names_are_distinct<ConfigError>());

}  // namespace kcpkit::fec
