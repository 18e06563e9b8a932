// What one endpoint of a simulated flow measured: the same fields for KCP and TCP, so
// the result table compares like with like.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kcpkit/ns3/framing.hpp"

namespace kcpkit::sim {

enum class TrafficKind {
    bulk,      ///< send as fast as the transport takes it (MaxBytes, or until the end)
    echo,      ///< fixed-size messages at a fixed rate; the server echoes; RTT per message
    periodic,  ///< fixed-size messages at a fixed rate, one way (game-like updates)
};

const char* to_string(TrafficKind kind);
bool parse_traffic(const std::string& text, TrafficKind& kind);

struct EndpointStats {
    // Application side.
    std::uint64_t messages_sent = 0, bytes_sent = 0;          ///< handed to the transport
    std::uint64_t messages_received = 0, bytes_received = 0;  ///< verified complete messages
    std::vector<double> latency_ms;  ///< per received message: one-way, or RTT for echo replies
    double first_send_s = -1, last_receive_s = -1;
    bool intact = true;  ///< every received byte matched the seeded stream, in order
    std::string error;   ///< the first mismatch, if any
    std::uint64_t digest = 0;

    // Transport side.
    std::uint64_t datagrams_sent = 0, wire_bytes_sent = 0;  ///< UDP payloads / TCP segments
    std::uint64_t retrans_bytes = 0, retrans_segments = 0;  ///< payload bytes sent again
    std::uint64_t input_errors = 0;                         ///< datagrams KCP rejected
    bool dead_link = false;                                 ///< KCP reached dead_link
    PipelineStats pipeline;
};

/// Adds one connection's measurements to an application's total (latencies appended,
/// digests chained, the first error kept).
void accumulate(EndpointStats& total, const EndpointStats& e);

}  // namespace kcpkit::sim
