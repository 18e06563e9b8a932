// kcp-go's FEC layer, sans-IO: the encoder that frames every outgoing KCP datagram and adds
// Reed-Solomon parity packets, and the receive path that sorts incoming datagrams into raw
// KCP / FEC data / FEC parity / OOB, feeds the FEC decoder and says which KCP datagrams to
// hand to KCP, in which order. Byte-compatible with kcp-go v5.6.72 and v5.6.1: each
// release's rules arrive as a Behaviour (protocol/kcpgo/release.cpp has one per release);
// docs/fec.md explains the wire format, the traps and every call.
//
// Wire (after the crypt header, all little-endian):
//   data   | seqid u32 | 0x00F1 | size u16 = 2 + KCP length | KCP datagram |
//   parity | seqid u32 | 0x00F2 | RS parity of the group's (size field + KCP) regions,
//                                  zero-padded to the longest; as long as that data packet |
//   OOB    | 0xFFFFFFFF | 0x00F3 | size u16 | conv u32 | payload |   (v5.6.72 only)
// Groups are S = ds + ps consecutive seqids starting at multiples of S; seqids wrap at
// paws = floor(0xFFFFFFFF / S) * S.
//
// Time: the caller passes a millisecond clock (uint32, may wrap; only differences are
// used). v5.6.72's encoder skips a group's parity when its last two data packets were
// >= 500 ms apart (still consuming the ps seqids); v5.6.1's decoder forgets queued shards
// after 60 s. Nothing here reads a clock, does I/O or starts threads.
//
// Memory: everything per datagram lives in buffers owned by the object. The encoder
// allocates at construction; a decoder reserves what honest traffic can hold when its
// shape is set (construction, the lazy (1, 1) decoder, an autotune switch), and only
// hostile input grows it further, up to a fixed bound (docs/fec.md). A decoder keeps the
// Reed-Solomon codecs of its last 4 shapes, so a peer flipping between shapes costs no
// rebuild and no allocation once each shape was seen. encode() and input() allocate
// nothing in steady state. Views returned by a call stay valid until the next
// call on the same object.
//
// Threads: one object per direction per session; calls on one object must not overlap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "kcpkit/base/enum_names.hpp"
#include "kcpkit/base/expected.hpp"
#include "kcpkit/fec/config_error.hpp"

namespace kcpkit::fec {

class ReedSolomon;

/// How a kcp-go release's FEC layer behaves. The layer knows no release names:
/// protocol/kcpgo/release.cpp fills one of these per kcp-go release (the defaults are
/// v5.6.72's), and every rule below asks it.
struct Behaviour {
    enum class Decoder : std::uint8_t {
        shard_sets,    ///< v5.6.72: shard sets per group, duplicates ignored, OOB-aware counters
        sorted_queue,  ///< v5.6.1: one queue sorted by seqid, rxlimit eviction, expiry
    };
    Decoder decoder = Decoder::shard_sets;
    /// Shorter received datagrams are dropped (shard_sets: counted kcp_in_errors;
    /// sorted_queue: dropped_short). At least 12 (FecDecoder::create).
    std::size_t min_datagram = 12;
    /// 0xF3 is an OOB packet (false: a raw KCP datagram like any other type).
    bool oob = true;
    /// The encoder keeps seqids group-aligned: they wrap at paws, and a group whose parity
    /// cannot be built still consumes its ps seqids (false: data seqids count up without
    /// the modulo).
    bool group_aligned_seqids = true;
    /// The encoder skips a group's parity when its last two data packets were at least this
    /// many ms apart (0: parity always).
    std::uint32_t parity_gap_ms = 500;
    /// sorted_queue: queued shards older than this many ms are dropped.
    std::uint32_t queue_expiry_ms = 60000;
    bool operator==(const Behaviour&) const = default;
};

inline constexpr std::size_t kFecHeaderSize = 6;  ///< seqid + type
inline constexpr std::size_t kFecOverhead =
    8;  ///< seqid + type + size: what FEC adds to a datagram
inline constexpr std::uint16_t kTypeData = 0xF1;
inline constexpr std::uint16_t kTypeParity = 0xF2;
inline constexpr std::uint16_t kTypeOob = 0xF3;           ///< v5.6.72 only
inline constexpr std::size_t kDefaultMaxDatagram = 1500;  ///< kcp-go's mtuLimit
inline constexpr int kMaxShards = 256;                    ///< ds + ps

/// floor(0xFFFFFFFF / S) * S: the first seqid that is never used (seqids wrap to 0 there).
std::uint32_t paws_for(int shard_count);

/// What FecEncoder::encode() did. Construction failures are a ConfigError
/// (config_error.hpp).
enum class EncodeStatus : std::uint8_t {
    ok = 0,     ///< framed: send the datagram, then `parity`
    too_short,  ///< shorter than header_offset + 8; nothing written: leave room for the header
    too_long,   ///< longer than max_datagram; nothing written: send less per datagram
};
// Several names a line: a table, not code to lay out.
// clang-format off
constexpr auto enum_names(EncodeStatus) {
    using enum EncodeStatus;
    return std::to_array<EnumName<EncodeStatus>>({{ok, "ok"}, {too_short, "too_short"},
        {too_long, "too_long"}});
}
// clang-format on
static_assert(names_are_distinct<EncodeStatus>());

/// Counters with kcp-go's SNMP meanings (first block) and kcpkit's own (second block).
/// Each object counts only what it does; a session adds its encoder's and decoder's.
struct FecCounters {
    // --- kcp-go SNMP counters ---
    /// KCPInErrors (v5.6.72 part): datagram < 12 bytes.
    std::uint64_t kcp_in_errors = 0;
    /// InErrs: FEC-typed datagram < 8 bytes (cannot pass the length gates; kept for completeness).
    std::uint64_t in_errs = 0;
    /// FECParityShards: v5.6.72 parity stored by the decoder (no duplicates); v5.6.1 every
    /// parity datagram.
    std::uint64_t fec_parity_shards = 0;
    /// FECRecovered: v5.6.72 shards rebuilt; v5.6.1 rebuilt shards with a valid size field
    /// (kcp-go v5.6.1 counts those KCP then accepts).
    std::uint64_t fec_recovered = 0;
    /// FECErrs: v5.6.72 RS failures; v5.6.1 rebuilt shards with an invalid size field.
    std::uint64_t fec_errs = 0;
    /// FECFullShardSet (v5.6.72): groups complete without loss.
    std::uint64_t fec_full_shard_set = 0;
    /// FECShortShards (v5.6.1): data packets pushed out of the queue unused.
    std::uint64_t fec_short_shards = 0;
    /// FECShardSet (v5.6.72, gauge): shard sets held.
    std::uint64_t fec_shard_set = 0;
    /// FECShardMin (v5.6.72, gauge): the newest group id (sic).
    std::uint64_t fec_shard_min = 0;
    /// OOBPackets (v5.6.72).
    std::uint64_t oob_packets = 0;
    // --- kcpkit's own ---
    /// v5.6.1: datagram < 24 bytes, dropped silently by kcp-go.
    std::uint64_t dropped_short = 0;
    /// FEC datagram longer than max_datagram.
    std::uint64_t dropped_oversize = 0;
    /// v5.6.72: seqid >= paws, ignored by the decoder.
    std::uint64_t beyond_paws = 0;
    /// Shard already held.
    std::uint64_t duplicates = 0;
    /// v5.6.72: shard ignored while autotune is unsettled.
    std::uint64_t ignored_tuning = 0;
    /// The decoder switched (ds, ps).
    std::uint64_t autotune_changes = 0;
    /// v5.6.72: rebuilt shard with a bad size field (kcp-go drops it silently).
    std::uint64_t invalid_recovered = 0;
    /// v5.6.72: a shard set evicted to bound memory (hostile input only).
    std::uint64_t set_overflow = 0;
    /// Decoder: Reed-Solomon codecs built (the first shape's included). Autotune back to
    /// one of the last 4 shapes reuses its codec: a rise here means a shape new to it.
    std::uint64_t codec_builds = 0;
    /// Decoder: codecs that could not be built (cannot happen for a valid shape): the shape
    /// is not taken, or, for the first one, FEC datagrams are not decoded (their KCP bytes
    /// still go on).
    std::uint64_t codec_failures = 0;
    /// v5.6.1: queued shards dropped after 60 s.
    std::uint64_t expired = 0;
    /// Encoder: groups whose parity was sent.
    std::uint64_t parity_groups = 0;
    /// Encoder (v5.6.72): groups whose parity the 500 ms rule skipped.
    std::uint64_t parity_groups_skipped = 0;
    /// Encoder: too_short / too_long.
    std::uint64_t encode_rejected = 0;

    /// Adds every counter (gauges too: only a decoder sets them, so an encoder's and a
    /// decoder's sum keeps the decoder's values). The one place that lists every field.
    FecCounters& operator+=(const FecCounters& other);
};

// ----- encoder ---------------------------------------------------------------------------------

struct EncoderConfig {
    int data_shards = 10;   ///< >= 1
    int parity_shards = 3;  ///< >= 1 (kcp-go has no FEC framing at all when either is 0)
    Behaviour behaviour;
    std::size_t header_offset = 0;                   ///< room for the crypt header in front
    std::size_t max_datagram = kDefaultMaxDatagram;  ///< longest datagram accepted (incl. room)
};

struct EncodeResult {
    EncodeStatus status = EncodeStatus::ok;
    /// The parity datagrams this call completed (empty, or ps of them). Each has the same
    /// layout as the data datagram: header_offset bytes of room (zero; the crypt layer fills
    /// it in place), the 6-byte header, parity bytes. Send them after the data datagram.
    std::span<const std::span<std::uint8_t>> parity;
    /// v5.6.72: the group completed but its parity was skipped (gap >= 500 ms).
    bool parity_skipped = false;
};

class FecEncoder {
  public:
    /// The encoder, or bad_shard_count unless 1 <= ds, 1 <= ps and ds + ps <= 256,
    /// bad_datagram_size unless header_offset + 8 < max_datagram <= 65535 + header_offset +
    /// 6, singular_matrix if the Reed-Solomon codec cannot be built.
    static Expected<std::unique_ptr<FecEncoder>, ConfigError> create(const EncoderConfig& config);
    ~FecEncoder();
    FecEncoder(const FecEncoder&) = delete;
    FecEncoder& operator=(const FecEncoder&) = delete;

    /// Frames one outgoing KCP datagram in place and returns any parity it completes.
    /// `datagram` = [header_offset bytes of room][8 bytes for the FEC header][KCP bytes];
    /// the FEC header is written, the room is not touched. `now_ms` matters for v5.6.72 only
    /// (the 500 ms rule; the first datagram ever counts as "long after the previous one").
    /// too_short / too_long: nothing written, no seqid consumed.
    EncodeResult encode(std::span<std::uint8_t> datagram, std::uint32_t now_ms);

    /// The seqid the next data datagram gets; settable for tests and vectors (any value:
    /// v5.6.1 then counts data seqids up without wrapping, as kcp-go v5.6.1 does).
    std::uint32_t next_seqid() const { return next_; }
    void set_next_seqid(std::uint32_t next) { next_ = next; }
    std::uint32_t paws() const { return paws_; }
    int data_shards() const { return ds_; }
    int parity_shards() const { return ps_; }
    const EncoderConfig& config() const { return config_; }
    const FecCounters& counters() const { return counters_; }
    ReedSolomon& codec() { return *codec_; }

  private:
    explicit FecEncoder(const EncoderConfig& config);
    EncoderConfig config_;
    int ds_, ps_;
    std::uint32_t paws_;
    std::uint32_t next_ = 0;
    int shard_count_ = 0;
    std::size_t max_size_ = 0;  ///< longest datagram of the group, incl. header_offset
    bool have_last_ = false;
    std::uint32_t last_ms_ = 0;
    std::size_t region_capacity_;  ///< bytes per shard region (size field + KCP + padding)
    std::unique_ptr<std::uint8_t[]> storage_;
    std::unique_ptr<std::uint8_t*[]> data_regions_;    ///< ds, 64-aligned
    std::unique_ptr<std::size_t[]> data_lengths_;      ///< ds region lengths
    std::unique_ptr<std::uint8_t*[]> parity_packets_;  ///< ps, region at +offset+6 is 64-aligned
    std::unique_ptr<std::span<std::uint8_t>[]> parity_views_;
    std::unique_ptr<ReedSolomon> codec_;
    FecCounters counters_;
};

// ----- receive path ------------------------------------------------------------------------------

struct DecoderConfig {
    /// The session's FEC setting. ds >= 1, ps >= 1 and ds + ps <= 256: a decoder of that
    /// shape from the start. Anything else (e.g. 0, 0: FEC off): no decoder until the first
    /// FEC datagram arrives, then a (1, 1) decoder that autotune adapts to the peer, as
    /// kcp-go's session does.
    int data_shards = 10;
    int parity_shards = 3;
    Behaviour behaviour;
    std::size_t max_datagram = kDefaultMaxDatagram;  ///< longer FEC datagrams are dropped
};

/// A KCP datagram to give to KCP's input, in the order listed.
struct Delivery {
    std::span<const std::uint8_t> kcp;
    /// false: the data packet's own bytes or a raw datagram (KCP input type "regular").
    /// true: rebuilt by FEC: input it as non-regular (no rmt_wnd update, no RTT sample).
    bool recovered = false;
};

enum class PacketKind : std::uint8_t {
    raw_kcp,     ///< no FEC header: the whole datagram is for KCP
    fec_data,    ///< 0xF1
    fec_parity,  ///< 0xF2
    oob,         ///< 0xF3 (v5.6.72; v5.6.1 treats it as raw KCP)
    dropped,     ///< see `drop`
};
// Several names a line: a table, not code to lay out.
// clang-format off
constexpr auto enum_names(PacketKind) {
    using enum PacketKind;
    return std::to_array<EnumName<PacketKind>>({{raw_kcp, "raw_kcp"}, {fec_data, "fec_data"},
        {fec_parity, "fec_parity"}, {oob, "oob"}, {dropped, "dropped"}});
}
// clang-format on
static_assert(names_are_distinct<PacketKind>());

enum class DropReason : std::uint8_t {
    none,
    too_short,      ///< < 12 bytes (v5.6.72, counted kcp_in_errors) or < 24 (v5.6.1, dropped_short)
    fec_too_short,  ///< FEC-typed and < 8 bytes (in_errs)
    oversize,       ///< FEC-typed and longer than max_datagram (dropped_oversize)
};

struct InputResult {
    PacketKind kind = PacketKind::dropped;
    DropReason drop = DropReason::none;
    /// What to give KCP now, in order: the datagram's own KCP bytes first (raw, or a data
    /// packet's bytes after the 8-byte header — all of them, the size field is not used),
    /// then every rebuilt datagram in ascending shard order.
    std::span<const Delivery> deliveries;
    /// kind == oob: the conv and payload (bytes after the conv) for the OOB handler.
    std::uint32_t oob_conv = 0;
    std::span<const std::uint8_t> oob_payload;
};

class FecDecoder {
  public:
    /// The decoder, or bad_datagram_size for max_datagram < 24 or > 65535, or
    /// behaviour.min_datagram < 12.
    static Expected<std::unique_ptr<FecDecoder>, ConfigError> create(const DecoderConfig& config);
    ~FecDecoder();
    FecDecoder(const FecDecoder&) = delete;
    FecDecoder& operator=(const FecDecoder&) = delete;

    /// One received datagram, after decryption and CRC check (it starts at the FEC header
    /// or the raw KCP header). `now_ms` is used by v5.6.1 (60 s expiry) only.
    InputResult input(std::span<const std::uint8_t> datagram, std::uint32_t now_ms);

    /// Current decoder shape (autotune may change it); 0, 0 before a lazy decoder exists.
    int data_shards() const;
    int parity_shards() const;
    bool has_decoder() const;
    const DecoderConfig& config() const;
    const FecCounters& counters() const;

    struct Impl;

  private:
    explicit FecDecoder(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace kcpkit::fec
