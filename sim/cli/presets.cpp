#include "sim/cli/presets.hpp"

namespace kcpkit::sim {

const std::vector<Preset>& presets() {
    static const std::vector<Preset> list = {
        {"default",
         "the default comparison's path: 10 Mbit/s, RTT 200 ms, queue 1 BDP, Gilbert-Elliott "
         "loss 2% (mean burst 3 packets) both ways",
         {"--bandwidth", "10Mbps", "--rtt", "200ms", "--queue", "auto", "--loss", "2%",
          "--loss-model", "ge", "--burst", "3", "--duration", "60"}},
        {"transpacific",
         "a congested long-haul path (Asia-US): 20 Mbit/s, RTT 180 ms, queue 1 BDP, bursty "
         "loss 1.5% (GE, mean burst 4)",
         {"--bandwidth", "20Mbps", "--rtt", "180ms", "--queue", "auto", "--loss", "1.5%",
          "--loss-model", "ge", "--burst", "4"}},
        {"satellite-geo",
         "a geostationary satellite link: 20 Mbit/s, RTT 600 ms, queue 1 BDP, rain-fade "
         "bursts (GE 0.5%, mean burst 8)",
         {"--bandwidth", "20Mbps", "--rtt", "600ms", "--queue", "auto", "--loss", "0.5%",
          "--loss-model", "ge", "--burst", "8"}},
        {"lossy-wifi",
         "a poor Wi-Fi hop: 30 Mbit/s, RTT 30 ms, GE loss 5% (mean burst 5), up to 5 ms "
         "jitter (reordering), 0.1% duplicates",
         {"--bandwidth", "30Mbps", "--rtt", "30ms", "--queue", "auto", "--loss", "5%",
          "--loss-model", "ge", "--burst", "5", "--jitter", "5ms", "--duplicate", "0.1%"}},
        {"mobile-3g",
         "a 3G cellular link: 2 Mbit/s, RTT 150 ms, deep buffer (100 packets), GE loss 1% "
         "(burst 3), 20 ms in-order jitter, a 0.5 s handover blackout every 20 s",
         {"--bandwidth",
          "2Mbps",
          "--rtt",
          "150ms",
          "--queue",
          "100p",
          "--loss",
          "1%",
          "--loss-model",
          "ge",
          "--burst",
          "3",
          "--jitter",
          "20ms",
          "--jitter-fifo",
          "--blackhole-on",
          "20s",
          "--blackhole-off",
          "0.5s",
          "--blackhole-start",
          "5s"}},
    };
    return list;
}

const Preset* find_preset(const std::string& name) {
    for (const Preset& p : presets())
        if (p.name == name) return &p;
    return nullptr;
}

}  // namespace kcpkit::sim
