// The loss models and the impaired channel on their own: rates, burst lengths, drop
// lists, blackhole timing, bit corruption, determinism per stream.
#define BOOST_TEST_MODULE sim_impairment
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdint>
#include <vector>

#include "ns3/ipv4-header.h"
#include "ns3/packet.h"
#include "ns3/ppp-header.h"
#include "ns3/rng-seed-manager.h"
#include "ns3/simulator.h"
#include "ns3/tcp-header.h"
#include "ns3/udp-header.h"
#include "sim/scenario/impairment.hpp"

using namespace kcpkit::sim;
using namespace ns3;

namespace {

// Feeds n packets through a fresh model; returns the loss pattern.
std::vector<bool> pattern(const LossConfig& config, int n, int64_t stream = 10, uint32_t seed = 1) {
    RngSeedManager::SetSeed(seed);
    Ptr<ImpairmentErrorModel> m = CreateObject<ImpairmentErrorModel>();
    m->Configure(config);
    m->AssignStreams(stream);
    std::vector<bool> lost;
    lost.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) lost.push_back(m->IsCorrupt(Create<Packet>(100)));
    return lost;
}

double rate(const std::vector<bool>& lost) {
    double k = 0;
    for (bool b : lost) k += b;
    return k / static_cast<double>(lost.size());
}

double mean_burst(const std::vector<bool>& lost) {
    double bursts = 0, total = 0;
    for (std::size_t i = 0; i < lost.size(); ++i) {
        if (!lost[i]) continue;
        ++total;
        if (i == 0 || !lost[i - 1]) ++bursts;
    }
    return bursts > 0 ? total / bursts : 0;
}

}  // namespace

BOOST_AUTO_TEST_CASE(bernoulli_loses_at_its_rate_without_bursts) {
    LossConfig c;
    c.bernoulli = 0.05;
    const auto lost = pattern(c, 400000);
    BOOST_CHECK_CLOSE(rate(lost), 0.05, 3);  // within 3 %
    BOOST_CHECK_CLOSE(mean_burst(lost), 1 / (1 - 0.05), 3);
}

BOOST_AUTO_TEST_CASE(gilbert_elliott_has_the_asked_mean_loss_and_burst_length) {
    for (double burst : {1.5, 3.0, 8.0}) {
        const auto lost = pattern(LossConfig::gilbert_elliott(0.02, burst), 1000000);
        BOOST_TEST_MESSAGE("burst " << burst << ": loss " << rate(lost) << ", mean burst "
                                    << mean_burst(lost));
        BOOST_CHECK_CLOSE(rate(lost), 0.02, 6);
        BOOST_CHECK_CLOSE(mean_burst(lost), burst, 6);
    }
    // Explicit parameters with loss in both states: mean = (p*lb + r*lg) / (p + r).
    LossConfig c;
    c.ge = true;
    c.ge_p = 0.01;
    c.ge_r = 0.1;
    c.ge_loss_good = 0.001;
    c.ge_loss_bad = 0.5;
    BOOST_CHECK_CLOSE(rate(pattern(c, 1000000)), (0.01 * 0.5 + 0.1 * 0.001) / 0.11, 6);
}

BOOST_AUTO_TEST_CASE(the_drop_list_drops_exactly_those_packets) {
    LossConfig c;
    c.drop_list = {1, 2, 5, 100};
    const auto lost = pattern(c, 200);
    for (std::size_t i = 0; i < lost.size(); ++i)
        BOOST_CHECK_EQUAL(lost[i], i == 0 || i == 1 || i == 4 || i == 99);
}

BOOST_AUTO_TEST_CASE(the_same_stream_and_seed_repeat_and_others_differ) {
    const LossConfig c = LossConfig::gilbert_elliott(0.05, 3);
    BOOST_CHECK(pattern(c, 5000, 10, 1) == pattern(c, 5000, 10, 1));
    BOOST_CHECK(pattern(c, 5000, 10, 1) != pattern(c, 5000, 12, 1));
    BOOST_CHECK(pattern(c, 5000, 10, 1) != pattern(c, 5000, 10, 2));
}

BOOST_AUTO_TEST_CASE(a_blackhole_drops_everything_in_its_off_phase) {
    LossConfig c;
    c.blackhole_on = Seconds(1);
    c.blackhole_off = MilliSeconds(500);
    c.blackhole_start = Seconds(2);
    Ptr<ImpairmentErrorModel> m = CreateObject<ImpairmentErrorModel>();
    m->Configure(c);
    std::vector<std::pair<double, bool>> seen;
    for (int k = 0; k < 60; ++k) {
        Simulator::Schedule(MilliSeconds(100 * k + 50), [m, &seen]() {
            seen.push_back({Simulator::Now().GetSeconds(), m->IsCorrupt(Create<Packet>(10))});
        });
    }
    Simulator::Run();
    Simulator::Destroy();
    for (auto [t, lost] : seen) {
        const double phase = t - 2.0;
        const bool off = phase > 0 && std::fmod(phase, 1.5) >= 1.0;
        BOOST_CHECK_MESSAGE(lost == off, "t=" << t);
    }
    BOOST_CHECK_EQUAL(m->Counters().blackhole, m->Counters().dropped);
}

namespace {

constexpr std::uint32_t kHeaders = 2 + 20 + 8;  // PPP, IPv4, UDP

// A packet as the bottleneck device receives it: PPP + IPv4 (+ UDP or TCP) + payload.
Ptr<Packet> wire_packet(std::uint32_t payload_size, std::uint8_t protocol = 17,
                        std::uint16_t ppp_protocol = 0x0021) {
    std::vector<std::uint8_t> payload(payload_size);
    for (std::uint32_t i = 0; i < payload_size; ++i)
        payload[i] = static_cast<std::uint8_t>(i * 131 + 7);
    Ptr<Packet> p = Create<Packet>(payload.data(), payload_size);
    if (protocol == 17) {
        UdpHeader udp;
        udp.SetSourcePort(5000);
        udp.SetDestinationPort(5001);
        p->AddHeader(udp);
    } else if (protocol == 6) {
        TcpHeader tcp;
        tcp.SetSourcePort(5000);
        tcp.SetDestinationPort(5001);
        p->AddHeader(tcp);
    }
    Ipv4Header ip;
    ip.SetSource(Ipv4Address("10.1.0.1"));
    ip.SetDestination(Ipv4Address("10.101.0.1"));
    ip.SetProtocol(protocol);
    ip.SetPayloadSize(static_cast<std::uint16_t>(p->GetSize()));
    ip.SetTtl(63);
    ip.EnableChecksum();  // a real header checksum, so a rewritten header would show
    p->AddHeader(ip);
    PppHeader ppp;
    ppp.SetProtocol(ppp_protocol);
    p->AddHeader(ppp);
    return p;
}

std::vector<std::uint8_t> bytes_of(Ptr<const Packet> p) {
    std::vector<std::uint8_t> b(p->GetSize());
    p->CopyData(b.data(), p->GetSize());
    return b;
}

Ptr<ImpairmentErrorModel> corruption_model(double corrupt, double bernoulli = 0,
                                           std::uint32_t seed = 1) {
    RngSeedManager::SetSeed(seed);
    LossConfig c;
    c.corrupt = corrupt;
    c.bernoulli = bernoulli;
    Ptr<ImpairmentErrorModel> m = CreateObject<ImpairmentErrorModel>();
    m->Configure(c);
    m->AssignStreams(10);
    m->AssignCorruptionStream(12);
    return m;
}

// The positions of the bits that differ.
std::vector<std::size_t> diff_bits(const std::vector<std::uint8_t>& a,
                                   const std::vector<std::uint8_t>& b) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
        for (int k = 0; k < 8; ++k)
            if (((a[i] ^ b[i]) >> k) & 1) out.push_back(i * 8 + static_cast<std::size_t>(k));
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_header_classes_find_the_udp_payload) {
    const WirePacket udp = classify_wire_packet(*wire_packet(1372));
    BOOST_CHECK(udp.kind == WirePacket::Kind::udp);
    BOOST_CHECK_EQUAL(udp.payload_offset, kHeaders);
    BOOST_CHECK_EQUAL(udp.payload_size, 1372u);
    BOOST_CHECK(classify_wire_packet(*wire_packet(100, 6)).kind == WirePacket::Kind::tcp);
    BOOST_CHECK(classify_wire_packet(*wire_packet(100, 17, 0x0057)).kind ==
                WirePacket::Kind::other);  // IPv6 over PPP
    BOOST_CHECK(classify_wire_packet(*Create<Packet>(100)).kind == WirePacket::Kind::other);
    BOOST_CHECK(classify_wire_packet(*Create<Packet>(3)).kind == WirePacket::Kind::other);
}

BOOST_AUTO_TEST_CASE(corruption_flips_exactly_one_payload_bit_and_never_a_header_bit) {
    Ptr<ImpairmentErrorModel> m = corruption_model(1.0);
    for (std::uint32_t size : {1u, 2u, 37u, 1372u}) {
        std::vector<std::size_t> hits(size * 8, 0);
        const int n = size == 1 ? 400 : 4000;
        for (int i = 0; i < n; ++i) {
            Ptr<Packet> p = wire_packet(size);
            const auto before = bytes_of(p);
            BOOST_REQUIRE(!m->IsCorrupt(p));  // damaged, not lost
            const auto after = bytes_of(p);
            BOOST_REQUIRE_EQUAL(after.size(), before.size());
            BOOST_REQUIRE(std::equal(before.begin(), before.begin() + kHeaders, after.begin()));
            const auto flipped = diff_bits(before, after);
            BOOST_REQUIRE_EQUAL(flipped.size(), 1u);
            BOOST_REQUIRE_GE(flipped[0], kHeaders * 8);
            ++hits[flipped[0] - kHeaders * 8];
            // The headers still parse as before: the stack above sees the same datagram.
            const WirePacket w = classify_wire_packet(*p);
            BOOST_CHECK(w.kind == WirePacket::Kind::udp);
            BOOST_CHECK_EQUAL(w.payload_size, size);
        }
        // Uniform over the payload's bits: the first and the last bit get hit too, and
        // no bit gets far more than its share.
        if (size <= 37) {
            BOOST_CHECK_GT(hits.front(), 0u);
            BOOST_CHECK_GT(hits.back(), 0u);
            const double share = static_cast<double>(n) / static_cast<double>(hits.size());
            BOOST_CHECK_LT(static_cast<double>(*std::max_element(hits.begin(), hits.end())),
                           3 * share + 10);
        }
    }
    BOOST_CHECK_EQUAL(m->Counters().corrupted, m->Counters().seen);
    BOOST_CHECK_EQUAL(m->Counters().dropped, 0u);
}

BOOST_AUTO_TEST_CASE(zero_corruption_changes_nothing) {
    Ptr<ImpairmentErrorModel> m = corruption_model(0.0);
    for (int i = 0; i < 1000; ++i) {
        Ptr<Packet> p = wire_packet(500);
        const auto before = bytes_of(p);
        BOOST_REQUIRE(!m->IsCorrupt(p));
        BOOST_REQUIRE(bytes_of(p) == before);
    }
    BOOST_CHECK_EQUAL(m->Counters().corrupted, 0u);
    BOOST_CHECK(!LossConfig{}.any());
}

BOOST_AUTO_TEST_CASE(corruption_hits_packets_at_its_rate_and_leaves_the_loss_draws_alone) {
    const double p = 0.01;
    const int n = 200000;
    Ptr<ImpairmentErrorModel> lossy = corruption_model(0, 0.05);
    Ptr<ImpairmentErrorModel> both = corruption_model(p, 0.05);
    std::uint64_t damaged = 0;
    for (int i = 0; i < n; ++i) {
        Ptr<Packet> a = wire_packet(64);
        Ptr<Packet> b = wire_packet(64);
        const auto clean = bytes_of(b);
        // Corruption draws from its own stream: the same packets are lost either way.
        const bool lost = both->IsCorrupt(b);
        BOOST_REQUIRE_EQUAL(lossy->IsCorrupt(a), lost);
        if (!lost && bytes_of(b) != clean) ++damaged;
    }
    BOOST_CHECK_EQUAL(both->Counters().dropped, lossy->Counters().dropped);
    BOOST_CHECK_EQUAL(both->Counters().corrupted, damaged);
    // Lost packets are not also counted as corrupted: the rate applies to the 95 % left.
    BOOST_CHECK_CLOSE(static_cast<double>(damaged) / (n * 0.95), p, 5);
}

BOOST_AUTO_TEST_CASE(a_corrupted_tcp_segment_is_dropped_and_other_packets_pass) {
    Ptr<ImpairmentErrorModel> m = corruption_model(1.0);
    BOOST_CHECK(m->IsCorrupt(wire_packet(100, 6)));
    BOOST_CHECK_EQUAL(m->Counters().corrupted, 1u);
    BOOST_CHECK_EQUAL(m->Counters().dropped, 1u);
    for (Ptr<Packet> p : {wire_packet(100, 17, 0x0057), wire_packet(0), Create<Packet>(100)}) {
        const auto before = bytes_of(p);
        BOOST_CHECK(!m->IsCorrupt(p));
        BOOST_CHECK(bytes_of(p) == before);
    }
    BOOST_CHECK_EQUAL(m->Counters().corrupted, 1u);
}

BOOST_AUTO_TEST_CASE(the_same_seed_flips_the_same_bits) {
    auto flips = [](std::uint32_t seed) {
        Ptr<ImpairmentErrorModel> m = corruption_model(0.2, 0, seed);
        std::vector<std::size_t> out;
        for (int i = 0; i < 2000; ++i) {
            Ptr<Packet> p = wire_packet(200);
            const auto before = bytes_of(p);
            m->IsCorrupt(p);
            for (std::size_t b : diff_bits(before, bytes_of(p)))
                out.push_back(static_cast<std::size_t>(i) * 1000000 + b);
        }
        return out;
    };
    BOOST_CHECK(flips(1) == flips(1));
    BOOST_CHECK(flips(1) != flips(2));
}
