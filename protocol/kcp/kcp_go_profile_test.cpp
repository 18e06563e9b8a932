// The `kcp-go` profile (kcp-go v5.6.72) and `kcp-go-5.6.1`: one test per deviation from
// the C original, with literal clock values. Each test states what kcp-go does and, where
// it makes the difference visible, what the `ikcp` profile does with the same calls.
// (The whole profile is proven against kcp-go itself by vectors/kcpgo-*-trace*.json.gz.)
#define BOOST_TEST_MODULE kcp_go_profile
#include <boost/test/unit_test.hpp>

#include "kcpkit/kcp/kcp.hpp"
#include "kcpkit/kcp/test_support.hpp"

using namespace kcpkit::kcp;
using namespace kcpkit::kcp::testing;

namespace {

constexpr std::uint32_t kConv = 0x01020304;

/// at() only sets the clock (passed as `now` to input() and flush(), where kcp-go reads it).
struct Endpoint : ClockedEndpoint {
    explicit Endpoint(const Profile& p = kKcpGoProfile) : ClockedEndpoint(kConv, p, false) {}
    /// Sets the clock to t, flushes, and returns the headers that flush sent.
    std::vector<SegmentHeader> flush_at(std::uint32_t t) {
        at(t);
        kcp.flush(now);
        return take();
    }
};

Bytes push(std::uint32_t sn, std::uint32_t ts, const Bytes& data, std::uint8_t frg = 0,
           std::uint32_t una = 0) {
    return segment(
        {.conv = kConv, .cmd = kPush, .frg = frg, .wnd = 32, .ts = ts, .sn = sn, .una = una}, data);
}

Bytes ack(std::uint32_t sn, std::uint32_t ts, std::uint32_t una = 0, std::uint16_t wnd = 32) {
    return segment({.conv = kConv, .cmd = kAck, .wnd = wnd, .ts = ts, .sn = sn, .una = una});
}

Bytes wins(std::uint16_t wnd) {
    return segment({.conv = kConv, .cmd = kWins, .wnd = wnd});
}

}  // namespace

// ----- defaults and the application calls -------------------------------------------

BOOST_AUTO_TEST_CASE(receive_window_32_without_minimum) {
    Endpoint g;
    BOOST_TEST(g.kcp.rcv_wnd() == 32u);
    BOOST_TEST(g.kcp.state().rmt_wnd == 32u);  // assumed of the peer until it speaks
    BOOST_TEST(g.kcp.wndsize(0, 8) == rc::ok);
    BOOST_TEST(g.kcp.rcv_wnd() == 8u);

    Endpoint c(kIkcpProfile);
    c.kcp.wndsize(0, 8);
    BOOST_TEST(c.kcp.rcv_wnd() == 128u);  // C raises it to 128
}

BOOST_AUTO_TEST_CASE(send_returns_zero_refuses_empty_and_allows_255_fragments) {
    Endpoint g;
    BOOST_TEST(g.kcp.setmtu(50) == rc::ok);  // mss 26
    BOOST_TEST(g.kcp.send({}) == -1);
    BOOST_TEST(g.kcp.waitsnd() == 0);
    Bytes msg(255 * 26, 0x5a);
    BOOST_TEST(g.kcp.send(msg) == 0);  // C returns the byte count
    BOOST_TEST(g.kcp.waitsnd() == 255);
    msg.push_back(1);  // 256 fragments
    BOOST_TEST(g.kcp.send(msg) == rc::send_too_many_fragments);
    BOOST_TEST(g.kcp.waitsnd() == 255);

    g.kcp.nodelay(-1, -1, -1, 1);
    g.at(1000);
    g.kcp.flush(g.now);
    const auto h = headers_of(g.out.datagrams.at(0));
    BOOST_TEST(h.at(0).frg == 254);  // the first fragment counts down from 254
    BOOST_TEST(h.at(0).wnd == 32);

    Endpoint c(kIkcpProfile);
    c.kcp.setmtu(50);
    BOOST_TEST(c.kcp.send({}) == 0);  // C queues a zero-length segment
    BOOST_TEST(c.kcp.waitsnd() == 1);
    BOOST_TEST(c.kcp.send(Bytes(128 * 26)) == rc::send_too_many_fragments);  // C: 127 at most
}

BOOST_AUTO_TEST_CASE(stream_top_up_stays_queued_but_the_refusal_is_minus_2) {
    for (const Profile* p : {&kKcpGoProfile, &kIkcpProfile}) {
        Endpoint e(*p);
        e.kcp.setmtu(50);  // mss 26
        e.kcp.set_stream(true);
        e.kcp.send(Bytes(10, 1));
        // 16 bytes top up the queued segment; the remaining 6640 need 256 more segments.
        const int r = e.kcp.send(Bytes(256 * 26, 2));
        BOOST_TEST(r == (p == &kKcpGoProfile ? -2 : 16), p->name);
        BOOST_TEST(e.kcp.waitsnd() == 1);
    }
}

BOOST_AUTO_TEST_CASE(recv_codes_without_incomplete_and_with_minus_2_for_small_buffers) {
    Endpoint g;
    Bytes buf(4), small(3);
    BOOST_TEST(g.kcp.recv(buf) == -1);
    g.at(1000);
    g.kcp.input(push(0, 900, text("ab"), 1), g.now);
    BOOST_TEST(g.kcp.recv(buf) == -1);  // incomplete: C says -2
    g.kcp.input(push(1, 900, text("cd"), 0), g.now);
    BOOST_TEST(g.kcp.recv(small) == -2);  // too small: C says -3
    BOOST_TEST(g.kcp.recv(buf) == 4);
}

BOOST_AUTO_TEST_CASE(setmtu_minimum_is_25_in_v5_6_72_and_50_in_v5_6_1) {
    Endpoint head, old(kKcpGo561Profile), c(kIkcpProfile);
    BOOST_TEST(head.kcp.setmtu(24) == rc::setmtu_invalid);
    BOOST_TEST(head.kcp.setmtu(25) == rc::ok);
    BOOST_TEST(head.kcp.mss() == 1u);
    BOOST_TEST(old.kcp.setmtu(49) == rc::setmtu_invalid);
    BOOST_TEST(old.kcp.setmtu(50) == rc::ok);
    BOOST_TEST(c.kcp.setmtu(49) == rc::setmtu_invalid);
}

// ----- input ----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(ack_filter_writes_only_acks_not_yet_covered_by_una_plus_the_last) {
    // Example: PUSH 5, 6, 7 arrive in order; C acknowledges each, kcp-go only 7.
    for (const Profile* p : {&kKcpGoProfile, &kIkcpProfile}) {
        Endpoint e(*p);
        e.kcp.update(2000);  // (C needs an update before it flushes)
        e.at(2000);
        for (std::uint32_t sn = 0; sn < 5; ++sn) e.kcp.input(push(sn, 100, text("x")), e.now);
        e.kcp.flush(e.now);
        e.take();
        for (std::uint32_t sn = 5; sn < 8; ++sn) e.kcp.input(push(sn, 100 + sn, text("x")), e.now);
        e.kcp.flush(e.now);
        const auto h = e.take();
        BOOST_TEST_INFO(p->name);
        if (p == &kKcpGoProfile) {
            BOOST_REQUIRE_EQUAL(h.size(), 1u);
            BOOST_TEST(h[0].sn == 7u);
            BOOST_TEST(h[0].ts == 107u);
            BOOST_TEST(h[0].una == 8u);
        } else {
            BOOST_REQUIRE_EQUAL(h.size(), 3u);
            BOOST_TEST(h[0].sn == 5u);
        }
    }

    // Out of order and duplicates: rcv_nxt is 3 at the flush. The ACKs of 0, 1, 2 are
    // covered by una and skipped; 4 waits in rcv_buf and is acknowledged; the duplicate of
    // 1 is written because it is the list's last entry. A WINS carries the last ACK's sn/ts.
    Endpoint g;
    g.at(2000);
    g.kcp.input(concat({push(0, 100, text("a")), push(1, 110, text("b")), push(2, 120, text("c"))}),
                g.now);
    g.kcp.input(push(4, 130, text("e")), g.now);
    g.kcp.input(segment({.conv = kConv, .cmd = kWask, .wnd = 32}), g.now);
    g.kcp.input(push(1, 140, text("b")), g.now);
    g.kcp.flush(g.now);
    BOOST_REQUIRE_EQUAL(g.out.datagrams.size(), 1u);
    const auto h = headers_of(g.out.datagrams[0]);
    BOOST_REQUIRE_EQUAL(h.size(), 3u);
    BOOST_TEST((h[0] == SegmentHeader{
                            .conv = kConv, .cmd = kAck, .wnd = 29, .ts = 130, .sn = 4, .una = 3}));
    BOOST_TEST((h[1] == SegmentHeader{
                            .conv = kConv, .cmd = kAck, .wnd = 29, .ts = 140, .sn = 1, .una = 3}));
    BOOST_TEST((h[2] == SegmentHeader{
                            .conv = kConv, .cmd = kWins, .wnd = 29, .ts = 140, .sn = 1, .una = 3}));
}

BOOST_AUTO_TEST_CASE(fastack_counts_every_ack_and_the_threshold_flushes_from_input) {
    // Four segments at t=1000; one datagram with ACK 2 and ACK 3 arrives at 1050. kcp-go
    // counts each ACK (sn 0 and 1 reach fastack 2 = fastresend) and flushes inside input():
    // 0 and 1 are fast-retransmitted at once, stamped 1050. C counts once per datagram.
    Endpoint g;
    g.kcp.nodelay(1, 10, 2, 1);
    send_letters(g, 4, 1000);
    BOOST_TEST(g.take().size() == 4u);
    g.at(1050);
    BOOST_TEST(g.kcp.input(concat({ack(2, 1000), ack(3, 1000)}), g.now) == rc::ok);
    auto h = g.take();
    BOOST_REQUIRE_EQUAL(h.size(), 2u);
    BOOST_TEST((h[0].cmd == kPush && h[0].sn == 0u && h[0].ts == 1050u));
    BOOST_TEST((h[1].cmd == kPush && h[1].sn == 1u && h[1].ts == 1050u));
    // One RTT sample from the last ACK: 50 ms.
    BOOST_TEST(g.kcp.state().rx_srtt == 50);
    BOOST_TEST(g.kcp.state().rx_rto == 150);

    Endpoint c(kIkcpProfile);
    c.kcp.nodelay(1, 10, 2, 1);
    c.kcp.update(1000);
    send_letters(c, 4, 1000);
    c.take();
    c.kcp.update(1050);
    c.take();
    c.kcp.input(concat({ack(2, 1000), ack(3, 1000)}), c.now);
    BOOST_TEST(c.out.datagrams.empty());  // C never outputs from input
    c.kcp.flush(c.now);
    BOOST_TEST(c.take().empty());  // and fastack 1 < 2: nothing to resend
}

BOOST_AUTO_TEST_CASE(fastack_sentinel_stops_counting_until_a_timeout) {
    // After the fast retransmission of sn 0 at 1050 (as above), the ACK of sn 1's copy
    // (ts 1050) arrives. v5.6.72 left sn 0 at the sentinel 0xFFFFFFFF: nothing happens.
    // v5.6.1 reset it to 0: the ACK makes it 1, and the next flush early-retransmits it.
    for (const Profile* p : {&kKcpGoProfile, &kKcpGo561Profile}) {
        Endpoint g(*p);
        g.kcp.nodelay(1, 10, 2, 1);
        send_letters(g, 4, 1000);
        g.take();
        g.at(1050);
        g.kcp.input(concat({ack(2, 1000), ack(3, 1000)}), g.now);
        g.kcp.flush(g.now);  // v5.6.1 has no threshold flush in input: this flush resends
        auto h = g.take();
        BOOST_TEST_INFO(p->name);
        BOOST_REQUIRE_EQUAL(h.size(), 2u);
        BOOST_TEST(h[0].sn == 0u);
        g.at(1060);
        g.kcp.input(ack(1, 1050), g.now);
        h = g.flush_at(1070);
        if (p == &kKcpGoProfile) {
            BOOST_TEST(h.empty());
        } else {
            BOOST_REQUIRE_EQUAL(h.size(), 1u);
            BOOST_TEST((h[0].sn == 0u && h[0].ts == 1070u));
        }
    }
}

BOOST_AUTO_TEST_CASE(an_ack_older_than_the_last_transmission_is_not_a_skip) {
    // CONSERVE, as in C 1.7.1: sn 0 and 1 were resent at 1200, so an ACK of sn 1's first
    // copy (ts 1000) says nothing about sn 0's new copy and does not count.
    Endpoint g;
    g.kcp.nodelay(1, 10, 1, 1);
    send_letters(g, 2, 1000);
    BOOST_TEST(g.flush_at(1200).size() == 4u);
    g.at(1210);
    g.kcp.input(ack(1, 1000), g.now);
    g.kcp.flush(g.now);
    BOOST_TEST(g.take().empty());
    g.kcp.input(ack(1, 1200), g.now);  // an ACK of the new copy does count: fast retransmit
    const auto h = g.take();
    BOOST_REQUIRE_EQUAL(h.size(), 1u);
    BOOST_TEST(h[0].sn == 0u);
}

BOOST_AUTO_TEST_CASE(early_retransmit_fires_with_fast_resend_off) {
    // fastresend 0 disables fast retransmit, yet one ACK of a later segment is enough: with
    // fastresend 0 any increment reaches the "threshold", input() flushes, the flush moves
    // nothing new, and sn 0 (fastack 1) is early-retransmitted at 1010.
    Endpoint g;
    g.kcp.nodelay(1, 10, 0, 1);
    send_letters(g, 2, 1000);
    g.take();
    g.at(1010);
    g.kcp.input(ack(1, 1000), g.now);
    auto h = g.take();
    BOOST_REQUIRE_EQUAL(h.size(), 1u);
    BOOST_TEST((h[0].cmd == kPush && h[0].sn == 0u && h[0].ts == 1010u));

    // When the flush moves a new segment into flight, there is no early retransmission.
    Endpoint n;
    n.kcp.nodelay(1, 10, 0, 1);
    send_letters(n, 2, 1000);
    n.take();
    n.kcp.send(text("c"));
    n.at(1010);
    n.kcp.input(ack(1, 1000), n.now);
    h = n.take();
    BOOST_REQUIRE_EQUAL(h.size(), 1u);
    BOOST_TEST(h[0].sn == 2u);

    // C: no fast retransmit without fastresend, the RTO is far away: nothing.
    Endpoint c(kIkcpProfile);
    c.kcp.nodelay(1, 10, 0, 1);
    c.kcp.update(1000);
    send_letters(c, 2, 1000);
    c.take();
    c.kcp.update(1010);
    c.kcp.input(ack(1, 1000), c.now);
    c.kcp.flush(c.now);
    BOOST_TEST(c.take().empty());
}

BOOST_AUTO_TEST_CASE(rtt_sample_once_per_input_with_floor_shifts) {
    // Samples come from the last ACK of a datagram, against the input call's `now` (no
    // update() needed), whatever the ACK acknowledges.
    Endpoint g;
    g.at(1100);
    g.kcp.input(ack(0, 1000), g.now);  // rtt 100
    auto s = g.kcp.state();
    BOOST_TEST(s.rx_srtt == 100);
    BOOST_TEST(s.rx_rttval == 50);
    BOOST_TEST(s.rx_rto == 300);  // 100 + max(interval 100, 4 * 50)

    g.at(1199);
    g.kcp.input(ack(0, 1100), g.now);  // rtt 99: delta -1
    s = g.kcp.state();
    BOOST_TEST(s.rx_srtt == 99);    // 100 + (-1 >> 3) = 100 - 1; a truncating "/ 8" gives 100
    BOOST_TEST(s.rx_rttval == 37);  // 50 + (-49 >> 2) = 50 - 13; "/ 4" gives 38
    BOOST_TEST(s.rx_rto == 247);

    // rtt 10 lies below srtt - rttvar: the variance moves by (|delta| - rttvar) >> 5. The
    // datagram's first ACK (rtt 310) is ignored: only the last one is sampled.
    g.at(1210);
    g.kcp.input(concat({ack(0, 900), ack(0, 1200)}), g.now);
    s = g.kcp.state();
    BOOST_TEST(s.rx_srtt == 87);    // 99 + (-89 >> 3) = 99 - 12
    BOOST_TEST(s.rx_rttval == 38);  // 37 + (52 >> 5)
    BOOST_TEST(s.rx_rto == 239);

    // A datagram recovered by FEC gives no sample (and no window, below).
    g.at(5000);
    g.kcp.input(ack(0, 1000), g.now, PacketType::fec_recovered);
    BOOST_TEST(g.kcp.state().rx_srtt == 87);

    // The C original on the same samples (one per ACK, so two for the last datagram).
    Endpoint c(kIkcpProfile);
    c.kcp.update(1100);
    c.kcp.input(ack(0, 1000), c.now);
    c.kcp.update(1199);
    c.kcp.input(ack(0, 1100), c.now);
    BOOST_TEST(c.kcp.state().rx_srtt == 99);
    BOOST_TEST(c.kcp.state().rx_rttval == 37);
    c.kcp.update(1210);
    c.kcp.input(ack(0, 1200), c.now);
    BOOST_TEST(c.kcp.state().rx_srtt == 87);
    BOOST_TEST(c.kcp.state().rx_rttval == 50);
    BOOST_TEST(c.kcp.state().rx_rto == 287);
}

BOOST_AUTO_TEST_CASE(remote_window_only_from_regular_packets) {
    Endpoint g;
    g.at(100);
    g.kcp.input(wins(0), g.now, PacketType::fec_recovered);
    BOOST_TEST(g.kcp.state().rmt_wnd == 32u);
    g.kcp.input(wins(0), g.now);
    BOOST_TEST(g.kcp.state().rmt_wnd == 0u);
}

BOOST_AUTO_TEST_CASE(selective_ack_keeps_the_segment_until_una_passes_it) {
    for (const Profile* p : {&kKcpGoProfile, &kIkcpProfile}) {
        Endpoint e(*p);
        e.kcp.nodelay(1, 10, 100, 1);
        e.kcp.update(1000);
        send_letters(e, 3, 1000);
        e.take();
        const bool go = p == &kKcpGoProfile;
        BOOST_TEST_INFO(p->name);
        e.at(1010);
        e.kcp.input(ack(1, 1000), e.now);
        BOOST_TEST(e.kcp.waitsnd() == (go ? 3 : 2));
        BOOST_TEST(e.kcp.state().nsnd_buf == (go ? 3u : 2u));
        e.kcp.input(ack(0, 1000), e.now);
        BOOST_TEST(e.kcp.state().snd_una == (go ? 0u : 2u));  // acked 0 and 1 stay in kcp-go
        BOOST_TEST(e.kcp.waitsnd() == (go ? 3 : 1));
        e.kcp.input(ack(2, 1000, 3), e.now);
        BOOST_TEST(e.kcp.state().snd_una == 3u);
        BOOST_TEST(e.kcp.waitsnd() == 0);
    }
}

// ----- flush ----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(flush_works_before_any_update) {
    Endpoint g;
    g.kcp.nodelay(-1, -1, -1, 1);
    g.kcp.send(text("hi"));
    const auto h = g.flush_at(5);
    BOOST_REQUIRE_EQUAL(h.size(), 1u);
    BOOST_TEST((h[0].cmd == kPush && h[0].ts == 5u && h[0].wnd == 32));

    Endpoint c(kIkcpProfile);
    c.kcp.nodelay(-1, -1, -1, 1);
    c.kcp.send(text("hi"));
    c.kcp.flush(c.now);
    BOOST_TEST(c.take().empty());  // C's flush waits for the first update()
}

BOOST_AUTO_TEST_CASE(first_timeout_then_backoff_by_rx_rto_and_suggested_delay) {
    // nodelay 0, interval 1000: the first timeout is rx_rto = 200 (C adds rx_rto / 8), each
    // timeout adds rx_rto (C at least doubles). flush() suggests the time to the nearest timer.
    Endpoint g;
    g.kcp.nodelay(0, 1000, 0, 1);
    g.kcp.send(text("x"));
    g.at(1000);
    BOOST_TEST(g.kcp.flush(g.now) == 200u);
    BOOST_TEST(g.take().size() == 1u);
    const std::uint32_t expected_resends[] = {1200, 1600, 2200, 3000};
    for (std::uint32_t at : expected_resends) {
        g.at(at - 1);
        BOOST_TEST(g.kcp.flush(g.now) == 1u);
        BOOST_TEST(g.take().empty());
        const auto h = g.flush_at(at);
        BOOST_REQUIRE_EQUAL(h.size(), 1u);
        BOOST_TEST(h[0].ts == at);
    }

    // nodelay 1: each timeout adds rx_rto / 2 (C's nodelay 1 adds rto / 2: 1200, 1500, 1950).
    Endpoint n;
    n.kcp.nodelay(1, 1000, 0, 1);
    n.kcp.send(text("x"));
    n.flush_at(1000);
    for (std::uint32_t at : {1200u, 1500u, 1900u}) {
        BOOST_TEST(n.flush_at(at - 1).empty());
        BOOST_TEST(n.flush_at(at).size() == 1u);
    }
}

BOOST_AUTO_TEST_CASE(a_timeout_clears_fastack) {
    // sn 0 collects one skip at 1010 (below fastresend 3); new data enters flight at every
    // flush, so there is no early retransmission until its timer fires at 1200. kcp-go's
    // timeout clears fastack, so the idle flush at 1210 resends nothing early.
    Endpoint g;
    g.kcp.nodelay(1, 10, 3, 1);
    send_letters(g, 2, 1000);
    g.at(1010);
    g.kcp.input(ack(1, 1000), g.now, PacketType::fec_recovered);  // no RTT sample: rx_rto stays 200
    for (std::uint32_t t = 1020; t <= 1200; t += 10) {
        g.kcp.send(Bytes{static_cast<std::uint8_t>(t / 10)});
        g.at(t);
        g.kcp.flush(g.now);
    }
    g.take();
    BOOST_TEST(g.flush_at(1210).empty());
}

BOOST_AUTO_TEST_CASE(no_congestion_window_bookkeeping_with_nc) {
    // With nc = 1 kcp-go leaves cwnd alone (it stays 0); C still applies its rules.
    for (const Profile* p : {&kKcpGoProfile, &kIkcpProfile}) {
        Endpoint e(*p);
        e.kcp.nodelay(1, 10, 2, 1);
        e.kcp.update(1000);
        send_letters(e, 1, 1000);
        e.at(1010);
        e.kcp.input(ack(0, 1000, 1), e.now);
        BOOST_TEST(e.kcp.state().cwnd == (p == &kKcpGoProfile ? 0u : 2u), p->name);
    }
}

BOOST_AUTO_TEST_CASE(fast_retransmit_wins_over_an_expired_timer_and_resets_rto) {
    // At 1300 the timer of sn 0 (1200) has expired and an ACK of sn 1 brings its fastack
    // to fastresend 1. kcp-go tries fast first: sn 0 is resent with rto = rx_rto = 900 (the
    // ACK's sample: rtt 300), no back-off, so its next timeout is 2200 (a timeout branch
    // would have given 200 + 900 -> 2400). A queued "c" enters flight in the same flush,
    // so this is not an early retransmission.
    Endpoint g;
    g.kcp.nodelay(0, 100, 1, 1);
    send_letters(g, 2, 1000);
    g.take();
    g.kcp.send(text("c"));
    g.at(1300);
    g.kcp.input(ack(1, 1000), g.now);
    auto h = g.take();
    BOOST_REQUIRE_EQUAL(h.size(), 2u);
    BOOST_TEST((h[0].sn == 0u && h[0].ts == 1300u));
    BOOST_TEST(h[1].sn == 2u);
    BOOST_TEST(g.kcp.state().rx_rto == 900);
    BOOST_TEST(g.flush_at(2199).empty());
    h = g.flush_at(2200);
    BOOST_REQUIRE_EQUAL(h.size(), 2u);  // sn 0 and sn 2 (first sent at 1300, rto 900)
    BOOST_TEST((h[0].sn == 0u && h[0].ts == 2200u));
}

BOOST_AUTO_TEST_CASE(segments_moved_by_an_ack_only_flush_carry_ts_0) {
    // v5.6.72's ACK-only flush moves "q" and "r" into snd_buf as sn 0 and 1 without
    // stamping them (C stamps ts on the move). An ACK of sn 1 echoing ts 900 then counts
    // as a skip of sn 0 (0 <= 900), and that fastack survives sn 0's first transmission:
    // the flush after it, moving nothing new, early-retransmits sn 0.
    Endpoint g;
    g.kcp.nodelay(1, 10, 2, 1);
    g.kcp.update(1000);
    g.kcp.send(text("q"));
    g.kcp.send(text("r"));
    g.at(1000);
    g.kcp.input(push(0, 5, text("a")), g.now, PacketType::regular, true);
    BOOST_TEST(g.take().size() == 1u);  // the ACK only
    BOOST_TEST(g.kcp.state().snd_nxt == 2u);
    g.at(1005);
    g.kcp.input(ack(1, 900), g.now);
    BOOST_TEST(g.out.datagrams.empty());  // fastack 1 < 2: no flush from input
    auto h = g.flush_at(1010);
    BOOST_REQUIRE_EQUAL(h.size(), 1u);  // sn 0's first transmission (sn 1 is acknowledged)
    BOOST_TEST((h[0].sn == 0u && h[0].ts == 1010u));
    h = g.flush_at(1020);
    BOOST_REQUIRE_EQUAL(h.size(), 1u);
    BOOST_TEST((h[0].sn == 0u && h[0].ts == 1020u));
}

BOOST_AUTO_TEST_CASE(fast_retransmit_has_no_fastlimit) {
    // After five timeouts sn 0 has been sent 6 times; C stops fast-retransmitting a segment
    // sent more than fastlimit (5) times, kcp-go does not.
    Endpoint g;
    g.kcp.nodelay(1, 10, 1, 1);
    send_letters(g, 2, 1000);
    g.take();
    int sent0 = 1;
    for (std::uint32_t t = 1010; t <= 3000; t += 10) {
        for (const auto& h : g.flush_at(t)) sent0 += h.sn == 0 ? 1 : 0;
    }
    BOOST_TEST(sent0 == 6);  // timeouts at 1200, 1500, 1900, 2400, 3000
    g.kcp.send(text("c"));   // a new segment, so this is not an early retransmission
    g.at(3005);
    g.kcp.input(ack(1, 3000), g.now);
    const auto h = g.take();
    BOOST_REQUIRE_EQUAL(h.size(), 2u);
    BOOST_TEST((h[0].sn == 0u && h[0].ts == 3005u));
    BOOST_TEST(h[1].sn == 2u);
}

BOOST_AUTO_TEST_CASE(window_probe_after_500_ms) {
    for (const Profile* p : {&kKcpGoProfile, &kKcpGo561Profile}) {
        Endpoint g(*p);
        g.at(1000);
        g.kcp.input(wins(0), g.now);
        g.kcp.flush(g.now);  // starts the probe timer
        const std::uint32_t first = p->probe_init == 500 ? 1500 : 8000;
        const std::uint32_t second = p->probe_init == 500 ? 2250 : 18500;  // wait x 1.5
        for (std::uint32_t at : {first, second}) {
            BOOST_TEST(g.flush_at(at - 1).empty(), p->name);
            const auto h = g.flush_at(at);
            BOOST_REQUIRE_EQUAL(h.size(), 1u);
            BOOST_TEST(h[0].cmd == kWask);
        }
    }
    BOOST_TEST(kKcpGoProfile.probe_init == 500u);
    BOOST_TEST(kIkcpProfile.probe_init == 7000u);
}

BOOST_AUTO_TEST_CASE(input_flushes_when_una_frees_the_window) {
    // snd_wnd 1: "b" waits for "a"'s ACK. kcp-go sends it from inside input() at 1030.
    for (const Profile* p : {&kKcpGoProfile, &kKcpGo561Profile, &kIkcpProfile}) {
        Endpoint e(*p);
        e.kcp.wndsize(1, 0);
        e.kcp.nodelay(1, 10, 0, 1);
        e.kcp.update(1000);
        send_letters(e, 2, 1000);
        auto h = e.take();
        BOOST_REQUIRE_EQUAL(h.size(), 1u);
        e.at(1030);
        e.kcp.input(ack(0, 1000, 1), e.now);
        h = e.take();
        if (p == &kIkcpProfile) {
            BOOST_TEST(h.empty());
        } else {
            BOOST_REQUIRE_EQUAL(h.size(), 1u);
            BOOST_TEST((h[0].sn == 1u && h[0].ts == 1030u), p->name);
        }
    }
}

BOOST_AUTO_TEST_CASE(input_flushes_acks_on_ack_nodelay_or_a_full_ack_list) {
    Endpoint g;
    g.at(1000);
    g.kcp.input(push(0, 5, text("a")), g.now);
    BOOST_TEST(g.out.datagrams.empty());
    g.kcp.input(push(1, 6, text("b")), g.now, PacketType::regular, true);
    auto h = g.take();
    BOOST_REQUIRE_EQUAL(h.size(), 1u);  // the filter keeps only the last: ACK 1
    BOOST_TEST((h[0].cmd == kAck && h[0].sn == 1u && h[0].ts == 6u && h[0].una == 2u));

    // "Clocking": at mtu 50, mtu / 24 = 2 pending ACKs are enough (v5.6.72 only).
    for (const Profile* p : {&kKcpGoProfile, &kKcpGo561Profile}) {
        Endpoint e(*p);
        e.kcp.setmtu(50);
        e.at(1000);
        e.kcp.input(push(0, 5, text("a")), e.now);
        BOOST_TEST(e.out.datagrams.empty());
        e.kcp.input(push(1, 6, text("b")), e.now);
        BOOST_TEST(e.take().size() == (p == &kKcpGoProfile ? 1u : 0u), p->name);
    }
}

BOOST_AUTO_TEST_CASE(ack_only_flush_also_probes_and_fills_snd_buf_in_v5_6_72) {
    // A WASK and a PUSH arrive with ack_nodelay while "q" waits in snd_queue. v5.6.72's
    // ACK-only flush writes the ACK and the WINS the WASK asked for and moves "q" into
    // snd_buf (sn 0, not sent); v5.6.1's writes the ACK only.
    const Bytes wask_and_push =
        concat({segment({.conv = kConv, .cmd = kWask, .wnd = 32}), push(0, 5, text("a"))});
    for (const Profile* p : {&kKcpGoProfile, &kKcpGo561Profile}) {
        Endpoint g(*p);
        g.kcp.nodelay(-1, -1, -1, 1);
        g.kcp.send(text("q"));
        g.at(1000);
        g.kcp.input(wask_and_push, g.now, PacketType::regular, true);
        const auto h = g.take();
        const auto s = g.kcp.state();
        BOOST_TEST_INFO(p->name);
        if (p == &kKcpGoProfile) {
            BOOST_REQUIRE_EQUAL(h.size(), 2u);
            BOOST_TEST((h[0].cmd == kAck && h[1].cmd == kWins && h[1].sn == 0u && h[1].ts == 5u));
            BOOST_TEST(s.snd_nxt == 1u);
            BOOST_TEST(s.nsnd_que == 0u);
            BOOST_TEST(s.nsnd_buf == 1u);
        } else {
            BOOST_REQUIRE_EQUAL(h.size(), 1u);
            BOOST_TEST(h[0].cmd == kAck);
            BOOST_TEST(s.snd_nxt == 0u);
            BOOST_TEST(s.nsnd_que == 1u);
        }
        // With congestion control on, v5.6.72's ACK-only flush also applies the cwnd >= 1
        // floor of a full flush.
        Endpoint cc(*p);
        cc.at(1000);
        cc.kcp.input(push(0, 5, text("a")), cc.now, PacketType::regular, true);
        BOOST_TEST(cc.kcp.state().cwnd == (p == &kKcpGoProfile ? 1u : 0u));
    }
}

BOOST_AUTO_TEST_CASE(an_oversized_segment_is_preceded_by_an_empty_datagram) {
    // A full-size segment queued at mtu 1400, then the mtu drops to 100: kcp-go hands its
    // empty buffer to the output before the oversized segment; C never emits an empty one.
    for (const Profile* p : {&kKcpGoProfile, &kIkcpProfile}) {
        Endpoint e(*p);
        e.kcp.nodelay(-1, -1, -1, 1);
        e.kcp.send(Bytes(1376, 9));
        e.kcp.setmtu(100);
        e.kcp.update(1);
        e.at(1);
        e.kcp.flush(e.now);
        const bool go = p == &kKcpGoProfile;
        BOOST_TEST_INFO(p->name);
        BOOST_REQUIRE_EQUAL(e.out.datagrams.size(), go ? 2u : 1u);
        if (go) BOOST_TEST(e.out.datagrams[0].empty());
        BOOST_TEST(e.out.datagrams.back().size() == 1400u);
    }
}

BOOST_AUTO_TEST_CASE(every_clock_reading_inside_a_call_is_the_calls_time) {
    // kcp-go reads its clock at the start of the data loop, before each transmission and at
    // the RTT sample of Input. A call is one instant (a captured trace records one time per
    // call), so each of those readings is the call's `now`, however long ago the last
    // update() was. The C original uses the time latched by update() instead.
    for (const Profile* p : {&kKcpGoProfile, &kIkcpProfile}) {
        const bool go = p == &kKcpGoProfile;
        BOOST_TEST_CONTEXT(p->name) {
            Capture out;
            Kcp k(kConv, *p);
            k.set_output(out);
            k.nodelay(1, 10, 0, 1);  // rx_rto stays 200 until a sample
            k.update(1000);          // nothing queued: sends nothing
            for (int i = 0; i < 3; ++i) k.send(text("z"));
            k.flush(1007);
            BOOST_REQUIRE_EQUAL(out.datagrams.size(), 1u);
            const auto first = headers_of(out.take_one());
            BOOST_REQUIRE_EQUAL(first.size(), 3u);
            for (const auto& h : first) BOOST_TEST(h.ts == (go ? 1007u : 1000u));

            // The timeout decision reads the same clock: due at 1007 + 200 under kcp-go.
            const std::uint32_t due = go ? 1207u : 1200u;
            if (!go) k.update(due - 1);  // ikcp: time moves only with update()
            k.flush(due - 1);
            BOOST_TEST(out.datagrams.empty());
            if (!go) k.update(due);
            k.flush(due);
            BOOST_REQUIRE_EQUAL(out.datagrams.size(), 1u);
            for (const auto& h : headers_of(out.take_one())) BOOST_TEST(h.ts == due);

            if (go) {  // the RTT sample is taken at the input's `now`
                BOOST_TEST(k.input(ack(0, due, 0), due + 50) == rc::ok);
                BOOST_TEST(k.state().rx_srtt == 50);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(profiles_are_listed_and_found_by_name) {
    BOOST_TEST(find_profile("kcp-go") == &kKcpGoProfile);
    BOOST_TEST(find_profile("kcp-go-5.6.1") == &kKcpGo561Profile);
    BOOST_TEST(all_profiles().size() == 4u);
}
