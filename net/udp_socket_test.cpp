// SendBatch / RecvBatch over loopback: what reaches the kernel is exactly what was queued,
// and a datagram longer than a slot is counted instead of being cut.
#define BOOST_TEST_MODULE udp_socket
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <thread>
#include <vector>

#include "net/udp_socket.hpp"

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
