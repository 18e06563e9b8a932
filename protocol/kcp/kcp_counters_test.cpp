// Kcp::counters(): the retransmission and repeat counts behind kcp-go's SNMP LostSegs,
// FastRetransSegs, EarlyRetransSegs, RetransSegs and RepeatSegs. Each scenario uses
// literal clock values and checks every counter, so a transmission counted under the
// wrong kind fails as well as a missing one. The last test checks the counts against
// what crossed the wire on a lossy, duplicating link.
#define BOOST_TEST_MODULE kcp_counters
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <set>

#include "kcpkit/kcp/kcp.hpp"
#include "kcpkit/kcp/test_support.hpp"

using namespace kcpkit::kcp;
using namespace kcpkit::kcp::testing;

namespace {

constexpr std::uint32_t kConv = 0x0a0b0c0d;

/// Both profiles see the same clock (at() updates too; see ClockedEndpoint).
struct Endpoint : ClockedEndpoint {
    explicit Endpoint(const Profile& p) : ClockedEndpoint(kConv, p, true) {}
};

Bytes push(std::uint32_t sn, std::uint32_t ts = 1, std::uint32_t una = 0) {
    return segment({.conv = kConv, .cmd = kPush, .wnd = 32, .ts = ts, .sn = sn, .una = una},
                   text("p"));
}

Bytes ack(std::uint32_t sn, std::uint32_t ts, std::uint32_t una = 0) {
    return segment({.conv = kConv, .cmd = kAck, .wnd = 32, .ts = ts, .sn = sn, .una = una});
}

std::size_t pushes_in(const std::vector<SegmentHeader>& headers) {
    return static_cast<std::size_t>(std::count_if(
        headers.begin(), headers.end(), [](const SegmentHeader& h) { return h.cmd == kPush; }));
}

/// nodelay fast3 (fastresend 2), `count` letters sent at 1000, then `acks` arrive at `at`.
void send_then_ack(Endpoint& e, int count, std::uint32_t at, const Bytes& acks) {
    e.kcp.nodelay(1, 10, 2, 1);
    send_letters(e, count, 1000);
    BOOST_TEST(pushes_in(e.take()) == static_cast<std::size_t>(count));
    e.now = at;
    BOOST_TEST(e.kcp.input(acks, e.now) == rc::ok);
}

struct Expected {
    std::uint64_t lost = 0, fast = 0, early = 0, repeat = 0;
};

void check_counters(const Kcp& kcp, const Expected& e) {
    const Kcp::Counters& c = kcp.counters();
    BOOST_TEST(c.lost_segs == e.lost);
    BOOST_TEST(c.fast_retrans_segs == e.fast);
    BOOST_TEST(c.early_retrans_segs == e.early);
    BOOST_TEST(c.repeat_segs == e.repeat);
    BOOST_TEST(c.retrans_segs() == e.lost + e.fast + e.early);
}

const Profile* const kAllProfiles[] = {&kIkcpProfile, &kKcpGoProfile, &kKcpGo561Profile};
const Profile* const kKcpGoProfiles[] = {&kKcpGoProfile, &kKcpGo561Profile};

}  // namespace

BOOST_AUTO_TEST_CASE(a_new_kcp_counts_nothing) {
    for (const Profile* p : kAllProfiles) {
        BOOST_TEST_CONTEXT(p->name) {
            const Kcp kcp(kConv, *p);
            check_counters(kcp, {});
        }
    }
}

BOOST_AUTO_TEST_CASE(ikcp_two_skipping_acks_count_one_fast_retransmission) {
    // a, b, c at 1000 (fastresend 2); ACKs of sn 1 and sn 2 in two datagrams at 1010 skip
    // sn 0 twice, so the flush at 1010 resends it: a fast retransmission, not a loss.
    Endpoint a(kIkcpProfile);
    a.kcp.nodelay(1, 10, 2, 1);
    send_letters(a, 3, 1000);
    a.take();
    a.at(1010);
    a.take();
    a.kcp.input(ack(1, 1000), a.now);
    a.kcp.input(ack(2, 1000), a.now);
    check_counters(a.kcp, {});  // counted when sent, not when the ACKs arrive
    a.kcp.flush(a.now);
    const auto h = a.take();
    BOOST_REQUIRE_EQUAL(h.size(), 1u);
    BOOST_TEST((h[0].sn == 0u && h[0].ts == 1010u));
    check_counters(a.kcp, {.fast = 1});
    BOOST_TEST(a.kcp.state().xmit == 0u);
    a.at(1020);  // C reset fastack to 0 and the timer is 30+ ms away: nothing more
    BOOST_TEST(a.take().empty());
    check_counters(a.kcp, {.fast = 1});
}

BOOST_AUTO_TEST_CASE(kcp_go_counts_each_fast_retransmitted_segment) {
    // Four segments at 1000; ACK 2 and ACK 3 in one datagram at 1050: kcp-go counts a skip
    // per ACK, so sn 0 and sn 1 reach fastresend 2 and both are resent (v5.6.72 flushes
    // from inside input, v5.6.1 at the explicit flush): two fast retransmissions.
    for (const Profile* p : kKcpGoProfiles) {
        BOOST_TEST_CONTEXT(p->name) {
            Endpoint g(*p);
            send_then_ack(g, 4, 1050, concat({ack(2, 1000), ack(3, 1000)}));
            g.kcp.flush(g.now);
            const auto h = g.take();
            BOOST_REQUIRE_EQUAL(h.size(), 2u);
            BOOST_TEST((h[0].sn == 0u && h[1].sn == 1u && h[0].ts == 1050u));
            check_counters(g.kcp, {.fast = 2});
        }
    }
}

BOOST_AUTO_TEST_CASE(kcp_go_counts_an_early_retransmission_ikcp_has_none) {
    // a, b at 1000, fastresend 2. An ACK of sn 1 at 1005 gives sn 0 one skip (below the
    // threshold, no flush from input). The flush at 1010 moves nothing new into flight, so
    // kcp-go early-retransmits sn 0. The C original, given the same calls, sends nothing.
    for (const Profile* p : kAllProfiles) {
        BOOST_TEST_CONTEXT(p->name) {
            Endpoint g(*p);
            send_then_ack(g, 2, 1005, ack(1, 1000));
            BOOST_TEST(g.take().empty());
            g.at(1010);
            const auto h = g.take();
            if (p->early_retransmit) {
                BOOST_REQUIRE_EQUAL(h.size(), 1u);
                BOOST_TEST((h[0].sn == 0u && h[0].ts == 1010u));
                check_counters(g.kcp, {.early = 1});
            } else {
                BOOST_TEST(h.empty());
                check_counters(g.kcp, {});
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(kcp_go_moving_new_data_rules_out_an_early_retransmission) {
    // As above, but "c" is queued before the flush at 1010: it enters flight, so sn 0 is
    // not resent and nothing is counted.
    for (const Profile* p : kKcpGoProfiles) {
        BOOST_TEST_CONTEXT(p->name) {
            Endpoint g(*p);
            send_then_ack(g, 2, 1005, ack(1, 1000));
            g.kcp.send(text("c"));
            g.at(1010);
            const auto h = g.take();
            BOOST_REQUIRE_EQUAL(h.size(), 1u);
            BOOST_TEST(h[0].sn == 2u);
            check_counters(g.kcp, {});
        }
    }
}

BOOST_AUTO_TEST_CASE(ikcp_counts_each_timeout_as_a_lost_segment) {
    // "x" at 1000: first timeout at 1225 (rto 200 + 200/8), the ticks of 1300, 1700 and
    // 2500 resend it (rto doubles). LostSegs follows the C original's xmit.
    Endpoint a(kIkcpProfile);
    send_letters(a, 1, 1000);
    a.take();
    a.at(1100);
    a.at(1200);
    check_counters(a.kcp, {});
    std::uint64_t lost = 0;
    for (const std::uint32_t t : {1300u, 1700u, 2500u}) {
        a.at(t - 100);
        BOOST_TEST(a.take().empty());
        a.at(t);
        BOOST_TEST(pushes_in(a.take()) == 1u);
        check_counters(a.kcp, {.lost = ++lost});
        BOOST_TEST(a.kcp.state().xmit == lost);
    }
}

BOOST_AUTO_TEST_CASE(kcp_go_counts_each_timeout_as_a_lost_segment) {
    // nodelay 0, interval 1000, "x" at 1000: resent at 1200, 1600, 2200, 3000 (each timeout
    // adds rx_rto); one lost segment per resend, nothing at the millisecond before.
    for (const Profile* p : kKcpGoProfiles) {
        BOOST_TEST_CONTEXT(p->name) {
            Endpoint g(*p);
            g.kcp.nodelay(0, 1000, 0, 1);
            g.kcp.send(text("x"));
            g.now = 1000;
            g.kcp.flush(g.now);
            g.take();
            std::uint64_t lost = 0;
            for (const std::uint32_t t : {1200u, 1600u, 2200u, 3000u}) {
                g.now = t - 1;
                g.kcp.flush(g.now);
                BOOST_TEST(g.take().empty());
                check_counters(g.kcp, {.lost = lost});
                g.now = t;
                g.kcp.flush(g.now);
                BOOST_TEST(pushes_in(g.take()) == 1u);
                check_counters(g.kcp, {.lost = ++lost});
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(duplicate_and_out_of_window_pushes_are_repeats) {
    for (const Profile* p : kAllProfiles) {
        BOOST_TEST_CONTEXT(p->name) {
            Endpoint b(*p);
            b.at(1000);
            const std::uint32_t wnd = b.kcp.rcv_wnd();  // ikcp 128, kcp-go 32
            BOOST_TEST(b.kcp.input(push(0), b.now) == rc::ok);
            check_counters(b.kcp, {});
            BOOST_TEST(b.kcp.input(push(0), b.now) == rc::ok);  // already delivered (sn < rcv_nxt)
            check_counters(b.kcp, {.repeat = 1});
            BOOST_TEST(b.kcp.input(push(2), b.now) == rc::ok);  // held in rcv_buf, sn 1 missing
            BOOST_TEST(b.kcp.input(push(2), b.now) == rc::ok);  // ... and again
            check_counters(b.kcp, {.repeat = 2});
            BOOST_TEST(b.kcp.input(push(wnd), b.now) == rc::ok);  // rcv_nxt 1: the last in window
            check_counters(b.kcp, {.repeat = 2});
            BOOST_TEST(b.kcp.input(push(wnd + 1), b.now) == rc::ok);  // beyond the window
            check_counters(b.kcp, {.repeat = 3});
            BOOST_TEST(b.kcp.state().nrcv_buf == 2u);  // sn 2 and sn wnd, once each
            // ACK, WASK and WINS are never repeats, however often they come.
            for (int i = 0; i < 2; ++i) {
                b.kcp.input(ack(0, 1), b.now);
                b.kcp.input(segment({.conv = kConv, .cmd = kWask, .wnd = 32}), b.now);
                b.kcp.input(segment({.conv = kConv, .cmd = kWins, .wnd = 32}), b.now);
            }
            check_counters(b.kcp, {.repeat = 3});
        }
    }
}

BOOST_AUTO_TEST_CASE(rebuilt_datagrams_count_no_repeats) {
    // kcp-go counts RepeatSegs only for regular packets: its FEC decoder can hand the same
    // datagram to KCP again (docs/fec.md, "The traps"). Honoured under every profile.
    for (const Profile* p : kAllProfiles) {
        BOOST_TEST_CONTEXT(p->name) {
            Endpoint b(*p);
            b.at(1000);
            b.kcp.input(push(0), b.now, PacketType::fec_recovered);
            b.kcp.input(push(0), b.now, PacketType::fec_recovered);
            b.kcp.input(push(500), b.now, PacketType::fec_recovered);
            check_counters(b.kcp, {});
            BOOST_TEST(b.kcp.state().rcv_nxt == 1u);  // the first copy was taken
            b.kcp.input(push(0), b.now);
            check_counters(b.kcp, {.repeat = 1});
        }
    }
}

BOOST_AUTO_TEST_CASE(repeats_before_a_bad_segment_stay_counted) {
    // As with every effect of the segments before a malformed one (C and kcp-go alike).
    for (const Profile* p : kAllProfiles) {
        BOOST_TEST_CONTEXT(p->name) {
            Endpoint b(*p);
            b.at(1000);
            b.kcp.input(push(0), b.now);
            Bytes bad = push(1);
            bad[4] = 99;  // no such command
            BOOST_TEST(b.kcp.input(concat({push(0), bad}), b.now) == rc::input_bad_command);
            check_counters(b.kcp, {.repeat = 1});
            Bytes truncated = push(0);
            truncated.pop_back();  // len says 1 byte, none left
            BOOST_TEST(b.kcp.input(truncated, b.now) == rc::input_truncated);
            check_counters(b.kcp, {.repeat = 1});
        }
    }
}

BOOST_AUTO_TEST_CASE(counts_match_the_wire_on_a_lossy_duplicating_link) {
    // Sender: every PUSH it emitted is a first transmission of a distinct sn or one of the
    // counted retransmissions. Receiver: every PUSH it was given is either stored once (and,
    // with everything delivered, rcv_nxt says how many) or a counted repeat.
    for (const Profile* p : kAllProfiles) {
        BOOST_TEST_CONTEXT(p->name) {
            VirtualLink forward({.loss = 0.1, .duplicate = 0.05, .delay_ms = 30, .jitter_ms = 20},
                                7);
            VirtualLink backward({.loss = 0.1, .delay_ms = 30, .jitter_ms = 20}, 8);
            Kcp a(kConv, *p), b(kConv, *p);
            std::uint32_t now = 0;
            std::size_t pushes_sent = 0, pushes_received = 0;
            std::set<std::uint32_t> sns_sent;
            auto a_out = [&](std::span<const std::uint8_t> d) {
                const Bytes bytes(d.begin(), d.end());
                for (const auto& h : headers_of(bytes)) {
                    if (h.cmd != kPush) continue;
                    ++pushes_sent;
                    sns_sent.insert(h.sn);
                }
                forward.carry(now, bytes);
            };
            auto b_out = [&](std::span<const std::uint8_t> d) {
                backward.carry(now, Bytes(d.begin(), d.end()));
            };
            a.set_output(a_out);
            b.set_output(b_out);
            for (Kcp* k : {&a, &b}) k->nodelay(1, 10, 2, 1);

            const auto messages = random_messages(3, 400, 3000);
            std::size_t queued = 0, received = 0;
            Bytes buf(4096);
            for (int tick = 0; tick < 60000 && received < messages.size(); ++tick) {
                now = static_cast<std::uint32_t>(tick) * 10;
                while (queued < messages.size() && a.waitsnd() < 64) a.send(messages[queued++]);
                a.update(now);
                b.update(now);
                forward.deliver(now, [&](const Bytes& d) {
                    pushes_received += pushes_in(headers_of(d));
                    b.input(d, now);
                });
                backward.deliver(now, [&](const Bytes& d) { a.input(d, now); });
                for (int n; (n = b.recv(buf)) >= 0; ++received)
                    BOOST_REQUIRE(Bytes(buf.begin(), buf.begin() + n) == messages[received]);
            }
            BOOST_REQUIRE_EQUAL(received, messages.size());
            for (int tick = 0; tick < 100; ++tick) {  // let the last duplicates land
                now += 10;
                forward.deliver(now, [&](const Bytes& d) {
                    pushes_received += pushes_in(headers_of(d));
                    b.input(d, now);
                });
            }
            BOOST_REQUIRE(forward.idle());

            const Kcp::Counters& ca = a.counters();
            BOOST_TEST(pushes_sent == sns_sent.size() + ca.retrans_segs());
            BOOST_TEST(ca.lost_segs > 0u);
            BOOST_TEST(ca.fast_retrans_segs > 0u);
            BOOST_TEST((ca.early_retrans_segs > 0u) == p->early_retransmit);
            BOOST_TEST(ca.lost_segs == a.state().xmit);
            BOOST_TEST(ca.repeat_segs == 0u);  // A received no PUSH

            const Kcp::Counters& cb = b.counters();
            BOOST_TEST(b.state().nrcv_buf == 0u);
            BOOST_TEST(pushes_received == b.state().rcv_nxt + cb.repeat_segs);
            BOOST_TEST(cb.repeat_segs > 0u);
            BOOST_TEST(cb.retrans_segs() == 0u);  // B sent only ACKs
        }
    }
}
