#include "kcpkit/kcpgo/snmp.hpp"

#include <algorithm>
#include <array>

namespace kcpkit::kcpgo {

namespace {

/// How operator+= combines a field of two tables.
enum class Merge : std::uint8_t {
    sum,    ///< counters
    gauge,  ///< the other side's value when it is non-zero
    max,    ///< MaxConn
};

using KcpCounter = std::uint64_t kcp::Kcp::Counters::*;

/// One Snmp field: its name, how tables merge, and which layer counters feed it (none: the
/// session counts it itself). Every Snmp field has exactly one row; adding a counter is a
/// field in Snmp, a row here, and a column in the releases that show it (release.cpp).
struct Field {
    std::string_view name;
    std::uint64_t Snmp::*field;
    Merge merge = Merge::sum;
    std::uint64_t fec::FecCounters::*fec = nullptr;
    std::uint64_t frame::FrameCounters::*frame = nullptr;
    std::array<KcpCounter, 3> kcp{};
    std::uint64_t DemuxCounters::*demux = nullptr;
};

using Fec = fec::FecCounters;
using Frame = frame::FrameCounters;
using Kcp = kcp::Kcp::Counters;

constexpr Field kFields[] = {
    {"BytesSent", &Snmp::BytesSent},
    {"BytesReceived", &Snmp::BytesReceived},
    {"MaxConn", &Snmp::MaxConn, Merge::max},
    {"ActiveOpens", &Snmp::ActiveOpens},
    {"PassiveOpens", &Snmp::PassiveOpens},
    {"CurrEstab", &Snmp::CurrEstab},
    {"InErrs", &Snmp::InErrs, Merge::sum, &Fec::in_errs},
    {"InCsumErrors",
     &Snmp::InCsumErrors,
     Merge::sum,
     nullptr,
     &Frame::in_csum_errors,
     {},
     &DemuxCounters::in_csum_errors},
    // plus the session's own count of Kcp::input refusals
    {"KCPInErrors", &Snmp::KCPInErrors, Merge::sum, &Fec::kcp_in_errors},
    {"InPkts", &Snmp::InPkts, Merge::sum, nullptr, &Frame::in_pkts},
    {"OutPkts", &Snmp::OutPkts, Merge::sum, nullptr, &Frame::out_pkts},
    {"InSegs", &Snmp::InSegs},
    {"OutSegs", &Snmp::OutSegs},
    {"InBytes", &Snmp::InBytes, Merge::sum, nullptr, &Frame::in_bytes},
    {"OutBytes", &Snmp::OutBytes, Merge::sum, nullptr, &Frame::out_bytes},
    {"RetransSegs",
     &Snmp::RetransSegs,
     Merge::sum,
     nullptr,
     nullptr,
     {&Kcp::lost_segs, &Kcp::fast_retrans_segs, &Kcp::early_retrans_segs}},
    {"FastRetransSegs",
     &Snmp::FastRetransSegs,
     Merge::sum,
     nullptr,
     nullptr,
     {&Kcp::fast_retrans_segs}},
    {"EarlyRetransSegs",
     &Snmp::EarlyRetransSegs,
     Merge::sum,
     nullptr,
     nullptr,
     {&Kcp::early_retrans_segs}},
    {"LostSegs", &Snmp::LostSegs, Merge::sum, nullptr, nullptr, {&Kcp::lost_segs}},
    {"RepeatSegs", &Snmp::RepeatSegs, Merge::sum, nullptr, nullptr, {&Kcp::repeat_segs}},
    {"FECFullShardSet", &Snmp::FECFullShardSet, Merge::sum, &Fec::fec_full_shard_set},
    {"FECParityShards", &Snmp::FECParityShards, Merge::sum, &Fec::fec_parity_shards},
    {"FECErrs", &Snmp::FECErrs, Merge::sum, &Fec::fec_errs},
    {"FECRecovered", &Snmp::FECRecovered, Merge::sum, &Fec::fec_recovered},
    {"FECShortShards", &Snmp::FECShortShards, Merge::sum, &Fec::fec_short_shards},
    {"FECShardSet", &Snmp::FECShardSet, Merge::gauge, &Fec::fec_shard_set},
    {"FECShardMin", &Snmp::FECShardMin, Merge::gauge, &Fec::fec_shard_min},
    {"RingBufferSndQueue", &Snmp::RingBufferSndQueue, Merge::gauge},
    {"RingBufferRcvQueue", &Snmp::RingBufferRcvQueue, Merge::gauge},
    {"RingBufferSndBuffer", &Snmp::RingBufferSndBuffer, Merge::gauge},
    {"OOBPackets", &Snmp::OOBPackets, Merge::sum, &Fec::oob_packets},
};
// A field added to Snmp needs its row above.
static_assert(sizeof(Snmp) == std::size(kFields) * sizeof(std::uint64_t));

}  // namespace

Snmp& Snmp::operator+=(const Snmp& other) {
    for (const Field& f : kFields) {
        std::uint64_t& mine = this->*f.field;
        const std::uint64_t theirs = other.*f.field;
        switch (f.merge) {
            case Merge::sum:
                mine += theirs;
                break;
            case Merge::gauge:
                if (theirs != 0) mine = theirs;
                break;
            case Merge::max:
                mine = std::max(mine, theirs);
                break;
        }
    }
    return *this;
}

void add_layer_counters(Snmp& snmp, const LayerCounters& layers) {
    for (const Field& f : kFields) {
        std::uint64_t& value = snmp.*f.field;
        if (f.fec && layers.fec) value += layers.fec->*f.fec;
        if (f.frame && layers.frame) value += layers.frame->*f.frame;
        if (layers.kcp)
            for (const KcpCounter k : f.kcp)
                if (k) value += layers.kcp->*k;
        if (f.demux && layers.demux) value += layers.demux->*f.demux;
    }
}

std::optional<std::uint64_t> snmp_field_from_fec(const fec::FecCounters& counters,
                                                 std::string_view field_name) {
    for (const Field& f : kFields)
        if (f.name == field_name && f.fec) return counters.*f.fec;
    return std::nullopt;
}

std::vector<std::string_view> snmp_header(SnmpColumns columns) {
    std::vector<std::string_view> out;
    for (const SnmpColumn& c : columns) out.push_back(c.name);
    return out;
}

std::vector<std::uint64_t> snmp_values(const Snmp& snmp, SnmpColumns columns) {
    std::vector<std::uint64_t> out;
    for (const SnmpColumn& c : columns) out.push_back(snmp.*c.field);
    return out;
}

std::optional<std::uint64_t> snmp_value_of(const Snmp& snmp, SnmpColumns columns,
                                           std::string_view name) {
    for (const SnmpColumn& c : columns)
        if (c.name == name) return snmp.*c.field;
    return std::nullopt;
}

std::string snmp_csv_header(SnmpColumns columns) {
    std::string line;
    for (const SnmpColumn& c : columns) {
        if (!line.empty()) line += ',';
        line += c.name;
    }
    return line;
}

std::string snmp_csv_row(const Snmp& snmp, SnmpColumns columns) {
    std::string line;
    bool first = true;
    for (const SnmpColumn& c : columns) {
        if (!first) line += ',';
        first = false;
        line += std::to_string(snmp.*c.field);
    }
    return line;
}

std::string snmp_to_json(const Snmp& snmp, SnmpColumns columns) {
    std::string out = "{";
    bool first = true;
    for (const SnmpColumn& c : columns) {
        if (!first) out += ',';
        first = false;
        out += '"';
        out += c.name;
        out += "\":";
        out += std::to_string(snmp.*c.field);
    }
    out += '}';
    return out;
}

}  // namespace kcpkit::kcpgo
