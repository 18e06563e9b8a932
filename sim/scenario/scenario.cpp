#include "sim/scenario/scenario.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <numeric>
#include <optional>
#include <sstream>

// Not ns3/core-module.h: it pulls in singleton.h, which is not valid C++20.
#include "kcpkit/frame/frame.hpp"
#include "kcpkit/kcp/profile.hpp"
#include "kcpkit/kcptun/settings.hpp"
#include "kcpkit/ns3/kcp_application.hpp"
#include "kcpkit/ns3/tcp_application.hpp"
#include "ns3/boolean.h"
#include "ns3/config.h"
#include "ns3/double.h"
#include "ns3/enum.h"
#include "ns3/integer.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/rng-seed-manager.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/udp-client-server-helper.h"
#include "ns3/udp-server.h"
#include "ns3/uinteger.h"
#include "sim/scenario/units.hpp"

namespace kcpkit::sim {

using namespace ns3;

bool KcpSettings::apply_mode(const std::string& name) {
    if (!kcptun::kcptun_nodelay(name)) return false;
    if (name == kcptun::kManualMode) {
        const kcptun::NoDelay quad = *kcptun.quad();
        kcptun.nodelay = quad.nodelay;
        kcptun.interval = quad.interval;
        kcptun.resend = quad.resend;
        kcptun.nc = quad.nc;
    }
    kcptun.mode = name;
    return true;
}

std::optional<std::size_t> KcpSettings::framing_overhead(std::string* error) const {
    // The overhead depends on the cipher and the shards, not on the key: no derivation.
    const kcptun::SessionConfigResult made =
        kcptun::session_config(kcptun, kcptun::Role::dial, crypt::KcptunPass{});
    if (!made) {
        if (error != nullptr) *error = made.error().message;
        return std::nullopt;
    }
    return (*frame::Framer::create(made->frame))->overhead();
}

namespace {

const std::map<std::string, std::string>& tcp_types() {
    static const std::map<std::string, std::string> types = {
        {"newreno", "ns3::TcpNewReno"},
        {"linuxreno", "ns3::TcpLinuxReno"},
        {"cubic", "ns3::TcpCubic"},
        {"bbr", "ns3::TcpBbr"},
        {"bic", "ns3::TcpBic"},
        {"highspeed", "ns3::TcpHighSpeed"},
        {"htcp", "ns3::TcpHtcp"},
        {"hybla", "ns3::TcpHybla"},
        {"illinois", "ns3::TcpIllinois"},
        {"ledbat", "ns3::TcpLedbat"},
        {"lp", "ns3::TcpLp"},
        {"scalable", "ns3::TcpScalable"},
        {"vegas", "ns3::TcpVegas"},
        {"veno", "ns3::TcpVeno"},
        {"westwood", "ns3::TcpWestwood"},
        {"yeah", "ns3::TcpYeah"},
    };
    return types;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

std::vector<std::string> tcp_variant_names() {
    std::vector<std::string> names;
    for (const auto& [k, v] : tcp_types()) names.push_back("tcp-" + k);
    return names;
}

bool parse_variant(const std::string& name, const KcpSettings& base, Variant& out,
                   std::string& error) {
    out = Variant{};
    out.name = name;
    std::string n = lower(name);
    // tcp-variants-comparison spells them TcpCubic / ns3::TcpCubic.
    if (n.rfind("ns3::", 0) == 0) n = n.substr(5);
    if (n.rfind("tcp", 0) == 0 && n.rfind("tcp-", 0) != 0 && n.size() > 3) n = "tcp-" + n.substr(3);
    if (n.rfind("tcp-", 0) == 0) {
        auto it = tcp_types().find(n.substr(4));
        if (it == tcp_types().end()) {
            error = "unknown TCP variant '" + name + "' (known: ";
            for (const auto& v : tcp_variant_names()) error += v + " ";
            error.back() = ')';
            return false;
        }
        out.tcp = true;
        out.tcp_type = it->second;
        out.name = n;
        return true;
    }
    if (n == "udp-plain" || n == "udp") {
        out.udp = true;
        out.name = "udp-plain";
        return true;
    }
    if (n.rfind("kcp", 0) != 0) {
        error = "unknown variant '" + name + "': expected kcp, kcp-<mode>[+fecD/P] or tcp-<cc>";
        return false;
    }
    out.kcp = base;
    std::string rest = n.substr(3);
    if (auto at = rest.find('@'); at != std::string::npos) {
        out.kcp.kcptun.profile = rest.substr(at + 1);
        rest = rest.substr(0, at);
        if (kcp::find_profile(out.kcp.kcptun.profile) == nullptr) {
            error = "unknown KCP profile in '" + name + "'";
            return false;
        }
    }
    std::string fec;
    if (auto plus = rest.find('+'); plus != std::string::npos) {
        fec = rest.substr(plus + 1);
        rest = rest.substr(0, plus);
    }
    if (!rest.empty()) {
        if (rest[0] != '-' || !out.kcp.apply_mode(rest.substr(1))) {
            error = "unknown KCP mode in '" + name + "' (normal, fast, fast2, fast3, manual)";
            return false;
        }
    }
    if (!fec.empty()) {
        int d = 0, p = 0;
        if (std::sscanf(fec.c_str(), "fec%d/%d", &d, &p) != 2 || d < 0 || p < 0) {
            error = "bad FEC suffix in '" + name + "' (expected +fecD/P, e.g. +fec10/3)";
            return false;
        }
        out.kcp.kcptun.datashard = d;
        out.kcp.kcptun.parityshard = p;
    }
    const kcptun::Settings& tun = out.kcp.kcptun;
    out.name = "kcp-" + tun.mode;
    if (out.kcp.has_fec())
        out.name += "+fec" + std::to_string(tun.datashard) + "/" + std::to_string(tun.parityshard);
    if (out.kcp.has_crypt()) out.name += "+" + tun.crypt;
    if (tun.profile != "ikcp") out.name += "@" + tun.profile;
    return true;
}

std::uint32_t TrafficConfig::effective_size() const {
    if (message_size > 0) return std::max(message_size, kMessageHeaderSize);
    switch (kind) {
        case TrafficKind::bulk:
            return 16384;
        case TrafficKind::echo:
            return 100;
        case TrafficKind::periodic:
            return 64;
    }
    return 100;
}

double TrafficConfig::effective_rate() const {
    if (rate > 0) return rate;
    return kind == TrafficKind::periodic ? 30 : 50;
}

double Scenario::drain() const {
    if (traffic.kind == TrafficKind::bulk) return 0;
    return std::min(30.0, 3.0 + 10.0 * path.rtt_seconds());
}

std::uint32_t auto_window(const PathConfig& path, const KcpSettings& kcp, std::uint32_t flows) {
    const double framing = static_cast<double>(kcp.framing_overhead().value_or(0));
    const double mss = static_cast<double>(kcp.kcptun.mtu) - framing - 24.0;
    // Parity datagrams share the path: a window of w segments puts w (ds + ps) / ds
    // datagrams in flight.
    const double fec = kcp.has_fec() ? static_cast<double>(kcp.kcptun.datashard) /
                                           (kcp.kcptun.datashard + kcp.kcptun.parityshard)
                                     : 1.0;
    const double w =
        std::ceil(1.5 * fec * path.bdp_bytes() / std::max(mss, 1.0) / std::max(flows, 1u));
    return static_cast<std::uint32_t>(std::clamp(w, 32.0, 65535.0));
}

std::string RunResult::param(const std::string& key) const {
    for (const Param& p : params)
        if (p.key == key) return p.value;
    return {};
}

namespace {

std::string num(double v) {
    std::ostringstream os;
    os << v;
    return os.str();
}

}  // namespace

std::vector<Param> describe(const RunSpec& spec) {
    const Scenario& sc = spec.scenario;
    const PathConfig& p = sc.path;
    std::vector<Param> out;
    out.push_back({"scenario", sc.name});
    out.push_back({"traffic", to_string(sc.traffic.kind)});
    out.push_back({"msg_size", num(sc.traffic.effective_size())});
    if (sc.traffic.kind != TrafficKind::bulk)
        out.push_back({"msg_rate", num(sc.traffic.effective_rate())});
    if (sc.traffic.data_bytes > 0)
        out.push_back({"data", num(static_cast<double>(sc.traffic.data_bytes))});
    out.push_back({"bandwidth", format_rate(p.bandwidth_bps)});
    out.push_back({"rtt_ms", num(p.rtt_seconds() * 1e3)});
    out.push_back({"queue", p.queue_string()});
    if (p.queue_disc_type != "none") out.push_back({"queue_disc", p.queue_disc_type});
    out.push_back({"loss", num(sc.loss_rate)});
    out.push_back({"loss_model", sc.loss_label});
    if (p.channel.jitter.IsStrictlyPositive())
        out.push_back({"jitter_ms", num(p.channel.jitter.GetSeconds() * 1e3)});
    if (p.channel.duplicate > 0) out.push_back({"duplicate", num(p.channel.duplicate)});
    if (p.loss_fwd.corrupt > 0 || p.loss_rev.corrupt > 0) {
        out.push_back({"corrupt", num(std::max(p.loss_fwd.corrupt, p.loss_rev.corrupt))});
        if (p.loss_fwd.corrupt != p.loss_rev.corrupt)
            out.push_back({"corrupt_dir", p.loss_rev.corrupt > 0 ? "rev" : "fwd"});
    }
    if (p.loss_fwd.blackhole_off.IsStrictlyPositive())
        out.push_back({"blackhole", num(p.loss_fwd.blackhole_on.GetSeconds()) + "s on/" +
                                        num(p.loss_fwd.blackhole_off.GetSeconds()) + "s off"});
    if (!p.loss_fwd.drop_list.empty() || !p.loss_rev.drop_list.empty())
        out.push_back({"drop_list", num(static_cast<double>(p.loss_fwd.drop_list.size() +
                                                            p.loss_rev.drop_list.size())) +
                                        " packets"});
    out.push_back({"flows", num(sc.num_flows)});
    out.push_back({"duration", num(sc.duration)});
    out.push_back({"seed", num(sc.seed)});
    if (sc.run != 1) out.push_back({"run", num(static_cast<double>(sc.run))});
    std::string variants;
    for (const Variant& v : spec.variants) variants += (variants.empty() ? "" : ",") + v.name;
    out.push_back({"variants", variants});
    return out;
}

namespace {

double process_cpu_seconds() {
    timespec ts{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct FlowApps {
    Ptr<Application> client, server;
    bool udp = false;
    std::uint32_t udp_size = 0;
    double start = 0;
    EndpointStats client_stats() const {
        if (udp) {
            EndpointStats e;
            e.first_send_s = start;
            return e;
        }
        return DynamicCast<FlowApplication>(client)->GetStats();
    }
    EndpointStats server_stats() const {
        if (udp) {
            EndpointStats e;
            const std::uint64_t n = DynamicCast<UdpServer>(server)->GetReceived();
            e.messages_received = n;
            e.bytes_received = n * udp_size;
            return e;
        }
        return DynamicCast<FlowApplication>(server)->GetStats();
    }
};

void set_tcp_defaults(const Scenario& sc) {
    const std::uint32_t seg = sc.path.mtu - 52;  // IPv4 20 + TCP 20 + timestamps 12
    const double queue_bytes = sc.path.queue_limit_bytes();
    const auto buf = static_cast<std::uint32_t>(
        std::min(1e9, std::max(4.0 * 1048576.0, 4.0 * (sc.path.bdp_bytes() + queue_bytes))));
    Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(seg));
    Config::SetDefault("ns3::TcpSocket::SndBufSize", UintegerValue(buf));
    Config::SetDefault("ns3::TcpSocket::RcvBufSize", UintegerValue(buf));
    Config::SetDefault("ns3::TcpSocket::InitialCwnd", UintegerValue(10));
    Config::SetDefault("ns3::TcpSocket::DelAckCount", UintegerValue(2));
    Config::SetDefault("ns3::TcpSocket::TcpNoDelay", BooleanValue(true));
    // MinRto stays at ns-3's 1 s (RFC 6298). Linux's 200 ms floor applies to the
    // variance term (RTO >= srtt + 200 ms); as a floor on the whole RTO, as ns-3 applies
    // it, 200 ms fires spuriously on paths of 200 ms and more.
    Config::SetDefault("ns3::TcpSocketBase::Sack", BooleanValue(true));
    Config::SetDefault("ns3::TcpSocketBase::Timestamp", BooleanValue(true));
    Config::SetDefault("ns3::TcpSocketBase::WindowScaling", BooleanValue(true));
}

double jain(const std::vector<double>& x) {
    if (x.empty()) return 1;
    double s = 0, s2 = 0;
    for (double v : x) {
        s += v;
        s2 += v * v;
    }
    return s2 > 0 ? s * s / (static_cast<double>(x.size()) * s2) : 1;
}

}  // namespace

RunResult run_scenario(const RunSpec& spec, const std::function<void(double)>& progress) {
    const Scenario& sc = spec.scenario;
    RunResult result;
    result.id = spec.id;
    result.params = describe(spec);

    Config::Reset();
    Ipv4AddressGenerator::Reset();
    RngSeedManager::SetSeed(std::max<std::uint32_t>(sc.seed, 1));
    RngSeedManager::SetRun(sc.run);
    set_tcp_defaults(sc);

    const auto wall0 = std::chrono::steady_clock::now();
    const double cpu0 = process_cpu_seconds();
    Dumbbell net(sc.path, sc.num_flows, 1000);
    if (!sc.pcap_prefix.empty()) net.enable_pcap(sc.pcap_prefix);

    const std::uint32_t size = sc.traffic.effective_size();
    const double rate = sc.traffic.effective_rate();
    const double end = sc.duration + sc.drain();
    std::vector<FlowApps> flows(sc.num_flows);
    std::vector<std::size_t> flow_variant(sc.num_flows);
    auto done = std::make_shared<std::uint32_t>(0);
    const std::uint32_t n_flows = sc.num_flows;
    for (std::uint32_t i = 0; i < sc.num_flows; ++i) {
        const std::size_t vi = i % spec.variants.size();
        const Variant& v = spec.variants[vi];
        flow_variant[i] = vi;
        const uint16_t port = static_cast<uint16_t>(5000 + i);
        const Address remote = InetSocketAddress(net.receiver_address(i), port);
        const std::uint64_t content_seed = std::uint64_t{sc.seed} * 1000003u + i;
        auto common = [&](auto& helper) {
            helper.SetAttribute("Traffic", EnumValue(static_cast<int>(sc.traffic.kind)));
            helper.SetAttribute("MessageSize", UintegerValue(size));
            helper.SetAttribute("MessageRate", DoubleValue(rate));
            helper.SetAttribute("MaxBytes", UintegerValue(sc.traffic.data_bytes));
            helper.SetAttribute("Seed", UintegerValue(content_seed));
            helper.SetAttribute("TrafficStop", TimeValue(Seconds(sc.duration)));
        };
        ApplicationContainer server, client;
        if (v.udp) {
            // A plain constant-rate UDP flow: 1400-byte payloads at 95% of the bottleneck.
            const std::uint32_t payload = std::min<std::uint32_t>(1400, sc.path.mtu - 28);
            const double pps = 0.95 * static_cast<double>(sc.path.bandwidth_bps) /
                               (8.0 * (payload + 28)) / sc.num_flows;
            UdpServerHelper sh(port);
            UdpClientHelper ch(remote, port);
            ch.SetAttribute("MaxPackets", UintegerValue(0xFFFFFFFFu));
            ch.SetAttribute("Interval", TimeValue(Seconds(1.0 / pps)));
            ch.SetAttribute("PacketSize", UintegerValue(payload));
            server = sh.Install(net.receiver(i));
            client = ch.Install(net.sender(i));
            client.Stop(Seconds(sc.duration));
            server.Start(Seconds(0));
            client.Start(Seconds(sc.start));
            flows[i] = FlowApps{client.Get(0), server.Get(0), true, payload, sc.start};
            continue;
        }
        if (v.tcp) {
            const bool pacing = v.tcp_type == "ns3::TcpBbr";
            TcpFlowServerHelper sh(port, v.tcp_type);
            TcpFlowClientHelper ch(remote, v.tcp_type);
            common(sh);
            common(ch);
            sh.SetAttribute("Pacing", BooleanValue(pacing));
            ch.SetAttribute("Pacing", BooleanValue(pacing));
            server = sh.Install(net.receiver(i));
            client = ch.Install(net.sender(i));
        } else {
            const KcpSettings& k = v.kcp;
            kcptun::Settings tun = k.kcptun;
            const std::uint32_t wnd = auto_window(sc.path, k, sc.num_flows);
            if (tun.sndwnd == 0) tun.sndwnd = static_cast<int>(wnd);
            if (tun.rcvwnd == 0) tun.rcvwnd = static_cast<int>(wnd);
            KcpServerHelper sh(port);
            KcpClientHelper ch(remote);
            auto kcp_attrs = [&](auto& helper) {
                common(helper);
                helper.SetAttribute("Kcptun", KcptunSettingsValue(tun));
                helper.SetAttribute("WriteDelay", BooleanValue(k.write_delay));
                helper.SetAttribute("DeadLink", UintegerValue(k.dead_link));
                helper.SetAttribute("ClockOffset", UintegerValue(k.clock_offset));
            };
            kcp_attrs(sh);
            kcp_attrs(ch);
            ch.SetAttribute("Conv", UintegerValue(i + 1));
            server = sh.Install(net.receiver(i));
            client = ch.Install(net.sender(i));
        }
        server.Start(Seconds(0));
        client.Start(Seconds(sc.start));
        flows[i] = FlowApps{client.Get(0), server.Get(0), false, 0, sc.start};
        if (sc.traffic.kind == TrafficKind::bulk && sc.traffic.data_bytes > 0) {
            server.Get(0)->TraceConnectWithoutContext("BulkDone", Callback<void>([done, n_flows]() {
                                                          if (++*done == n_flows) Simulator::Stop();
                                                      }));
        }
    }
    if (progress) {
        for (int k = 1; k < 100; ++k)
            Simulator::Schedule(Seconds(end * k / 100.0),
                                [&progress, k]() { progress(k / 100.0); });
    }
    Simulator::Stop(Seconds(end));
    Simulator::Run();
    const double sim_end = Simulator::Now().GetSeconds();

    // Collect per variant.
    result.groups.resize(spec.variants.size());
    std::vector<std::vector<double>> samples(spec.variants.size());
    for (std::size_t vi = 0; vi < spec.variants.size(); ++vi)
        result.groups[vi].variant = spec.variants[vi].name;
    for (std::uint32_t i = 0; i < sc.num_flows; ++i) {
        GroupResult& g = result.groups[flow_variant[i]];
        const Variant& v = spec.variants[flow_variant[i]];
        const EndpointStats c = flows[i].client_stats();
        const EndpointStats s = flows[i].server_stats();
        const bool echo = sc.traffic.kind == TrafficKind::echo;
        const EndpointStats& rx = echo ? c : s;
        ++g.flows;
        g.bytes_delivered += rx.bytes_received;
        g.messages_sent += c.messages_sent;
        g.messages_delivered += rx.messages_received;
        if (rx.messages_received < c.messages_sent &&
            !(sc.traffic.kind == TrafficKind::bulk && sc.traffic.data_bytes == 0))
            g.complete = false;
        if (sc.traffic.kind == TrafficKind::bulk && sc.traffic.data_bytes > 0 &&
            rx.bytes_received < sc.traffic.data_bytes)
            g.complete = false;
        double t0 = c.first_send_s >= 0 ? c.first_send_s : sc.start;
        double t1 = sc.traffic.kind == TrafficKind::bulk ? sim_end : sc.duration;
        if (sc.traffic.kind == TrafficKind::bulk && sc.traffic.data_bytes > 0 &&
            rx.bytes_received >= sc.traffic.data_bytes)
            t1 = rx.last_receive_s;
        const double gp = t1 > t0 ? static_cast<double>(rx.bytes_received) * 8e-6 / (t1 - t0) : 0;
        g.flow_goodput_mbps.push_back(gp);
        g.goodput_mbps += gp;
        samples[flow_variant[i]].insert(samples[flow_variant[i]].end(), rx.latency_ms.begin(),
                                        rx.latency_ms.end());
        g.retrans_bytes += c.retrans_bytes + s.retrans_bytes;
        g.wire_bytes += c.wire_bytes_sent + s.wire_bytes_sent;
        g.datagrams += c.datagrams_sent + s.datagrams_sent;
        g.fec_parity_bytes += c.pipeline.fec_parity_bytes + s.pipeline.fec_parity_bytes;
        g.fec_recovered += c.pipeline.fec_recovered + s.pipeline.fec_recovered;
        g.rejected += c.pipeline.rejected + s.pipeline.rejected;
        g.csum_errors += c.pipeline.csum_errors + s.pipeline.csum_errors;
        g.kcp_input_errors += c.input_errors + s.input_errors;
        for (const EndpointStats* e : {&c, &s}) {
            if (!e->intact && g.intact) {
                g.intact = false;
                g.error = e->error;
            }
        }
        g.digest = (g.digest * 0x100000001b3ull) ^ c.digest ^ (s.digest << 1);
        g.dead_link = g.dead_link || c.dead_link || s.dead_link;
        if (!v.tcp) {
            const std::uint32_t wnd = auto_window(sc.path, v.kcp, sc.num_flows);
            g.sndwnd = v.kcp.kcptun.sndwnd ? static_cast<std::uint32_t>(v.kcp.kcptun.sndwnd) : wnd;
            g.rcvwnd = v.kcp.kcptun.rcvwnd ? static_cast<std::uint32_t>(v.kcp.kcptun.rcvwnd) : wnd;
        }
    }
    for (std::size_t vi = 0; vi < result.groups.size(); ++vi) {
        GroupResult& g = result.groups[vi];
        g.latency = summarize(samples[vi]);
        g.cdf = quantiles(samples[vi], 101);
        g.fairness = jain(g.flow_goodput_mbps);
    }
    result.path = net.counters();
    result.sim_seconds = sim_end;
    Simulator::Destroy();
    result.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    result.cpu_seconds = process_cpu_seconds() - cpu0;
    return result;
}

}  // namespace kcpkit::sim
