#define BOOST_TEST_MODULE listener_demux
#include "kcpkit/kcpgo/listener_demux.hpp"

#include <boost/test/unit_test.hpp>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kcpkit/base/allocation_counter_test_support.hpp"
#include "kcpkit/base/byte_order.hpp"
#include "kcpkit/crypt/nonce.hpp"
#include "kcpkit/kcpgo/release.hpp"

using namespace kcpkit;
using namespace kcpkit::kcpgo;
using Bytes = std::vector<std::uint8_t>;

namespace {

Bytes key(const std::string& address) {
    return Bytes(address.begin(), address.end());
}
Bytes key(const char* prefix, unsigned i) {
    Bytes k(prefix, prefix + std::strlen(prefix));
    k.push_back(static_cast<std::uint8_t>('0' + i % 10));
    return k;
}

Bytes kcp_datagram(std::uint32_t conv, std::uint32_t sn) {
    Bytes d(24 + 4, 0xEE);
    store_le32(d.data(), conv);
    d[4] = 81;
    d[5] = 0;
    store_le16(d.data() + 6, 32);
    store_le32(d.data() + 8, 0);
    store_le32(d.data() + 12, sn);
    store_le32(d.data() + 16, 0);
    store_le32(d.data() + 20, 4);
    return d;
}

frame::FrameConfig plain_config(const Release& release = default_release()) {
    frame::FrameConfig c;
    c.behaviour = release.frame;
    return c;
}

std::unique_ptr<ListenerDemux> make(const frame::FrameConfig& c,
                                    std::size_t backlog = kAcceptBacklog) {
    auto d = ListenerDemux::create(c, nullptr, backlog);
    BOOST_TEST_REQUIRE(d != nullptr);
    return d;
}

}  // namespace

BOOST_AUTO_TEST_CASE(new_address_creates_known_address_delivers) {
    auto demux = make(plain_config());
    const Bytes a = key("10.0.0.1:5000");
    Bytes d = kcp_datagram(100, 5);
    DemuxDecision x = demux->route(a, d);
    BOOST_TEST((x.action == DemuxAction::create));
    BOOST_TEST(x.conv == 100u);
    BOOST_TEST(x.plain.size() == d.size());
    demux->insert(a, 100, 7);
    BOOST_TEST(demux->awaiting_accept() == 1u);
    x = demux->route(a, d);
    BOOST_TEST((x.action == DemuxAction::deliver));
    BOOST_TEST(x.token == 7u);
    BOOST_TEST(demux->accepted(a));
    BOOST_TEST(!demux->accepted(a));
    BOOST_TEST(demux->awaiting_accept() == 0u);
    // Another address with the same conv is another session.
    x = demux->route(key("10.0.0.2:5000"), d);
    BOOST_TEST((x.action == DemuxAction::create));
}

BOOST_AUTO_TEST_CASE(different_conv_replaces_only_with_sn_zero) {
    auto demux = make(plain_config());
    const Bytes a = key("a");
    demux->insert(a, 1, 11);
    Bytes other = kcp_datagram(2, 9);
    DemuxDecision x = demux->route(a, other);
    BOOST_TEST((x.action == DemuxAction::drop));
    BOOST_TEST((x.drop == DemuxDropReason::conv_mismatch));
    Bytes reset = kcp_datagram(2, 0);
    x = demux->route(a, reset);
    BOOST_TEST((x.action == DemuxAction::replace));
    BOOST_TEST(x.token == 11u);
    BOOST_TEST(x.conv == 2u);
    demux->erase(a);
    demux->insert(a, 2, 12);
    BOOST_TEST(demux->size() == 1u);
    BOOST_TEST(demux->awaiting_accept() == 1u);
    x = demux->route(a, reset);
    BOOST_TEST((x.action == DemuxAction::deliver));
    BOOST_TEST(x.token == 12u);
}

BOOST_AUTO_TEST_CASE(parity_and_short_fec_data_go_to_the_known_session_only) {
    auto demux = make(plain_config());
    Bytes parity(40, 0);
    store_le16(parity.data() + 4, fec::kTypeParity);
    DemuxDecision x = demux->route(key("new"), parity);
    BOOST_TEST((x.action == DemuxAction::drop));
    BOOST_TEST((x.drop == DemuxDropReason::no_conv));
    demux->insert(key("old"), 5, 1);
    x = demux->route(key("old"), parity);
    BOOST_TEST((x.action == DemuxAction::deliver));
    // An FEC data packet shorter than 8 + 24 bytes carries no readable conv either.
    Bytes short_data(8 + 10, 0);
    store_le16(short_data.data() + 4, fec::kTypeData);
    x = demux->route(key("old"), short_data);
    BOOST_TEST((x.action == DemuxAction::deliver));
    // FEC data with a conv: conv at 8, sn at 20.
    Bytes data(8, 0);
    store_le16(data.data() + 4, fec::kTypeData);
    const Bytes k = kcp_datagram(6, 0);
    data.insert(data.end(), k.begin(), k.end());
    x = demux->route(key("old"), data);
    BOOST_TEST((x.action == DemuxAction::replace));
    BOOST_TEST(x.conv == 6u);
}

BOOST_AUTO_TEST_CASE(oob_carries_a_conv_on_v5_6_72) {
    auto demux = make(plain_config());
    Bytes oob(12, 0);
    store_le32(oob.data(), 0xFFFFFFFFu);
    store_le16(oob.data() + 4, fec::kTypeOob);
    store_le32(oob.data() + 8, 99);
    DemuxDecision x = demux->route(key("x"), oob);
    BOOST_TEST((x.action == DemuxAction::create));
    BOOST_TEST(x.conv == 99u);
    // v5.6.1: 12 bytes is below its 24-byte gate.
    auto old = make(plain_config(*find_release("kcp-go-5.6.1")));
    x = old->route(key("x"), oob);
    BOOST_TEST((x.drop == DemuxDropReason::too_short));
}

BOOST_AUTO_TEST_CASE(default_backlog_is_kcp_go_s_128) {
    auto demux = make(plain_config());
    BOOST_TEST(demux->accept_backlog() == 128u);
    for (unsigned i = 0; i < 128; ++i) {
        const Bytes k = {static_cast<std::uint8_t>(i), 1};
        demux->insert(k, i, i);
    }
    Bytes d = kcp_datagram(500, 0);
    BOOST_TEST((demux->route(key("one more"), d).drop == DemuxDropReason::backlog_full));
}

BOOST_AUTO_TEST_CASE(accept_backlog_bounds_new_sessions) {
    auto demux = make(plain_config(), 3);
    for (int i = 0; i < 3; ++i) {
        const Bytes k = key("peer", static_cast<unsigned>(i));
        Bytes d = kcp_datagram(static_cast<std::uint32_t>(i), 0);
        BOOST_TEST((demux->route(k, d).action == DemuxAction::create));
        demux->insert(k, static_cast<std::uint32_t>(i), static_cast<std::uint64_t>(i));
    }
    Bytes d = kcp_datagram(50, 0);
    DemuxDecision x = demux->route(key("late"), d);
    BOOST_TEST((x.drop == DemuxDropReason::backlog_full));
    // A reset from a known (still unaccepted) address: its own slot frees up, so it works.
    Bytes reset = kcp_datagram(60, 0);
    x = demux->route(key("peer0"), reset);
    BOOST_TEST((x.action == DemuxAction::replace));
    // Once accepted, a reset while the backlog is full closes without creating.
    BOOST_TEST(demux->accepted(key("peer1")));
    demux->insert(key("fresh"), 70, 70);  // backlog full again: peer0, peer2, fresh
    x = demux->route(key("peer1"), reset);
    BOOST_TEST((x.action == DemuxAction::close));
    BOOST_TEST((x.drop == DemuxDropReason::backlog_full));
    BOOST_TEST(demux->accepted(key("peer0")));
    x = demux->route(key("late"), d);
    BOOST_TEST((x.action == DemuxAction::create));
    BOOST_TEST(demux->erase(key("peer2")));
    BOOST_TEST(!demux->erase(key("peer2")));
}

BOOST_AUTO_TEST_CASE(crypt_failures_and_short_packets_are_counted_drops) {
    frame::FrameConfig c = plain_config();
    c.cipher = crypt::Cipher::aes128;
    c.key.assign(16, 1);
    auto demux = make(c);
    auto sealer = frame::Framer::create(c);
    std::array<std::uint8_t, 32> seed{};
    crypt::AesCtrNonceSource nonces(seed);
    const Bytes k = kcp_datagram(3, 0);
    auto sealed = sealer->seal(k, 0, nonces);
    Bytes wire(sealed.datagrams[0].begin(), sealed.datagrams[0].end());
    Bytes good = wire;
    DemuxDecision x = demux->route(key("p"), good);
    BOOST_TEST((x.action == DemuxAction::create));
    BOOST_TEST((Bytes(x.plain.begin(), x.plain.end()) == k));
    wire[30] ^= 1;
    x = demux->route(key("p"), wire);
    BOOST_TEST((x.drop == DemuxDropReason::bad_checksum));
    Bytes tiny(5, 0);
    x = demux->route(key("p"), tiny);
    BOOST_TEST((x.drop == DemuxDropReason::truncated));
    BOOST_TEST(demux->counters().in_csum_errors == 1u);
    BOOST_TEST(demux->counters().truncated == 1u);
}

BOOST_AUTO_TEST_CASE(random_bytes_never_crash_and_never_change_the_table) {
    std::mt19937 rng(5);
    for (const Release& release : releases()) {
        auto demux = make(plain_config(release));
        demux->insert(key("k0"), 1, 1);
        for (int i = 0; i < 20000; ++i) {
            Bytes d(rng() % 80);
            for (auto& b : d) b = static_cast<std::uint8_t>(rng());
            if (d.size() >= 6 && i % 3 == 0)
                store_le16(d.data() + 4, static_cast<std::uint16_t>(0xF1 + rng() % 3));
            const Bytes k = key("k", static_cast<unsigned>(rng() % 3));
            const DemuxDecision x = demux->route(k, d);
            if (x.action != DemuxAction::drop) BOOST_TEST(x.plain.size() == d.size());
        }
        BOOST_TEST(demux->size() == 1u);
        const DemuxCounters& c = demux->counters();
        BOOST_TEST(c.delivered + c.created + c.replaced + c.conv_mismatch + c.no_conv +
                       c.backlog_full + c.too_short ==
                   20000u);
    }
}

BOOST_AUTO_TEST_CASE(route_allocates_nothing) {
    auto demux = make(plain_config());
    for (unsigned i = 0; i < 100; ++i) demux->insert(key("peer", i % 10), i % 10, i);
    Bytes d = kcp_datagram(9, 3);
    const Bytes known = key("peer", 9), unknown = key("nobody");
    std::size_t delivered = 0;
    const std::uint64_t before = kcpkit::test::allocations();
    for (int i = 0; i < 10000; ++i) {
        delivered += demux->route(known, d).action == DemuxAction::deliver;
        (void)demux->route(unknown, d);
    }
    BOOST_TEST(kcpkit::test::allocations() - before == 0u);
    BOOST_TEST(delivered == 10000u);
}
