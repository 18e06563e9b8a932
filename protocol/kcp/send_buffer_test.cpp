// The send buffer: its invariants (send_buffer.hpp) after every kind of change, under both
// policies for selectively acknowledged segments, and the idle skip against a brute-force
// look at every segment.
#define BOOST_TEST_MODULE send_buffer
#include "kcpkit/kcp/send_buffer.hpp"

#include <boost/test/unit_test.hpp>
#include <random>

using namespace kcpkit::kcp;

namespace {

constexpr std::uint32_t kNoFastResend = 0xFFFFFFFFu;

/// A buffer whose pushed segments carry sn 100, 101, ... and a one-byte payload.
struct Fixture {
    PayloadPool pool;
    SendBuffer buf;
    std::uint32_t next_sn = 100;

    explicit Fixture(AckedSegments acked, bool sentinel = false) : buf(acked, sentinel) {}

    void push(int count) {
        for (int i = 0; i < count; ++i) {
            Segment seg;
            seg.payload = pool.acquire(1);
            seg.len = 1;
            seg.sn = next_sn++;
            buf.push(std::move(seg));
        }
    }

    /// A transmission scan at `now` as the core runs it: first sends get resendts now + rto,
    /// expired timers are re-armed; returns how many segments it sent.
    int scan(std::uint32_t now, std::uint32_t rto = 200) {
        int sent = 0;
        buf.begin_scan();
        for (std::size_t i = 0; i < buf.size(); ++i) {
            Segment& seg = buf[i];
            if (!seg.live) continue;
            if (seg.xmit == 0 || wrap_diff(now, seg.resendts) >= 0) {
                ++seg.xmit;
                seg.resendts = now + rto;
                ++sent;
            }
            buf.scanned(seg);
        }
        buf.end_scan();
        return sent;
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(an_empty_buffer_holds_its_rules_and_is_never_idle) {
    Fixture f(AckedSegments::dropped);
    BOOST_TEST(f.buf.invariants_hold());
    std::uint32_t next = 10;
    // Nothing in flight: the core's loop is cheap, so no skip is claimed.
    BOOST_TEST(!f.buf.idle_until(0, kNoFastResend, false, next));
    BOOST_TEST(next == 10u);
}

BOOST_AUTO_TEST_CASE(pushed_segments_are_live_unsent_and_contiguous) {
    Fixture f(AckedSegments::dropped);
    f.push(3);
    BOOST_TEST(f.buf.size() == 3u);
    BOOST_TEST(f.buf.live_count() == 3u);
    BOOST_TEST(f.buf.has_unsent());
    BOOST_TEST(f.buf.front().sn == 100u);
    BOOST_TEST(f.buf[2].sn == 102u);
    BOOST_TEST(f.buf.invariants_hold());
    std::uint32_t next = 10;
    BOOST_TEST(!f.buf.idle_until(0, kNoFastResend, false, next));  // first sends are due
}

BOOST_AUTO_TEST_CASE(after_a_scan_the_skip_holds_until_the_earliest_timer) {
    Fixture f(AckedSegments::dropped);
    f.push(2);
    BOOST_TEST(f.scan(1000) == 2);
    BOOST_TEST(!f.buf.has_unsent());
    BOOST_TEST(f.buf.earliest_resend_exact());
    BOOST_TEST(f.buf.earliest_resend() == 1200u);
    BOOST_TEST(f.buf.invariants_hold());

    std::uint32_t next = 10;
    BOOST_TEST(f.buf.idle_until(1190, kNoFastResend, false, next));
    BOOST_TEST(next == 10u);  // the timer (10 ms away) is not earlier than the interval
    next = 100;
    BOOST_TEST(f.buf.idle_until(1195, kNoFastResend, false, next));
    BOOST_TEST(next == 5u);  // lowered to the timer, as the loop would
    BOOST_TEST(!f.buf.idle_until(1200, kNoFastResend, false, next));  // due
}

BOOST_AUTO_TEST_CASE(acknowledging_the_earliest_segment_makes_the_bound_inexact) {
    Fixture f(AckedSegments::dropped);
    f.push(1);
    f.scan(1000);  // sn 100 at 1200
    f.push(1);
    f.scan(1050);  // sn 101 at 1250; sn 100 not due
    BOOST_TEST(f.buf.earliest_resend() == 1200u);
    f.buf.acknowledge(101, f.pool);  // not the earliest: stays exact
    BOOST_TEST(f.buf.earliest_resend_exact());
    BOOST_TEST(f.buf.live_count() == 1u);
    BOOST_TEST(f.buf.size() == 2u);  // a tombstone behind a live front
    BOOST_TEST(f.buf.invariants_hold());

    f.push(1);
    f.scan(1100);  // sn 102 at 1300
    f.buf.acknowledge(100, f.pool);
    BOOST_TEST(!f.buf.earliest_resend_exact());
    BOOST_TEST(f.buf.front().sn == 102u);  // the front tombstones left with it
    BOOST_TEST(f.buf.size() == 1u);
    BOOST_TEST(f.buf.invariants_hold());
    std::uint32_t next = 10;
    BOOST_TEST(!f.buf.idle_until(1150, kNoFastResend, false, next));  // must scan again
    f.scan(1150);
    BOOST_TEST(f.buf.earliest_resend() == 1300u);
    BOOST_TEST(f.buf.idle_until(1150, kNoFastResend, false, next));
}

BOOST_AUTO_TEST_CASE(kept_acknowledged_segments_wait_for_una_and_count) {
    Fixture f(AckedSegments::kept_until_una);
    f.push(3);
    f.scan(0);
    f.buf.acknowledge(100, f.pool);
    f.buf.acknowledge(100, f.pool);  // twice: no effect
    BOOST_TEST(f.buf.size() == 3u);
    BOOST_TEST(f.buf.live_count() == 2u);
    BOOST_TEST(f.buf.count() == 3u);  // counted until una passes it
    BOOST_TEST(f.buf.invariants_hold());
    BOOST_TEST(f.buf.remove_before(101, f.pool) == 1u);
    BOOST_TEST(f.buf.front().sn == 101u);
    BOOST_TEST(f.buf.count() == 2u);

    Fixture c(AckedSegments::dropped);
    c.push(3);
    c.scan(0);
    c.buf.acknowledge(101, c.pool);
    BOOST_TEST(c.buf.count() == 2u);                     // C forgets it at once
    BOOST_TEST(c.buf.remove_before(102, c.pool) == 1u);  // sn 100; 101's tombstone follows
    BOOST_TEST(c.buf.front().sn == 102u);
    BOOST_TEST(c.buf.invariants_hold());
}

BOOST_AUTO_TEST_CASE(acknowledgements_outside_the_buffer_change_nothing) {
    Fixture f(AckedSegments::dropped);
    f.buf.acknowledge(100, f.pool);  // empty
    f.push(2);
    f.buf.acknowledge(99, f.pool);
    f.buf.acknowledge(102, f.pool);
    f.buf.acknowledge(100 + 0x80000000u, f.pool);
    BOOST_TEST(f.buf.live_count() == 2u);
    BOOST_TEST(f.buf.remove_before(100, f.pool) == 0u);
    BOOST_TEST(f.buf.invariants_hold());
}

BOOST_AUTO_TEST_CASE(the_fastack_bound_rules_out_fast_and_early_retransmission) {
    Fixture f(AckedSegments::kept_until_una, true);
    f.push(2);
    f.scan(0);
    std::uint32_t next = 10;
    BOOST_TEST(f.buf.idle_until(10, 2, true, next));
    f.buf.raise_fastack(f.buf[0]);
    BOOST_TEST(f.buf.fastack_bound() == 1u);
    BOOST_TEST(f.buf.invariants_hold());
    BOOST_TEST(!f.buf.idle_until(10, 2, true, next));  // early retransmission possible
    BOOST_TEST(f.buf.idle_until(10, 2, false, next));  // below the fast threshold
    f.buf.raise_fastack(f.buf[0]);
    BOOST_TEST(!f.buf.idle_until(10, 2, false, next));  // threshold reached

    // The sentinel (kcp-go, after a fast resend) counts no more: the next scan drops it.
    f.buf[0].fastack = SendBuffer::kFastackSentinel;
    BOOST_TEST(!f.buf.fastack_counts(f.buf[0]));
    f.scan(10);
    BOOST_TEST(f.buf.fastack_bound() == 0u);
    BOOST_TEST(f.buf.idle_until(10, 2, true, next));
}

BOOST_AUTO_TEST_CASE(a_broken_rule_is_detected) {
    // invariants_hold() is what the debug assertions evaluate: it must be able to fail.
    Fixture f(AckedSegments::dropped);
    f.push(2);
    f.scan(0);
    f.buf[1].fastack = 5;  // raised without raise_fastack()
    BOOST_TEST(!f.buf.invariants_hold());
    f.buf[1].fastack = 0;
    BOOST_TEST(f.buf.invariants_hold());
    f.buf[1].resendts = 50;  // re-armed earlier outside a scan
    BOOST_TEST(!f.buf.invariants_hold());
    f.buf[1].resendts = 200;
    f.buf[1].xmit = 0;  // unsent, yet the flag says every segment went out
    BOOST_TEST(!f.buf.invariants_hold());
}

BOOST_AUTO_TEST_CASE(the_skip_never_hides_a_due_segment) {
    // Random pushes, ACKs, una, fastack raises and scans over a wrapping clock and sn. The
    // rules hold after each step, and whenever idle_until() claims nothing is due, a look at
    // every segment agrees and the delay it reports is the earliest timer's.
    for (const AckedSegments policy : {AckedSegments::dropped, AckedSegments::kept_until_una}) {
        std::mt19937 rng(policy == AckedSegments::dropped ? 1 : 2);
        const auto draw = [&](std::size_t n) { return static_cast<std::uint32_t>(rng() % n); };
        Fixture f(policy, true);
        f.next_sn = 0xFFFFFF00u;
        std::uint32_t now = 0xFFFF0000u;
        int skips = 0;
        for (int step = 0; step < 20000; ++step) {
            now += draw(40);
            switch (draw(6)) {
                case 0:
                    if (f.buf.size() < 64) f.push(1 + static_cast<int>(draw(3)));
                    break;
                case 1:
                    if (!f.buf.empty())
                        f.buf.acknowledge(f.buf.front().sn + draw(f.buf.size()), f.pool);
                    break;
                case 2:
                    if (!f.buf.empty()) f.buf.remove_before(f.buf.front().sn + draw(3), f.pool);
                    break;
                case 3:
                    if (!f.buf.empty() && draw(4) == 0) {
                        Segment& seg = f.buf[draw(f.buf.size())];
                        if (f.buf.fastack_counts(seg)) f.buf.raise_fastack(seg);
                    }
                    break;
                default: {
                    const std::uint32_t threshold = 3;
                    const bool early = draw(2) == 1;
                    std::uint32_t next = 100;
                    if (f.buf.idle_until(now, threshold, early, next)) {
                        ++skips;
                        std::int32_t earliest = 0x7fffffff;
                        for (std::size_t i = 0; i < f.buf.size(); ++i) {
                            const Segment& seg = f.buf[i];
                            if (!seg.live) continue;
                            BOOST_REQUIRE(seg.xmit > 0);
                            BOOST_REQUIRE(wrap_diff(now, seg.resendts) < 0);
                            if (f.buf.fastack_counts(seg)) {
                                BOOST_REQUIRE(seg.fastack < threshold);
                                BOOST_REQUIRE(!(early && seg.fastack > 0));
                            }
                            earliest = std::min(earliest, wrap_diff(seg.resendts, now));
                        }
                        BOOST_REQUIRE_EQUAL(next, std::min<std::uint32_t>(
                                                      100, static_cast<std::uint32_t>(earliest)));
                    } else {
                        for (std::size_t i = 0; i < f.buf.size(); ++i) {
                            Segment& seg = f.buf[i];
                            if (seg.live && f.buf.fastack_counts(seg) && seg.fastack >= threshold)
                                seg.fastack = SendBuffer::kFastackSentinel;  // fast resend
                        }
                        f.scan(now, 50 + draw(300));
                    }
                }
            }
            BOOST_REQUIRE(f.buf.invariants_hold());
        }
        BOOST_TEST(skips > 100);  // the skip was exercised, not only the scans
    }
}
