// A kcp-go session (UDPSession), sans-IO: the KCP core under a kcp-go profile, the datagram
// framing (FEC + crypt) and kcp-go's session semantics, driven by the caller in the style of
// quinn-proto / ngtcp2:
//
//   network in:   handle_datagram(bytes, now)          (or handle_decrypted after a listener)
//   application:  write(bytes, now), read(buffer, now)
//   network out:  poll_transmit(buffer)  -- or a transmit sink set with set_transmit_sink()
//   timers:       next_deadline(), handle_timeout(now)
//
// No sockets, threads, clock reads or randomness: `now` is a uint32 millisecond clock that
// may wrap (the same clock for every call), nonces come from the caller's NonceSource, a
// client's conv from the caller's random source (random_conv). The session never blocks:
// where kcp-go's Write/Read block, write()/read() return would_block and the caller waits
// for the event named in its result (writable / readable) or for a deadline of its own.
//
// kcp-go semantics kept (docs/framing.md): write() cuts data into mss-sized chunks, each its
// own single-segment message (never frg > 0), unless `fragment_messages` asks for the C
// semantics; stream mode; write delay; ACK no-delay; DUP; a full flush right after a write
// unless write delay is on and the window is not full; partial reads keep the rest of a
// message for the next read(); a periodic flush every `interval` ms (earlier when a
// retransmission is due); no FIN: close() flushes once and stops.
//
// C semantics (SessionConfig::ikcp_profile set): the same calls drive a C-original core
// (ikcp 1.7.1, kcp::kIkcpProfile) as a C program drives ikcp, with kcp-go's framing in
// front (the framing of `release`):
//  - write() hands each buffer to ikcp_send whole (one message, C fragments; longer than
//    fragment_limit - 1 segments: too_many_fragments). ikcp_send has no full window, so
//    the session's backpressure is its own: would_block once two send windows of segments
//    wait (the pace the simulator's C driver always kept).
//  - handle_datagram() runs ikcp_update(now) before each ikcp_input (ikcp_input measures
//    RTT against the clock of the last update).
//  - The flush a C program makes after its ikcp_send calls (unless write delay) and after
//    its ikcp_input calls (with ACK no-delay) is owed, not made at once, so one flush
//    covers a whole batch of calls: it runs at the caller's next poll_transmit(), or, with
//    a transmit sink, at the handle_timeout() that next_deadline() then asks for at once.
//  - handle_timeout() is ikcp_update (a flush every `interval`); next_deadline() is
//    ikcp_check. read() never flushes (the WINS goes with the next flush, as in C); no OOB.
//
// Deliberate differences from kcp-go, each documented in docs/framing.md:
//  - window_update_on_read (default on): when read() takes a full receive queue (the peer
//    was told window 0) below full, the session flushes at once, so the WINS announcing the
//    reopened window leaves inside that read() instead of at a later flush or the peer's
//    next window probe (kcp-go was measured stalling ~7 s there: docs/interop.md).
//  - A zero-length message (only a non-kcp-go peer sends one) is consumed and counted
//    instead of stalling read() for ever as kcp-go's Read does.
//
// Memory: everything per datagram reuses buffers that grow to a bound and stay; steady
// state allocates nothing per datagram (tested with a counting operator new).
//
// Threads: none inside. One session must not be called from two threads at once.
#pragma once

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
#include "kcpkit/frame/frame.hpp"
#include "kcpkit/kcp/kcp.hpp"
#include "kcpkit/kcpgo/release.hpp"
#include "kcpkit/kcpgo/snmp.hpp"

namespace kcpkit::kcpgo {

/// A caller-supplied source of random 32-bit values (net/ passes a CSPRNG; tests a seed).
class RandomSource {
  public:
    virtual ~RandomSource() = default;
    virtual std::uint32_t next_u32() = 0;
};

/// A client's conv as kcp-go picks it: 4 random bytes, little-endian (any value, 0 too).
std::uint32_t random_conv(RandomSource& random);

/// Settings at creation; most can be changed later with the setters. Defaults are
/// kcp-go's (docs/framing.md).
struct SessionConfig {
    std::uint32_t conv = 0;
    /// The kcp-go release (release.hpp): KCP core profile, framing rules, writable rule.
    /// frame.behaviour is overwritten with release.frame.
    Release release = default_release();
    frame::FrameConfig frame;              ///< cipher, key, data/parity shards
    std::size_t mtu = frame::kDefaultMtu;  ///< the whole UDP payload (docs/framing.md)
    int snd_wnd = 32, rcv_wnd = 32;
    int nodelay = 0, interval = 100, resend = 0, nc = 0;
    bool stream = false;
    bool write_delay = false;
    bool ack_nodelay = false;
    int dup = 0;
    /// true: write() hands each buffer to Kcp::send whole (C semantics: one message, frg
    /// > 0 when it is longer than mss; refused above 255 fragments). false (kcp-go): mss
    /// chunks, each its own message. C semantics always fragment (ikcp's own limit).
    bool fragment_messages = false;
    /// Flush at once when read() reopens a full receive window (see the file comment).
    /// kcp-go semantics only.
    bool window_update_on_read = true;
    /// nullptr: the core of `release` with kcp-go's session semantics. A C-original core
    /// profile (kcp::kIkcpProfile, kcp::kIkcpPreConserveProfile): that core with C's
    /// semantics (see the file comment); `release` then picks only the framing.
    const kcp::Profile* ikcp_profile = nullptr;
    /// true for a session a listener created (SNMP PassiveOpens), false for a client.
    bool passive = false;
    /// Most datagrams poll_transmit() holds; beyond it new ones are dropped and counted
    /// (kcp-go v5.6.72 drops when its 2048-entry send channel is full; KCP retransmits).
    std::size_t transmit_queue_limit = 2048;
};

/// What a call returns when it moved no bytes (a call that moves bytes returns their count,
/// >= 0). The values are negative and distinct from the bare core's kcp::rc (-1..-3), so a
/// code read in the wrong layer is never taken for another.
enum class SessionStatus : int {
    ok = 0,                     ///< done
    would_block = -101,         ///< write: window full, wait for DatagramResult::writable;
                                ///< read: nothing complete, wait for DatagramResult::readable
    closed = -102,              ///< the session was closed (kcp-go: io.ErrClosedPipe): drop it
    too_many_fragments = -103,  ///< write with fragment_messages: > 255 fragments; nothing
                                ///< queued: write smaller messages
    buffer_too_small = -104,    ///< poll_transmit: buffer < the next datagram; nothing removed:
                                ///< call again with a buffer of max_datagram() bytes
    bad_argument = -105,        ///< a value out of range (each call says which): fix it
    unsupported = -106,         ///< send_oob without FEC framing or under v5.6.1: not available
};
// Several names a line: a table, not code to lay out.
// clang-format off
constexpr auto enum_names(SessionStatus) {
    using enum SessionStatus;
    return std::to_array<EnumName<SessionStatus>>({{ok, "ok"}, {would_block, "would_block"},
        {closed, "closed"}, {too_many_fragments, "too_many_fragments"},
        {buffer_too_small, "buffer_too_small"}, {bad_argument, "bad_argument"},
        {unsupported, "unsupported"}});
}
// clang-format on
static_assert(names_are_distinct<SessionStatus>());

/// The calls' int return codes, one per SessionStatus (each call lists which it uses).
namespace rc {
inline constexpr int ok = static_cast<int>(SessionStatus::ok);
inline constexpr int would_block = static_cast<int>(SessionStatus::would_block);
inline constexpr int closed = static_cast<int>(SessionStatus::closed);
inline constexpr int too_many_fragments = static_cast<int>(SessionStatus::too_many_fragments);
inline constexpr int buffer_too_small = static_cast<int>(SessionStatus::buffer_too_small);
inline constexpr int bad_argument = static_cast<int>(SessionStatus::bad_argument);
inline constexpr int unsupported = static_cast<int>(SessionStatus::unsupported);
}  // namespace rc

/// What handle_datagram() did with one datagram.
struct DatagramResult {
    frame::FrameOpenStatus status = frame::FrameOpenStatus::ok;  ///< crypt / length outcome
    fec::PacketKind kind = fec::PacketKind::dropped;
    int kcp_inputs = 0;     ///< datagrams given to Kcp::input (own + recovered)
    int kcp_errors = 0;     ///< of them, refused by Kcp::input (KCPInErrors)
    bool readable = false;  ///< read() has bytes now (kcp-go: PeekSize() > 0)
    bool writable = false;  ///< write() would not block now (WaitSnd() < snd_wnd)
    bool closed = false;    ///< ignored: the session is closed
};

/// Which setting Session::create() refused; the caller changes it and creates again.
enum class RefusedSetting : std::uint8_t {
    window = 1,  ///< snd_wnd or rcv_wnd < 1
    frame,       ///< frame::Framer::create refused SessionConfig::frame (ConfigError::frame)
    mtu,         ///< Framer::kcp_mtu_for(mtu) refused the mtu (too small for the headers, or
                 ///< above the release's largest datagram)
};
// Several names a line: a table, not code to lay out.
// clang-format off
constexpr auto enum_names(RefusedSetting) {
    using enum RefusedSetting;
    return std::to_array<EnumName<RefusedSetting>>({{window, "window"}, {frame, "frame"},
        {mtu, "mtu"}});
}
// clang-format on
static_assert(names_are_distinct<RefusedSetting>());

/// Why Session::create() refused a configuration.
struct ConfigError {
    RefusedSetting setting = RefusedSetting::window;
    std::optional<frame::ConfigError> frame;  ///< the framing's reason, when setting == frame
};

class Session {
  public:
    using TransmitFn = void (*)(void* context, std::span<const std::uint8_t> datagram);
    using OobFn = void (*)(void* context, std::span<const std::uint8_t> payload);

    /// The session, or why the config was refused. `nonces` must outlive the session.
    /// `now_ms` becomes the first deadline (kcp-go runs its first update at once).
    static Expected<std::unique_ptr<Session>, ConfigError> create(const SessionConfig& config,
                                                                  std::uint32_t now_ms,
                                                                  crypt::NonceSource& nonces);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // ----- network side -------------------------------------------------------------

    /// One UDP payload from the peer (decrypted in place). Bad input is counted and
    /// dropped, never an error. Kcp::input may flush (ACKs, retransmissions), so datagrams
    /// can be waiting for poll_transmit() afterwards. Does not move next_deadline().
    DatagramResult handle_datagram(std::span<std::uint8_t> wire, std::uint32_t now_ms);
    /// The same after the crypt layer already ran (ListenerDemux decrypted it to read the
    /// conv): `plain` is Framer::decrypt()'s output.
    DatagramResult handle_decrypted(std::span<const std::uint8_t> plain, std::uint32_t now_ms);

    /// Copies the next datagram to send into `buffer` (>= frame::kMaxDatagram always fits).
    /// Returns its length, 0 when none is waiting, rc::buffer_too_small (nothing removed).
    /// Unused while a transmit sink is set. C semantics: first runs the owed flush.
    int poll_transmit(std::span<std::uint8_t> buffer);
    /// Datagrams waiting for poll_transmit() (an owed C flush not yet run adds none).
    std::size_t pending_transmits() const { return tx_count_; }
    /// Push mode: every datagram goes to `fn` as it is produced (the span is valid only
    /// during the call: copy it into your sendmmsg batch). nullptr returns to pull mode.
    void set_transmit_sink(TransmitFn fn, void* context);
    template <class F>
    void set_transmit_sink(F& callable) {
        set_transmit_sink(
            [](void* c, std::span<const std::uint8_t> d) { (*static_cast<F*>(c))(d); }, &callable);
    }
    /// v5.6.72 OOB packets (0xF3) for this conv: their payload goes to `fn` during
    /// handle_datagram(); without a handler they are counted and dropped.
    void set_oob_handler(OobFn fn, void* context);

    // ----- application side ---------------------------------------------------------

    /// Queues `data` (kcp-go's Write). Returns data.size() (all of it is queued, 0 for an
    /// empty buffer, which sends nothing), rc::would_block (WaitSnd() >= snd_wnd, v5.6.1
    /// also >= the peer's window: nothing queued; wait for DatagramResult::writable),
    /// rc::closed, or rc::too_many_fragments (fragment_messages only; nothing queued).
    /// Flushes at once unless write delay is on and the window is not yet full.
    int write(std::span<const std::uint8_t> data, std::uint32_t now_ms);
    /// kcp-go's WriteBuffers: every buffer in order under one window check and one flush.
    int write_buffers(std::span<const std::span<const std::uint8_t>> buffers, std::uint32_t now_ms);

    /// Copies bytes of the next message into `buffer` (kcp-go's Read): the whole message if
    /// it fits, else as much as fits, and the rest comes with the next read()s before any
    /// later message. Returns the bytes copied (> 0), rc::would_block (nothing complete;
    /// wait for DatagramResult::readable) or rc::closed. A zero-length buffer returns 0.
    /// With window_update_on_read, may flush (a WINS) when it reopens a full window.
    int read(std::span<std::uint8_t> buffer, std::uint32_t now_ms);
    /// kcp-go v5.6.72's SendOOB: one out-of-band datagram carrying `payload` past KCP (no
    /// retransmission, no order, best effort). Returns rc::ok, rc::closed, rc::unsupported
    /// (FEC off, or v5.6.1: kcp-go's "OOB requires FEC"), or rc::bad_argument (4 +
    /// payload longer than the KCP mtu, kcp-go's "OOB payload too large").
    int send_oob(std::span<const std::uint8_t> payload, std::uint32_t now_ms);
    /// kcp-go's GetOOBMaxSize: the KCP mtu - 4, or 0 when OOB is unsupported.
    std::size_t oob_max_size() const;

    /// Bytes the next read() could return at most: the rest of a partly read message, else
    /// the next complete message's length, else 0.
    std::size_t readable_bytes() const;
    /// True when write() would not return would_block.
    bool writable() const;

    // ----- timers -------------------------------------------------------------------

    /// When handle_timeout() is next due (absolute, in the caller's clock). Set at
    /// creation to `now_ms` (kcp-go's first update runs at once); handle_timeout() sets it
    /// to now + the delay flush() suggests (interval, or sooner for a retransmission);
    /// write(), read() and close() may move it earlier (never later) when they flush.
    /// handle_datagram() never moves it. Closed: it no longer matters (stays put).
    /// C semantics: ikcp_check at the time of the last call, or that time itself while a
    /// flush is owed and a transmit sink is set.
    std::uint32_t next_deadline() const;
    /// Runs the periodic flush if `now_ms` has reached next_deadline(), else does nothing.
    /// Returns true if it flushed. C semantics: ikcp_update(now_ms) whenever called (it
    /// flushes only once an interval has passed), then the owed flush; true if it was due.
    bool handle_timeout(std::uint32_t now_ms);

    /// kcp-go's Close(): one last full flush, then every call returns rc::closed (or is
    /// ignored). Returns rc::ok, or rc::closed if already closed. No FIN exists: the peer
    /// is not told.
    int close(std::uint32_t now_ms);
    bool is_closed() const { return closed_; }

    // ----- settings (kcp-go's setters) ----------------------------------------------

    /// kcp-go's SetMtu: the whole UDP payload. false (and nothing changed) when kcp-go
    /// refuses it (frame::Framer::kcp_mtu_for).
    bool set_mtu(std::size_t mtu);
    void set_window_size(int snd, int rcv);  ///< values <= 0 leave that side unchanged
    void set_nodelay(int nodelay, int interval, int resend, int nc);
    void set_stream_mode(bool on);
    void set_write_delay(bool on) { config_.write_delay = on; }
    void set_ack_nodelay(bool on) { config_.ack_nodelay = on; }
    void set_dup(int dup) { config_.dup = dup < 0 ? 0 : dup; }
    void set_window_update_on_read(bool on) { config_.window_update_on_read = on; }

    // ----- introspection ------------------------------------------------------------

    std::uint32_t conv() const { return kcp_.conv(); }
    std::uint32_t rto() const;
    std::int32_t srtt() const;
    std::int32_t srttvar() const;
    const SessionConfig& config() const { return config_; }
    /// True when the session runs a C-original core with C's semantics.
    bool c_semantics() const { return config_.ikcp_profile != nullptr; }
    /// kcp-go's counters for this session (CurrEstab, ActiveOpens... per session: 1 or 0).
    kcpgo::Snmp snmp() const;
    const frame::Framer& framer() const { return *framer_; }
    const kcp::Kcp& kcp() const { return kcp_; }
    kcp::Kcp& kcp() { return kcp_; }
    /// Datagrams dropped because the transmit queue was full.
    std::uint64_t transmit_drops() const { return tx_drops_; }
    /// Zero-length messages consumed by read() (see the file comment).
    std::uint64_t empty_messages() const { return empty_messages_; }
    /// Immediate flushes done because read() reopened a full window.
    std::uint64_t window_updates() const { return window_updates_; }

  private:
    Session(const SessionConfig& config, std::unique_ptr<frame::Framer> framer,
            crypt::NonceSource& nonces, std::uint32_t now_ms);
    void on_kcp_output(std::span<const std::uint8_t> datagram);
    void emit(std::span<const std::uint8_t> datagram);
    DatagramResult deliver(const frame::OpenResult& opened);
    void flush_now();
    void run_owed_flush();
    void count_segments(std::span<const std::uint8_t> kcp_datagram, bool outgoing);
    void latch(std::uint32_t now_ms) { now_ = now_ms; }
    int drain_partial(std::span<std::uint8_t> buffer);

    SessionConfig config_;
    std::unique_ptr<frame::Framer> framer_;
    crypt::NonceSource* nonces_;
    kcp::Kcp kcp_;
    std::uint32_t now_ = 0;
    std::uint32_t deadline_ = 0;
    bool closed_ = false;
    bool flush_owed_ = false;  ///< C semantics: a batch of calls asked for one flush

    TransmitFn sink_fn_ = nullptr;
    void* sink_context_ = nullptr;
    OobFn oob_fn_ = nullptr;
    void* oob_context_ = nullptr;

    // Pull-mode transmit queue: a ring of kMaxDatagram-byte slots that grows to the limit.
    std::vector<std::uint8_t> tx_slots_;
    std::vector<std::uint16_t> tx_lengths_;
    std::size_t tx_head_ = 0, tx_count_ = 0;
    std::uint64_t tx_drops_ = 0;

    // The rest of a message a short read() left behind.
    std::vector<std::uint8_t> partial_;
    std::size_t partial_offset_ = 0, partial_length_ = 0;

    // Session-level counters (the layers count the rest).
    std::uint64_t bytes_sent_ = 0, bytes_received_ = 0;
    std::uint64_t kcp_in_errors_ = 0, in_segs_ = 0, out_segs_ = 0;
    std::uint64_t empty_messages_ = 0, window_updates_ = 0;
};

}  // namespace kcpkit::kcpgo
