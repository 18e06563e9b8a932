#define BOOST_TEST_MODULE session
#include "kcpkit/kcpgo/session.hpp"

#include <boost/test/unit_test.hpp>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "kcpkit/base/allocation_counter_test_support.hpp"
#include "kcpkit/base/byte_order.hpp"
#include "kcpkit/crypt/nonce.hpp"

using namespace kcpkit;
using namespace kcpkit::kcpgo;
using Bytes = std::vector<std::uint8_t>;

namespace {

const Release& kHead = default_release();             // kcp-go v5.6.72
const Release& k561 = *find_release("kcp-go-5.6.1");  // kcp-go v5.6.1

crypt::AesCtrNonceSource nonce_source(std::uint8_t seed) {
    std::array<std::uint8_t, 32> s{};
    s.fill(seed);
    return crypt::AesCtrNonceSource(s);
}

SessionConfig config(std::uint32_t conv, std::optional<crypt::Cipher> cipher = std::nullopt,
                     int ds = 0, int ps = 0, const Release& release = kHead) {
    SessionConfig c;
    c.conv = conv;
    c.release = release;
    c.frame.cipher = cipher;
    if (cipher) c.frame.key.assign(16, 0x42);  // every cipher used here takes 16 bytes
    c.frame.data_shards = ds;
    c.frame.parity_shards = ps;
    return c;
}

std::unique_ptr<Session> make(const SessionConfig& c, crypt::NonceSource& nonces,
                              std::uint32_t now = 0) {
    auto made = Session::create(c, now, nonces);
    BOOST_TEST_REQUIRE(made.has_value());
    return std::move(made).value();
}

Bytes pattern(std::size_t n, std::uint32_t seed) {
    Bytes b(n);
    std::mt19937 rng(seed);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    return b;
}

/// Segments (cmd, frg) of a plain KCP datagram stream, for checks on what was sent.
struct SegmentInfo {
    std::uint8_t cmd, frg;
    std::uint16_t wnd;
    std::uint32_t sn, len;
};
std::vector<SegmentInfo> segments_of(std::span<const std::uint8_t> d) {
    std::vector<SegmentInfo> out;
    std::size_t at = 0;
    while (at + 24 <= d.size()) {
        SegmentInfo s{d[at + 4], d[at + 5], load_le16(d.data() + at + 6),
                      load_le32(d.data() + at + 12), load_le32(d.data() + at + 20)};
        out.push_back(s);
        at += 24 + s.len;
    }
    return out;
}

/// Two sessions on a virtual wire with optional loss; time advances to the next deadline.
struct Pair {
    Session& a;
    Session& b;
    std::uint32_t now = 0;
    std::function<bool(int from, std::span<const std::uint8_t>)> lose = [](int, auto) {
        return false;
    };
    Bytes buffer = Bytes(frame::kMaxDatagram);
    std::uint64_t carried = 0;

    /// Moves every pending datagram across until both sides are quiet.
    void pump() {
        for (bool moved = true; moved;) {
            moved = false;
            for (int side = 0; side < 2; ++side) {
                Session& from = side == 0 ? a : b;
                Session& to = side == 0 ? b : a;
                for (int n; (n = from.poll_transmit(buffer)) > 0;) {
                    moved = true;
                    std::span<std::uint8_t> d(buffer.data(), static_cast<std::size_t>(n));
                    if (lose(side, d)) continue;
                    ++carried;
                    to.handle_datagram(d, now);
                }
            }
        }
    }
    /// Advances the clock by `ms` and runs both timers.
    void step(std::uint32_t ms = 10) {
        pump();
        now += ms;
        a.handle_timeout(now);
        b.handle_timeout(now);
        pump();
    }
};

/// Reads everything available from `s` into `out`.
void drain(Session& s, Bytes& out, std::uint32_t now, std::size_t chunk = 4096) {
    Bytes buf(chunk);
    for (int n; (n = s.read(buf, now)) > 0;) out.insert(out.end(), buf.begin(), buf.begin() + n);
}

/// Sends `data` from p.a to p.b in writes of at most `chunk` bytes (as many as a accepts
/// per 10 ms step) for up to `steps` steps, and returns what b read.
Bytes transfer(Pair& p, const Bytes& data, std::size_t chunk, int steps) {
    std::size_t sent = 0;
    Bytes got;
    for (int i = 0; i < steps && got.size() < data.size(); ++i) {
        while (sent < data.size()) {
            const int r = p.a.write(
                {data.data() + sent, std::min<std::size_t>(chunk, data.size() - sent)}, p.now);
            if (r <= 0) break;
            sent += static_cast<std::size_t>(r);
        }
        p.step(10);
        drain(p.b, got, p.now);
    }
    return got;
}

/// Starts `s` at t = 0, writes one 20-byte message at t = 1 and returns every datagram
/// that sends.
std::vector<Bytes> first_message_datagrams(Session& s) {
    s.handle_timeout(0);
    s.write(pattern(20, 1), 1);
    Bytes buf(1500);
    std::vector<Bytes> wire;
    for (int n; (n = s.poll_transmit(buf)) > 0;) wire.emplace_back(buf.begin(), buf.begin() + n);
    return wire;
}

}  // namespace

BOOST_AUTO_TEST_CASE(session_codes_are_distinct_from_the_cores_and_named) {
    const int core_codes[] = {kcp::rc::input_malformed,         kcp::rc::input_truncated,
                              kcp::rc::input_bad_command,       kcp::rc::send_bad_length,
                              kcp::rc::send_too_many_fragments, kcp::rc::recv_empty,
                              kcp::rc::recv_incomplete};
    for (const SessionStatus status : values_of<SessionStatus>()) {
        const int code = static_cast<int>(status);
        BOOST_TEST((parse<SessionStatus>(name_of(status)) == status));
        if (status == SessionStatus::ok) continue;
        BOOST_TEST(code < 0);
        for (const int core : core_codes) BOOST_TEST(code != core, name_of(status));
    }
    BOOST_TEST(rc::would_block == static_cast<int>(SessionStatus::would_block));
    BOOST_TEST(name_of(SessionStatus::buffer_too_small) == "buffer_too_small");
}

BOOST_AUTO_TEST_CASE(creation_and_first_deadline) {
    auto nonces = nonce_source(1);
    auto s = make(config(5), nonces, 1234);
    BOOST_TEST(s->next_deadline() == 1234u);  // kcp-go's first update runs at once
    BOOST_TEST(!s->handle_timeout(1233));
    BOOST_TEST(s->handle_timeout(1234));
    BOOST_TEST(s->next_deadline() == 1234u + 100u);  // interval 100, nothing in flight
    BOOST_TEST(s->kcp().mss() == 1376u);             // no layers: 1400 - 24
    BOOST_TEST(s->conv() == 5u);

    SessionConfig bad = config(5);
    bad.mtu = 24;  // kcp-go v5.6.72 refuses a KCP mtu <= 24
    auto refused = Session::create(bad, 0, nonces);
    BOOST_TEST_REQUIRE(!refused);
    BOOST_TEST((refused.error().setting == kcpgo::RefusedSetting::mtu));
    bad = config(5);
    bad.rcv_wnd = 0;
    refused = Session::create(bad, 0, nonces);
    BOOST_TEST_REQUIRE(!refused);
    BOOST_TEST((refused.error().setting == kcpgo::RefusedSetting::window));
    auto fec = make(config(5, crypt::Cipher::aes128, 10, 3), nonces);
    BOOST_TEST(fec->kcp().mss() == 1348u);  // CFB + FEC: 1400 - 20 - 8 - 24
    BOOST_TEST(fec->set_mtu(1200));
    BOOST_TEST(fec->kcp().mss() == 1148u);
    BOOST_TEST(!fec->set_mtu(40));
    BOOST_TEST(fec->kcp().mss() == 1148u);
}

BOOST_AUTO_TEST_CASE(transfer_both_ways_over_every_layer_mix) {
    const std::optional<crypt::Cipher> ciphers[] = {
        std::nullopt, crypt::Cipher::aes128, crypt::Cipher::salsa20, crypt::Cipher::aes128_gcm};
    for (auto version : {kHead, k561}) {
        for (const auto& cipher : ciphers) {
            if (cipher == crypt::Cipher::aes128_gcm && !version.frame.aead) continue;
            for (int fec_on = 0; fec_on < 2; ++fec_on) {
                auto na = nonce_source(2), nb = nonce_source(3);
                auto a = make(config(77, cipher, fec_on ? 10 : 0, fec_on ? 3 : 0, version), na);
                auto b = make(config(77, cipher, fec_on ? 10 : 0, fec_on ? 3 : 0, version), nb);
                Pair p{*a, *b};
                const Bytes up = pattern(50000, 1), down = pattern(30000, 2);
                std::size_t up_sent = 0, down_sent = 0;
                Bytes up_got, down_got;
                for (int i = 0;
                     i < 2000 && (up_got.size() < up.size() || down_got.size() < down.size());
                     ++i) {
                    if (up_sent < up.size()) {
                        const std::size_t n = std::min<std::size_t>(3000, up.size() - up_sent);
                        const int r = a->write({up.data() + up_sent, n}, p.now);
                        if (r > 0) up_sent += static_cast<std::size_t>(r);
                    }
                    if (down_sent < down.size()) {
                        const std::size_t n = std::min<std::size_t>(1000, down.size() - down_sent);
                        const int r = b->write({down.data() + down_sent, n}, p.now);
                        if (r > 0) down_sent += static_cast<std::size_t>(r);
                    }
                    p.step(10);
                    drain(*b, up_got, p.now);
                    drain(*a, down_got, p.now);
                }
                BOOST_TEST((up_got == up));
                BOOST_TEST((down_got == down));
                const kcpgo::Snmp sa = a->snmp();
                BOOST_TEST(sa.BytesSent == up.size());
                BOOST_TEST(sa.BytesReceived == down.size());
                BOOST_TEST(sa.InCsumErrors == 0u);
                BOOST_TEST(sa.KCPInErrors == 0u);
                BOOST_TEST(sa.OutPkts == b->snmp().InPkts);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(writes_are_cut_into_mss_chunks_never_fragments) {
    auto nonces = nonce_source(4);
    for (bool c_semantics : {false, true}) {
        SessionConfig c = config(9);
        c.fragment_messages = c_semantics;
        c.snd_wnd = 128;
        c.nc = 1;  // no congestion window: everything goes out in the first flush
        auto s = make(c, nonces);
        std::vector<SegmentInfo> segs;
        auto sink = [&](std::span<const std::uint8_t> d) {
            for (auto x : segments_of(d)) segs.push_back(x);
        };
        s->set_transmit_sink(sink);
        s->handle_timeout(0);  // kcp-go's cwnd starts at 0: the first flush opens it
        const Bytes msg = pattern(s->kcp().mss() * 3 + 10, 5);
        BOOST_TEST(s->write(msg, 0) == static_cast<int>(msg.size()));
        std::size_t pushes = 0, with_frg = 0;
        for (const auto& x : segs) {
            if (x.cmd != 81) continue;
            ++pushes;
            if (x.frg > 0) ++with_frg;
        }
        BOOST_TEST(pushes == 4u);
        if (c_semantics)
            BOOST_TEST(with_frg == 3u);  // frg 3, 2, 1, 0
        else
            BOOST_TEST(with_frg == 0u);
    }
}

BOOST_AUTO_TEST_CASE(stream_mode_merges_writes_into_full_segments) {
    auto nonces = nonce_source(25);
    for (bool stream : {false, true}) {
        SessionConfig c = config(16);
        c.stream = stream;
        c.write_delay = true;  // let the writes pile up until the periodic flush
        c.nc = 1;
        auto s = make(c, nonces);
        std::vector<SegmentInfo> segs;
        auto sink = [&](std::span<const std::uint8_t> d) {
            for (auto x : segments_of(d))
                if (x.cmd == 81) segs.push_back(x);
        };
        s->set_transmit_sink(sink);
        for (int i = 0; i < 10; ++i) BOOST_TEST(s->write(pattern(100, 1), 0) == 100);
        BOOST_TEST(segs.empty());
        s->handle_timeout(0);
        if (stream) {
            BOOST_TEST_REQUIRE(segs.size() == 1u);  // 1000 bytes in one segment (mss 1376)
            BOOST_TEST(segs[0].len == 1000u);
        } else {
            BOOST_TEST(segs.size() == 10u);  // one message, one segment each
        }
    }
}

BOOST_AUTO_TEST_CASE(write_blocks_on_a_full_window_and_reports_closed) {
    auto nonces = nonce_source(5);
    SessionConfig c = config(1);
    c.snd_wnd = 4;
    auto s = make(c, nonces);
    const Bytes chunk = pattern(100, 1);
    for (int i = 0; i < 4; ++i) BOOST_TEST(s->write(chunk, 0) == 100);
    BOOST_TEST(!s->writable());
    BOOST_TEST(s->write(chunk, 0) == rc::would_block);
    BOOST_TEST(s->write({}, 0) == rc::would_block);
    BOOST_TEST(s->close(0) == rc::ok);
    BOOST_TEST(s->close(0) == rc::closed);
    BOOST_TEST(s->write(chunk, 0) == rc::closed);
    Bytes buf(10);
    BOOST_TEST(s->read(buf, 0) == rc::closed);
    BOOST_TEST(s->is_closed());
    BOOST_TEST(s->snmp().CurrEstab == 0u);
}

BOOST_AUTO_TEST_CASE(partial_reads_return_the_rest_before_the_next_message) {
    auto na = nonce_source(6), nb = nonce_source(7);
    auto a = make(config(3), na);
    auto b = make(config(3), nb);
    Pair p{*a, *b};
    p.step();
    const Bytes m1 = pattern(1000, 1), m2 = pattern(500, 2);
    a->write(m1, p.now);
    a->write(m2, p.now);
    for (int i = 0; i < 50; ++i) p.step();
    Bytes buf(300);
    BOOST_TEST(b->read({}, p.now) == 0);
    BOOST_TEST(b->readable_bytes() == 1000u);
    Bytes got;
    for (int i = 0; i < 4; ++i) {
        const int n = b->read(buf, p.now);
        BOOST_TEST_REQUIRE(n > 0);
        got.insert(got.end(), buf.begin(), buf.begin() + n);
    }
    BOOST_TEST((got == m1));  // 300 + 300 + 300 + 100: a read never spans two messages
    Bytes big(2000);
    BOOST_TEST(b->read(big, p.now) == 500);
    BOOST_TEST(std::equal(m2.begin(), m2.end(), big.begin()));
    BOOST_TEST(b->read(big, p.now) == rc::would_block);
    BOOST_TEST(b->snmp().BytesReceived == 1500u);
}

BOOST_AUTO_TEST_CASE(write_delay_waits_for_the_periodic_flush) {
    auto nonces = nonce_source(8);
    for (bool delay : {false, true}) {
        SessionConfig c = config(2);
        c.write_delay = delay;
        auto s = make(c, nonces);
        s->handle_timeout(0);
        while (s->pending_transmits()) {
            Bytes b(1500);
            s->poll_transmit(b);
        }
        s->write(pattern(10, 1), 5);
        BOOST_TEST(s->pending_transmits() == (delay ? 0u : 1u));
        BOOST_TEST(s->next_deadline() == 100u);  // a write never moves it later
        s->handle_timeout(100);
        BOOST_TEST(s->pending_transmits() == 1u);
    }
}

BOOST_AUTO_TEST_CASE(ack_nodelay_answers_inside_handle_datagram) {
    for (bool nodelay : {false, true}) {
        auto na = nonce_source(9), nb = nonce_source(10);
        auto a = make(config(4), na);
        SessionConfig cb = config(4);
        cb.ack_nodelay = nodelay;
        auto b = make(cb, nb);
        a->handle_timeout(0);
        b->handle_timeout(0);
        Bytes buf(1500);
        while (a->poll_transmit(buf) > 0) {
        }
        while (b->poll_transmit(buf) > 0) {
        }
        a->write(pattern(10, 1), 1);
        const int n = a->poll_transmit(buf);
        BOOST_TEST_REQUIRE(n > 0);
        const DatagramResult r = b->handle_datagram({buf.data(), static_cast<std::size_t>(n)}, 2);
        BOOST_TEST(r.readable);
        BOOST_TEST(r.kcp_inputs == 1);
        BOOST_TEST(b->pending_transmits() == (nodelay ? 1u : 0u));
    }
}

BOOST_AUTO_TEST_CASE(dup_sends_identical_copies) {
    auto nonces = nonce_source(11);
    SessionConfig c = config(6, crypt::Cipher::aes128);
    c.dup = 2;
    auto s = make(c, nonces);
    s->handle_timeout(0);
    Bytes a(1500), b(1500), d(1500);
    const int n = s->poll_transmit(a);  // the first flush sends nothing but... check copies
    BOOST_TEST(n == 0);
    s->write(pattern(10, 1), 1);
    BOOST_TEST(s->pending_transmits() == 3u);
    const int n1 = s->poll_transmit(a), n2 = s->poll_transmit(b), n3 = s->poll_transmit(d);
    BOOST_TEST((n1 == n2 && n2 == n3 && n1 > 0));
    BOOST_TEST((a == b && b == d));
}

BOOST_AUTO_TEST_CASE(reading_a_full_window_open_tells_the_peer_at_once) {
    // The receiver's window (8) fills up while the application does not read; the sender
    // sees wnd 0 and stops. Then the application reads: with window_update_on_read the WINS
    // (wnd > 0) leaves from inside read(), before any timer; without it, it waits for the
    // receiver's next periodic flush. Either way the transfer then completes.
    for (auto version : {k561, kHead}) {
        for (int on = 0; on < 2; ++on) {
            auto na = nonce_source(12), nb = nonce_source(13);
            SessionConfig ca = config(8, std::nullopt, 0, 0, version);
            ca.snd_wnd = 64;
            SessionConfig cb = ca;
            cb.rcv_wnd = 8;
            cb.window_update_on_read = on == 1;
            auto a = make(ca, na);
            auto b = make(cb, nb);
            Pair p{*a, *b};
            p.step();
            const std::size_t messages = 30;  // below v5.6.1's write limit (rmt_wnd 32)
            for (std::size_t i = 0; i < messages; ++i)
                BOOST_TEST(a->write(pattern(200, 1), p.now) == 200);
            for (int i = 0; i < 300; ++i) p.step();  // 3 s: the window is full and stays so
            BOOST_TEST(b->kcp().state().nrcv_que == 8u);
            BOOST_TEST(a->kcp().state().rmt_wnd == 0u);
            std::size_t got = 0;
            Bytes buf(4096);
            for (int n; (n = b->read(buf, p.now)) > 0;) ++got;
            BOOST_TEST(got == 8u);
            std::vector<SegmentInfo> sent;
            for (int n; (n = b->poll_transmit(buf)) > 0;) {
                std::span<std::uint8_t> d(buf.data(), static_cast<std::size_t>(n));
                for (auto x : segments_of(d)) sent.push_back(x);
                a->handle_datagram(d, p.now);  // no time passes
            }
            if (on) {
                BOOST_TEST_REQUIRE(sent.size() == 1u);
                BOOST_TEST(sent[0].cmd == 84);  // WINS
                // Sent by the first read() that reopened the window: one slot free then.
                BOOST_TEST(sent[0].wnd == 1u);
                BOOST_TEST(b->window_updates() == 1u);
                BOOST_TEST(a->kcp().state().rmt_wnd == 1u);  // the sender knows at once
            } else {
                BOOST_TEST(sent.empty());
                BOOST_TEST(b->window_updates() == 0u);
                BOOST_TEST(a->kcp().state().rmt_wnd == 0u);
            }
            for (int i = 0; i < 3000 && got < messages; ++i) {
                for (int n; (n = b->read(buf, p.now)) > 0;) ++got;
                p.step();
            }
            BOOST_TEST(got == messages);
        }
    }
}

BOOST_AUTO_TEST_CASE(lossy_link_with_fec_recovers_and_counts) {
    auto na = nonce_source(14), nb = nonce_source(15);
    auto a = make(config(10, crypt::Cipher::aes128, 10, 3), na);
    auto b = make(config(10, crypt::Cipher::aes128, 10, 3), nb);
    Pair p{*a, *b};
    std::mt19937 rng(99);
    p.lose = [&](int, auto) { return rng() % 100 < 8; };
    const Bytes data = pattern(200000, 3);
    BOOST_TEST((transfer(p, data, 4000, 20000) == data));
    const kcpgo::Snmp sb = b->snmp();
    BOOST_TEST(sb.FECRecovered > 0u);
    const kcpgo::Snmp sa = a->snmp();
    BOOST_TEST(sa.RetransSegs > 0u);
    // kcp-go's sum, from the core's counters; the defaults (fastresend 0) retransmit
    // early and on timeout, never fast.
    BOOST_TEST(sa.RetransSegs == sa.LostSegs + sa.FastRetransSegs + sa.EarlyRetransSegs);
    BOOST_TEST(sa.LostSegs > 0u);
    BOOST_TEST(sa.EarlyRetransSegs > 0u);
    BOOST_TEST(sa.FastRetransSegs == 0u);
    BOOST_TEST(sa.LostSegs == a->kcp().state().xmit);
    BOOST_TEST(sa.EarlyRetransSegs == a->kcp().counters().early_retrans_segs);
    BOOST_TEST(sa.OutSegs > sa.RetransSegs);
    BOOST_TEST(sb.RepeatSegs == b->kcp().counters().repeat_segs);
    BOOST_TEST(sb.RepeatSegs > 0u);    // copies whose ACK was lost
    BOOST_TEST(sb.RetransSegs == 0u);  // b sent only ACKs
    BOOST_TEST(sb.InSegs > 0u);
    BOOST_TEST(sb.FECParityShards > 0u);
    BOOST_TEST(b->framer().counters().recovered > 0u);
}

BOOST_AUTO_TEST_CASE(snmp_repeat_and_retransmission_counts_match_the_wire_with_dup) {
    // dup 1 without loss: b gets every datagram twice. Each PUSH a sends is a first
    // transmission or one of its RetransSegs, so b stored (pushes sent - RetransSegs)
    // segments and every other PUSH it received is a repeat. nodelay fast3 (fastresend 2).
    auto na = nonce_source(18), nb = nonce_source(19);
    SessionConfig c = config(12);
    c.dup = 1;
    c.nodelay = 1;
    c.interval = 10;
    c.resend = 2;
    c.nc = 1;
    auto a = make(c, na);
    auto b = make(config(12), nb);
    Pair p{*a, *b};
    std::uint64_t pushes_received = 0;
    p.lose = [&](int from, std::span<const std::uint8_t> d) {
        if (from == 0)
            for (const SegmentInfo& seg : segments_of(d))
                if (seg.cmd == 81) ++pushes_received;
        return false;
    };
    const Bytes data = pattern(100000, 4);
    BOOST_TEST((transfer(p, data, 2000, 5000) == data));
    const std::uint64_t pushes_sent = pushes_received / 2;  // every datagram went out twice
    const kcpgo::Snmp sa = a->snmp(), sb = b->snmp();
    BOOST_TEST(sa.RetransSegs == sa.LostSegs + sa.FastRetransSegs + sa.EarlyRetransSegs);
    BOOST_TEST(sb.RepeatSegs == pushes_received - (pushes_sent - sa.RetransSegs));
    BOOST_TEST(sb.RepeatSegs >= pushes_sent);  // at least every second copy
    BOOST_TEST(sa.RepeatSegs == 0u);
}

BOOST_AUTO_TEST_CASE(snmp_repeat_segs_leave_out_rebuilt_duplicates) {
    // kcp-go v5.6.1 FEC (1, 1): the data datagram completes its group, so the parity that
    // follows starts a new one and rebuilds the same datagram again (docs/fec.md). That
    // second copy reaches KCP as recovered and is no repeat; the data datagram arriving
    // again is one.
    auto na = nonce_source(20), nb = nonce_source(21);
    const SessionConfig c = config(13, std::nullopt, 1, 1, k561);
    auto a = make(c, na);
    auto b = make(c, nb);
    std::vector<Bytes> wire = first_message_datagrams(*b);
    BOOST_TEST_REQUIRE(wire.size() == 2u);  // data + parity
    BOOST_TEST(a->handle_datagram(wire[0], 2).kcp_inputs == 1);
    BOOST_TEST(a->handle_datagram(wire[1], 3).kcp_inputs == 1);  // rebuilt again
    BOOST_TEST(a->snmp().RepeatSegs == 0u);
    a->handle_datagram(wire[0], 4);
    BOOST_TEST(a->snmp().RepeatSegs == 1u);
}

BOOST_AUTO_TEST_CASE(recovered_datagrams_do_not_update_the_remote_window) {
    // A receives from B over FEC (1, 1); B's only data datagram is lost and rebuilt from
    // parity. It carries wnd = B's window, but A must not take it (docs/fec.md): A's rmt_wnd
    // stays at its default.
    // v5.6.1: v5.6.72 skips the parity of a (1, 1) encoder's very first group (docs/fec.md).
    auto na = nonce_source(16), nb = nonce_source(17);
    SessionConfig ca = config(11, std::nullopt, 1, 1, k561);
    auto a = make(ca, na);
    SessionConfig cb = ca;
    cb.rcv_wnd = 5;  // advertises wnd 5, not 32
    auto b = make(cb, nb);
    std::vector<Bytes> wire = first_message_datagrams(*b);
    BOOST_TEST_REQUIRE(wire.size() == 2u);  // data + parity
    const std::uint32_t before = a->kcp().state().rmt_wnd;
    const DatagramResult r = a->handle_datagram(wire[1], 2);  // parity only
    BOOST_TEST(r.kcp_inputs == 1);
    BOOST_TEST(r.readable);
    BOOST_TEST(a->kcp().state().rmt_wnd == before);
    // The same datagram arriving for real does set it.
    a->handle_datagram(wire[0], 3);
    BOOST_TEST(a->kcp().state().rmt_wnd == 5u);
}

BOOST_AUTO_TEST_CASE(random_bytes_never_crash_and_the_session_keeps_working) {
    std::mt19937 rng(7);
    auto na = nonce_source(18), nb = nonce_source(19);
    auto a = make(config(12, crypt::Cipher::aes128, 3, 2), na);
    auto b = make(config(12, crypt::Cipher::aes128, 3, 2), nb);
    for (int i = 0; i < 5000; ++i) {
        Bytes junk(rng() % 1600);
        for (auto& x : junk) x = static_cast<std::uint8_t>(rng());
        b->handle_datagram(junk, 0);
        junk.resize(std::min<std::size_t>(junk.size(), 40));
        b->handle_decrypted(junk, 0);
    }
    BOOST_TEST(b->snmp().InCsumErrors > 4000u);
    Pair p{*a, *b};
    const Bytes data = pattern(10000, 4);
    BOOST_TEST((transfer(p, data, data.size(), 100) == data));
}

BOOST_AUTO_TEST_CASE(oob_reaches_the_handler) {
    auto nonces = nonce_source(20);
    auto s = make(config(13), nonces);
    std::string seen;
    struct Ctx {
        std::string* out;
    } ctx{&seen};
    s->set_oob_handler(
        [](void* c, std::span<const std::uint8_t> payload) {
            static_cast<Ctx*>(c)->out->assign(payload.begin(), payload.end());
        },
        &ctx);
    Bytes oob(12, 0);
    store_le32(oob.data(), 0xFFFFFFFFu);
    store_le16(oob.data() + 4, fec::kTypeOob);
    store_le16(oob.data() + 6, 2 + 4 + 3);
    store_le32(oob.data() + 8, 13);
    oob.insert(oob.end(), {'a', 'b', 'c'});
    const DatagramResult r = s->handle_datagram(oob, 0);
    BOOST_TEST((r.kind == fec::PacketKind::oob));
    BOOST_TEST(seen == "abc");
    BOOST_TEST(s->snmp().OOBPackets == 1u);
}

BOOST_AUTO_TEST_CASE(send_oob_reaches_the_peer_s_handler) {
    auto na = nonce_source(23), nb = nonce_source(24);
    auto a = make(config(15, crypt::Cipher::aes128, 10, 3), na);
    auto b = make(config(15, crypt::Cipher::aes128, 10, 3), nb);
    std::string seen;
    auto handler = [](void* c, std::span<const std::uint8_t> p) {
        static_cast<std::string*>(c)->assign(p.begin(), p.end());
    };
    b->set_oob_handler(handler, &seen);
    const std::string msg = "out of band";
    const Bytes payload(msg.begin(), msg.end());
    BOOST_TEST(a->oob_max_size() == a->kcp().mtu() - 4);
    BOOST_TEST(a->send_oob(payload, 0) == rc::ok);
    Bytes buf(1500);
    const int n = a->poll_transmit(buf);
    BOOST_TEST_REQUIRE(n > 0);
    b->handle_datagram({buf.data(), static_cast<std::size_t>(n)}, 0);
    BOOST_TEST(seen == msg);
    BOOST_TEST(b->snmp().OOBPackets == 1u);
    BOOST_TEST(a->send_oob(Bytes(a->oob_max_size() + 1), 0) == rc::bad_argument);
    auto no_fec = make(config(15, crypt::Cipher::aes128), na);
    BOOST_TEST(no_fec->send_oob(payload, 0) == rc::unsupported);
    auto old = make(config(15, std::nullopt, 10, 3, k561), na);
    BOOST_TEST(old->send_oob(payload, 0) == rc::unsupported);
    a->close(0);
    BOOST_TEST(a->send_oob(payload, 0) == rc::closed);
}

BOOST_AUTO_TEST_CASE(snmp_tables_have_kcp_go_s_columns) {
    BOOST_TEST(kcpgo::snmp_header(kHead.snmp).size() == 30u);
    BOOST_TEST(kcpgo::snmp_header(k561.snmp).size() == 24u);
    BOOST_TEST(kcpgo::snmp_header(kHead.snmp)[20] == "FECFullShards");
    BOOST_TEST(kcpgo::snmp_header(k561.snmp)[23] == "FECShortShards");
    BOOST_TEST(kcpgo::snmp_header(kHead.snmp)[29] == "OOBPackets");
    kcpgo::Snmp x;
    x.BytesSent = 5;
    x.FECShortShards = 7;
    x.OOBPackets = 9;
    x.FECShardSet = 3;
    BOOST_TEST(kcpgo::snmp_csv_row(x, k561.snmp).rfind(",7") ==
               kcpgo::snmp_csv_row(x, k561.snmp).size() - 2);
    BOOST_TEST(kcpgo::snmp_csv_header(kHead.snmp).substr(0, 23) == "BytesSent,BytesReceived");
    BOOST_TEST(kcpgo::snmp_to_json(x, kHead.snmp).find("\"OOBPackets\":9") != std::string::npos);
    BOOST_TEST(kcpgo::snmp_to_json(x, k561.snmp).find("OOBPackets") == std::string::npos);
    BOOST_TEST(kcpgo::snmp_value_of(x, k561.snmp, "FECShortShards").value() == 7u);
    BOOST_TEST(!kcpgo::snmp_value_of(x, k561.snmp, "OOBPackets").has_value());
    kcpgo::Snmp y = x.copy();
    y.FECShardSet = 0;
    y.MaxConn = 4;
    x += y;
    BOOST_TEST(x.BytesSent == 10u);
    BOOST_TEST(x.FECShortShards == 14u);
    BOOST_TEST(x.FECShardSet == 3u);  // a gauge: y's 0 does not overwrite it
    BOOST_TEST(x.MaxConn == 4u);
    x.reset();
    BOOST_TEST((x == kcpgo::Snmp{}));
}

BOOST_AUTO_TEST_CASE(random_conv_uses_the_callers_source) {
    struct Fixed final : RandomSource {
        std::uint32_t next_u32() override { return 0xDEADBEEF; }
    } fixed;
    BOOST_TEST(random_conv(fixed) == 0xDEADBEEFu);
}

BOOST_AUTO_TEST_CASE(steady_state_allocates_nothing_per_datagram) {
    for (int fec_on = 0; fec_on < 2; ++fec_on) {
        auto na = nonce_source(21), nb = nonce_source(22);
        SessionConfig c = config(14, crypt::Cipher::aes128, fec_on ? 10 : 0, fec_on ? 3 : 0);
        c.snd_wnd = c.rcv_wnd = 64;
        auto a = make(c, na);
        auto b = make(c, nb);
        Pair p{*a, *b};
        std::uint32_t seq = 0;
        p.lose = [&](int, auto) { return ++seq % 17 == 0; };
        const Bytes data = pattern(1000, 5);
        Bytes buf(8192);
        std::uint64_t received = 0;
        auto round = [&] {
            a->write(data, p.now);
            p.step(10);
            for (int n; (n = b->read(buf, p.now)) > 0;) received += static_cast<std::uint64_t>(n);
        };
        for (int i = 0; i < 3000; ++i) round();  // warm up: queues and pools reach their peak
        const std::uint64_t before = test::allocations();
        const std::uint64_t carried_before = p.carried, received_before = received;
        for (int i = 0; i < 2000; ++i) round();
        const std::uint64_t allocated = test::allocations() - before;
        BOOST_TEST(p.carried - carried_before > 500u);
        BOOST_TEST(received - received_before > 300000u);
        BOOST_TEST(allocated == 0u);
    }
}

// ----- C semantics (SessionConfig::ikcp_profile) ----------------------------------------

namespace {

SessionConfig c_config(std::uint32_t conv, std::optional<crypt::Cipher> cipher = std::nullopt,
                       int ds = 0, int ps = 0) {
    SessionConfig c = config(conv, cipher, ds, ps);
    c.ikcp_profile = &kcp::kIkcpProfile;
    return c;
}

}  // namespace

BOOST_AUTO_TEST_CASE(c_semantics_send_whole_messages_and_transfer_over_fec_and_crypt) {
    auto na = nonce_source(41), nb = nonce_source(42);
    auto a = make(c_config(21, crypt::Cipher::aes128, 10, 3), na);
    auto b = make(c_config(21, crypt::Cipher::aes128, 10, 3), nb);
    BOOST_TEST(a->c_semantics());
    BOOST_TEST(a->kcp().profile().name == "ikcp");
    BOOST_TEST(a->oob_max_size() == 0u);  // C has no OOB
    a->set_nodelay(1, 10, 2, 1);
    b->set_nodelay(1, 10, 2, 1);
    Pair p{*a, *b};
    std::mt19937 rng(5);
    p.lose = [&](int, auto) { return rng() % 10 == 0; };
    // One 5000-byte write is one message of four fragments, read back whole.
    const Bytes message = pattern(5000, 3);
    BOOST_TEST(a->write(message, p.now) == 5000);
    Bytes got;
    for (int i = 0; i < 300 && got.empty(); ++i) {
        p.step(10);
        drain(*b, got, p.now, 8192);
    }
    BOOST_TEST(got == message);
    // A bulk transfer through 10% loss arrives intact.
    const Bytes data = pattern(200000, 4);
    const Bytes got_bulk = transfer(p, data, 3000, 3000);
    BOOST_TEST(got_bulk.size() == data.size());
    BOOST_TEST(got_bulk == data);
    // A message of fragment_limit segments is refused, as ikcp_send refuses it.
    const Bytes too_long((kcp::kIkcpProfile.fragment_limit) * a->kcp().mss());
    BOOST_TEST(a->write(too_long, p.now) == rc::too_many_fragments);
}

BOOST_AUTO_TEST_CASE(c_semantics_emit_what_a_c_program_driving_ikcp_emits) {
    // The C program: ikcp_update at creation, ikcp_send of each message, one ikcp_flush
    // after the batch; ikcp_update at its timer.
    kcp::Kcp c(9, kcp::kIkcpProfile);
    std::vector<Bytes> c_wire;
    auto collect = [&](std::span<const std::uint8_t> d) {
        c_wire.emplace_back(d.begin(), d.end());
    };
    c.set_output(collect);
    c.setmtu(1400);
    c.wndsize(32, 32);
    c.nodelay(0, 100, 0, 0);
    c.update(1000);
    // The session in pull mode, plain framing.
    auto nonces = nonce_source(5);
    auto s = make(c_config(9), nonces, 1000);
    std::vector<Bytes> s_wire;
    Bytes buf(frame::kMaxDatagram);
    auto poll = [&] {
        for (int n; (n = s->poll_transmit(buf)) > 0;)
            s_wire.emplace_back(buf.begin(), buf.begin() + n);
    };
    for (std::uint32_t i = 0; i < 3; ++i) {
        const Bytes m = pattern(600 + 900 * i, i);
        c.send(m);
        BOOST_TEST(s->write(m, 1005) == static_cast<int>(m.size()));
    }
    BOOST_TEST(s->pending_transmits() == 0u);  // the flush is owed, not made per write
    c.flush(1005);
    poll();
    BOOST_TEST(!s_wire.empty());
    BOOST_TEST(s_wire == c_wire);
    // The timer: ikcp_check / ikcp_update.
    BOOST_TEST(s->next_deadline() == c.check(1005));
    for (std::uint32_t now = 1010; now <= 4000; now += 10) {
        c.update(now);
        s->handle_timeout(now);
        poll();
    }
    BOOST_TEST(s_wire.size() > 1u);  // retransmissions: nobody acknowledges
    BOOST_TEST(s_wire == c_wire);
}

BOOST_AUTO_TEST_CASE(c_semantics_flush_timing_follows_write_delay_and_ack_nodelay) {
    auto na = nonce_source(7), nb = nonce_source(8);
    // Push mode: an owed flush makes next_deadline() "now"; handle_timeout() runs it.
    auto a = make(c_config(3), na, 500);
    std::vector<Bytes> sent;
    auto sink = [&](std::span<const std::uint8_t> d) { sent.emplace_back(d.begin(), d.end()); };
    a->set_transmit_sink(sink);
    BOOST_TEST(a->next_deadline() == 600u);  // ikcp_check: the next interval
    a->write(pattern(100, 1), 510);
    BOOST_TEST(sent.empty());
    BOOST_TEST(a->next_deadline() == 510u);
    a->handle_timeout(510);
    BOOST_TEST(sent.size() == 1u);
    BOOST_TEST(a->next_deadline() != 510u);  // paid

    // Write delay: nothing owed; the data waits for ikcp_update's interval.
    SessionConfig delayed = c_config(4);
    delayed.write_delay = true;
    auto w = make(delayed, nb, 500);
    Bytes buf(frame::kMaxDatagram);
    w->write(pattern(100, 2), 510);
    BOOST_TEST(w->poll_transmit(buf) == 0);
    w->handle_timeout(599);
    BOOST_TEST(w->poll_transmit(buf) == 0);
    w->handle_timeout(600);
    BOOST_TEST(w->poll_transmit(buf) > 0);

    // ACK no-delay: input owes a flush, so the ACK leaves at the next poll; without it the
    // ACK waits for the interval.
    for (const bool ack_nodelay : {false, true}) {
        auto nx = nonce_source(9), ny = nonce_source(10);
        auto x = make(c_config(6), nx, 0);
        SessionConfig yc = c_config(6);
        yc.ack_nodelay = ack_nodelay;
        auto y = make(yc, ny, 0);
        x->write(pattern(50, 3), 10);
        const int n = x->poll_transmit(buf);
        BOOST_TEST_REQUIRE(n > 0);
        y->handle_datagram({buf.data(), static_cast<std::size_t>(n)}, 20);
        BOOST_TEST((y->poll_transmit(buf) > 0) == ack_nodelay);
    }
}

BOOST_AUTO_TEST_CASE(c_semantics_block_a_writer_at_two_send_windows) {
    auto nonces = nonce_source(11);
    SessionConfig c = c_config(12);
    c.snd_wnd = 4;
    auto s = make(c, nonces, 0);
    int accepted = 0;
    while (s->write(pattern(10, 1), 1) > 0) ++accepted;
    BOOST_TEST(accepted == 8);  // ikcp_send has no full window: the session stops at two
    BOOST_TEST(!s->writable());
    BOOST_TEST(s->write(pattern(10, 1), 1) == rc::would_block);
}
