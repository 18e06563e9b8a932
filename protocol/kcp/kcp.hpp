// The KCP ARQ state machine, sans-IO.
//
// Rules
//  - No I/O, no clock, no threads, no globals. Every call that uses the time takes it as
//    an argument `now` (a uint32 millisecond counter that may wrap): update, check, input
//    and flush. Output datagrams go through a callback that is only ever invoked from
//    update() and flush() (and, under a profile that flushes from input such as `kcp-go`,
//    from input()).
//  - Where kcp-go reads its clock inside one call (the RTT sample of input, the probe
//    timer, the start of the data loop, before each transmission), a `kcp-go` profile
//    (fresh_clock_reads) takes the call's `now`: a call is one instant, as in the captured
//    traces (interop/cmd/capture-kcpgo/main.go). The `ikcp` profiles, like the C original,
//    use the time latched by the last update() instead and do not read `now` there.
//  - Byte-exact: under the `ikcp` profile, given the same calls in the same order, a Kcp
//    emits exactly the datagrams, return values and state of the C original 1.7.1; under
//    `kcp-go`, those of kcp-go v5.6.72's KCP core when its clock reads `now` in each call.
//  - Bad input never crashes and never corrupts state: input() returns the C original's
//    error code, and the segments of a datagram before the bad one stay processed
//    exactly as in C.
//
// Theory of operation
//  send() cuts a message into segments on snd_queue (no window check; throttle with
//  waitsnd()). flush() writes, in this order: the pending ACKs, window probes, then data:
//  segments move from snd_queue to snd_buf while the effective window allows, and every
//  segment in snd_buf is (re)sent if it is new, its retransmission timer expired, or
//  enough later ACKs skipped it (fast retransmit). input() parses a datagram: una and
//  ACKs release snd_buf, PUSH segments are acknowledged and land in rcv_buf, in-order
//  ones move on to rcv_queue while it has room; recv() reassembles a message from
//  rcv_queue. update(now) latches the clock and flushes every `interval` ms; check(now)
//  says when update() next has work. snd_buf is a SendBuffer (send_buffer.hpp), whose
//  bounds let a flush skip an idle session without visiting its segments.
//
// When the deadline can change: check() depends on the last update, `interval` and the
// retransmission timers in snd_buf. So after update(), flush(), input() (an ACK can free
// the earliest segment; under kcp-go input() can also flush), send() followed by a flush,
// nodelay() or a `set` of interval, the caller should ask check() again. A caller that
// also wants ACKs and probes sent without delay calls flush(now) after input().
//
// Storage: every queue is a contiguous ring (protocol/base/ring_buffer.hpp); payloads come
// from a per-session pool, so the steady state allocates nothing per segment.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "kcpkit/base/ring_buffer.hpp"
#include "kcpkit/kcp/payload_pool.hpp"
#include "kcpkit/kcp/profile.hpp"
#include "kcpkit/kcp/segment.hpp"
#include "kcpkit/kcp/send_buffer.hpp"

namespace kcpkit::kcp {

/// Return codes, as the C original returns them: plain ints, negative for failure, and
/// the same number means different things in different calls (the layers above turn them
/// into their own enums). Each says what the caller does next. Every failure leaves the
/// Kcp usable.
namespace rc {
inline constexpr int ok = 0;
// input(): the datagram is refused from the bad segment on. Drop it and go on with the
// next datagram (kcp-go counts it in InErrs); segments before the bad one stay processed.
inline constexpr int input_malformed = -1;    ///< shorter than a header, or another conv's:
                                              ///< not for this Kcp (a listener routes by conv)
inline constexpr int input_truncated = -2;    ///< a segment's len runs past the datagram
inline constexpr int input_bad_command = -3;  ///< cmd is not 81..84: garbage or a newer peer
// send(): nothing of the message was queued (but see send() for stream mode).
inline constexpr int send_bad_length = -1;          ///< longer than INT32_MAX bytes (kcp-go: or
                                                    ///< empty): send it in pieces, or not at all
inline constexpr int send_too_many_fragments = -2;  ///< message needs >= fragment_limit
                                                    ///< segments: send smaller messages
// recv(): nothing was copied and the message, if any, stays queued.
inline constexpr int recv_empty = -1;       ///< nothing in rcv_queue: wait for input()
inline constexpr int recv_incomplete = -2;  ///< the next message is not complete yet: wait
                                            ///< for input()
inline constexpr int recv_too_small = -3;   ///< the next message is larger than the buffer:
                                            ///< call peeksize() and retry with that much
// recv() under RecvCodes::kcp_go (kcp-go's numbering of the same cases):
inline constexpr int recv_go_none = -1;       ///< no whole message queued: wait for input()
inline constexpr int recv_go_too_small = -2;  ///< as recv_too_small
// peeksize() returns -1 when no whole message is queued (wait for input()).
// setmtu(): the old mtu stays.
inline constexpr int setmtu_invalid = -1;    ///< below the profile's min_mtu or the header:
                                             ///< pass a larger mtu
inline constexpr int setmtu_too_large = -2;  ///< above kMaxMtu (the C original would try the
                                             ///< allocation and fail): pass a smaller mtu
}  // namespace rc

/// The state a trace can check (names as in the C original's ikcpcb).
struct KcpState {
    std::uint32_t snd_una, snd_nxt, rcv_nxt, cwnd, ssthresh;
    std::int32_t rx_srtt, rx_rttval, rx_rto;
    std::uint32_t rmt_wnd, probe, state, incr;
    std::uint32_t nsnd_buf, nrcv_buf, nsnd_que, nrcv_que, xmit;
};

/// How a datagram reached input(): straight from the network, or rebuilt by the FEC
/// decoder (kcp-go's IKCP_PACKET_REGULAR / IKCP_PACKET_FEC).
enum class PacketType : std::uint8_t { regular, fec_recovered };

class Kcp {
  public:
    using OutputFn = void (*)(void* context, std::span<const std::uint8_t> datagram);

    static constexpr std::uint32_t kMaxMtu = 1u << 20;

    /// What the core counts for kcp-go's SNMP table, per instance, from creation on. They
    /// only observe: no decision reads them. kcp-go's RetransSegs is retrans_segs().
    struct Counters {
        std::uint64_t lost_segs = 0;           ///< retransmissions on timeout (LostSegs)
        std::uint64_t fast_retrans_segs = 0;   ///< fast retransmissions (FastRetransSegs)
        std::uint64_t early_retrans_segs = 0;  ///< early ones; kcp-go profiles only
        /// PUSH segments of regular datagrams that were already received (in rcv_buf or
        /// delivered) or beyond the receive window (RepeatSegs).
        std::uint64_t repeat_segs = 0;

        std::uint64_t retrans_segs() const {
            return lost_segs + fast_retrans_segs + early_retrans_segs;
        }
    };

    explicit Kcp(std::uint32_t conv, const Profile& profile = kIkcpProfile);

    /// Where flush() delivers datagrams. The span is valid only during the call.
    void set_output(OutputFn fn, void* context) {
        output_fn_ = fn;
        output_context_ = context;
    }
    /// Binds any callable taking std::span<const uint8_t>; it must outlive the Kcp.
    template <class F>
    void set_output(F& callable) {
        set_output([](void* c, std::span<const std::uint8_t> d) { (*static_cast<F*>(c))(d); },
                   &callable);
    }

    // ----- application side ---------------------------------------------------------

    /// Queues a message (message mode) or bytes (stream mode). Returns the bytes queued
    /// (0 under SendResult::zero), send_bad_length, or send_too_many_fragments (nothing
    /// queued; in stream mode, bytes that extended the last unsent segment stay queued and,
    /// under SendResult::bytes, their count is returned). An empty message is queued as one
    /// zero-length segment in message mode and ignored in stream mode (SendResult::bytes),
    /// or refused with send_bad_length (SendResult::zero). Nothing is sent until the next
    /// flush.
    int send(std::span<const std::uint8_t> data);

    /// Copies the next whole message into `buffer` and removes it (peek: leaves it).
    /// Returns its length, recv_empty, recv_incomplete (wait for more input) or
    /// recv_too_small (call peeksize() and retry with a larger buffer); under
    /// RecvCodes::kcp_go, recv_go_none or recv_go_too_small (peek is a kcpkit extension
    /// there). Reading can reopen a full receive window; the WINS that tells the peer goes
    /// out at the next flush.
    int recv(std::span<std::uint8_t> buffer, bool peek = false);

    /// Length of the next whole message, or -1 if none is complete.
    int peeksize() const;

    /// Segments not yet acknowledged (in flight plus queued; under kcp-go, selectively
    /// acknowledged segments count until una passes them).
    int waitsnd() const { return static_cast<int>(snd_buf_count() + snd_queue_.size()); }

    // ----- network side -------------------------------------------------------------

    /// Processes one datagram that arrived at `now`. Returns rc::ok or an input_* code; on
    /// error, the segments before the bad one stay processed (as in C) and the datagram's
    /// ACK statistics are not applied. Under ikcp, RTT samples use the clock of the last
    /// update() (not `now`) and both extra arguments are ignored. Under kcp-go, the RTT
    /// sample and any flush input() starts run at `now`; `type` says whether the datagram
    /// came from the network or was recovered by FEC (a recovered one gives no RTT sample
    /// and no rmt_wnd), `ack_nodelay` asks for the ACKs to go out at once, and input() may
    /// flush (the output callback runs from inside input()).
    int input(std::span<const std::uint8_t> datagram, std::uint32_t now,
              PacketType type = PacketType::regular, bool ack_nodelay = false);

    // ----- timers -------------------------------------------------------------------

    /// Latches `now` as the current time and flushes if a flush interval has passed.
    void update(std::uint32_t now);

    /// When update() should next be called (never later than now + interval); `now`
    /// itself if it is due or update() was never called. A hint: pending ACKs and
    /// probes are not considered.
    std::uint32_t check(std::uint32_t now) const;

    /// Sends what is due at `now` (under ikcp: at the time latched by the last update(),
    /// as the C original; `now` is not read). Does nothing before the first update() under
    /// ikcp. Returns the suggested delay (ms) before the next flush: `interval`, lowered to
    /// the nearest retransmission timer of an unacknowledged in-flight segment (kcp-go's
    /// flush() result; the C original returns nothing).
    std::uint32_t flush(std::uint32_t now);

    // ----- configuration ------------------------------------------------------------

    /// Each argument applies only if >= 0: nodelay (0, 1, >= 2; also sets rx_minrto to
    /// 30 or 100), interval (clamped to 10..5000 ms), fast-resend threshold (0: off),
    /// nc (1: no congestion window). Returns rc::ok.
    int nodelay(int nodelay, int interval, int resend, int nc);
    /// Sets windows in segments; values <= 0 leave one unchanged. rcv is raised to the
    /// profile's min_rcv_wnd (ikcp: 128; kcp-go: no minimum). Returns rc::ok.
    int wndsize(int snd, int rcv);
    /// Sets the largest datagram KCP emits. Returns rc::ok, setmtu_invalid (below the
    /// profile's min_mtu: 50 for ikcp, 25 for kcp-go) or setmtu_too_large (> kMaxMtu,
    /// where C would try a huge allocation). Queued segments keep their size.
    int setmtu(int mtu);
    /// Clamped to 10..5000 ms, as ikcp_interval.
    int set_interval(int interval);

    // Direct field assignments (as a C caller writes ikcpcb fields; no clamping).
    void set_stream(bool on) { stream_ = on; }
    void set_rx_minrto(std::int32_t v) { rx_minrto_ = v; }
    void set_fastresend(std::int32_t v) { fastresend_ = v; }
    void set_fastlimit(std::int32_t v) { fastlimit_ = v; }
    void set_nocwnd(bool on) { nocwnd_ = on; }
    void set_dead_link(std::uint32_t v) { dead_link_ = v; }
    void set_interval_raw(std::uint32_t v) { interval_ = v; }

    // ----- state --------------------------------------------------------------------

    KcpState state() const;
    const Counters& counters() const { return counters_; }
    std::uint32_t conv() const { return conv_; }
    std::uint32_t mtu() const { return mtu_; }
    std::uint32_t mss() const { return mss_; }
    std::uint32_t interval() const { return interval_; }
    std::uint32_t rcv_wnd() const { return rcv_wnd_; }
    std::uint32_t snd_wnd() const { return snd_wnd_; }
    bool stream() const { return stream_; }
    /// True once a segment reached dead_link transmissions (state == 0xFFFFFFFF).
    bool dead() const { return state_ == 0xFFFFFFFFu; }
    const Profile& profile() const { return *profile_; }

  private:
    enum class FlushKind : std::uint8_t { full, ack_only };
    struct Transmitted {
        std::uint32_t next_flush;  // the suggested delay flush() returns
        bool lost = false;         // a retransmission timeout fired
        bool changed = false;      // a fast or early retransmission happened
    };

    /// `now` is the time of the call (see clock_reading).
    std::uint32_t flush_segments(FlushKind kind, std::uint32_t now);
    void run_probe_timer(std::uint32_t now);
    /// Moves segments from snd_queue into snd_buf while the window allows; returns how many.
    std::uint32_t fill_snd_buf(std::uint32_t cwnd);
    /// The data loop: (re)sends what is due in snd_buf, PUSH segments advertising `wnd`.
    Transmitted transmit(std::uint16_t wnd, std::uint32_t moved, std::uint32_t call_now);
    void back_off(Segment& seg) const;
    void react_to_congestion(const Transmitted& sent, std::uint32_t cwnd);
    std::uint32_t fast_resend_threshold() const;
    /// What a clock reading inside input()/flush() gives in a call made at `now`: `now`
    /// under a profile with fresh_clock_reads, else the time latched by update().
    std::uint32_t clock_reading(std::uint32_t now) const {
        return profile_->fresh_clock_reads ? now : current_;
    }
    void update_rtt(std::int32_t rtt);
    void shrink_buf();
    void parse_ack(std::uint32_t sn);
    /// Returns true if some segment's fastack reached the fast-resend threshold.
    bool parse_fastack(std::uint32_t sn, std::uint32_t ts);
    /// Segments in snd_buf as the profile counts them (kept acknowledged ones included).
    std::uint32_t snd_buf_count() const { return snd_buf_.count(); }
    /// Stores a PUSH in rcv_buf; false if it was a duplicate or outside the window.
    bool parse_data(const SegmentHeader& h, const std::uint8_t* data);
    void move_ready_to_rcv_queue();
    std::uint16_t wnd_unused() const;
    // Output packing (8.1): emits the pending datagram if `need` more bytes would not fit.
    void make_room(std::size_t need);
    void emit_pending();

    const Profile* profile_;
    OutputFn output_fn_ = nullptr;
    void* output_context_ = nullptr;

    std::uint32_t conv_;
    std::uint32_t mtu_ = 1400, mss_ = 1400 - kHeaderSize;
    std::uint32_t state_ = 0;
    std::uint32_t snd_una_ = 0, snd_nxt_ = 0, rcv_nxt_ = 0;
    std::uint32_t ssthresh_ = 2;
    std::int32_t rx_rttval_ = 0, rx_srtt_ = 0, rx_rto_ = 200, rx_minrto_ = 100;
    std::uint32_t snd_wnd_ = 32, rcv_wnd_, rmt_wnd_;
    std::uint32_t cwnd_ = 0, probe_ = 0;
    std::uint32_t current_ = 0, interval_ = 100, ts_flush_ = 100, xmit_ = 0;
    std::uint32_t nodelay_ = 0;
    bool updated_ = false;
    std::uint32_t ts_probe_ = 0, probe_wait_ = 0;
    std::uint32_t dead_link_ = 20, incr_ = 0;
    std::int32_t fastresend_ = 0, fastlimit_ = 5;
    bool nocwnd_ = false, stream_ = false;
    // Fields an idle flush reads sit together, so a pass over many sessions touches few
    // cache lines: snd_buf's bounds let transmit() skip a session in O(1).
    SendBuffer snd_buf_;
    std::size_t out_len_ = 0;
    RingBuffer<Segment> rcv_queue_;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> acks_;  // (sn, ts) pending

    RingBuffer<Segment> snd_queue_;
    // rcv_buf holds sn = rcv_nxt + i at index i; absent ones are empty slots.
    RingBuffer<Segment> rcv_buf_;
    std::uint32_t rcv_buf_count_ = 0;

    PayloadPool pool_;
    std::vector<std::uint8_t> out_;  // mtu bytes: the datagram being packed
    Counters counters_;
};

}  // namespace kcpkit::kcp
