// Behaviour profiles. KCP implementations agree on the wire format but not on every
// algorithm; a profile names one implementation's behaviour as a list of differences
// from the C original, so the state machine is one code path with a few switches, never a
// fork. Every switch is read at one place in protocol/kcp/kcp.cpp. docs/profiles.md explains
// each entry and when a user meets it.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace kcpkit::kcp {

/// What send() returns.
enum class SendResult : std::uint8_t {
    /// C >= f2aa30e: the bytes queued; an empty message is one zero-length segment; when a
    /// stream-mode remainder is refused, the bytes that topped up the last segment.
    bytes,
    /// kcp-go: 0 on success; an empty buffer is refused (-1); a refused message is -2 even
    /// when a stream-mode top-up already happened.
    zero,
};

/// What recv() returns when it cannot deliver.
enum class RecvCodes : std::uint8_t {
    ikcp,    ///< -1 nothing queued, -2 message incomplete, -3 buffer too small
    kcp_go,  ///< -1 no complete message (empty or incomplete), -2 buffer too small
};

/// When input() counts duplicate ACKs towards fast retransmission.
enum class FastackCounting : std::uint8_t {
    /// C: once per datagram, for the largest acknowledged sn (after the loop).
    max_ack_per_datagram,
    /// kcp-go: for every ACK segment, as it is parsed.
    every_ack,
};

/// Where RTT samples come from.
enum class RttSampling : std::uint8_t {
    /// C: one sample per ACK segment, against the clock latched by update().
    every_ack,
    /// kcp-go: one sample per input() call, from the last ACK segment of the datagram,
    /// against a fresh clock reading, and only for regular (not FEC-recovered) packets.
    last_ack_per_regular_input,
};

/// The smoothed-RTT arithmetic.
enum class RttEstimator : std::uint8_t {
    /// C: srtt = (7 srtt + rtt) / 8 and rttval = (3 rttval + |delta|) / 4, truncating;
    /// srtt never below 1.
    ikcp,
    /// kcp-go: srtt += delta >> 3 (a floor shift, -1 >> 3 == -1), rttvar gains
    /// (|delta| - rttvar) >> 2, or >> 5 when the sample is below srtt - rttvar; no floor.
    floor_shift,
};

/// How a retransmission timeout grows a segment's rto.
enum class RtoBackoff : std::uint8_t {
    /// C since 9158f84: nodelay 0 += max(rto, rx_rto); nodelay 1 += rto / 2;
    /// nodelay >= 2 += rx_rto / 2.
    ikcp,
    /// kcp-go (the C rule before 2020): nodelay 0 += rx_rto; otherwise += rx_rto / 2.
    rx_rto_steps,
};

/// Whether input() flushes by itself (C never does).
enum class InputFlush : std::uint8_t {
    never,
    /// kcp-go v5.6.1: a full flush if una removed a segment, else an ACK-only flush if
    /// ack_nodelay and ACKs are pending.
    una_or_nodelay,
    /// kcp-go v5.6.72: a full flush if una removed a segment or an ACK brought a segment to
    /// the fast-resend threshold; else an ACK-only flush if the ACK list holds mtu / 24 or
    /// more entries, or if ack_nodelay and ACKs are pending.
    una_fastack_clocking_or_nodelay,
};

/// What an ACK-only flush (only ever started from input()) does.
enum class AckOnlyFlush : std::uint8_t {
    acks,  ///< kcp-go v5.6.1: writes the ACKs and outputs them, nothing else
    /// kcp-go v5.6.72: also runs the window-probe timer, sends WASK/WINS, moves segments
    /// from snd_queue into snd_buf (unsent, with ts 0) and applies the cwnd >= 1 floor;
    /// only the transmission loop is skipped.
    acks_probes_and_queue,
};

struct Profile {
    std::string_view name;
    std::string_view description;

    // ----- defaults and limits ------------------------------------------------------
    /// Default rcv_wnd, and the remote window assumed before the peer says otherwise.
    std::uint32_t default_rcv_wnd;
    /// wndsize() never sets rcv_wnd below this (C: 128, so any message fits the window).
    std::uint32_t min_rcv_wnd;
    /// A message needing this many fragments or more is refused by send().
    std::uint32_t fragment_limit;
    /// First wait (ms) before probing a zero remote window with WASK.
    std::uint32_t probe_init;
    /// setmtu() refuses anything smaller.
    std::uint32_t min_mtu;

    // ----- application calls --------------------------------------------------------
    SendResult send_result;
    RecvCodes recv_codes;

    // ----- input --------------------------------------------------------------------
    FastackCounting fastack_counting;
    /// IKCP_FASTACK_CONSERVE: an ACK counts as a duplicate only for segments sent no
    /// later than the acknowledged one.
    bool fastack_conserve;
    /// After a fast or early retransmission fastack becomes 0xFFFFFFFF and stops counting
    /// until a timeout retransmission resets it (kcp-go >= v5.6.27); else it resets to 0.
    bool fastack_sentinel;
    RttSampling rtt_sampling;
    RttEstimator rtt_estimator;
    /// A selectively acknowledged segment stays in snd_buf (payload freed, skipped by the
    /// data loop) until una passes it: snd_una, waitsnd(), check() and fast-ack counting
    /// still see it.
    bool selective_ack_keeps_segment;
    /// rmt_wnd is taken only from regular packets, not from FEC-recovered ones.
    bool window_from_regular_packets_only;
    InputFlush input_flush;
    AckOnlyFlush ack_only_flush;

    // ----- flush --------------------------------------------------------------------
    /// flush() does nothing before the first update() (C's `updated` gate).
    bool flush_needs_update;
    /// An ACK for an sn already below rcv_nxt is not written, except the list's last.
    bool ack_filter;
    /// Moving a segment into snd_buf stamps ts/resendts with the clock and rto with
    /// rx_rto (C); kcp-go leaves them 0 until the first transmission.
    bool stamp_on_move;
    /// Data loop order: fast retransmit is tried before the timeout (kcp-go) or after (C).
    bool fast_retransmit_before_timeout;
    /// Retransmit a segment with fastack > 0 when the flush moved no new segment into
    /// snd_buf (kcp-go), even with fast resend off.
    bool early_retransmit;
    /// A first transmission's timer is rx_rto + rx_rto / 8 when nodelay == 0 (C); kcp-go
    /// uses rx_rto.
    bool first_timeout_adds_eighth;
    /// A fast retransmission resets the segment's rto to rx_rto (kcp-go); C keeps it.
    bool fast_retransmit_resets_rto;
    /// Fast retransmission stops after `fastlimit` transmissions (C); kcp-go has no limit.
    bool fastlimit;
    RtoBackoff rto_backoff;
    /// A timeout retransmission clears fastack (kcp-go).
    bool timeout_clears_fastack;
    /// Congestion window growth (input) and reaction (flush) run only when nocwnd == 0
    /// (kcp-go); C runs them always.
    bool cwnd_only_with_congestion_control;
    /// A segment that cannot fit even an empty datagram makes the output callback receive
    /// a zero-length datagram first (kcp-go); C never emits an empty datagram.
    bool empty_datagram_before_oversized_segment;

    // ----- clock --------------------------------------------------------------------
    /// Where the implementation reads its clock (kcp-go: at the RTT sample of input(), at
    /// the probe timer, at the start of the data loop and before each transmission), the
    /// `now` of the input()/flush() call is used; C uses the time latched by the last
    /// update().
    bool fresh_clock_reads;
};

/// The C original, tag 1.7.1 (commit 8004f7e; ikcp.c identical to 49bea97).
inline constexpr Profile kIkcpProfile{
    .name = "ikcp",
    .description = "the C original ikcp.c, tag 1.7.1 (8004f7e), FASTACK_CONSERVE on",
    .default_rcv_wnd = 128,
    .min_rcv_wnd = 128,
    .fragment_limit = 128,
    .probe_init = 7000,
    .min_mtu = 50,
    .send_result = SendResult::bytes,
    .recv_codes = RecvCodes::ikcp,
    .fastack_counting = FastackCounting::max_ack_per_datagram,
    .fastack_conserve = true,
    .fastack_sentinel = false,
    .rtt_sampling = RttSampling::every_ack,
    .rtt_estimator = RttEstimator::ikcp,
    .selective_ack_keeps_segment = false,
    .window_from_regular_packets_only = false,
    .input_flush = InputFlush::never,
    .ack_only_flush = AckOnlyFlush::acks,
    .flush_needs_update = true,
    .ack_filter = false,
    .stamp_on_move = true,
    .fast_retransmit_before_timeout = false,
    .early_retransmit = false,
    .first_timeout_adds_eighth = true,
    .fast_retransmit_resets_rto = false,
    .fastlimit = true,
    .rto_backoff = RtoBackoff::ikcp,
    .timeout_clears_fastack = false,
    .cwnd_only_with_congestion_control = false,
    .empty_datagram_before_oversized_segment = false,
    .fresh_clock_reads = false,
};

/// The C original at f2aa30e (2023-05-07), the last commit before FASTACK_CONSERVE was
/// enabled: on the wire the same as tag 1.7, with send() returning bytes.
inline constexpr Profile kIkcpPreConserveProfile = [] {
    Profile p = kIkcpProfile;
    p.name = "ikcp-f2aa30e";
    p.description = "the C original at f2aa30e (before FASTACK_CONSERVE; wire-equal to tag 1.7)";
    p.fastack_conserve = false;
    return p;
}();

/// kcp-go v5.6.72 (tag of 2026-03-27, commit 78a2a39): its KCP core (kcp.go), as its
/// UDPSession drives it. Differences from the C original, one per line.
inline constexpr Profile kKcpGoProfile{
    .name = "kcp-go",
    .description = "kcp-go v5.6.72 (78a2a39), the KCP core of kcp.go",
    .default_rcv_wnd = 32,            // IKCP_WND_RCV 32
    .min_rcv_wnd = 1,                 // WndSize takes any rcv > 0
    .fragment_limit = 256,            // up to 255 fragments
    .probe_init = 500,                // IKCP_PROBE_INIT 500 (v5.6.43)
    .min_mtu = 25,                    // SetMtu refuses mtu <= 24 (v5.6.72)
    .send_result = SendResult::zero,  // 0 on success, -1 for an empty buffer
    .recv_codes = RecvCodes::kcp_go,  // -1 / -2, no peek
    .fastack_counting = FastackCounting::every_ack,
    .fastack_conserve = true,  // seg.ts <= ack.ts
    .fastack_sentinel = true,  // 0xFFFFFFFF after fast/early (v5.6.27)
    .rtt_sampling = RttSampling::last_ack_per_regular_input,
    .rtt_estimator = RttEstimator::floor_shift,
    .selective_ack_keeps_segment = true,  // `acked` segments wait for una
    .window_from_regular_packets_only = true,
    .input_flush = InputFlush::una_fastack_clocking_or_nodelay,
    .ack_only_flush = AckOnlyFlush::acks_probes_and_queue,
    .flush_needs_update = false,  // no `updated` gate
    .ack_filter = true,           // skip sn < rcv_nxt except the last
    .stamp_on_move = false,
    .fast_retransmit_before_timeout = true,  // first, fast, early, timeout
    .early_retransmit = true,
    .first_timeout_adds_eighth = false,
    .fast_retransmit_resets_rto = true,
    .fastlimit = false,
    .rto_backoff = RtoBackoff::rx_rto_steps,
    .timeout_clears_fastack = true,
    .cwnd_only_with_congestion_control = true,
    .empty_datagram_before_oversized_segment = true,
    .fresh_clock_reads = true,
};

/// kcp-go v5.6.1 (2020-10-10, commit 88fc14a; the version Debian ships): the v5.6.72
/// profile without the later changes (PROBE_INIT, fastack sentinel, the extra reasons to
/// flush from input, the richer ACK-only flush, the smaller minimum mtu).
inline constexpr Profile kKcpGo561Profile = [] {
    Profile p = kKcpGoProfile;
    p.name = "kcp-go-5.6.1";
    p.description = "kcp-go v5.6.1 (88fc14a, Debian's golang-github-xtaci-kcp-dev 5.6.1)";
    p.probe_init = 7000;
    p.min_mtu = 50;
    p.fastack_sentinel = false;
    p.input_flush = InputFlush::una_or_nodelay;
    p.ack_only_flush = AckOnlyFlush::acks;
    return p;
}();

/// Every profile the core knows, the default first.
std::span<const Profile* const> all_profiles();

/// The profile with this name, or nullptr.
const Profile* find_profile(std::string_view name);

}  // namespace kcpkit::kcp
