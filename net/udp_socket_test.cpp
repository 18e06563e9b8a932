// SendBatch / RecvBatch over loopback: what reaches the kernel is exactly what was queued,
// and a datagram longer than a slot is counted instead of being cut.
#define BOOST_TEST_MODULE udp_socket
#include <boost/test/unit_test.hpp>

#include <poll.h>

#include <chrono>
#include <thread>
#include <vector>

#include "kcpkit/net/udp_socket.hpp"

using namespace kcpkit::net;
using namespace std::chrono_literals;

namespace {

UdpSocket loopback_socket() {
    UdpSocket s = UdpSocket::bind(*Address::parse("127.0.0.1:0"), false, nullptr);
    BOOST_REQUIRE(s.is_open());
    return s;
}

std::vector<std::uint8_t> filled(std::size_t n, std::uint8_t first) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(first + i);
    return v;
}

/// Receives until `want` datagrams arrived or a second passed.
std::vector<std::vector<std::uint8_t>> receive(UdpSocket& s, std::size_t want) {
    RecvBatch batch(8);
    std::vector<std::vector<std::uint8_t>> got;
    for (int i = 0; i < 100 && got.size() < want; ++i) {
        const int n = batch.receive(s.fd());
        BOOST_REQUIRE_GE(n, 0);
        for (int k = 0; k < n; ++k) {
            const auto d = batch.data(k);
            got.emplace_back(d.begin(), d.end());
        }
        if (n == 0) std::this_thread::sleep_for(10ms);
    }
    return got;
}

}  // namespace

BOOST_AUTO_TEST_CASE(oversize_datagrams_are_counted_not_cut) {
    UdpSocket receiver = loopback_socket();
    UdpSocket sender = loopback_socket();
    const Address to = receiver.local_address();
    SendBatch batch(4);
    const auto fits = filled(kMaxDatagram, 1);
    const auto too_long = filled(kMaxDatagram + 1, 2);
    batch.queue(too_long, sender.fd(), to);
    batch.queue(fits, sender.fd(), to);
    batch.slot()[0] = 9;
    batch.commit(kMaxDatagram + 100, sender.fd(), to);  // longer than the slot
    batch.flush();
    BOOST_CHECK_EQUAL(batch.counters().oversize, 2u);
    BOOST_CHECK_EQUAL(batch.counters().datagrams, 1u);
    BOOST_CHECK_GE(total_send_oversize(), 2u);
    const auto got = receive(receiver, 1);
    BOOST_REQUIRE_EQUAL(got.size(), 1u);
    BOOST_CHECK(got[0] == fits);
    // Nothing else arrives: the refused ones were not sent cut short.
    std::this_thread::sleep_for(50ms);
    BOOST_CHECK(receive(receiver, 1).empty());
}

BOOST_AUTO_TEST_CASE(full_size_datagram_survives_a_socket_switch) {
    // commit() on another socket's batch sends the others first; the new datagram must
    // move to the front whole, at the full slot size.
    UdpSocket receiver = loopback_socket();
    UdpSocket first = loopback_socket(), second = loopback_socket();
    const Address to = receiver.local_address();
    SendBatch batch(4);
    const auto a = filled(100, 3);
    const auto b = filled(kMaxDatagram, 4);
    batch.queue(a, first.fd(), to);
    const auto slot = batch.slot();
    std::copy(b.begin(), b.end(), slot.begin());
    batch.commit(b.size(), second.fd(), to);
    batch.flush();
    BOOST_CHECK_EQUAL(batch.counters().datagrams, 2u);
    const auto got = receive(receiver, 2);
    BOOST_REQUIRE_EQUAL(got.size(), 2u);
    BOOST_CHECK(got[0] == a);
    BOOST_CHECK(got[1] == b);
}

BOOST_AUTO_TEST_CASE(receive_slots_show_a_datagram_was_longer_than_1500) {
    // One byte more than kcp-go's read buffer: the core sees the datagram was longer.
    UdpSocket receiver = loopback_socket();
    UdpSocket sender = loopback_socket();
    SendBatch batch(2, 4096);
    batch.queue(filled(2000, 5), sender.fd(), receiver.local_address());
    batch.flush();
    const auto got = receive(receiver, 1);
    BOOST_REQUIRE_EQUAL(got.size(), 1u);
    BOOST_CHECK_EQUAL(got[0].size(), kRecvSlot);
    BOOST_CHECK(got[0] == filled(kRecvSlot, 5));
}

// ----- UDP GSO: runs of equal-sized datagrams leave as one message ----------------------

namespace {

UdpSocket bound_loopback() {
    std::string error;
    UdpSocket s = UdpSocket::bind(*Address::parse("127.0.0.1:0"), false, &error);
    BOOST_TEST_REQUIRE(s.is_open(), error);
    BOOST_TEST_REQUIRE(s.set_read_buffer(4 << 20));
    return s;
}

/// Everything `socket` has received, one vector per datagram, waiting up to 1 s for `want`.
std::vector<std::vector<std::uint8_t>> receive_all(const UdpSocket& socket, std::size_t want) {
    std::vector<std::vector<std::uint8_t>> got;
    RecvBatch batch;
    for (int idle = 0; got.size() < want && idle < 100;) {
        pollfd p{socket.fd(), POLLIN, 0};
        if (poll(&p, 1, 10) <= 0) {
            ++idle;
            continue;
        }
        const int n = batch.receive(socket.fd());
        BOOST_TEST_REQUIRE(n >= 0);
        for (int i = 0; i < n; ++i) {
            const auto d = batch.data(i);
            got.emplace_back(d.begin(), d.end());
        }
    }
    return got;
}

std::vector<std::uint8_t> datagram(std::size_t size, std::uint8_t tag) {
    std::vector<std::uint8_t> d(size);
    for (std::size_t i = 0; i < size; ++i) d[i] = static_cast<std::uint8_t>(tag + i);
    return d;
}

}  // namespace

// A flush merges runs of equal-sized datagrams into GSO messages; the receiver must still
// see every datagram with its own boundaries, contents and order.
BOOST_AUTO_TEST_CASE(batched_datagrams_keep_their_boundaries_and_order) {
    const UdpSocket from = bound_loopback(), a = bound_loopback(), b = bound_loopback();
    const Address to_a = a.local_address(), to_b = b.local_address();
    // Full-size runs longer than one message (64 segments / 64 KiB), short tails, a single,
    // runs broken by a larger datagram and by another address.
    std::vector<std::size_t> sizes_a, sizes_b;
    for (int i = 0; i < 70; ++i) sizes_a.push_back(1350);
    sizes_a.push_back(200);
    for (int i = 0; i < 5; ++i) sizes_a.push_back(900);
    sizes_a.push_back(1400);
    sizes_a.push_back(24);
    SendBatch batch(64);
    std::vector<std::vector<std::uint8_t>> sent_a, sent_b;
    std::uint8_t tag = 0;
    for (std::size_t i = 0; i < sizes_a.size(); ++i) {
        sent_a.push_back(datagram(sizes_a[i], tag++));
        batch.queue(sent_a.back(), from.fd(), to_a);
        if (i % 9 == 4) {
            sent_b.push_back(datagram(1350, tag++));
            batch.queue(sent_b.back(), from.fd(), to_b);
        }
    }
    batch.flush();
    BOOST_TEST(batch.counters().datagrams == sent_a.size() + sent_b.size());
    BOOST_TEST(batch.counters().dropped == 0u);
    BOOST_TEST(receive_all(a, sent_a.size()) == sent_a);
    BOOST_TEST(receive_all(b, sent_b.size()) == sent_b);
}

BOOST_AUTO_TEST_CASE(a_refused_address_drops_its_datagrams_and_the_rest_still_leave) {
    const UdpSocket from = bound_loopback(), a = bound_loopback();
    const Address to_a = a.local_address();
    const Address nowhere = *Address::parse("[::1]:9");  // an IPv6 target for an IPv4 socket
    SendBatch batch(64);
    std::vector<std::vector<std::uint8_t>> sent_a;
    for (int i = 0; i < 3; ++i) batch.queue(datagram(1000, 1), from.fd(), nowhere);
    for (int i = 0; i < 4; ++i) {
        sent_a.push_back(datagram(1000, static_cast<std::uint8_t>(i)));
        batch.queue(sent_a.back(), from.fd(), to_a);
    }
    batch.flush();
    BOOST_TEST(batch.counters().dropped == 3u);
    BOOST_TEST(batch.counters().datagrams == 4u);
    BOOST_TEST(receive_all(a, sent_a.size()) == sent_a);
}
