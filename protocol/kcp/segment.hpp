// The KCP segment header: 24 bytes, little-endian, optionally followed by `len` data
// bytes. A datagram is a plain concatenation of segments (docs/wire-format.md). Also the
// segment as the core's queues hold it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

#include "kcpkit/kcp/payload_pool.hpp"

namespace kcpkit::kcp {

inline constexpr std::size_t kHeaderSize = 24;

/// Wrap-aware comparison of two clock values or sequence numbers: negative when `later`
/// is in fact earlier.
constexpr std::int32_t wrap_diff(std::uint32_t later, std::uint32_t earlier) {
    return static_cast<std::int32_t>(later - earlier);
}

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

/// A segment in one of the core's queues: the header fields it keeps, its send-side timers
/// and its payload (taken from the session's PayloadPool).
struct Segment {
    Payload payload;
    std::uint32_t len = 0;
    std::uint32_t sn = 0;
    std::uint32_t ts = 0;
    std::uint32_t resendts = 0;  ///< when the retransmission timer fires
    std::uint32_t rto = 0;
    std::uint32_t fastack = 0;  ///< later ACKs that skipped it
    std::uint32_t xmit = 0;     ///< transmissions so far
    std::uint8_t frg = 0;
    bool live = false;  ///< false: an empty slot, or acknowledged and waiting to leave
};

/// Gives the segment's payload back to `pool` and leaves an empty slot.
inline void release(Segment& seg, PayloadPool& pool) {
    pool.release(std::move(seg.payload));
    seg.live = false;
    seg.len = 0;
}

/// Writes the 24 header bytes at `out` (which must have room for them).
void encode_header(std::uint8_t* out, const SegmentHeader& header);

/// Reads 24 header bytes at `in`; no validation (the caller checks cmd and len).
SegmentHeader decode_header(const std::uint8_t* in);

/// Reads the conversation id of a datagram (its first 4 bytes); 0 if it is shorter.
std::uint32_t peek_conv(std::span<const std::uint8_t> datagram);

}  // namespace kcpkit::kcp
