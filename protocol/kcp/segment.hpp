// The KCP segment header: 24 bytes, little-endian, optionally followed by `len` data
// bytes. A datagram is a plain concatenation of segments (docs/wire-format.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace kcpkit::kcp {

inline constexpr std::size_t kHeaderSize = 24;

enum class Command : std::uint8_t { push = 81, ack = 82, window_ask = 83, window_tell = 84 };

inline constexpr bool is_known_command(std::uint8_t cmd) {
    return cmd >= static_cast<std::uint8_t>(Command::push) &&
           cmd <= static_cast<std::uint8_t>(Command::window_tell);
}

struct SegmentHeader {
    std::uint32_t conv = 0;
    std::uint8_t cmd = 0;
    std::uint8_t frg = 0;
    std::uint16_t wnd = 0;
    std::uint32_t ts = 0;
    std::uint32_t sn = 0;
    std::uint32_t una = 0;
    std::uint32_t len = 0;

    friend bool operator==(const SegmentHeader&, const SegmentHeader&) = default;
};

/// Writes the 24 header bytes at `out` (which must have room for them).
void encode_header(std::uint8_t* out, const SegmentHeader& header);

/// Reads 24 header bytes at `in`; no validation (the caller checks cmd and len).
SegmentHeader decode_header(const std::uint8_t* in);

/// Reads the conversation id of a datagram (its first 4 bytes); 0 if it is shorter.
std::uint32_t peek_conv(std::span<const std::uint8_t> datagram);

}  // namespace kcpkit::kcp
