// kcp-go's SNMP counters (kcp-go's DefaultSnmp): the same names, meanings and column
// order, for both v5.6.72 ("HEAD") and v5.6.1, so a table written by kcpkit lines up with
// one written by kcp-go (kcp-go's snmp.go is the reference); docs/framing.md lists where each
// counter is counted in kcpkit.
//
// The layers' counter structs are the source: one field table in snmp.cpp says which layer
// counter feeds which Snmp field (add_layer_counters), and each kcp-go release row
// (release.hpp) lists the columns it prints, in kcp-go's order. Adding a counter is a field
// here, its row in that table, and a column in the releases that print it.
//
// kcp-go keeps one process-wide table; kcpkit keeps one Snmp per session (Session fills
// it) and lets the caller add them up (operator+=), so there is no global and no atomic
// here. A process-wide view is the sum over sessions plus what the listener counted.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kcpkit/fec/fec.hpp"
#include "kcpkit/frame/frame.hpp"
#include "kcpkit/kcp/kcp.hpp"
#include "kcpkit/kcpgo/listener_demux.hpp"

namespace kcpkit::kcpgo {

/// Every counter of both versions. Gauges (FECShardSet, FECShardMin, RingBuffer*) hold the
/// last value written, not a sum; operator+= takes the other side's value for them when it
/// is non-zero.
struct Snmp {
    std::uint64_t BytesSent = 0;         ///< application bytes accepted by write()
    std::uint64_t BytesReceived = 0;     ///< application bytes returned by read()
    std::uint64_t MaxConn = 0;           ///< highest CurrEstab seen
    std::uint64_t ActiveOpens = 0;       ///< client sessions created
    std::uint64_t PassiveOpens = 0;      ///< sessions created by a listener
    std::uint64_t CurrEstab = 0;         ///< sessions open now
    std::uint64_t InErrs = 0;            ///< datagrams from an unexpected source; FEC < 8 bytes
    std::uint64_t InCsumErrors = 0;      ///< CRC-32 mismatches and AES-GCM open failures
    std::uint64_t KCPInErrors = 0;       ///< Kcp::input returning non-zero; v5.6.72: payload < 12
    std::uint64_t InPkts = 0;            ///< datagrams past the crypt checks
    std::uint64_t OutPkts = 0;           ///< datagrams written (DUP copies and parity included)
    std::uint64_t InSegs = 0;            ///< KCP segments parsed by input
    std::uint64_t OutSegs = 0;           ///< KCP segment headers written
    std::uint64_t InBytes = 0;           ///< bytes of InPkts, after the crypt header
    std::uint64_t OutBytes = 0;          ///< bytes written
    std::uint64_t RetransSegs = 0;       ///< LostSegs + FastRetransSegs + EarlyRetransSegs
    std::uint64_t FastRetransSegs = 0;   ///< fast retransmissions
    std::uint64_t EarlyRetransSegs = 0;  ///< early retransmissions
    std::uint64_t LostSegs = 0;          ///< timeout retransmissions
    std::uint64_t RepeatSegs = 0;  ///< duplicate or out-of-window PUSH segments (regular packets)
    std::uint64_t FECFullShardSet = 0;  ///< v5.6.72 ("FECFullShards"): groups complete without loss
    std::uint64_t FECParityShards = 0;  ///< parity packets received
    std::uint64_t FECErrs = 0;  ///< v5.6.72: RS failures; v5.6.1: rebuilt shards with a bad size
    std::uint64_t FECRecovered = 0;  ///< data shards recovered
    std::uint64_t FECShortShards =
        0;                          ///< v5.6.1: data packets evicted before their group completed
    std::uint64_t FECShardSet = 0;  ///< v5.6.72 gauge: shard groups held by the decoder
    std::uint64_t FECShardMin = 0;  ///< v5.6.72 gauge: the newest group id (sic)
    std::uint64_t RingBufferSndQueue = 0;   ///< v5.6.72 gauge: snd_queue length
    std::uint64_t RingBufferRcvQueue = 0;   ///< v5.6.72 gauge: rcv_queue length
    std::uint64_t RingBufferSndBuffer = 0;  ///< v5.6.72 gauge: snd_buf length
    std::uint64_t OOBPackets = 0;           ///< v5.6.72: OOB packets received

    /// kcp-go's Copy(): a snapshot (a plain copy here; there are no atomics).
    Snmp copy() const { return *this; }
    /// kcp-go's Reset(): every counter and gauge to 0.
    void reset() { *this = Snmp{}; }
    /// Adds counters; gauges take `other`'s value when it is non-zero; MaxConn the larger.
    Snmp& operator+=(const Snmp& other);
    bool operator==(const Snmp&) const = default;
};

/// One column of a kcp-go release's SNMP table: kcp-go's header name and the Snmp field it
/// shows. Each release row (protocol/kcpgo/release.hpp) lists its columns in kcp-go's order.
struct SnmpColumn {
    std::string_view name;
    std::uint64_t Snmp::*field;
};
using SnmpColumns = std::span<const SnmpColumn>;

/// The counters of the layers below a session (and of a listener's demux), the source of
/// most Snmp fields. Any may be null.
struct LayerCounters {
    const fec::FecCounters* fec = nullptr;
    const frame::FrameCounters* frame = nullptr;
    const kcp::Kcp::Counters* kcp = nullptr;
    const DemuxCounters* demux = nullptr;
};

/// Adds to `snmp` every field the layers count (snmp.cpp's field table says which layer
/// counter feeds which field); the session-level fields are left alone.
void add_layer_counters(Snmp& snmp, const LayerCounters& layers);

/// The Snmp field called `field_name` (the member's name, e.g. "FECFullShardSet") as the
/// FEC layer's counters give it, or nullopt if that field is not fed by the FEC layer.
std::optional<std::uint64_t> snmp_field_from_fec(const fec::FecCounters& counters,
                                                 std::string_view field_name);

/// kcp-go's Header(): the column names, in order (v5.6.72 writes "FECFullShards" for
/// FECFullShardSet).
std::vector<std::string_view> snmp_header(SnmpColumns columns);

/// kcp-go's ToSlice(): the values in snmp_header() order.
std::vector<std::uint64_t> snmp_values(const Snmp& snmp, SnmpColumns columns);

/// The value of the column called `name`, or nullopt if there is none.
std::optional<std::uint64_t> snmp_value_of(const Snmp& snmp, SnmpColumns columns,
                                           std::string_view name);

/// One CSV line of snmp_header() (no newline), as kcptun's snmp log writes it.
std::string snmp_csv_header(SnmpColumns columns);
/// One CSV line of snmp_values() (no newline).
std::string snmp_csv_row(const Snmp& snmp, SnmpColumns columns);
/// {"BytesSent":1,...} with snmp_header() names as keys, in that order, on one line.
std::string snmp_to_json(const Snmp& snmp, SnmpColumns columns);

}  // namespace kcpkit::kcpgo
