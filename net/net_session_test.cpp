// Loopback tests of net/: real sockets, real threads, bounded time (every wait has a
// deadline, so a broken session fails a check instead of hanging the suite).
#define BOOST_TEST_MODULE net_session
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "kcpkit/kcp/segment.hpp"
#include "kcpkit/net/echo_service.hpp"
#include "kcpkit/net/session.hpp"
#include "kcpkit/net/udp_socket.hpp"

using namespace kcpkit;
using namespace kcpkit::net;
using namespace std::chrono_literals;

namespace {

LoopGroup& loops() {
    static LoopGroup group(2);
    return group;
}

Options fast_options(int window = 256) {
    Options o;
    o.loops = &loops();
    o.session.nodelay = 1;
    o.session.interval = 10;
    o.session.resend = 2;
    o.session.nc = 1;
    o.session.snd_wnd = window;
    o.session.rcv_wnd = window;
    return o;
}

Options with_aes_fec(Options o) {
    o.session.frame.cipher = crypt::Cipher::aes128;
    o.session.frame.key.assign(16, 0x42);
    o.session.frame.data_shards = 10;
    o.session.frame.parity_shards = 3;
    return o;
}

std::vector<std::uint8_t> pattern(std::size_t n, std::uint32_t seed) {
    std::vector<std::uint8_t> v(n);
    std::mt19937 rng(seed);
    for (auto& b : v) b = static_cast<std::uint8_t>(rng());
    return v;
}

Deadline in(std::chrono::milliseconds d) {
    return Clock::now() + d;
}

/// Reads exactly buffer.size() bytes before `deadline`.
bool read_full(UdpSession& s, std::span<std::uint8_t> buffer, Deadline deadline) {
    s.set_read_deadline(deadline);
    std::size_t got = 0;
    while (got < buffer.size()) {
        const IoResult r = s.read(buffer.subspan(got));
        if (!r.ok()) return false;
        got += r.bytes;
    }
    return true;
}

/// The next accepted session; the test stops if none arrives within d.
std::shared_ptr<UdpSession> accept_within(Listener& l, std::chrono::milliseconds d) {
    l.set_accept_deadline(in(d));
    auto session = l.accept();
    BOOST_REQUIRE_MESSAGE(session, "no session accepted in time");
    return session;
}

/// A listener on a loopback port and a client dialled to it; the test stops if either fails.
struct DialledPair {
    std::unique_ptr<Listener> listener;
    std::shared_ptr<UdpSession> client;
};

DialledPair listen_and_dial(const Options& options) {
    std::string error;
    DialledPair pair;
    pair.listener = Listener::listen("127.0.0.1:0", options, &error);
    BOOST_REQUIRE_MESSAGE(pair.listener, error);
    pair.client = UdpSession::dial(pair.listener->address().to_string(), options, &error);
    BOOST_REQUIRE_MESSAGE(pair.client, error);
    return pair;
}

/// One transfer client -> server of `size` bytes; both ends checked.
void transfer(const Options& options, std::size_t size) {
    auto [listener, client] = listen_and_dial(options);
    const auto data = pattern(size, 7);
    // Other threads only record; Boost.Test checks run on the main thread.
    std::atomic<bool> wrote_all{true};
    std::thread writer([&] {
        client->set_write_deadline(in(20s));
        for (std::size_t off = 0; off < data.size() && wrote_all; off += 65536) {
            const auto n = std::min<std::size_t>(65536, data.size() - off);
            wrote_all = client->write(std::span(data).subspan(off, n)).ok();
        }
    });
    auto server = accept_within(*listener, 5s);
    std::vector<std::uint8_t> got(size);
    BOOST_CHECK(read_full(*server, got, in(20s)));
    writer.join();
    BOOST_CHECK(wrote_all.load());
    BOOST_CHECK(got == data);
    BOOST_CHECK_EQUAL(server->conv(), client->conv());
    BOOST_CHECK_EQUAL(server->snmp().BytesReceived, size);
    BOOST_CHECK_EQUAL(client->snmp().BytesSent, size);
    BOOST_CHECK(client->close() == Error::none);
    BOOST_CHECK(server->close() == Error::none);
}

}  // namespace

BOOST_AUTO_TEST_CASE(transfer_plain) {
    transfer(fast_options(), 4 << 20);
}

BOOST_AUTO_TEST_CASE(transfer_aes_and_fec) {
    transfer(with_aes_fec(fast_options()), 4 << 20);
}

BOOST_AUTO_TEST_CASE(transfer_with_kcp_go_defaults) {
    Options o;  // kcp-go's defaults: 32/32 windows, interval 100, no nodelay
    o.loops = &loops();
    transfer(o, 256 << 10);
}

BOOST_AUTO_TEST_CASE(transfer_v561_with_salsa20) {
    Options o = fast_options();
    o.session.release = *kcpgo::find_release("kcp-go-5.6.1");
    o.session.frame.cipher = crypt::Cipher::salsa20;
    o.session.frame.key.assign(32, 7);
    o.session.frame.data_shards = 4;
    o.session.frame.parity_shards = 2;
    transfer(o, 1 << 20);
}

BOOST_AUTO_TEST_CASE(transfer_over_ipv6_loopback) {
    const Options options = with_aes_fec(fast_options());
    std::string error;
    auto listener = Listener::listen("[::1]:0", options, &error);
    BOOST_REQUIRE_MESSAGE(listener, error);
    BOOST_CHECK_EQUAL(listener->address().family(), AF_INET6);
    auto client = UdpSession::dial(listener->address().to_string(), options, &error);
    BOOST_REQUIRE_MESSAGE(client, error);
    const auto data = pattern(300000, 4);
    BOOST_REQUIRE(client->write(data).ok());
    auto server = accept_within(*listener, 5s);
    std::vector<std::uint8_t> got(data.size());
    BOOST_CHECK(read_full(*server, got, in(10s)));
    BOOST_CHECK(got == data);
    BOOST_CHECK_EQUAL(server->remote_address().port(), client->local_address().port());
    BOOST_CHECK(server->remote_address().is_loopback());
    client->close();
    server->close();
}

BOOST_AUTO_TEST_CASE(listener_serves_many_clients) {
    const Options options = with_aes_fec(fast_options(64));
    auto listener = Listener::listen("127.0.0.1:0", options);
    BOOST_REQUIRE(listener);
    // Echo every accepted session from the loop threads (callback style).
    std::atomic<int> accepted{0};
    std::vector<std::shared_ptr<UdpSession>> servers;
    std::mutex servers_mutex;
    listener->set_accept_callback([&] {
        while (auto s = listener->try_accept()) {
            UdpSession* raw = s.get();
            s->set_callbacks(
                [raw] {
                    std::uint8_t buf[4096];
                    for (;;) {
                        const IoResult r = raw->try_read(buf);
                        if (!r.ok() || r.bytes == 0) break;
                        raw->try_write(std::span(buf, r.bytes));
                    }
                },
                {});
            std::lock_guard lock(servers_mutex);
            servers.push_back(std::move(s));
            ++accepted;
        }
    });
    constexpr int kClients = 40;
    std::vector<std::shared_ptr<UdpSession>> clients;
    for (int i = 0; i < kClients; ++i) {
        clients.push_back(UdpSession::dial(listener->address().to_string(), options));
        BOOST_REQUIRE(clients.back());
    }
    std::vector<std::thread> threads;
    std::atomic<int> good{0};
    for (int i = 0; i < kClients; ++i) {
        threads.emplace_back([&, i] {
            const auto data = pattern(20000, static_cast<std::uint32_t>(i));
            auto& c = *clients[static_cast<std::size_t>(i)];
            c.set_write_deadline(in(20s));
            if (!c.write(data).ok()) return;
            std::vector<std::uint8_t> back(data.size());
            if (read_full(c, back, in(20s)) && back == data) ++good;
        });
    }
    for (auto& t : threads) t.join();
    BOOST_CHECK_EQUAL(good.load(), kClients);
    BOOST_CHECK_EQUAL(accepted.load(), kClients);
    BOOST_CHECK_EQUAL(listener->session_count(), static_cast<std::size_t>(kClients));
    for (auto& c : clients) c->close();
    std::lock_guard lock(servers_mutex);
    for (auto& s : servers) s->close();
}

BOOST_AUTO_TEST_CASE(garbage_from_many_sources_is_counted_and_harmless) {
    Options options = with_aes_fec(fast_options());
    // Room for the whole burst in the kernel queues: a loop thread that waits for a core on
    // a busy machine must not turn this test into a count of kernel drops.
    options.read_buffer = 4 << 20;
    auto [listener, client] = listen_and_dial(options);
    const auto hello = pattern(1000, 1);
    BOOST_REQUIRE(client->write(hello).ok());
    auto server = accept_within(*listener, 5s);
    std::vector<std::uint8_t> got(hello.size());
    BOOST_REQUIRE(read_full(*server, got, in(5s)));

    const DriverCounters before = driver_counters();
    const std::uint64_t csum_before = default_snmp().InCsumErrors;
    // 200 sockets (200 source addresses) send random datagrams of every length to the
    // listener, and to the client from foreign addresses.
    constexpr int kSources = 200, kEach = 10;
    std::mt19937 rng(99);
    const auto loopback = Address::parse("127.0.0.1:0");
    SendBatch batch(16);
    int to_listener = 0, to_client = 0;
    for (int s = 0; s < kSources; ++s) {
        UdpSocket sock = UdpSocket::bind(*loopback, false, nullptr);
        BOOST_REQUIRE(sock.is_open());
        for (int k = 0; k < kEach; ++k) {
            std::vector<std::uint8_t> junk(rng() % 1500 + 1);
            for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
            const bool at_client = (k % 5) == 0;
            batch.queue(junk, sock.fd(), at_client ? client->local_address() : listener->address());
            (at_client ? to_client : to_listener)++;
        }
        batch.flush();
        // Paced, so the kernel's receive buffer (which we cannot count) drops none.
        std::this_thread::sleep_for(1ms);
    }
    // The real session keeps working while and after the garbage arrives.
    const auto more = pattern(200000, 2);
    client->set_write_deadline(in(10s));
    BOOST_REQUIRE(client->write(more).ok());
    std::vector<std::uint8_t> got_more(more.size());
    BOOST_CHECK(read_full(*server, got_more, in(10s)));
    BOOST_CHECK(got_more == more);

    // Both listener threads have handled every datagram sent to them before this point.
    DriverCounters after = driver_counters();
    for (int i = 0; i < 200 && after.listener_dropped - before.listener_dropped <
                                   static_cast<std::uint64_t>(to_listener);
         ++i) {
        std::this_thread::sleep_for(10ms);
        after = driver_counters();
    }
    // Random bytes essentially never pass AES-CFB + CRC-32: every one is a checksum drop
    // (a length below the envelope is a truncation drop). The driver counters are
    // process-wide, so a closed listener of an earlier case that still hears its client's
    // last retransmissions may add a few drops of its own: at least every garbage datagram.
    BOOST_CHECK_GE(after.listener_dropped - before.listener_dropped,
                   static_cast<std::uint64_t>(to_listener));
    BOOST_CHECK_GE(default_snmp().InCsumErrors - csum_before,
                   static_cast<std::uint64_t>(to_listener) - 20);
    BOOST_CHECK_EQUAL(after.foreign_source - before.foreign_source,
                      static_cast<std::uint64_t>(to_client));
    BOOST_CHECK_GE(client->snmp().InErrs, static_cast<std::uint64_t>(to_client));
    BOOST_CHECK_EQUAL(listener->session_count(), 1u);
    client->close();
    server->close();
}

BOOST_AUTO_TEST_CASE(datagrams_above_1500_bytes_reach_the_core_cut_as_in_kcp_go) {
    // kcp-go reads into 1500 bytes: a longer datagram is cut there and fails the CRC. The
    // driver hands it to the core, which cuts and counts it; nothing is dropped unseen.
    const Options options = with_aes_fec(fast_options());
    const auto loopback = Address::parse("127.0.0.1:0");
    UdpSocket peer = UdpSocket::bind(*loopback, false, nullptr);
    BOOST_REQUIRE(peer.is_open());
    auto client = UdpSession::dial(peer.local_address().to_string(), options);
    BOOST_REQUIRE(client);
    auto listener = Listener::listen("127.0.0.1:0", options);
    BOOST_REQUIRE(listener);
    const std::uint64_t csum_before = default_snmp().InCsumErrors;
    const std::uint64_t client_csum_before = client->snmp().InCsumErrors;
    const auto big = pattern(2000, 5);
    SendBatch batch(4, 4096);
    batch.queue(big, peer.fd(), client->local_address());
    batch.queue(big, peer.fd(), listener->address());
    batch.flush();
    auto oversize = [&] {
        return client->with_core(
            [](const kcpgo::Session& c) { return c.framer().counters().oversize; });
    };
    for (int i = 0; i < 200 && (oversize() == 0 || default_snmp().InCsumErrors < csum_before + 2);
         ++i) {
        std::this_thread::sleep_for(10ms);
    }
    BOOST_CHECK_EQUAL(oversize(), 1u);
    BOOST_CHECK_EQUAL(client->snmp().InCsumErrors, client_csum_before + 1);
    BOOST_CHECK_EQUAL(default_snmp().InCsumErrors, csum_before + 2);  // client + listener
    client->close();
}

BOOST_AUTO_TEST_CASE(deadlines) {
    const Options options = fast_options();
    auto listener = Listener::listen("127.0.0.1:0", options);
    BOOST_REQUIRE(listener);
    // accept times out
    auto t0 = Clock::now();
    Error e = Error::none;
    listener->set_accept_deadline(in(150ms));
    BOOST_CHECK(listener->accept(&e) == nullptr);
    BOOST_CHECK(e == Error::timeout);
    BOOST_CHECK(Clock::now() - t0 >= 140ms);

    auto client = UdpSession::dial(listener->address().to_string(), options);
    BOOST_REQUIRE(client);
    std::uint8_t buf[16];
    t0 = Clock::now();
    client->set_read_deadline(in(150ms));
    BOOST_CHECK(client->read(buf).error == Error::timeout);
    const auto waited = Clock::now() - t0;
    BOOST_CHECK(waited >= 140ms);
    BOOST_CHECK(waited < 2s);
    // a deadline in the past fails at once; try_read never waits
    client->set_read_deadline(Clock::now() - 1s);
    BOOST_CHECK(client->read(buf).error == Error::timeout);
    BOOST_CHECK(client->try_read(buf).error == Error::would_block);

    // A writer blocked on a full window (nobody reads, window 2) times out.
    Options tiny = options;
    tiny.session.snd_wnd = 2;
    tiny.session.rcv_wnd = 2;
    auto blocked = UdpSession::dial("127.0.0.1:9", tiny);  // discard port: nothing answers
    BOOST_REQUIRE(blocked);
    const auto chunk = pattern(4000, 3);
    blocked->set_write_deadline(in(200ms));
    IoResult w{};
    for (int i = 0; i < 10 && (w = blocked->write(chunk)).ok(); ++i) {
    }
    BOOST_CHECK(w.error == Error::timeout);
    blocked->close();
    client->close();
}

BOOST_AUTO_TEST_CASE(close_wakes_blocked_reader_and_fails_later_calls) {
    const Options options = fast_options();
    auto client = UdpSession::dial("127.0.0.1:9", options);
    BOOST_REQUIRE(client);
    std::atomic<int> result{-1};
    std::thread reader([&] {
        std::uint8_t buf[16];
        client->set_read_deadline(in(5s));
        result = static_cast<int>(client->read(buf).error);
    });
    std::this_thread::sleep_for(100ms);
    BOOST_CHECK(client->close() == Error::none);
    reader.join();
    BOOST_CHECK_EQUAL(result.load(), static_cast<int>(Error::closed));
    std::uint8_t b[1] = {1};
    BOOST_CHECK(client->write(b).error == Error::closed);
    BOOST_CHECK(client->close() == Error::closed);
    BOOST_CHECK(client->is_closed());
}

namespace {
// A raw KCP PUSH datagram (no crypt, no FEC), as a peer with its own conv would send it.
std::vector<std::uint8_t> push_segment(std::uint32_t conv, std::uint32_t sn,
                                       std::string_view text) {
    std::vector<std::uint8_t> d(kcp::kHeaderSize + text.size());
    kcp::SegmentHeader h;
    h.conv = conv;
    h.cmd = static_cast<std::uint8_t>(kcp::Command::push);
    h.wnd = 32;
    h.sn = sn;
    h.len = static_cast<std::uint32_t>(text.size());
    kcp::encode_header(d.data(), h);
    std::memcpy(d.data() + kcp::kHeaderSize, text.data(), text.size());
    return d;
}
}  // namespace

BOOST_AUTO_TEST_CASE(try_accept_leaves_a_blocked_accept_alone) {
    // One thread blocks in accept() with a far deadline while this one takes sessions with
    // try_accept(): the blocked accept() must never time out early (try_accept once
    // lowered the shared deadline for its own call).
    const Options options = fast_options();
    auto listener = Listener::listen("127.0.0.1:0", options);
    BOOST_REQUIRE(listener);
    listener->set_accept_deadline(in(30s));
    std::atomic<int> early_timeouts{0}, by_accept{0}, by_try{0};
    std::thread blocked([&] {
        for (;;) {
            Error e = Error::none;
            auto s = listener->accept(&e);
            if (s) {
                ++by_accept;
                s->close();
            } else if (e == Error::timeout) {
                ++early_timeouts;
            } else {
                return;  // closed
            }
        }
    });
    constexpr int kClients = 40;
    std::vector<std::shared_ptr<UdpSession>> clients;
    const std::uint8_t hello[1] = {7};
    for (int i = 0; i < kClients; ++i) {
        auto c = UdpSession::dial(listener->address().to_string(), options);
        BOOST_REQUIRE(c);
        BOOST_REQUIRE(c->write(hello).ok());
        clients.push_back(c);
        for (int k = 0; k < 20; ++k) {
            if (auto s = listener->try_accept()) {
                ++by_try;
                s->close();
            }
            std::this_thread::sleep_for(1ms);
        }
    }
    for (int i = 0; i < 500 && by_try + by_accept < kClients; ++i) {
        std::this_thread::sleep_for(10ms);
    }
    Error e = Error::none;
    BOOST_CHECK(listener->try_accept(&e) == nullptr);
    BOOST_CHECK(e == Error::would_block);
    listener->close();
    BOOST_CHECK(listener->try_accept(&e) == nullptr);
    BOOST_CHECK(e == Error::closed);
    blocked.join();
    BOOST_CHECK_EQUAL(early_timeouts.load(), 0);
    BOOST_CHECK_EQUAL(by_try.load() + by_accept.load(), kClients);
    for (auto& c : clients) c->close();
}

BOOST_AUTO_TEST_CASE(conv_change_with_sn_zero_replaces_the_session) {
    Options options = fast_options();
    auto listener = Listener::listen("127.0.0.1:0", options);
    BOOST_REQUIRE(listener);
    UdpSocket peer = UdpSocket::bind(*Address::parse("127.0.0.1:0"), false, nullptr);
    BOOST_REQUIRE(peer.is_open());
    SendBatch batch(4);
    auto send = [&](const std::vector<std::uint8_t>& d) {
        batch.queue(d, peer.fd(), listener->address());
        batch.flush();
    };
    send(push_segment(1111, 0, "first"));
    auto a = accept_within(*listener, 5s);
    BOOST_CHECK_EQUAL(a->conv(), 1111u);
    std::uint8_t buf[16];
    a->set_read_deadline(in(2s));
    IoResult r = a->read(buf);
    BOOST_CHECK(r.ok() && std::string_view(reinterpret_cast<char*>(buf), r.bytes) == "first");

    // Another conv from the same address with sn != 0: dropped, session A stays.
    send(push_segment(2222, 5, "ignored"));
    listener->set_accept_deadline(in(200ms));
    BOOST_CHECK(listener->accept() == nullptr);
    BOOST_CHECK(!a->is_closed());

    // sn == 0: A is closed and B takes over the address.
    send(push_segment(3333, 0, "second"));
    auto b = accept_within(*listener, 5s);
    BOOST_CHECK_EQUAL(b->conv(), 3333u);
    a->set_read_deadline(in(2s));
    BOOST_CHECK(a->read(buf).error == Error::closed);
    b->set_read_deadline(in(2s));
    r = b->read(buf);
    BOOST_CHECK(r.ok() && std::string_view(reinterpret_cast<char*>(buf), r.bytes) == "second");
    BOOST_CHECK_EQUAL(listener->session_count(), 1u);

    // After close, a stray packet from that address creates a fresh session (no FIN).
    b->close();
    std::this_thread::sleep_for(50ms);
    send(push_segment(3333, 1, "stray"));
    auto c = accept_within(*listener, 5s);
    BOOST_CHECK_EQUAL(c->conv(), 3333u);
    c->close();
}

BOOST_AUTO_TEST_CASE(window_reopen_is_learned_at_once) {
    // v5.6.1's KCP waits 7 s for its first window probe; the receiver must not rely on it.
    Options options = fast_options(8);
    options.session.release = *kcpgo::find_release("kcp-go-5.6.1");
    auto [listener, client] = listen_and_dial(options);
    const std::size_t mss = client->with_core(
        [](const kcpgo::Session& s) { return static_cast<std::size_t>(s.kcp().mss()); });
    // Far more than the receive window holds: the sender stalls on a zero window.
    const auto data = pattern(mss * 64, 5);
    std::thread writer([&] {
        client->set_write_deadline(in(20s));
        client->write(data);
    });
    auto server = accept_within(*listener, 5s);
    std::this_thread::sleep_for(500ms);  // the window closes; nobody reads
    std::vector<std::uint8_t> got(data.size());
    const auto t0 = Clock::now();
    BOOST_CHECK(read_full(*server, got, in(20s)));
    const auto took = Clock::now() - t0;
    writer.join();
    BOOST_CHECK(got == data);
    // 64 segments through an 8-segment window: each reopening must be learned at once
    // (well under the 7 s probe).
    BOOST_CHECK_MESSAGE(took < 3s,
                        "draining took " << std::chrono::duration<double>(took).count() << " s");
    BOOST_CHECK_GT(server->with_core([](const kcpgo::Session& s) { return s.window_updates(); }),
                   0u);
    client->close();
    server->close();
}

BOOST_AUTO_TEST_CASE(write_buffers_sends_every_buffer_in_order) {
    const Options options = fast_options();
    auto [listener, client] = listen_and_dial(options);
    const auto a = pattern(3000, 1), b = pattern(10, 2), c = pattern(70000, 3);
    const std::span<const std::uint8_t> buffers[] = {a, b, c};
    const IoResult w = client->write_buffers(buffers);
    BOOST_CHECK(w.ok());
    BOOST_CHECK_EQUAL(w.bytes, a.size() + b.size() + c.size());
    auto server = accept_within(*listener, 5s);
    std::vector<std::uint8_t> got(w.bytes), want;
    for (const auto& v : {a, b, c}) want.insert(want.end(), v.begin(), v.end());
    BOOST_CHECK(read_full(*server, got, in(10s)));
    BOOST_CHECK(got == want);
    client->close();
    server->close();
}

BOOST_AUTO_TEST_CASE(callback_echo_survives_full_windows) {
    // Windows of 4 segments: the echo's writes are refused again and again, and it must
    // hold the bytes and resume from on_writable without losing or reordering any.
    Options options = fast_options(4);
    auto listener = Listener::listen("127.0.0.1:0", options);
    BOOST_REQUIRE(listener);
    std::mutex echo_mutex;
    std::vector<std::shared_ptr<UdpSession>> echoes;
    listener->set_accept_callback([&] {
        while (auto s = listener->try_accept()) {
            start_echo(s);
            std::lock_guard lock(echo_mutex);
            echoes.push_back(std::move(s));
        }
    });
    auto client = UdpSession::dial(listener->address().to_string(), options);
    BOOST_REQUIRE(client);
    const auto data = pattern(300000, 11);
    std::atomic<bool> wrote{false};
    std::thread writer([&] {
        client->set_write_deadline(in(30s));
        wrote = client->write(data).ok();
    });
    std::vector<std::uint8_t> back(data.size());
    BOOST_CHECK(read_full(*client, back, in(30s)));
    writer.join();
    BOOST_CHECK(wrote.load());
    BOOST_CHECK(back == data);
    client->close();
    listener->close();
    std::lock_guard lock(echo_mutex);
    for (auto& s : echoes) s->close();  // accepted sessions outlive their listener
}

BOOST_AUTO_TEST_CASE(each_session_wakes_only_at_its_own_deadline) {
    // Idle sessions with different intervals: each timer fires at its core's deadline (the
    // flush interval when idle), never early and not on a shared tick.
    auto fires = [] { return driver_counters(); };
    Options slow = fast_options();
    slow.session.interval = 100;
    Options quick = fast_options();
    quick.session.interval = 20;
    std::vector<std::shared_ptr<UdpSession>> sessions;
    const DriverCounters before = fires();
    for (int i = 0; i < 10; ++i) sessions.push_back(UdpSession::dial("127.0.0.1:9", slow));
    std::this_thread::sleep_for(1s);
    const DriverCounters mid = fires();
    for (auto& s : sessions) s->close();
    sessions.clear();
    for (int i = 0; i < 10; ++i) sessions.push_back(UdpSession::dial("127.0.0.1:9", quick));
    std::this_thread::sleep_for(1s);
    const DriverCounters after = fires();
    for (auto& s : sessions) s->close();
    const auto slow_fires = mid.timer_fires - before.timer_fires;
    const auto quick_fires = after.timer_fires - mid.timer_fires;
    // ~10 sessions x 10 flushes, then ~10 x 50 (loose bounds: the machine is shared).
    BOOST_CHECK_GE(slow_fires, 60u);
    BOOST_CHECK_LE(slow_fires, 140u);
    BOOST_CHECK_GE(quick_fires, 300u);
    BOOST_CHECK_LE(quick_fires, 600u);
    BOOST_CHECK_EQUAL(after.idle_timer_fires, before.idle_timer_fires);
}

BOOST_AUTO_TEST_CASE(process_wide_snmp_adds_up_sessions) {
    {
        // CurrEstab follows open sessions, as the cores count them; MaxConn covers them.
        const std::uint64_t open_before = default_snmp().CurrEstab;
        const Options options = fast_options();
        auto [listener, client] = listen_and_dial(options);
        const std::uint8_t hello[1] = {1};
        BOOST_REQUIRE(client->write(hello).ok());
        auto server = accept_within(*listener, 5s);
        const kcpgo::Snmp both = default_snmp();
        BOOST_CHECK_EQUAL(both.CurrEstab, open_before + 2);
        BOOST_CHECK_GE(both.MaxConn, both.CurrEstab);
        client->close();
        BOOST_CHECK_EQUAL(default_snmp().CurrEstab, open_before + 1);
        server->close();
        BOOST_CHECK_EQUAL(default_snmp().CurrEstab, open_before);
    }
    const kcpgo::Snmp before = default_snmp();
    transfer(fast_options(), 100000);
    const kcpgo::Snmp after = default_snmp();
    BOOST_CHECK_GE(after.BytesSent - before.BytesSent, 100000u);
    BOOST_CHECK_GE(after.BytesReceived - before.BytesReceived, 100000u);
    BOOST_CHECK_GE(after.ActiveOpens - before.ActiveOpens, 1u);
    BOOST_CHECK_GE(after.PassiveOpens - before.PassiveOpens, 1u);
    BOOST_CHECK_GE(after.MaxConn, 2u);
}
