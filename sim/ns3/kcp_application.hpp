// KcpApplication: a KCP endpoint as an ns-3 Application, so KCP flows run on any ns-3
// topology. It owns an ns-3 UDP socket and drives the sans-IO core from ns-3's clock; it
// holds no protocol logic (docs/simulation.md, "A thin driver").
//
// Per profile: each conversation is a kcpgo::Session, whatever the profile. The kcp-go
// profiles (kcp-go, kcp-go-5.6.1) run kcp-go's UDPSession semantics (mss chunking, flush
// after write, write delay, ACK no-delay, window update on read); the ikcp profiles run
// the C original's (whole messages with C fragments, ikcp_update / ikcp_check timing, one
// flush after a burst of writes or input as WriteDelay / AckNoDelay choose); both with
// kcp-go's FEC + crypt framing in front. The driver feeds the session datagrams, writes and
// reads, arms one ns-3 timer at next_deadline() and sends what poll_transmit() returns at
// the end of each burst of calls.
//  - Time: the core's uint32 millisecond clock is Simulator::Now() in whole ms (plus
//    ClockOffset, which lets a run start near the 2^32 wrap).
//  - Server: kcpgo::ListenerDemux routes each datagram by the peer's serialized ns-3
//    Address, kcp-go's listener rules (new conv with sn == 0 replaces a session).
//
// Roles: a Client opens one session (conv = Conv) to Remote; a Server answers every peer
// address that sends to Port with a session of its own. Traffic (bulk, echo, periodic)
// decides what the client writes and whether the server echoes.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "kcpkit/frame/frame.hpp"
#include "kcpkit/kcpgo/listener_demux.hpp"
#include "kcpkit/ns3/flow_application.hpp"
#include "kcpkit/ns3/framing.hpp"
#include "ns3/address.h"
#include "ns3/socket.h"

namespace kcpkit::sim {

class KcpApplication : public FlowApplication {
  public:
    static ns3::TypeId GetTypeId();
    KcpApplication();
    ~KcpApplication() override;

    /// FEC/crypt settings (also the DataShard/ParityShard/Crypt attributes).
    void SetPipelineConfig(const PipelineConfig& config) { pipeline_config_ = config; }
    /// Measurements summed over this application's sessions.
    EndpointStats GetStats() const override;
    std::size_t GetSessionCount() const;

  private:
    class Session;
    friend class Session;

    void StartApplication() override;
    void StopApplication() override;
    void DoDispose() override;
    void HandleRead(ns3::Ptr<ns3::Socket> socket);
    /// Server: one datagram from `from`, to its session by kcp-go's listener rules.
    void Route(const ns3::Address& from, std::span<std::uint8_t> wire);
    /// The core's uint32 millisecond clock: ns-3's, in whole ms, plus ClockOffset.
    uint32_t NowMs() const;
    /// Seed of the next session's crypt nonces.
    uint64_t NonceSeed() const;
    void SetDataShard(int v) { pipeline_config_.datashard = v; }
    int GetDataShard() const { return pipeline_config_.datashard; }
    void SetParityShard(int v) { pipeline_config_.parityshard = v; }
    int GetParityShard() const { return pipeline_config_.parityshard; }
    void SetCrypt(std::string v) { pipeline_config_.crypt = std::move(v); }
    std::string GetCrypt() const { return pipeline_config_.crypt; }

    // Attributes (FlowApplication has the workload's).
    uint32_t conv_ = 1;
    // Set from the attribute defaults: kcptun's default --mode (protocol/kcptun/kcptun.hpp).
    int32_t nodelay_ = 0, interval_ = 0, resend_ = 0, nc_ = 0;
    uint32_t snd_wnd_ = 128, rcv_wnd_ = 512, mtu_ = 1400, dead_link_ = 20;
    uint32_t kcp_mtu_ = 1400;  ///< Framer::kcp_mtu_for(mtu_): the ikcp core's mtu
    bool stream_ = false, ack_nodelay_ = false, write_delay_ = false;
    std::string profile_ = "ikcp";
    uint32_t clock_offset_ = 0;
    PipelineConfig pipeline_config_;
    frame::FrameConfig frame_config_;  ///< pipeline_config_ as kcptun frames it

    ns3::Ptr<ns3::Socket> socket_;
    std::unique_ptr<kcpgo::ListenerDemux> demux_;     ///< server only
    std::vector<std::unique_ptr<Session>> sessions_;  ///< index = the demux's token
    std::vector<uint8_t> rx_buffer_;
};

/// Installs KCP clients in ns-3 helper style:
///   KcpClientHelper client(InetSocketAddress(serverIp, 4000));
///   client.SetAttribute("NoDelay", IntegerValue(1));
///   ApplicationContainer apps = client.Install(node);
class KcpClientHelper : public FlowApplicationHelper {
  public:
    explicit KcpClientHelper(const ns3::Address& remote)
        : FlowApplicationHelper(KcpApplication::GetTypeId(), remote) {}
};

/// Installs KCP servers listening on `port` (set the same KCP and Traffic attributes
/// as on the clients).
class KcpServerHelper : public FlowApplicationHelper {
  public:
    explicit KcpServerHelper(uint16_t port)
        : FlowApplicationHelper(KcpApplication::GetTypeId(), port) {}
};

}  // namespace kcpkit::sim
