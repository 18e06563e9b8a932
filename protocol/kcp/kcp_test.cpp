#define BOOST_TEST_MODULE kcp
#include "kcpkit/kcp/kcp.hpp"

#include <boost/test/unit_test.hpp>

#include "kcpkit/kcp/test_support.hpp"

using namespace kcpkit::kcp;
using namespace kcpkit::kcp::testing;

namespace {

/// A Kcp and its output. `now` is the time of the last update(), which the calls that take
/// the time (input, flush) are given; the ikcp profiles use the latched time anyway.
struct Endpoint {
    Capture out;
    Kcp kcp;
    std::uint32_t now = 0;
    explicit Endpoint(std::uint32_t conv, const Profile& p = kIkcpProfile) : kcp(conv, p) {
        kcp.set_output(out);
    }
    void update(std::uint32_t t) {
        now = t;
        kcp.update(t);
    }
};

Bytes ack(std::uint32_t conv, std::uint32_t sn, std::uint32_t ts, std::uint32_t una,
          std::uint16_t wnd = 128) {
    return segment({.conv = conv, .cmd = kAck, .wnd = wnd, .ts = ts, .sn = sn, .una = una});
}

}  // namespace

// ----- worked examples produced by running ikcp.c 1.7.1, byte for byte ------------

BOOST_AUTO_TEST_CASE(first_update_sends_nothing_then_hello_goes_out) {
    Endpoint a(0x11223344);
    a.update(1000);
    BOOST_TEST(a.out.datagrams.empty());
    BOOST_TEST(a.kcp.state().cwnd == 1u);  // cwnd starts at 0 and is raised by the flush
    BOOST_TEST(a.kcp.send(text("hello")) == 5);
    a.kcp.flush(a.now);
    BOOST_REQUIRE_EQUAL(a.out.datagrams.size(), 1u);
    const Bytes expected =
        concat({Bytes{0x44, 0x33, 0x22, 0x11, 0x51, 0x00, 0x80, 0x00, 0xe8, 0x03, 0x00, 0x00,
                      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00},
                text("hello")});
    BOOST_TEST(a.out.datagrams[0] == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(receiver_acks_with_echoed_ts_and_shrunk_window) {
    Endpoint a(0x11223344), b(0x11223344);
    a.update(1000);
    a.kcp.send(text("hello"));
    a.kcp.flush(a.now);
    b.update(1000);
    BOOST_TEST(b.kcp.input(a.out.take_one(), b.now) == rc::ok);
    b.kcp.flush(b.now);
    const Bytes expected{0x44, 0x33, 0x22, 0x11, 0x52, 0x00, 0x7f, 0x00, 0xe8, 0x03, 0x00, 0x00,
                         0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    BOOST_REQUIRE_EQUAL(b.out.datagrams.size(), 1u);
    BOOST_TEST(b.out.datagrams[0] == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(fragments_count_down_and_never_exceed_mtu) {
    Endpoint a(7);
    BOOST_TEST(a.kcp.setmtu(50) == rc::ok);
    a.kcp.nodelay(1, 10, 2, 1);
    a.update(5);
    Bytes msg(60);
    for (int i = 0; i < 60; ++i) msg[i] = static_cast<std::uint8_t>(i);
    BOOST_TEST(a.kcp.send(msg) == 60);
    a.kcp.flush(a.now);
    BOOST_REQUIRE_EQUAL(a.out.datagrams.size(), 3u);
    const std::uint8_t frg[] = {2, 1, 0};
    const std::uint32_t len[] = {26, 26, 8};
    for (int i = 0; i < 3; ++i) {
        const auto h = headers_of(a.out.datagrams[i]);
        BOOST_REQUIRE_EQUAL(h.size(), 1u);
        BOOST_TEST(h[0].frg == frg[i]);
        BOOST_TEST(h[0].sn == static_cast<std::uint32_t>(i));
        BOOST_TEST(h[0].len == len[i]);
        BOOST_TEST(h[0].ts == 5u);
        BOOST_TEST(a.out.datagrams[i].size() <= 50u);
    }
}

// ----- send / recv / peeksize ------------------------------------------------------

BOOST_AUTO_TEST_CASE(send_refuses_128_fragments_but_takes_127) {
    Endpoint a(1);
    const std::uint32_t mss = a.kcp.mss();
    BOOST_TEST(a.kcp.send(Bytes(mss * 127)) == static_cast<int>(mss * 127));
    BOOST_TEST(a.kcp.waitsnd() == 127);
    BOOST_TEST(a.kcp.send(Bytes(mss * 127 + 1)) == rc::send_too_many_fragments);
    BOOST_TEST(a.kcp.waitsnd() == 127);
}

BOOST_AUTO_TEST_CASE(empty_message_is_one_zero_length_segment_but_nothing_in_stream_mode) {
    Endpoint a(1);
    BOOST_TEST(a.kcp.send({}) == 0);
    BOOST_TEST(a.kcp.waitsnd() == 1);
    Endpoint s(1);
    s.kcp.set_stream(true);
    BOOST_TEST(s.kcp.send({}) == 0);
    BOOST_TEST(s.kcp.waitsnd() == 0);
}

BOOST_AUTO_TEST_CASE(stream_mode_tops_up_the_last_unsent_segment) {
    Endpoint a(1);
    a.kcp.set_stream(true);
    const int mss = static_cast<int>(a.kcp.mss());
    BOOST_TEST(a.kcp.send(Bytes(10)) == 10);
    BOOST_TEST(a.kcp.send(Bytes(mss)) == mss);  // 10 bytes fill the first, rest a second
    BOOST_TEST(a.kcp.waitsnd() == 2);
    // Too big for the fragment limit: only the bytes that topped up the last segment
    // (mss - 10 of them) stay queued, and their count is returned.
    BOOST_TEST(a.kcp.send(Bytes(static_cast<std::size_t>(mss) * 200)) == mss - 10);
    BOOST_TEST(a.kcp.waitsnd() == 2);
}

BOOST_AUTO_TEST_CASE(recv_codes_empty_incomplete_too_small_and_peek) {
    Endpoint b(9);
    Bytes buf(100);
    BOOST_TEST(b.kcp.recv(buf) == rc::recv_empty);
    BOOST_TEST(b.kcp.peeksize() == -1);
    b.update(0);
    // Fragment 1 of 2 (frg counts down), then fragment 0.
    BOOST_TEST(
        b.kcp.input(segment({.conv = 9, .cmd = kPush, .frg = 1, .wnd = 128, .sn = 0}, text("abc")),
                    b.now) == rc::ok);
    BOOST_TEST(b.kcp.recv(buf) == rc::recv_incomplete);
    BOOST_TEST(
        b.kcp.input(segment({.conv = 9, .cmd = kPush, .frg = 0, .wnd = 128, .sn = 1}, text("de")),
                    b.now) == rc::ok);
    BOOST_TEST(b.kcp.peeksize() == 5);
    Bytes small(4);
    BOOST_TEST(b.kcp.recv(small) == rc::recv_too_small);
    BOOST_TEST(b.kcp.recv(buf, /*peek=*/true) == 5);
    BOOST_TEST(b.kcp.state().nrcv_que == 2u);
    BOOST_TEST(b.kcp.recv(buf) == 5);
    BOOST_TEST(Bytes(buf.begin(), buf.begin() + 5) == text("abcde"));
    BOOST_TEST(b.kcp.state().nrcv_que == 0u);
}

// ----- RTT estimator and RTO --------------------------------------------------------

BOOST_AUTO_TEST_CASE(rtt_samples_use_the_latched_clock_and_integer_math) {
    Endpoint a(3);
    a.update(1000);
    a.kcp.send(text("x"));
    a.kcp.send(text("y"));
    a.kcp.nodelay(-1, -1, -1, 1);  // no cwnd limit: both go out now
    a.kcp.flush(a.now);
    a.update(1050);  // latches 1050; not yet a flush tick (next is 1100)
    BOOST_TEST(a.out.datagrams.size() == 1u);
    BOOST_TEST(a.kcp.input(ack(3, 0, 1000, 0), a.now) == rc::ok);
    auto st = a.kcp.state();
    BOOST_TEST(st.rx_srtt == 50);
    BOOST_TEST(st.rx_rttval == 25);
    BOOST_TEST(st.rx_rto == 150);  // 50 + max(interval 100, 4 * 25)
    a.update(1080);
    BOOST_TEST(a.kcp.input(ack(3, 1, 1000, 2), a.now) == rc::ok);  // rtt 80
    st = a.kcp.state();
    BOOST_TEST(st.rx_srtt == 53);    // (7 * 50 + 80) / 8
    BOOST_TEST(st.rx_rttval == 26);  // (3 * 25 + 30) / 4
    BOOST_TEST(st.rx_rto == 157);    // 53 + max(100, 104)
    BOOST_TEST(st.snd_una == 2u);
    BOOST_TEST(st.nsnd_buf == 0u);
}

BOOST_AUTO_TEST_CASE(rto_backoff_doubles_without_nodelay) {
    Endpoint a(4);
    a.update(1000);
    a.kcp.send(text("x"));
    a.kcp.flush(a.now);  // first send at 1000: resendts = 1000 + 200 + 200/8 = 1225
    a.out.datagrams.clear();
    a.update(1100);
    a.update(1200);
    BOOST_TEST(a.out.datagrams.empty());
    a.update(1300);  // due: rto 200 -> 400, resend at 1700
    BOOST_REQUIRE_EQUAL(a.out.datagrams.size(), 1u);
    BOOST_TEST(headers_of(a.out.take_one())[0].ts == 1300u);
    BOOST_TEST(a.kcp.state().xmit == 1u);
    BOOST_TEST(a.kcp.state().ssthresh == 2u);
    BOOST_TEST(a.kcp.state().cwnd == 1u);
    BOOST_TEST(a.kcp.check(1300) == 1400u);
    for (std::uint32_t t = 1400; t < 1700; t += 100) a.update(t);
    BOOST_TEST(a.out.datagrams.empty());
    a.update(1700);  // rto 400 -> 800, resend at 2500
    BOOST_TEST(a.out.datagrams.size() == 1u);
    for (std::uint32_t t = 1800; t < 2500; t += 100) a.update(t);
    BOOST_TEST(a.out.datagrams.size() == 1u);
    a.update(2500);
    BOOST_TEST(a.out.datagrams.size() == 2u);
}

BOOST_AUTO_TEST_CASE(rto_backoff_grows_by_half_in_nodelay_modes) {
    for (const int mode : {1, 2}) {
        Endpoint a(5);
        a.kcp.nodelay(mode, 100, 0, 1);
        a.update(1000);
        a.kcp.send(text("x"));
        a.kcp.flush(a.now);  // rto 200, no rtomin in nodelay: resend at 1200
        a.out.datagrams.clear();
        a.update(1100);
        BOOST_TEST(a.out.datagrams.empty());
        a.update(1200);
        BOOST_TEST(a.out.datagrams.size() == 1u);
        // mode 1: rto += rto / 2 (300, then 450); mode 2: rto += rx_rto / 2 (300, then 400).
        const std::uint32_t second = 1200 + 300;
        const std::uint32_t third = second + (mode == 1 ? 450u : 400u);
        for (std::uint32_t t = 1300; t < second; t += 100) a.update(t);
        BOOST_TEST(a.out.datagrams.size() == 1u);
        a.update(second);
        BOOST_TEST(a.out.datagrams.size() == 2u);
        a.update(third - 50);
        BOOST_TEST(a.out.datagrams.size() == 2u);
        a.update(third);  // latches the clock; the tick may lie later, so flush now
        a.kcp.flush(a.now);
        BOOST_TEST(a.out.datagrams.size() == 3u);
    }
}

// ----- fast retransmit and FASTACK_CONSERVE -------------------------------------------

BOOST_AUTO_TEST_CASE(two_skipping_acks_trigger_a_fast_retransmit) {
    Endpoint a(6);
    a.kcp.nodelay(1, 10, 2, 1);
    a.update(1000);
    for (const char* m : {"a", "b", "c"}) a.kcp.send(text(m));
    a.kcp.flush(a.now);
    a.out.datagrams.clear();
    a.update(1010);
    a.kcp.input(ack(6, 1, 1000, 0), a.now);
    a.kcp.input(ack(6, 2, 1000, 0), a.now);
    a.kcp.flush(a.now);
    BOOST_REQUIRE_EQUAL(a.out.datagrams.size(), 1u);
    const auto h = headers_of(a.out.datagrams[0]);
    BOOST_REQUIRE_EQUAL(h.size(), 1u);
    BOOST_TEST(h[0].sn == 0u);
    BOOST_TEST(h[0].ts == 1010u);
    BOOST_TEST(a.kcp.state().ssthresh == 2u);  // inflight 3 / 2, at least 2
    BOOST_TEST(a.kcp.state().cwnd == 4u);      // ssthresh + resend
    BOOST_TEST(a.kcp.state().xmit == 0u);      // fast retransmits are not RTO retransmits
}

BOOST_AUTO_TEST_CASE(conserve_ignores_acks_older_than_the_last_send) {
    // seg 0 and 1 sent at 1000, both retransmitted by RTO at 1300; an ACK for the original
    // copy of seg 1 (ts 1000) skips seg 0. Without CONSERVE that counts as a duplicate.
    for (const Profile* profile : {&kIkcpProfile, &kIkcpPreConserveProfile}) {
        Endpoint a(8, *profile);
        a.kcp.nodelay(0, 100, 1, 1);
        a.update(1000);
        a.kcp.send(text("a"));
        a.kcp.send(text("b"));
        a.kcp.flush(a.now);
        a.update(1100);
        a.update(1200);
        a.update(1300);
        a.out.datagrams.clear();
        a.kcp.input(ack(8, 1, 1000, 0), a.now);
        a.kcp.flush(a.now);
        const bool fast_resent = !a.out.datagrams.empty();
        BOOST_TEST(fast_resent == !profile->fastack_conserve, profile->name);
    }
}

// ----- windows and probes -----------------------------------------------------------

BOOST_AUTO_TEST_CASE(zero_remote_window_is_probed_after_7000_then_10500_ms) {
    Endpoint a(10);
    a.update(1000);
    a.kcp.input(segment({.conv = 10, .cmd = kWins, .wnd = 0}), a.now);
    BOOST_TEST(a.kcp.state().rmt_wnd == 0u);
    a.update(1100);  // first flush that sees the zero window: probe at 1100 + 7000
    for (std::uint32_t t = 1200; t < 8100; t += 100) a.update(t);
    BOOST_TEST(a.out.datagrams.empty());
    a.update(8100);
    BOOST_REQUIRE_EQUAL(a.out.datagrams.size(), 1u);
    const auto h = headers_of(a.out.take_one());
    BOOST_TEST(h[0].cmd == kWask);
    BOOST_TEST(h[0].sn == 0u);  // no ACK in this flush: the template's 0/0
    for (std::uint32_t t = 8200; t < 8100 + 10500; t += 100) a.update(t);
    BOOST_TEST(a.out.datagrams.empty());
    a.update(8100 + 10500);
    BOOST_TEST(a.out.datagrams.size() == 1u);
}

BOOST_AUTO_TEST_CASE(probes_carry_the_sn_and_ts_of_the_last_ack_in_the_flush) {
    Endpoint b(11);
    b.update(500);
    b.kcp.input(
        concat({segment({.conv = 11, .cmd = kPush, .wnd = 128, .ts = 77, .sn = 0}, text("x")),
                segment({.conv = 11, .cmd = kWask, .wnd = 128, .ts = 1, .sn = 1})}),
        b.now);
    b.kcp.flush(b.now);
    BOOST_REQUIRE_EQUAL(b.out.datagrams.size(), 1u);
    const auto h = headers_of(b.out.datagrams[0]);
    BOOST_REQUIRE_EQUAL(h.size(), 2u);
    BOOST_TEST(h[0].cmd == kAck);
    BOOST_TEST(h[1].cmd == kWins);
    BOOST_TEST(h[1].sn == 0u);
    BOOST_TEST(h[1].ts == 77u);
    BOOST_TEST(h[1].una == 1u);
    BOOST_TEST(h[1].wnd == 127u);
}

BOOST_AUTO_TEST_CASE(reading_a_full_window_sends_a_window_update) {
    Endpoint b(12);
    b.update(0);
    for (std::uint32_t sn = 0; sn < 128; ++sn)
        b.kcp.input(segment({.conv = 12, .cmd = kPush, .wnd = 128, .sn = sn}, text("z")), b.now);
    b.kcp.flush(b.now);
    const auto last_acks = headers_of(b.out.datagrams.back());
    BOOST_TEST(last_acks.back().wnd == 0u);  // window closed
    b.out.datagrams.clear();
    Bytes buf(10);
    BOOST_TEST(b.kcp.recv(buf) == 1);
    b.kcp.flush(b.now);
    BOOST_REQUIRE_EQUAL(b.out.datagrams.size(), 1u);
    const auto h = headers_of(b.out.datagrams[0]);
    BOOST_REQUIRE_EQUAL(h.size(), 1u);
    BOOST_TEST(h[0].cmd == kWins);
    BOOST_TEST(h[0].wnd == 1u);
    BOOST_TEST(h[0].una == 128u);
}

BOOST_AUTO_TEST_CASE(wndsize_keeps_the_receive_window_at_least_128) {
    Endpoint a(1);
    a.kcp.wndsize(4, 16);
    BOOST_TEST(a.kcp.snd_wnd() == 4u);
    BOOST_TEST(a.kcp.rcv_wnd() == 128u);
    a.kcp.wndsize(0, 4096);
    BOOST_TEST(a.kcp.snd_wnd() == 4u);
    BOOST_TEST(a.kcp.rcv_wnd() == 4096u);
}

// ----- timers -----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(check_reports_the_next_flush_or_resend) {
    Endpoint a(13);
    BOOST_TEST(a.kcp.check(5) == 5u);  // never updated
    a.update(1000);
    a.kcp.send(text("x"));
    a.kcp.flush(a.now);                      // resend due at 1225
    BOOST_TEST(a.kcp.check(1000) == 1100u);  // next flush tick first
    BOOST_TEST(a.kcp.check(1150) == 1150u);  // tick passed
    a.update(1200);
    BOOST_TEST(a.kcp.check(1210) == 1225u);  // the resend timer is nearer than 1300
    a.kcp.nodelay(-1, 5000, -1, -1);
    BOOST_TEST(a.kcp.check(1226) == 1226u);
}

BOOST_AUTO_TEST_CASE(a_clock_jump_of_10_s_resynchronises_the_flush_tick) {
    Endpoint a(14);
    a.update(1000);
    a.kcp.send(text("x"));
    a.update(30000);  // far past 1100: flush now, next tick 30100
    BOOST_TEST(a.out.datagrams.size() == 1u);
    BOOST_TEST(a.kcp.check(30000) == 30100u);
}

BOOST_AUTO_TEST_CASE(time_wraps_past_two_to_the_32) {
    Endpoint a(15);
    const std::uint32_t t0 = 0xFFFFFFF0u;
    a.update(t0);
    a.kcp.send(text("x"));
    a.kcp.flush(a.now);
    BOOST_TEST(headers_of(a.out.take_one())[0].ts == t0);
    a.update(t0 + 60);  // 0x2c after the wrap
    a.kcp.input(ack(15, 0, t0, 1), a.now);
    BOOST_TEST(a.kcp.state().rx_srtt == 60);
    BOOST_TEST(a.kcp.state().snd_una == 1u);
    BOOST_TEST(a.kcp.check(t0 + 60) == t0 + 100);
}

BOOST_AUTO_TEST_CASE(dead_link_marks_state_after_the_limit) {
    Endpoint a(16);
    a.kcp.set_dead_link(3);
    a.update(1000);
    a.kcp.send(text("x"));
    a.kcp.flush(a.now);                                             // xmit 1
    for (std::uint32_t t = 1100; t <= 1300; t += 100) a.update(t);  // xmit 2 at 1300
    BOOST_TEST(!a.kcp.dead());
    for (std::uint32_t t = 1400; t <= 1700; t += 100) a.update(t);  // xmit 3 at 1700
    BOOST_TEST(a.kcp.dead());
    BOOST_TEST(a.kcp.state().state == 0xFFFFFFFFu);
}

BOOST_AUTO_TEST_CASE(flush_does_nothing_before_the_first_update) {
    Endpoint a(17);
    a.kcp.send(text("x"));
    a.kcp.flush(a.now);
    BOOST_TEST(a.out.datagrams.empty());
}

BOOST_AUTO_TEST_CASE(setmtu_rejects_below_50_and_huge_values) {
    Endpoint a(18);
    BOOST_TEST(a.kcp.setmtu(49) == rc::setmtu_invalid);
    BOOST_TEST(a.kcp.setmtu(50) == rc::ok);
    BOOST_TEST(a.kcp.mss() == 26u);
    BOOST_TEST(a.kcp.setmtu(static_cast<int>(Kcp::kMaxMtu) + 1) == rc::setmtu_too_large);
    BOOST_TEST(a.kcp.mtu() == 50u);
}

BOOST_AUTO_TEST_CASE(nodelay_clamps_the_interval_and_sets_the_minimum_rto) {
    Endpoint a(19);
    a.kcp.nodelay(1, 1, -1, -1);
    BOOST_TEST(a.kcp.interval() == 10u);
    a.kcp.nodelay(-1, 99999, -1, -1);
    BOOST_TEST(a.kcp.interval() == 5000u);
    a.kcp.set_interval_raw(3);  // a direct field write is not clamped, as in C
    BOOST_TEST(a.kcp.interval() == 3u);
}

// ----- congestion window ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE(slow_start_then_congestion_avoidance) {
    Endpoint a(20);
    a.update(0);
    for (int i = 0; i < 10; ++i) a.kcp.send(text("x"));
    std::uint32_t t = 100;
    a.update(t);  // cwnd 1: sn 0
    std::uint32_t acked = 0;
    const std::uint32_t mss = a.kcp.mss();
    // Each ACK datagram that moves una grows cwnd by one while below ssthresh (2).
    a.kcp.input(ack(20, 0, t, ++acked, 128), a.now);
    BOOST_TEST(a.kcp.state().cwnd == 2u);
    BOOST_TEST(a.kcp.state().incr == 2 * mss);
    t += 100;
    a.update(t);  // sn 1, 2
    a.kcp.input(ack(20, 1, t, ++acked, 128), a.now);
    // Congestion avoidance: incr += mss*mss/incr + mss/16; cwnd rises when incr passes it.
    std::uint32_t incr = 2 * mss;
    incr += (mss * mss) / incr + mss / 16;
    BOOST_TEST(a.kcp.state().incr == incr);
    BOOST_TEST(a.kcp.state().cwnd == ((3 * mss <= incr) ? (incr + mss - 1) / mss : 2u));
}

// ----- bad input ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(bad_datagrams_return_c_codes_and_change_nothing) {
    Endpoint b(21);
    b.update(100);
    b.kcp.input(segment({.conv = 21, .cmd = kPush, .wnd = 128, .sn = 0}, text("ok")), b.now);
    const KcpState before = b.kcp.state();
    Bytes header = segment({.conv = 21, .cmd = kPush, .wnd = 128, .sn = 1}, text("abc"));

    BOOST_TEST(b.kcp.input(Bytes(23, 0), b.now) == rc::input_malformed);
    BOOST_TEST(b.kcp.input({}, b.now) == rc::input_malformed);
    Bytes wrong_conv = header;
    wrong_conv[0] ^= 1;
    BOOST_TEST(b.kcp.input(wrong_conv, b.now) == rc::input_malformed);
    Bytes truncated = header;
    truncated.pop_back();
    BOOST_TEST(b.kcp.input(truncated, b.now) == rc::input_truncated);
    Bytes huge_len = header;
    huge_len[23] = 0x80;  // len >= 2^31
    BOOST_TEST(b.kcp.input(huge_len, b.now) == rc::input_truncated);
    Bytes bad_cmd = header;
    bad_cmd[4] = 99;
    BOOST_TEST(b.kcp.input(bad_cmd, b.now) == rc::input_bad_command);
    BOOST_TEST(same_state(before, b.kcp.state()));
}

BOOST_AUTO_TEST_CASE(segments_before_a_bad_one_stay_processed) {
    Endpoint b(22);
    b.update(100);
    Bytes bad = segment({.conv = 22, .cmd = kAck, .sn = 9});
    bad[4] = 0;
    const Bytes d =
        concat({segment({.conv = 22, .cmd = kPush, .wnd = 128, .sn = 0}, text("hi")), bad});
    BOOST_TEST(b.kcp.input(d, b.now) == rc::input_bad_command);
    BOOST_TEST(b.kcp.state().rcv_nxt == 1u);
    // Trailing bytes shorter than a header are ignored.
    const Bytes tail = concat(
        {segment({.conv = 22, .cmd = kPush, .wnd = 128, .sn = 1}, text("yo")), Bytes(23, 0xff)});
    BOOST_TEST(b.kcp.input(tail, b.now) == rc::ok);
    BOOST_TEST(b.kcp.state().rcv_nxt == 2u);
}

BOOST_AUTO_TEST_CASE(out_of_window_and_old_segments_are_not_stored) {
    Endpoint b(23);
    b.update(100);
    // Beyond rcv_nxt + rcv_wnd: dropped without an ACK.
    b.kcp.input(segment({.conv = 23, .cmd = kPush, .wnd = 128, .sn = 128}, text("far")), b.now);
    b.kcp.input(segment({.conv = 23, .cmd = kPush, .wnd = 128, .sn = 0x7fffffff}, text("far")),
                b.now);
    BOOST_TEST(b.kcp.state().nrcv_buf == 0u);
    b.kcp.flush(b.now);
    BOOST_TEST(b.out.datagrams.empty());
    // A duplicate is acknowledged again but stored once.
    b.kcp.input(segment({.conv = 23, .cmd = kPush, .wnd = 128, .sn = 3}, text("a")), b.now);
    b.kcp.input(segment({.conv = 23, .cmd = kPush, .wnd = 128, .sn = 3}, text("a")), b.now);
    BOOST_TEST(b.kcp.state().nrcv_buf == 1u);
    b.kcp.flush(b.now);
    BOOST_TEST(headers_of(b.out.datagrams.at(0)).size() == 2u);
}
