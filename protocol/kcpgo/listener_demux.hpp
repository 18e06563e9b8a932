// kcp-go's Listener decision per received datagram, sans-IO (docs/framing.md): which session
// a datagram belongs to, when a new one is created, when an old one is replaced (a
// different conv with sn == 0), and what is dropped. net/ owns the sockets and the Session
// objects; this table only maps the caller's opaque remote-address key to a conv and a
// caller token, and counts.
//
// Use, per datagram from `remote` (a key of the caller's choosing, e.g. the sockaddr bytes):
//
//   auto d = demux.route(key, wire);            // decrypts in place with the listener's keys
//   switch (d.action) {
//     case DemuxAction::deliver: session(d.token).handle_decrypted(d.plain, now); break;
//     case DemuxAction::replace: close(d.token); demux.erase(key);               [[fallthrough]];
//     case DemuxAction::create:  s = new Session(conv = d.conv, passive);
//                           demux.insert(key, d.conv, token_of(s));          // queued for accept
//                           s.handle_decrypted(d.plain, now); break;
//     case DemuxAction::drop:    break;                                           // d.drop says
//     why
//   }
//   ... demux.accepted(key) when the application accepts it; demux.erase(key) on close.
//
// The accept backlog (128, kcp-go's chAccepts capacity) counts sessions inserted and
// neither accepted nor erased; while it is full, datagrams that would create a session are
// dropped (no session is created, as kcp-go).
//
// Memory: insert() allocates the table entry (once per session); route() allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "kcpkit/base/enum_names.hpp"
#include "kcpkit/base/expected.hpp"
#include "kcpkit/fec/fec.hpp"
#include "kcpkit/frame/frame.hpp"

namespace kcpkit::kcpgo {

inline constexpr std::size_t kAcceptBacklog = 128;  ///< kcp-go's acceptBacklog

enum class DemuxAction : std::uint8_t {
    deliver,  ///< give `plain` to the session `token`
    create,   ///< no session for this key: create one with `conv`, insert(), then deliver
    replace,  ///< close session `token` (different conv, sn == 0), erase(), then as create
    /// A reset (different conv, sn == 0) while the backlog is full: close session
    /// `token` and erase() it, create nothing (kcp-go closes first, then finds no room).
    close,
    drop,  ///< nothing to do; `drop` says why
};
// Several names a line: a table, not code to lay out.
// clang-format off
constexpr auto enum_names(DemuxAction) {
    using enum DemuxAction;
    return std::to_array<EnumName<DemuxAction>>({{deliver, "deliver"}, {create, "create"},
        {replace, "replace"}, {close, "close"}, {drop, "drop"}});
}
// clang-format on
static_assert(names_are_distinct<DemuxAction>());

enum class DemuxDropReason : std::uint8_t {
    none,
    truncated,      ///< shorter than the crypt envelope (kcp-go counts nothing)
    bad_checksum,   ///< CRC / GCM tag mismatch (InCsumErrors)
    too_short,      ///< below the listener's minimum after decryption (12 / 24 bytes)
    conv_mismatch,  ///< known address, different conv, sn != 0
    no_conv,        ///< unknown address and the packet carries no conv (parity)
    backlog_full,   ///< unknown address, but kAcceptBacklog sessions await accept
};
// Several names a line: a table, not code to lay out.
// clang-format off
constexpr auto enum_names(DemuxDropReason) {
    using enum DemuxDropReason;
    return std::to_array<EnumName<DemuxDropReason>>({{none, "none"}, {truncated, "truncated"},
        {bad_checksum, "bad_checksum"}, {too_short, "too_short"}, {conv_mismatch, "conv_mismatch"},
        {no_conv, "no_conv"}, {backlog_full, "backlog_full"}});
}
// clang-format on
static_assert(names_are_distinct<DemuxDropReason>());

struct DemuxDecision {
    DemuxAction action = DemuxAction::drop;
    DemuxDropReason drop = DemuxDropReason::none;
    std::uint32_t conv = 0;   ///< create/replace: the new session's conv
    std::uint64_t token = 0;  ///< deliver/replace: the existing session's token
    frame::PacketIdentity identity;
    std::span<std::uint8_t> plain;  ///< the decrypted datagram (not for truncated/bad_checksum)
};

/// Counters of what route() decided (InCsumErrors is kcp-go's; the rest kcpkit's).
struct DemuxCounters {
    std::uint64_t in_csum_errors = 0;
    std::uint64_t truncated = 0;
    std::uint64_t too_short = 0;
    std::uint64_t delivered = 0;
    std::uint64_t created = 0;  ///< create decisions (PassiveOpens once inserted)
    std::uint64_t replaced = 0;
    std::uint64_t conv_mismatch = 0;
    std::uint64_t no_conv = 0;
    std::uint64_t backlog_full = 0;
};

class ListenerDemux {
  public:
    /// `frame` is the listener's crypt and FEC setting (frame.behaviour, from the release
    /// row, picks the length gate and whether 0xF3 is OOB). The demux, or why the framing
    /// refuses the setting.
    static Expected<std::unique_ptr<ListenerDemux>, frame::ConfigError> create(
        const frame::FrameConfig& frame, std::size_t accept_backlog = kAcceptBacklog);

    /// Decides what one datagram from `remote_key` means. Decrypts `wire` in place. Does
    /// not change the table (insert / erase do); counts.
    DemuxDecision route(std::span<const std::uint8_t> remote_key, std::span<std::uint8_t> wire);
    /// As route() for a datagram that is already decrypted (no crypt layer, or decrypted by
    /// the caller).
    DemuxDecision route_decrypted(std::span<const std::uint8_t> remote_key,
                                  std::span<std::uint8_t> plain);

    /// Records the session created for `remote_key` (replacing any entry for it) and
    /// counts it as awaiting accept.
    void insert(std::span<const std::uint8_t> remote_key, std::uint32_t conv, std::uint64_t token);
    /// The application accepted the session: it no longer counts against the backlog.
    /// false if there is no such entry or it was already accepted.
    bool accepted(std::span<const std::uint8_t> remote_key);
    /// The session for `remote_key` closed: forget it (a later datagram from that address
    /// creates a new session, as in kcp-go). false if there was none.
    bool erase(std::span<const std::uint8_t> remote_key);

    std::size_t size() const { return sessions_.size(); }
    std::size_t awaiting_accept() const { return awaiting_accept_; }
    std::size_t accept_backlog() const { return backlog_; }
    const DemuxCounters& counters() const { return counters_; }
    const frame::Framer& framer() const { return *framer_; }

  private:
    ListenerDemux(std::unique_ptr<frame::Framer> framer, std::size_t backlog);
    struct Entry {
        std::uint32_t conv = 0;
        std::uint64_t token = 0;
        bool awaiting_accept = false;
    };
    struct KeyHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view key) const;
    };
    using Table = std::unordered_map<std::string, Entry, KeyHash, std::equal_to<>>;
    Entry* find(std::span<const std::uint8_t> remote_key);

    std::unique_ptr<frame::Framer> framer_;  // decrypts only; sessions have their own
    std::size_t backlog_;
    std::size_t awaiting_accept_ = 0;
    Table sessions_;
    DemuxCounters counters_;
};

}  // namespace kcpkit::kcpgo
