#include "kcpkit/ns3/flow_stats.hpp"

#include <algorithm>

namespace kcpkit::sim {

const char* to_string(TrafficKind kind) {
    switch (kind) {
        case TrafficKind::bulk:
            return "bulk";
        case TrafficKind::echo:
            return "echo";
        case TrafficKind::periodic:
            return "periodic";
    }
    return "?";
}

bool parse_traffic(const std::string& text, TrafficKind& kind) {
    if (text == "bulk")
        kind = TrafficKind::bulk;
    else if (text == "echo")
        kind = TrafficKind::echo;
    else if (text == "periodic" || text == "game")
        kind = TrafficKind::periodic;
    else
        return false;
    return true;
}

void accumulate(EndpointStats& total, const EndpointStats& e) {
    total.messages_sent += e.messages_sent;
    total.bytes_sent += e.bytes_sent;
    total.messages_received += e.messages_received;
    total.bytes_received += e.bytes_received;
    total.latency_ms.insert(total.latency_ms.end(), e.latency_ms.begin(), e.latency_ms.end());
    if (e.first_send_s >= 0 && (total.first_send_s < 0 || e.first_send_s < total.first_send_s))
        total.first_send_s = e.first_send_s;
    total.last_receive_s = std::max(total.last_receive_s, e.last_receive_s);
    if (!e.intact && total.intact) {
        total.intact = false;
        total.error = e.error;
    }
    total.digest = total.digest * 0x100000001b3ull ^ e.digest;
    total.datagrams_sent += e.datagrams_sent;
    total.wire_bytes_sent += e.wire_bytes_sent;
    total.retrans_bytes += e.retrans_bytes;
    total.retrans_segments += e.retrans_segments;
    total.input_errors += e.input_errors;
    total.dead_link = total.dead_link || e.dead_link;
    total.pipeline += e.pipeline;
}

}  // namespace kcpkit::sim
