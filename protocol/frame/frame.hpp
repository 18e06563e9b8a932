// kcp-go's datagram framing, sans-IO: the whole path between a KCP datagram and a UDP
// payload, both ways, as kcp-go v5.6.72 (and v5.6.1) puts it on the wire.
//
//   out:  KCP datagram -> [FEC: seqid/type/size header, parity every ds datagrams]
//                      -> [crypt: nonce + CRC-32 + cipher, or AES-GCM nonce + tag]
//                      -> the data datagram, `dup` identical copies, then the parity ones
//   in:   UDP payload  -> [crypt: decrypt, CRC / tag check]  -> FEC dispatch
//                      -> raw KCP | FEC data (+ rebuilt shards) | parity | OOB 0xF3
//                      -> the KCP datagrams to input, each marked regular or recovered
//
// Either layer may be absent: no crypt layer at all (kcp-go's block == nil; kcptun's
// "null"), cipher "none" (the 20-byte nonce/CRC header without encryption), FEC off (no
// FEC header on what we send; received FEC datagrams still decode, as kcp-go's session
// creates a decoder lazily). docs/framing.md has the MTU table, every counter and the
// traps.
//
// Memory: every buffer is allocated at construction; seal() and open() allocate nothing
// (the FEC layer's own bound applies, see protocol/fec/fec.hpp). Views returned by a call stay
// valid until the next call of the same direction on the same object.
//
// Threads: the send direction (seal) and the receive direction (open, open_decrypted) keep
// separate state, so one thread may seal while another opens; calls of one direction must
// not overlap.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "kcpkit/base/enum_names.hpp"
#include "kcpkit/base/expected.hpp"
#include "kcpkit/crypt/crypt.hpp"
#include "kcpkit/fec/fec.hpp"

namespace kcpkit::frame {

/// kcp-go's mtuLimit: the largest UDP payload a kcp-go session reads (its read buffers are
/// 1500 bytes; a longer datagram is truncated there and fails the CRC).
inline constexpr std::size_t kMaxDatagram = 1500;
/// KCP's segment header (IKCP_OVERHEAD).
inline constexpr std::size_t kKcpOverhead = 24;
/// The UDP payload kcp-go sessions use unless told otherwise (SetMtu(1400) at creation).
inline constexpr std::size_t kDefaultMtu = 1400;

/// How a kcp-go release frames datagrams. The layer knows no release names:
/// protocol/kcpgo/release.cpp fills one of these per kcp-go release (the defaults are
/// v5.6.72's), and every rule below asks it.
struct Behaviour {
    fec::Behaviour fec;  ///< the FEC layer's rules (OOB, decoder, parity timing, gates)
    /// The largest UDP payload sent or read (kcp-go's mtuLimit); longer received datagrams
    /// are cut to it. Buffers are sized for kMaxDatagram, so larger values count as that.
    std::size_t max_datagram = kMaxDatagram;
    /// AES-GCM may be configured (v5.6.1 has no AEAD mode: ConfigError::aead_on_561).
    bool aead = true;
    /// kcp_mtu_for(): an mtu above max_datagram is cut to it (true) or refused (false).
    bool clamp_mtu = true;
    /// kcp_mtu_for(): the smallest KCP mtu the release's core takes.
    std::size_t min_kcp_mtu = 25;
    /// identify(): a decrypted datagram shorter than this is not looked at (the Listener's
    /// length gate). At least 12: an OOB packet's conv ends there.
    std::size_t listener_min_datagram = 12;
    bool operator==(const Behaviour&) const = default;
};

/// kcp-go's layer settings: the release's rules, the crypt layer and the FEC shape.
struct FrameConfig {
    Behaviour behaviour;
    /// nullopt: no crypt layer (kcp-go's block == nil). Cipher::none keeps the 20-byte
    /// nonce/CRC header. AES-GCM only where behaviour.aead.
    std::optional<crypt::Cipher> cipher;
    std::vector<std::uint8_t>
        key;  ///< given to the cipher as is (key_derivation.hpp cuts kcptun keys)
    /// Both >= 1 (and ds + ps <= 256): FEC framing on what we send and a decoder of that
    /// shape. Either 0: no FEC framing sent; received FEC is still decoded (lazy (1, 1)
    /// decoder that autotunes, as kcp-go). Negative: bad_config.
    int data_shards = 0;
    int parity_shards = 0;
};

/// Why a Framer could not be made.
enum class ConfigError : std::uint8_t {
    bad_shards = 1,  ///< negative, or ds + ps > 256
    bad_key,         ///< the cipher refuses the key length (crypt::key_length_ok)
    aead_on_561,     ///< AES-GCM asked for where behaviour.aead is false (kcp-go v5.6.1)
};
// Several names a line: a table, not code to lay out.
// clang-format off
constexpr auto enum_names(ConfigError) {
    using enum ConfigError;
    return std::to_array<EnumName<ConfigError>>({{bad_shards, "bad_shards"}, {bad_key, "bad_key"},
        {aead_on_561, "aead_on_561"}});
}
// clang-format on
static_assert(names_are_distinct<ConfigError>());

/// Per-layer counters of one Framer, with kcp-go's SNMP meanings where kcp-go has the
/// counter (protocol/kcpgo/snmp.hpp adds them up into kcp-go's table).
struct FrameCounters {
    // --- crypt layer (receive) ---
    std::uint64_t in_csum_errors = 0;  ///< InCsumErrors: CRC-32 mismatch or AES-GCM tag failure
    /// Shorter than the crypt envelope: dropped silently (as kcp-go).
    std::uint64_t crypt_truncated = 0;
    /// Longer than max_datagram() (1500): cut to it first, as kcp-go's read buffer does.
    std::uint64_t oversize = 0;
    // --- dispatch (receive) ---
    std::uint64_t in_pkts = 0;     ///< InPkts: datagrams that passed crypt and reached dispatch
    std::uint64_t in_bytes = 0;    ///< InBytes: their bytes after the crypt header
    std::uint64_t raw_kcp = 0;     ///< of them, without FEC header
    std::uint64_t fec_data = 0;    ///< of them, FEC data (0xF1)
    std::uint64_t fec_parity = 0;  ///< of them, FEC parity (0xF2)
    std::uint64_t oob = 0;         ///< of them, OOB (0xF3, v5.6.72)
    std::uint64_t dropped = 0;     ///< of them, dropped by the length gates (fec.hpp DropReason)
    std::uint64_t delivered = 0;   ///< KCP datagrams handed out by open()
    std::uint64_t recovered = 0;   ///< of them, rebuilt by FEC (input as non-regular)
    // --- send ---
    std::uint64_t sealed = 0;            ///< KCP datagrams given to seal()
    std::uint64_t seal_rejected = 0;     ///< seal(): longer than kcp_mtu(), or empty
    std::uint64_t out_pkts = 0;          ///< OutPkts: datagrams produced (data, DUP copies, parity)
    std::uint64_t out_bytes = 0;         ///< OutBytes: their bytes
    std::uint64_t parity_out = 0;        ///< of out_pkts, parity datagrams
    std::uint64_t dup_out = 0;           ///< of out_pkts, DUP copies
    std::uint64_t parity_out_bytes = 0;  ///< bytes of the parity datagrams
    /// What framing added to the data datagrams and their DUP copies: FEC header, crypt
    /// header or GCM nonce and tag (out_bytes - parity_out_bytes - KCP bytes sent).
    std::uint64_t framing_out_bytes = 0;
};

/// One datagram to put on the wire: valid until the next seal().
using WireDatagram = std::span<const std::uint8_t>;

/// What Framer::seal() / seal_oob() did with one KCP datagram.
enum class FrameSealStatus : std::uint8_t {
    ok = 0,    ///< send `datagrams` in order
    empty,     ///< a zero-length KCP datagram (kcp-go's core emits one before an oversized
               ///< segment): nothing produced, not counted as rejected; nothing to do
    too_long,  ///< longer than kcp_mtu(): nothing produced, seal_rejected counted; the KCP
               ///< mtu is set wrong (use kcp_mtu_for())
    no_oob,    ///< seal_oob(): needs FEC framing and v5.6.72 (kcp-go: "OOB requires FEC"):
               ///< send it in the stream instead
};
// Several names a line: a table, not code to lay out.
// clang-format off
constexpr auto enum_names(FrameSealStatus) {
    using enum FrameSealStatus;
    return std::to_array<EnumName<FrameSealStatus>>({{ok, "ok"}, {empty, "empty"},
        {too_long, "too_long"}, {no_oob, "no_oob"}});
}
// clang-format on
static_assert(names_are_distinct<FrameSealStatus>());

/// What seal() produced.
struct SealResult {
    FrameSealStatus status = FrameSealStatus::ok;
    /// In send order: the data datagram, `dup` copies of it, then any parity datagrams.
    std::span<const WireDatagram> datagrams;
    /// v5.6.72: this datagram completed a group whose parity the 500 ms rule skipped.
    bool parity_skipped = false;
};

/// What Framer::open() / open_decrypted() found in one received datagram. Every value
/// but ok means: the datagram is dropped (and counted); go on with the next.
enum class FrameOpenStatus : std::uint8_t {
    ok = 0,        ///< see kind; deliveries may still be empty (parity, OOB)
    truncated,     ///< shorter than the crypt envelope: drop (kcp-go counts nothing)
    bad_checksum,  ///< CRC or GCM tag mismatch: dropped, in_csum_errors counted
    dropped,       ///< decrypted, but a length gate dropped it (`drop` says which)
};
// Several names a line: a table, not code to lay out.
// clang-format off
constexpr auto enum_names(FrameOpenStatus) {
    using enum FrameOpenStatus;
    return std::to_array<EnumName<FrameOpenStatus>>({{ok, "ok"}, {truncated, "truncated"},
        {bad_checksum, "bad_checksum"}, {dropped, "dropped"}});
}
// clang-format on
static_assert(names_are_distinct<FrameOpenStatus>());

/// What open() / open_decrypted() found in one received datagram.
struct OpenResult {
    FrameOpenStatus status = FrameOpenStatus::ok;
    fec::PacketKind kind = fec::PacketKind::dropped;
    fec::DropReason drop = fec::DropReason::none;
    /// The KCP datagrams to give to Kcp::input, in this order; `recovered` ones as
    /// kcp::PacketType::fec_recovered (no RTT sample, no rmt_wnd update).
    std::span<const fec::Delivery> deliveries;
    /// kind == oob (v5.6.72): the sender's conv and the payload after it.
    std::uint32_t oob_conv = 0;
    std::span<const std::uint8_t> oob_payload;
};

/// Conv and sn as kcp-go's Listener reads them from a decrypted datagram (docs/framing.md).
struct PacketIdentity {
    fec::PacketKind kind = fec::PacketKind::dropped;
    bool has_conv = false;  ///< raw KCP >= 24 bytes, FEC data >= 8 + 24 bytes, or OOB
    std::uint32_t conv = 0;
    std::uint32_t sn = 0;  ///< the first segment's sn (0 for OOB)
};

/// Reads conv/sn without changing anything. `plain` starts after the crypt header.
/// kind is dropped when `plain` is below behaviour.listener_min_datagram; without
/// behaviour.fec.oob 0xF3 is not a type (raw KCP).
PacketIdentity identify(std::span<const std::uint8_t> plain, const Behaviour& behaviour);

class Framer {
  public:
    /// The layers for `config`, or why not (the same config always fails the same way).
    static Expected<std::unique_ptr<Framer>, ConfigError> create(const FrameConfig& config);
    ~Framer();
    Framer(const Framer&) = delete;
    Framer& operator=(const Framer&) = delete;

    // ----- MTU accounting (docs/framing.md) -----------------------------------------

    /// kcp-go's headerSize: crypt header (0, 20, or 12 for GCM) + 8 if FEC framing is on.
    std::size_t header_size() const { return header_size_; }
    /// Bytes after the KCP datagram: 16 (GCM tag) or 0.
    std::size_t trailer_size() const { return trailer_size_; }
    std::size_t overhead() const { return header_size_ + trailer_size_; }
    /// The KCP mtu for a UDP payload budget `mtu`, or nullopt if kcp-go's SetMtu returns
    /// false for it: mtu above 1500 cut to 1500 (behaviour.clamp_mtu, v5.6.72) or refused
    /// (v5.6.1), then mtu - overhead(), refused below behaviour.min_kcp_mtu (v5.6.72 25,
    /// v5.6.1 50; where v5.6.1's ReserveBytes silently keeps such an mtu, it is refused here).
    std::optional<std::size_t> kcp_mtu_for(std::size_t mtu) const;
    /// behaviour.max_datagram, at most kMaxDatagram.
    std::size_t max_datagram() const {
        return std::min(config_.behaviour.max_datagram, kMaxDatagram);
    }
    /// The KCP datagram limit seal() enforces: kcp_mtu_for(max_datagram()).
    std::size_t max_kcp_datagram() const { return max_datagram() - overhead(); }

    // ----- send -------------------------------------------------------------------

    /// Frames one KCP datagram. `now_ms` feeds v5.6.72's 500 ms parity rule; `nonces` gives
    /// 16 (12 for GCM) random bytes per produced datagram except DUP copies, which are
    /// byte-identical (kcp-go encrypts once). `dup`: extra copies of the data datagram
    /// (kcp-go's SetDUP; values < 0 count as 0, capped at kMaxDup).
    SealResult seal(std::span<const std::uint8_t> kcp_datagram, std::uint32_t now_ms,
                    crypt::NonceSource& nonces, int dup = 0);
    static constexpr int kMaxDup = 8;

    /// As seal() with no crypt randomness: every nonce is read from `fixed_nonce` (its
    /// first 16 / 12 bytes). Deterministic; for vectors and tests only.
    SealResult seal_with_nonce(std::span<const std::uint8_t> kcp_datagram, std::uint32_t now_ms,
                               std::span<const std::uint8_t> fixed_nonce, int dup = 0);

    /// kcp-go v5.6.72's SendOOB framing: | 0xFFFFFFFF | 0x00F3 | size = 6 + payload length |
    /// conv | payload |, sealed by the crypt layer, plus `dup` copies; it bypasses KCP and
    /// the FEC groups (no seqid consumed, no parity). no_oob without FEC framing or under
    /// v5.6.1; too_long when 4 + payload exceeds max_kcp_datagram().
    SealResult seal_oob(std::uint32_t conv, std::span<const std::uint8_t> payload,
                        crypt::NonceSource& nonces, int dup = 0);

    // ----- receive ----------------------------------------------------------------

    /// One received UDP payload: decrypted in place (its bytes are unspecified afterwards),
    /// checked, dispatched. Never fails on any input: bad datagrams come back with a
    /// status and a counter. `now_ms`: v5.6.1's 60 s FEC expiry.
    OpenResult open(std::span<std::uint8_t> wire, std::uint32_t now_ms);

    /// Only the crypt layer of open(): the plaintext after the crypt header (`plain`), or
    /// truncated / bad_checksum. For a listener that must read the conv before it picks a
    /// session (ListenerDemux); then give `plain` to that session's open_decrypted().
    struct Decrypted {
        FrameOpenStatus status = FrameOpenStatus::ok;
        std::span<std::uint8_t> plain;
    };
    Decrypted decrypt(std::span<std::uint8_t> wire);

    /// The dispatch half of open(): `plain` as decrypt() returned it (or the wire bytes when
    /// there is no crypt layer).
    OpenResult open_decrypted(std::span<const std::uint8_t> plain, std::uint32_t now_ms);

    // ----- state ------------------------------------------------------------------

    const FrameConfig& config() const { return config_; }
    bool fec_enabled() const { return encoder_ != nullptr; }
    bool has_crypt() const { return crypt_ != nullptr; }
    const FrameCounters& counters() const { return counters_; }
    /// The FEC layer's own counters (encoder + decoder), kcp-go names in fec.hpp.
    fec::FecCounters fec_counters() const;
    fec::FecEncoder* encoder() { return encoder_.get(); }
    fec::FecDecoder& decoder() { return *decoder_; }

  private:
    explicit Framer(const FrameConfig& config);
    SealResult seal_impl(std::span<const std::uint8_t> kcp_datagram, std::uint32_t now_ms,
                         crypt::NonceSource& nonces, int dup);
    bool seal_slot(std::size_t slot, std::size_t payload_len, crypt::NonceSource& nonces);
    void add_dup_copies(int dup);

    FrameConfig config_;
    std::size_t crypt_header_ = 0;
    std::size_t header_size_ = 0;
    std::size_t trailer_size_ = 0;
    std::unique_ptr<crypt::PacketCrypt> crypt_;
    std::unique_ptr<fec::FecEncoder> encoder_;
    std::unique_ptr<fec::FecDecoder> decoder_;
    // Send slots: [0] the data datagram, then one per parity shard; kMaxDatagram each.
    std::vector<std::uint8_t> slots_;
    std::size_t slot_count_ = 0;
    std::vector<WireDatagram> out_;
    FrameCounters counters_;
};

}  // namespace kcpkit::frame
