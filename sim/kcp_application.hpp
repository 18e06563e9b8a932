// KcpApplication: a KCP endpoint as an ns-3 Application, so KCP flows run on any ns-3
// topology. It owns an ns-3 UDP socket and drives the real sans-IO core
// (kcpkit::kcp::Kcp) from ns-3's clock; it holds no protocol logic.
//
// Driving rules (docs/core-api.md):
//  - Time: the core's uint32 millisecond clock is Simulator::Now() in whole ms (plus
//    ClockOffset, which lets a run start near the 2^32 wrap).
//  - Timers: one ns-3 event per session, armed at the core's check() deadline and
//    re-armed after every call that can move it (update, input, send + flush). There is
//    no fixed-interval loop over sessions: an idle session wakes at most once per
//    `interval`, as check() promises.
//  - Input: every datagram is first opened by the datagram pipeline (kcp-go's FEC and
//    crypt framing from the core, or pass-through), then update(now) latches a fresh
//    clock, input() takes each KCP datagram (FEC-rebuilt ones marked so), and with
//    AckNoDelay a flush() sends the ACKs at once (kcp-go's ackNoDelay).
//  - Output: the core's output callback seals each datagram through the pipeline and
//    sends the results with Socket::SendTo.
//  - Writes: without WriteDelay, a flush() follows every application write, as kcp-go
//    does (kcptun sets writeDelay false); with it, data waits for the next tick.
//
// Roles: a Client opens one session (conv = Conv) to Remote; a Server answers every
// (peer address, conv) that sends to Port with a session of its own. Traffic (bulk,
// echo, periodic) decides what the client writes and whether the server echoes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ns3/address.h"
#include "ns3/application-container.h"
#include "ns3/application.h"
#include "ns3/node-container.h"
#include "ns3/object-factory.h"
#include "ns3/socket.h"
#include "ns3/traced-callback.h"
#include "sim/datagram_pipeline.hpp"
#include "sim/flow_stats.hpp"

namespace kcpkit::sim {

class KcpApplication : public ns3::Application {
  public:
    enum Role { Client, Server };

    static ns3::TypeId GetTypeId();
    KcpApplication();
    ~KcpApplication() override;

    /// FEC/crypt settings (also the DataShard/ParityShard/Crypt attributes).
    void SetPipelineConfig(const PipelineConfig& config) { pipeline_config_ = config; }
    /// Measurements summed over this application's sessions.
    EndpointStats GetStats() const;
    std::size_t GetSessionCount() const;

    /// Message received: (seq, latency: one-way, or round trip for echo replies).
    using MessageTracedCallback = void (*)(uint32_t seq, ns3::Time latency);

  private:
    class Session;
    friend class Session;

    void StartApplication() override;
    void StopApplication() override;
    void DoDispose() override;
    void HandleRead(ns3::Ptr<ns3::Socket> socket);
    std::unique_ptr<DatagramPipeline> MakePipeline() const;
    uint32_t kcp_mtu() const { return kcp_mtu_; }
    void SetDataShard(int v) { pipeline_config_.datashard = v; }
    int GetDataShard() const { return pipeline_config_.datashard; }
    void SetParityShard(int v) { pipeline_config_.parityshard = v; }
    int GetParityShard() const { return pipeline_config_.parityshard; }
    void SetCrypt(std::string v) { pipeline_config_.crypt = std::move(v); }
    std::string GetCrypt() const { return pipeline_config_.crypt; }

    // Attributes.
    Role role_ = Client;
    ns3::Address remote_;
    uint16_t port_ = 0;
    uint32_t conv_ = 1;
    int32_t nodelay_ = 0, interval_ = 40, resend_ = 2, nc_ = 1;  // kcptun "normal"
    uint32_t snd_wnd_ = 128, rcv_wnd_ = 512, mtu_ = 1400, dead_link_ = 20;
    uint32_t kcp_mtu_ = 1400;  ///< mtu_ minus the pipeline's framing
    bool stream_ = false, ack_nodelay_ = false, write_delay_ = false;
    std::string profile_ = "ikcp";
    uint32_t clock_offset_ = 0;
    PipelineConfig pipeline_config_;
    void SetTraffic(int v) { traffic_ = static_cast<TrafficKind>(v); }
    int GetTraffic() const { return static_cast<int>(traffic_); }
    TrafficKind traffic_ = TrafficKind::bulk;
    uint32_t message_size_ = 16384;
    double message_rate_ = 50;
    uint64_t max_bytes_ = 0;
    uint64_t seed_ = 1;
    ns3::Time traffic_stop_;

    ns3::Ptr<ns3::Socket> socket_;
    std::vector<std::unique_ptr<Session>> sessions_;
    std::vector<uint8_t> rx_buffer_;
    ns3::TracedCallback<uint32_t, ns3::Time> message_rx_;
    ns3::TracedCallback<> bulk_done_;
};

/// Installs KCP clients in ns-3 helper style:
///   KcpClientHelper client(InetSocketAddress(serverIp, 4000));
///   client.SetAttribute("NoDelay", IntegerValue(1));
///   ApplicationContainer apps = client.Install(node);
class KcpClientHelper {
  public:
    explicit KcpClientHelper(const ns3::Address& remote);
    void SetAttribute(const std::string& name, const ns3::AttributeValue& value);
    ns3::ApplicationContainer Install(ns3::Ptr<ns3::Node> node) const;
    ns3::ApplicationContainer Install(const ns3::NodeContainer& nodes) const;

  private:
    ns3::ObjectFactory factory_;
};

/// Installs KCP servers listening on `port` (set the same KCP and Traffic attributes
/// as on the clients).
class KcpServerHelper {
  public:
    explicit KcpServerHelper(uint16_t port);
    void SetAttribute(const std::string& name, const ns3::AttributeValue& value);
    ns3::ApplicationContainer Install(ns3::Ptr<ns3::Node> node) const;
    ns3::ApplicationContainer Install(const ns3::NodeContainer& nodes) const;

  private:
    ns3::ObjectFactory factory_;
};

}  // namespace kcpkit::sim
