// A simulation run as data: the path, the traffic, and the transports of its flows
// (KCP with any settings, or an ns-3 TCP variant). run_scenario() builds it on a
// Dumbbell, runs ns-3 and returns the measurements. One run = one process's ns-3
// state: the CLI and the tests run each in a child process (runner.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "kcpkit/kcptun/settings.hpp"
#include "kcpkit/ns3/flow_stats.hpp"
#include "kcpkit/ns3/framing.hpp"
#include "kcpkit/ns3/kcp_application.hpp"
#include "kcpkit/ns3/message_stream.hpp"
#include "sim/scenario/topology.hpp"

namespace kcpkit::sim {

/// KCP settings: kcptun's flags whole (protocol/kcptun/settings.hpp) with the ns-3
/// application's defaults (KcpApplication::DefaultKcptunSettings: no FEC, no crypt layer,
/// mtu 1400, the ikcp core), and the simulator's own knobs. Windows of 0 mean "auto": 1.5
/// times each flow's share of the bandwidth-delay product, in wire datagrams (auto_window).
struct KcpSettings {
    kcptun::Settings kcptun = KcpApplication::DefaultKcptunSettings();
    bool write_delay = false;
    std::uint32_t dead_link = 20;
    std::uint32_t clock_offset = 0;

    /// Sets --mode from a kcptun mode name; false if unknown. "manual" keeps the quadruple
    /// the current mode runs with.
    bool apply_mode(const std::string& name);
    bool has_fec() const { return kcptun.datashard > 0 && kcptun.parityshard > 0; }
    bool has_crypt() const { return kcptun.crypt != "null"; }
    /// Bytes the framing adds to each KCP datagram under these settings; nullopt with
    /// `error` set if kcptun::session_config refuses them.
    std::optional<std::size_t> framing_overhead(std::string* error = nullptr) const;
};

/// One transport: "kcp-fast3", "kcp-fast3+fec10/3", "tcp-cubic", or "udp-plain" (ns-3's
/// UdpClient at 95% of the bottleneck rate: unreliable, the simulation-cost reference).
struct Variant {
    std::string name;
    bool tcp = false;
    bool udp = false;
    std::string tcp_type;  ///< ns-3 TypeId, e.g. ns3::TcpCubic
    KcpSettings kcp;
};

/// Parses a variant name: kcp[-MODE][+fecD/P][@PROFILE], tcp-CC, udp-plain. KCP variants
/// start from `base` (the CLI's KCP flags) and override its mode ("kcp" alone keeps
/// base's mode), with "+fecD/P" its FEC and with "@PROFILE" the core's profile.
/// Returns false with `error` set if the name is unknown.
bool parse_variant(const std::string& name, const KcpSettings& base, Variant& out,
                   std::string& error);
/// The TCP variants ns-3 3.37 ships, as variant names (tcp-cubic, tcp-bbr, ...).
std::vector<std::string> tcp_variant_names();

struct TrafficConfig {
    TrafficKind kind = TrafficKind::bulk;
    std::uint32_t message_size = 0;  ///< 0: bulk 16384, echo 100, periodic 64
    double rate = 0;                 ///< messages/s; 0: echo 50, periodic 30
    std::uint64_t data_bytes = 0;    ///< bulk: bytes per flow (0: until the end)

    std::uint32_t effective_size() const;
    double effective_rate() const;
};

struct Scenario {
    std::string name = "custom";
    PathConfig path;
    TrafficConfig traffic;
    std::uint32_t num_flows = 1;
    double duration = 30;  ///< seconds of traffic (bulk: the run's length)
    double start = 0.5;    ///< when clients start
    std::uint32_t seed = 1;
    std::uint64_t run = 1;    ///< ns-3 run number (substream), tcp-variants-comparison's `run`
    std::string pcap_prefix;  ///< non-empty: pcap of the bottleneck
    /// Human-readable loss description for tables ("GE 2% burst 3", "Bernoulli 1%").
    std::string loss_label = "none";
    double loss_rate = 0;  ///< nominal loss rate (for plots)

    /// Seconds after `duration` that echo/periodic runs keep going so that messages
    /// in flight arrive.
    double drain() const;
};

/// A run: a scenario and the transports of its flows (flow i uses variants[i % n];
/// more than one variant = flows share the bottleneck).
struct RunSpec {
    Scenario scenario;
    std::vector<Variant> variants;
    std::string id;  ///< a stable name for files ("run-0007")
};

/// The measurements of the flows of one variant in a run.
struct GroupResult {
    std::string variant;
    std::uint32_t flows = 0;
    double goodput_mbps = 0;  ///< application bytes delivered per second, summed over flows
    LatencySummary latency;   ///< one-way (bulk, periodic) or round trip (echo)
    std::vector<double> cdf;  ///< 101 latency quantiles, ms
    std::uint64_t bytes_delivered = 0, messages_sent = 0, messages_delivered = 0;
    std::uint64_t retrans_bytes = 0, wire_bytes = 0, datagrams = 0;
    std::uint64_t fec_parity_bytes = 0, fec_recovered = 0;
    /// Received wire datagrams the framing or the listener dropped; of them, CRC-32 / GCM
    /// tag failures (kcp-go's InCsumErrors); KCP datagrams the core's input refused.
    std::uint64_t rejected = 0, csum_errors = 0, kcp_input_errors = 0;
    bool intact = true;
    bool complete = true;  ///< every message written was delivered (echo: answered)
    std::string error;
    std::uint64_t digest = 0;
    bool dead_link = false;
    double fairness = 1;  ///< Jain's index over this group's flows' goodputs
    std::vector<double> flow_goodput_mbps;
    std::uint32_t sndwnd = 0, rcvwnd = 0;  ///< KCP windows in effect
};

/// A parameter of a run, for tables, CSV columns and plot axes.
struct Param {
    std::string key, value;
};

/// What a run is, as ordered key/value pairs (scenario, traffic, bandwidth, rtt_ms,
/// queue, loss, loss_model, burst, jitter_ms, duplicate, flows, duration, seed, ...).
std::vector<Param> describe(const RunSpec& spec);

struct RunResult {
    std::string id;
    std::vector<Param> params;
    std::vector<GroupResult> groups;
    PathCounters path;
    double sim_seconds = 0, wall_seconds = 0;
    double cpu_seconds = 0;  ///< CPU time of the simulation (what a busy machine does not inflate)

    /// The value of param `key`, or "" if absent.
    std::string param(const std::string& key) const;
};

/// Runs one simulation in this process (ns-3 is a global singleton: one at a time).
/// `progress`, if set, is called with the simulated fraction done, about 100 times.
RunResult run_scenario(const RunSpec& spec, const std::function<void(double)>& progress = nullptr);

/// The windows "auto" picks: each of `flows` flows gets 1.5 times its share of the
/// path's bandwidth-delay product in wire datagrams (at least 32 segments). A segment
/// carries mtu - framing - 24 bytes; with FEC, ds segments take ds + ps datagrams.
std::uint32_t auto_window(const PathConfig& path, const KcpSettings& kcp, std::uint32_t flows);

}  // namespace kcpkit::sim
