#include "sim/flow_stats.hpp"

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

}  // namespace kcpkit::sim
