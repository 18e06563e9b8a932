// TcpFlowApplication: the same workloads as KcpApplication (bulk, echo, periodic; the
// same seeded, self-checking messages) over ns-3's TCP, for side-by-side baselines on
// the same path and seed. The congestion control is any ns-3 TcpCongestionOps TypeId
// (ns3::TcpCubic, ns3::TcpBbr, ns3::TcpNewReno, ...), chosen per application.
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
#include "sim/flow_stats.hpp"

namespace kcpkit::sim {

class TcpFlowApplication : public ns3::Application {
  public:
    enum Role { Client, Server };

    static ns3::TypeId GetTypeId();
    TcpFlowApplication();
    ~TcpFlowApplication() override;

    EndpointStats GetStats() const;

  private:
    struct Conn;

    void StartApplication() override;
    void StopApplication() override;
    void DoDispose() override;
    ns3::Ptr<ns3::Socket> MakeSocket();
    Conn* Adopt(ns3::Ptr<ns3::Socket> socket);
    void HandleAccept(ns3::Ptr<ns3::Socket> socket, const ns3::Address& from);
    void HandleRead(Conn* conn);
    void Pump(Conn* conn);
    void Tick();
    bool GenerationOpen() const;
    void Write(uint32_t size);

    Role role_ = Client;
    ns3::Address remote_;
    uint16_t port_ = 0;
    ns3::TypeId congestion_;
    bool pacing_ = false;
    void SetTraffic(int v) { traffic_ = static_cast<TrafficKind>(v); }
    int GetTraffic() const { return static_cast<int>(traffic_); }
    TrafficKind traffic_ = TrafficKind::bulk;
    uint32_t message_size_ = 16384;
    double message_rate_ = 50;
    uint64_t max_bytes_ = 0;
    uint64_t seed_ = 1;
    ns3::Time traffic_stop_;

    ns3::Ptr<ns3::Socket> listener_;
    std::vector<std::unique_ptr<Conn>> conns_;
    ns3::EventId tick_;
    uint32_t next_seq_ = 0;
    ns3::TracedCallback<uint32_t, ns3::Time> message_rx_;
    ns3::TracedCallback<> bulk_done_;
};

/// ns-3 style helpers, as KcpClientHelper / KcpServerHelper.
class TcpFlowClientHelper {
  public:
    TcpFlowClientHelper(const ns3::Address& remote, const std::string& congestion_type);
    void SetAttribute(const std::string& name, const ns3::AttributeValue& value);
    ns3::ApplicationContainer Install(ns3::Ptr<ns3::Node> node) const;

  private:
    ns3::ObjectFactory factory_;
};

class TcpFlowServerHelper {
  public:
    TcpFlowServerHelper(uint16_t port, const std::string& congestion_type);
    void SetAttribute(const std::string& name, const ns3::AttributeValue& value);
    ns3::ApplicationContainer Install(ns3::Ptr<ns3::Node> node) const;

  private:
    ns3::ObjectFactory factory_;
};

}  // namespace kcpkit::sim
