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
//
// Configuration: one attribute, Kcptun, holds kcptun's flags whole (kcptun::Settings,
// protocol/kcptun/settings.hpp); the sessions' configuration comes from it through
// kcptun::session_config, as kcp-peer's does. Only the simulator's own knobs (Conv,
// WriteDelay, DeadLink, ClockOffset) are attributes of their own.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "kcpkit/frame/frame.hpp"
#include "kcpkit/kcpgo/listener_demux.hpp"
#include "kcpkit/kcpgo/session.hpp"
#include "kcpkit/kcptun/settings.hpp"
#include "kcpkit/ns3/flow_application.hpp"
#include "kcpkit/ns3/framing.hpp"
#include "ns3/address.h"
#include "ns3/attribute-helper.h"
#include "ns3/socket.h"

namespace kcpkit::sim {

/// The Kcptun attribute's value: kcptun::Settings whole. It prints as kcptun's command line;
/// it is set from code (KcptunSettingsValue(settings)), not parsed from a string.
class KcptunSettingsValue : public ns3::AttributeValue {
  public:
    KcptunSettingsValue() = default;
    explicit KcptunSettingsValue(const kcptun::Settings& value) : value_(value) {}
    void Set(const kcptun::Settings& value) { value_ = value; }
    kcptun::Settings Get() const { return value_; }
    template <typename T>
    bool GetAccessor(T& value) const {
        value = T(value_);
        return true;
    }
    ns3::Ptr<ns3::AttributeValue> Copy() const override;
    std::string SerializeToString(ns3::Ptr<const ns3::AttributeChecker> checker) const override;
    bool DeserializeFromString(std::string value,
                               ns3::Ptr<const ns3::AttributeChecker> checker) override;

  private:
    kcptun::Settings value_;
};

class KcpApplication : public FlowApplication {
  public:
    static ns3::TypeId GetTypeId();
    KcpApplication();
    ~KcpApplication() override;

    /// kcptun's flags with this application's defaults: kcptun's, but no FEC, no crypt
    /// layer ("null"), mtu 1400, the ikcp core; windows 0 (kcptun's for the role).
    static kcptun::Settings DefaultKcptunSettings();
    /// The whole KCP configuration (also the Kcptun attribute), before the application starts.
    void SetKcptunSettings(const kcptun::Settings& settings) { kcptun_ = settings; }
    const kcptun::Settings& GetKcptunSettings() const { return kcptun_; }
    /// Measurements summed over this application's sessions.
    EndpointStats GetStats() const override;
    std::size_t GetSessionCount() const;

  private:
    class Conversation;
    friend class Conversation;

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

    // Attributes (FlowApplication has the workload's).
    uint32_t conv_ = 1;
    kcptun::Settings kcptun_ = DefaultKcptunSettings();
    uint32_t dead_link_ = 20;
    bool write_delay_ = false;
    uint32_t clock_offset_ = 0;
    /// kcptun::session_config(kcptun_) with the simulator's knobs, when the application
    /// starts: every session's configuration but its conv.
    kcpgo::SessionConfig session_config_;

    ns3::Ptr<ns3::Socket> socket_;
    std::unique_ptr<kcpgo::ListenerDemux> demux_;          ///< server only
    std::vector<std::unique_ptr<Conversation>> sessions_;  ///< index = the demux's token
    std::vector<uint8_t> rx_buffer_;
};

/// Installs KCP clients in ns-3 helper style:
///   kcptun::Settings kcp = KcpApplication::DefaultKcptunSettings();
///   kcp.mode = "fast3";
///   KcpClientHelper client(InetSocketAddress(serverIp, 4000));
///   client.SetAttribute("Kcptun", KcptunSettingsValue(kcp));
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
