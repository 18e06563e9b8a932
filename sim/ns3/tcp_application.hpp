// TcpFlowApplication: the same workloads as KcpApplication (bulk, echo, periodic; the
// same seeded, self-checking messages) over ns-3's TCP, for side-by-side baselines on
// the same path and seed. The congestion control is any ns-3 TcpCongestionOps TypeId
// (ns3::TcpCubic, ns3::TcpBbr, ns3::TcpNewReno, ...), chosen per application.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kcpkit/ns3/flow_application.hpp"
#include "ns3/address.h"
#include "ns3/socket.h"

namespace kcpkit::sim {

class TcpFlowApplication : public FlowApplication {
  public:
    static ns3::TypeId GetTypeId();
    TcpFlowApplication();
    ~TcpFlowApplication() override;

    EndpointStats GetStats() const override;

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
    void Write();

    // Attributes (FlowApplication has the workload's).
    ns3::TypeId congestion_;
    bool pacing_ = false;

    ns3::Ptr<ns3::Socket> listener_;
    std::vector<std::unique_ptr<Conn>> conns_;
    ns3::EventId tick_;
};

/// ns-3 style helpers, as KcpClientHelper / KcpServerHelper.
class TcpFlowClientHelper : public FlowApplicationHelper {
  public:
    TcpFlowClientHelper(const ns3::Address& remote, const std::string& congestion_type);
};

class TcpFlowServerHelper : public FlowApplicationHelper {
  public:
    TcpFlowServerHelper(uint16_t port, const std::string& congestion_type);
};

}  // namespace kcpkit::sim
