#include "kcpkit/kcpgo/release.hpp"

#include <array>

namespace kcpkit::kcpgo {

namespace {

// kcp-go's DefaultSnmp columns, in Header() order (snmp.go): 20 both releases print, then
// each release's FEC / ring buffer / OOB tail.
constexpr SnmpColumn kSnmpCommon[] = {
    {"BytesSent", &Snmp::BytesSent},
    {"BytesReceived", &Snmp::BytesReceived},
    {"MaxConn", &Snmp::MaxConn},
    {"ActiveOpens", &Snmp::ActiveOpens},
    {"PassiveOpens", &Snmp::PassiveOpens},
    {"CurrEstab", &Snmp::CurrEstab},
    {"InErrs", &Snmp::InErrs},
    {"InCsumErrors", &Snmp::InCsumErrors},
    {"KCPInErrors", &Snmp::KCPInErrors},
    {"InPkts", &Snmp::InPkts},
    {"OutPkts", &Snmp::OutPkts},
    {"InSegs", &Snmp::InSegs},
    {"OutSegs", &Snmp::OutSegs},
    {"InBytes", &Snmp::InBytes},
    {"OutBytes", &Snmp::OutBytes},
    {"RetransSegs", &Snmp::RetransSegs},
    {"FastRetransSegs", &Snmp::FastRetransSegs},
    {"EarlyRetransSegs", &Snmp::EarlyRetransSegs},
    {"LostSegs", &Snmp::LostSegs},
    {"RepeatSegs", &Snmp::RepeatSegs},
};

constexpr SnmpColumn kSnmpTailV5_6_72[] = {
    {"FECFullShards", &Snmp::FECFullShardSet},  // the field is FECFullShardSet (sic)
    {"FECParityShards", &Snmp::FECParityShards},
    {"FECErrs", &Snmp::FECErrs},
    {"FECRecovered", &Snmp::FECRecovered},
    {"FECShardSet", &Snmp::FECShardSet},
    {"FECShardMin", &Snmp::FECShardMin},
    {"RingBufferSndQueue", &Snmp::RingBufferSndQueue},
    {"RingBufferRcvQueue", &Snmp::RingBufferRcvQueue},
    {"RingBufferSndBuffer", &Snmp::RingBufferSndBuffer},
    {"OOBPackets", &Snmp::OOBPackets},
};

constexpr SnmpColumn kSnmpTailV5_6_1[] = {
    {"FECParityShards", &Snmp::FECParityShards},
    {"FECErrs", &Snmp::FECErrs},
    {"FECRecovered", &Snmp::FECRecovered},
    {"FECShortShards", &Snmp::FECShortShards},
};

template <std::size_t A, std::size_t B>
constexpr std::array<SnmpColumn, A + B> join(const SnmpColumn (&a)[A], const SnmpColumn (&b)[B]) {
    std::array<SnmpColumn, A + B> out{};
    for (std::size_t i = 0; i < A; ++i) out[i] = a[i];
    for (std::size_t i = 0; i < B; ++i) out[A + i] = b[i];
    return out;
}

constexpr auto kSnmpV5_6_72 = join(kSnmpCommon, kSnmpTailV5_6_72);
constexpr auto kSnmpV5_6_1 = join(kSnmpCommon, kSnmpTailV5_6_1);

constexpr frame::Behaviour kFrameV5_6_72{
    .fec = {.decoder = fec::Behaviour::Decoder::shard_sets,
            .min_datagram = 12,  // min(IKCP_OVERHEAD, 8 + conv)
            .oob = true,
            .group_aligned_seqids = true,
            .parity_gap_ms = 500,  // fec.go: maxFECEncodeLatency
            .queue_expiry_ms = 60000},
    .max_datagram = frame::kMaxDatagram,  // sess.go: mtuLimit
    .aead = true,
    .clamp_mtu = true,
    .min_kcp_mtu = kcp::kKcpGoProfile.min_mtu,
    .listener_min_datagram = 12,
};

constexpr frame::Behaviour kFrameV5_6_1{
    .fec = {.decoder = fec::Behaviour::Decoder::sorted_queue,
            .min_datagram = 24,  // IKCP_OVERHEAD
            .oob = false,
            .group_aligned_seqids = false,
            .parity_gap_ms = 0,
            .queue_expiry_ms = 60000},  // fec.go: fecExpire
    .max_datagram = frame::kMaxDatagram,
    .aead = false,
    .clamp_mtu = false,
    .min_kcp_mtu = kcp::kKcpGo561Profile.min_mtu,
    .listener_min_datagram = 24,
};

constexpr std::array<Release, 2> kReleases{{
    {"kcp-go", "v5.6.72", &kcp::kKcpGoProfile, kFrameV5_6_72, kSnmpV5_6_72, false},
    {"kcp-go-5.6.1", "v5.6.1", &kcp::kKcpGo561Profile, kFrameV5_6_1, kSnmpV5_6_1, true},
}};

}  // namespace

std::span<const Release> releases() {
    return kReleases;
}

const Release& default_release() {
    return kReleases.front();
}

const Release* find_release(std::string_view name) {
    for (const Release& r : kReleases)
        if (r.name == name) return &r;
    return nullptr;
}

const Release& release_for_core_profile(std::string_view kcp_profile_name) {
    const Release* r = find_release(kcp_profile_name);
    return r ? *r : default_release();
}

}  // namespace kcpkit::kcpgo
