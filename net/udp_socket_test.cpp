#define BOOST_TEST_MODULE udp_socket
#include "net/udp_socket.hpp"

#include <poll.h>

#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <vector>

#include "net/address.hpp"

using namespace kcpkit::net;

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
            BOOST_TEST(!batch.truncated(i));
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
