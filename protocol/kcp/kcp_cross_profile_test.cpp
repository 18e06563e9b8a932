// An `ikcp` endpoint (the C original) and a `kcp-go` endpoint talk through a seeded
// impaired virtual link: the two profiles are wire-compatible, not trace-identical. Both
// directions, message and stream mode. Then the fragment-limit consequence: a message
// from a C peer with more fragments than the kcp-go receiver's rcv_wnd (32 by default)
// can never be reassembled.
#define BOOST_TEST_MODULE kcp_cross_profile
#include <boost/test/unit_test.hpp>

#include "kcpkit/kcp/kcp.hpp"
#include "kcpkit/kcp/test_support.hpp"

using namespace kcpkit::kcp;
using namespace kcpkit::kcp::testing;

namespace {

constexpr std::uint32_t kConv = 0x5eed0001;

/// One endpoint, driven the way its implementation is usually driven: the C original by
/// update() on every tick (it flushes every `interval`), kcp-go like its UDPSession
/// (flush() again after the delay it suggests; input() may flush by itself).
struct Side {
    Capture out;
    std::uint32_t now = 0;  // the time of the current tick
    Kcp kcp;
    bool go;
    bool ack_nodelay = false;
    std::uint32_t next_flush = 0;
    std::vector<Bytes> received;
    Bytes stream_bytes;
    Bytes buffer = Bytes(1 << 20);

    explicit Side(const Profile& p) : kcp(kConv, p), go(&p != &kIkcpProfile) {
        kcp.set_output(out);
    }

    void tick() {
        if (!go)
            kcp.update(now);
        else if (static_cast<std::int32_t>(now - next_flush) >= 0)
            next_flush = now + kcp.flush(now);
    }

    void input(const Bytes& d) {
        const int r = go ? kcp.input(d, now, PacketType::regular, ack_nodelay) : kcp.input(d, now);
        BOOST_REQUIRE_EQUAL(r, 0);
    }

    void read_all() {
        if (kcp.peeksize() < 0) return;
        for (int n; (n = kcp.recv(buffer)) >= 0;) {
            if (kcp.stream())
                stream_bytes.insert(stream_bytes.end(), buffer.begin(), buffer.begin() + n);
            else
                received.emplace_back(buffer.begin(), buffer.begin() + n);
        }
    }

    void ship(VirtualLink& link, std::uint32_t mtu) {
        for (const auto& d : out.datagrams) {
            BOOST_REQUIRE_LE(d.size(), mtu);
            link.carry(now, d);
        }
        out.datagrams.clear();
    }
};

/// Runs the pair one millisecond at a time from `start`; `step` is called every tick
/// after the endpoints ran, and the loop stops when it returns true or after `limit` ms.
template <class F>
std::uint32_t run(Side& c, Side& g, VirtualLink& to_g, VirtualLink& to_c, std::uint32_t start,
                  std::uint32_t limit, std::uint32_t mtu, F&& step) {
    for (std::uint32_t ms = 0; ms < limit; ++ms) {
        const std::uint32_t now = start + ms;
        c.now = g.now = now;
        to_g.deliver(now, [&](const Bytes& d) { g.input(d); });
        to_c.deliver(now, [&](const Bytes& d) { c.input(d); });
        c.tick();
        g.tick();
        c.read_all();
        g.read_all();
        c.ship(to_g, mtu);
        g.ship(to_c, mtu);
        if (step(now)) return ms;
    }
    return limit;
}

Bytes joined(const std::vector<Bytes>& parts) {
    Bytes all;
    for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
    return all;
}

struct Mode {
    const char* name;
    int nodelay, interval, resend, nc;
};

/// Both endpoints send `count` messages to each other over a lossy, reordering,
/// duplicating link; every message must arrive intact and in order.
void exchange(bool stream, const Mode& mode, std::uint32_t seed, std::uint32_t start) {
    BOOST_TEST_CONTEXT("mode " << mode.name << (stream ? " stream" : " message") << " seed "
                               << seed) {
        constexpr std::uint32_t kMtu = 1000;
        Side c(kIkcpProfile), g(kKcpGoProfile);
        g.ack_nodelay = seed % 2 == 0;
        for (Side* s : {&c, &g}) {
            s->kcp.setmtu(kMtu);
            s->kcp.nodelay(mode.nodelay, mode.interval, mode.resend, mode.nc);
            s->kcp.set_stream(stream);
        }
        // kcp-go keeps its default receive window of 32: in message mode the C side's
        // messages stay below 32 fragments (976 bytes each), or they could never be
        // reassembled (see the next test).
        c.kcp.wndsize(64, 0);
        g.kcp.wndsize(64, 0);
        const std::size_t max_size = 20 * (kMtu - kHeaderSize);
        const auto from_c = random_messages(seed, 150, max_size);
        const auto from_g = random_messages(seed + 1000, 150, max_size);

        VirtualLink::Config cfg{.loss = 0.08, .duplicate = 0.03, .delay_ms = 30, .jitter_ms = 25};
        VirtualLink to_g(cfg, seed), to_c(cfg, seed + 1);
        std::size_t next_c = 0, next_g = 0;
        const auto done = [&] {
            if (stream)
                return g.stream_bytes.size() >= joined(from_c).size() &&
                       c.stream_bytes.size() >= joined(from_g).size();
            return g.received.size() >= from_c.size() && c.received.size() >= from_g.size();
        };
        const std::uint32_t took = run(c, g, to_g, to_c, start, 300000, kMtu, [&](std::uint32_t) {
            // Applications write while fewer than 2 x snd_wnd segments wait.
            while (next_c < from_c.size() && c.kcp.waitsnd() < 128)
                BOOST_REQUIRE_GE(c.kcp.send(from_c[next_c++]), 0);
            while (next_g < from_g.size() && g.kcp.waitsnd() < 128)
                BOOST_REQUIRE_EQUAL(g.kcp.send(from_g[next_g++]), 0);
            return next_c == from_c.size() && next_g == from_g.size() && done();
        });
        BOOST_TEST(took < 300000u,
                   "not finished: " << g.received.size() << " / " << c.received.size());
        if (stream) {
            BOOST_TEST((g.stream_bytes == joined(from_c)));
            BOOST_TEST((c.stream_bytes == joined(from_g)));
        } else {
            BOOST_TEST((g.received == from_c));
            BOOST_TEST((c.received == from_g));
        }
    }
}

const Mode kModes[] = {
    {"normal", 0, 40, 2, 1},
    {"fast3", 1, 10, 2, 1},
    {"congestion-controlled", 0, 20, 2, 0},
};

}  // namespace

BOOST_AUTO_TEST_CASE(message_mode_both_directions) {
    std::uint32_t seed = 1;
    for (const Mode& mode : kModes) exchange(false, mode, seed++, 1000);
}

BOOST_AUTO_TEST_CASE(stream_mode_both_directions) {
    std::uint32_t seed = 11;
    for (const Mode& mode : kModes) exchange(true, mode, seed++, 1000);
}

BOOST_AUTO_TEST_CASE(across_the_clock_wrap) {
    exchange(false, kModes[1], 21, 0xFFFFFFFFu - 3000);
}

BOOST_AUTO_TEST_CASE(a_c_message_with_more_fragments_than_the_go_window_never_arrives) {
    // The C side sends one message of 40 fragments (C allows up to 127) to a kcp-go
    // receiver with its default rcv_wnd of 32. 32 fragments fill its rcv_queue, which
    // never holds the whole message: recv() says -1 for ever and the advertised window is
    // 0. With the C default snd_wnd of 32 the other 8 fragments wait in the C send queue
    // (the C side probes the zero window for ever); with snd_wnd 64 they were already in
    // flight, the kcp-go side acknowledges them (they fit its window and wait in rcv_buf),
    // and the C sender believes the whole message was delivered.
    constexpr std::uint32_t kMtu = 1400;
    const std::size_t mss = kMtu - kHeaderSize;
    const Bytes big(40 * mss, 0xab);
    for (const int snd_wnd : {32, 64}) {
        BOOST_TEST_CONTEXT("C snd_wnd " << snd_wnd) {
            Side c(kIkcpProfile), g(kKcpGoProfile);
            for (Side* s : {&c, &g}) s->kcp.nodelay(1, 10, 2, 1);
            c.kcp.wndsize(snd_wnd, 0);
            VirtualLink::Config cfg{.loss = 0.05, .delay_ms = 20, .jitter_ms = 10};
            VirtualLink to_g(cfg, 7), to_c(cfg, 8);

            BOOST_TEST(c.kcp.send(big) == static_cast<int>(big.size()));
            const std::uint32_t stalled_until =
                run(c, g, to_g, to_c, 0, 20000, kMtu, [](std::uint32_t) { return false; });
            Bytes buf(1 << 20);
            BOOST_TEST(g.received.empty());
            BOOST_TEST(g.kcp.recv(buf) == -1);
            BOOST_TEST(g.kcp.peeksize() == -1);
            BOOST_TEST(g.kcp.state().nrcv_que == 32u);
            BOOST_TEST(c.kcp.state().rmt_wnd == 0u);  // the kcp-go side advertises 0
            if (snd_wnd == 32) {
                BOOST_TEST(c.kcp.waitsnd() == 8);
                BOOST_TEST(g.kcp.state().nrcv_buf == 0u);
                continue;
            }
            BOOST_TEST(c.kcp.waitsnd() == 0);  // all 40 acknowledged
            BOOST_TEST(g.kcp.state().nrcv_buf == 8u);

            // Raising the window is not enough by itself: the stuck fragments move on
            // only when a new segment arrives. The C sender sees a zero window and probes
            // (first after PROBE_INIT 7 s, then every 10.5 s, 15.75 s ...); the kcp-go
            // side answers with its new window, the next message goes out, and both
            // messages are delivered.
            g.kcp.wndsize(0, 64);
            BOOST_TEST(g.kcp.recv(buf) == -1);
            const Bytes small(100, 0xcd);
            c.kcp.send(small);
            std::uint32_t delivered_at = 0;
            run(c, g, to_g, to_c, stalled_until, 30000, kMtu, [&](std::uint32_t now) {
                if (g.received.size() == 2) delivered_at = now;
                return delivered_at != 0;
            });
            BOOST_REQUIRE_EQUAL(g.received.size(), 2u);
            BOOST_TEST((g.received[0] == big));
            BOOST_TEST((g.received[1] == small));
            BOOST_TEST_MESSAGE("delivered " << delivered_at - stalled_until
                                            << " ms after the stall");
            BOOST_TEST(delivered_at - stalled_until >= 1000u);  // waited for a window probe
        }
    }
}

BOOST_AUTO_TEST_CASE(a_go_message_with_more_fragments_than_128_never_arrives_at_c) {
    // The mirror image: kcp-go allows 255 fragments, the C receiver's window is at least
    // 128 (its default), so a 200-fragment message from kcp-go is stuck at the C side.
    constexpr std::uint32_t kMtu = 200;
    const std::size_t mss = kMtu - kHeaderSize;
    Side c(kIkcpProfile), g(kKcpGoProfile);
    for (Side* s : {&c, &g}) {
        s->kcp.setmtu(kMtu);
        s->kcp.nodelay(1, 10, 2, 1);
        s->kcp.wndsize(256, 0);
    }
    VirtualLink::Config cfg{.delay_ms = 10};
    VirtualLink to_g(cfg, 1), to_c(cfg, 2);
    BOOST_TEST(g.kcp.send(Bytes(200 * mss, 0x11)) == 0);
    run(c, g, to_g, to_c, 0, 10000, kMtu, [](std::uint32_t) { return false; });
    BOOST_TEST(c.received.empty());
    BOOST_TEST(c.kcp.state().nrcv_que == 128u);
    Bytes buf(1 << 20);
    BOOST_TEST(c.kcp.recv(buf) == rc::recv_incomplete);
}
