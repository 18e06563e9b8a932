#include "kcpkit/kcpgo/snmp.hpp"

#include <algorithm>
#include <array>

namespace kcpkit::kcpgo {

namespace {

struct Column {
    std::string_view name;
    std::uint64_t Snmp::*field;
};

// The 20 columns both versions start with.
constexpr Column kCommon[] = {
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

constexpr Column kHeadTail[] = {
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

constexpr Column k561Tail[] = {
    {"FECParityShards", &Snmp::FECParityShards},
    {"FECErrs", &Snmp::FECErrs},
    {"FECRecovered", &Snmp::FECRecovered},
    {"FECShortShards", &Snmp::FECShortShards},
};

template <std::size_t A, std::size_t B>
constexpr std::array<Column, A + B> join(const Column (&a)[A], const Column (&b)[B]) {
    std::array<Column, A + B> out{};
    for (std::size_t i = 0; i < A; ++i) out[i] = a[i];
    for (std::size_t i = 0; i < B; ++i) out[A + i] = b[i];
    return out;
}

constexpr auto kHeadColumns = join(kCommon, kHeadTail);
constexpr auto k561Columns = join(kCommon, k561Tail);

constexpr std::uint64_t Snmp::*kGauges[] = {&Snmp::FECShardSet, &Snmp::FECShardMin,
                                            &Snmp::RingBufferSndQueue, &Snmp::RingBufferRcvQueue,
                                            &Snmp::RingBufferSndBuffer};

std::span<const Column> columns(SnmpVersion version) {
    if (version == SnmpVersion::v5_6_1) return k561Columns;
    return kHeadColumns;
}

template <std::size_t N>
std::array<std::string_view, N> names_of(const std::array<Column, N>& cols) {
    std::array<std::string_view, N> out{};
    for (std::size_t i = 0; i < N; ++i) out[i] = cols[i].name;
    return out;
}

}  // namespace

Snmp& Snmp::operator+=(const Snmp& other) {
    const std::uint64_t max_conn = std::max(MaxConn, other.MaxConn);
    // Every field of either version is summed, except the gauges (last non-zero wins).
    for (const Column& c : kHeadColumns) this->*c.field += other.*c.field;
    FECShortShards += other.FECShortShards;
    for (auto gauge : kGauges) {
        this->*gauge -= other.*gauge;
        if (other.*gauge != 0) this->*gauge = other.*gauge;
    }
    MaxConn = max_conn;
    return *this;
}

std::span<const std::string_view> snmp_header(SnmpVersion version) {
    static const auto head = names_of(kHeadColumns);
    static const auto v561 = names_of(k561Columns);
    if (version == SnmpVersion::v5_6_1) return v561;
    return head;
}

std::vector<std::uint64_t> snmp_values(const Snmp& snmp, SnmpVersion version) {
    std::vector<std::uint64_t> out;
    for (const Column& c : columns(version)) out.push_back(snmp.*c.field);
    return out;
}

std::optional<std::uint64_t> snmp_value_of(const Snmp& snmp, SnmpVersion version,
                                           std::string_view name) {
    for (const Column& c : columns(version))
        if (c.name == name) return snmp.*c.field;
    return std::nullopt;
}

std::string snmp_csv_header(SnmpVersion version) {
    std::string line;
    for (const Column& c : columns(version)) {
        if (!line.empty()) line += ',';
        line += c.name;
    }
    return line;
}

std::string snmp_csv_row(const Snmp& snmp, SnmpVersion version) {
    std::string line;
    bool first = true;
    for (const Column& c : columns(version)) {
        if (!first) line += ',';
        first = false;
        line += std::to_string(snmp.*c.field);
    }
    return line;
}

std::string snmp_to_json(const Snmp& snmp, SnmpVersion version) {
    std::string out = "{";
    bool first = true;
    for (const Column& c : columns(version)) {
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
