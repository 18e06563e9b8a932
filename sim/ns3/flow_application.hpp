// FlowApplication: what KcpApplication and TcpFlowApplication have in common, so both
// transports run the very same workload and measure it the same way: the endpoint's role
// and addresses, the workload attributes (bulk, echo, periodic; seeded, self-checking
// messages), the MessageRx / BulkDone traces, and per connection the message accounting
// (Flow) that fills EndpointStats' application side.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "kcpkit/ns3/flow_stats.hpp"
#include "kcpkit/ns3/function_ref.hpp"
#include "kcpkit/ns3/message_stream.hpp"
#include "ns3/address.h"
#include "ns3/application-container.h"
#include "ns3/application.h"
#include "ns3/node-container.h"
#include "ns3/nstime.h"
#include "ns3/object-factory.h"
#include "ns3/traced-callback.h"

namespace kcpkit::sim {

class FlowApplication : public ns3::Application {
  public:
    enum Role { Client, Server };

    static ns3::TypeId GetTypeId();

    /// Measurements summed over this application's connections.
    virtual EndpointStats GetStats() const = 0;

    /// Message received: (seq, latency: one-way, or round trip for echo replies).
    using MessageTracedCallback = void (*)(uint32_t seq, ns3::Time latency);

  protected:
    // One connection's workload: numbering and writing messages, verifying what arrives,
    // echoing (echo server), BulkDone (bulk server).
    class Flow {
      public:
        using Echo = FunctionRef<void(std::span<const std::uint8_t>)>;

        explicit Flow(FlowApplication& app);

        /// Client: may it write more (TrafficStop, MaxBytes)?
        bool GenerationOpen() const;
        /// The next message's size: MessageSize, cut to what MaxBytes leaves.
        uint32_t NextSize() const;
        /// Appends the next message, `size` bytes, to `out`.
        void AppendNext(std::vector<std::uint8_t>& out, uint32_t size) const;
        /// The transport took the message AppendNext made.
        void Sent(uint32_t size);
        /// Received bytes, in order; an echo server hands each verified message to `echo`.
        void Receive(std::span<const std::uint8_t> data, Echo echo);

        /// The transport side is the caller's to fill in.
        EndpointStats& stats() { return stats_; }
        /// With the digest of every verified byte.
        EndpointStats Measured() const;

      private:
        void OnMessage(const MessageHeader& h, std::span<const std::uint8_t> bytes, Echo echo);

        FlowApplication& app_;
        MessageReader reader_;
        EndpointStats stats_;
        uint32_t next_seq_ = 0;
        bool done_ = false;
    };

    /// Echo, periodic: the time between two messages.
    ns3::Time MessageGap() const;

    // Attributes.
    Role role_ = Client;
    ns3::Address remote_;
    uint16_t port_ = 0;
    TrafficKind traffic_ = TrafficKind::bulk;
    uint32_t message_size_ = 16384;
    double message_rate_ = 50;
    uint64_t max_bytes_ = 0;
    uint64_t seed_ = 1;
    ns3::Time traffic_stop_;

  private:
    void SetTraffic(int v) { traffic_ = static_cast<TrafficKind>(v); }
    int GetTraffic() const { return static_cast<int>(traffic_); }

    ns3::TracedCallback<uint32_t, ns3::Time> message_rx_;
    ns3::TracedCallback<> bulk_done_;
};

/// Installs flow applications in ns-3 helper style (see KcpClientHelper).
class FlowApplicationHelper {
  public:
    void SetAttribute(const std::string& name, const ns3::AttributeValue& value);
    ns3::ApplicationContainer Install(ns3::Ptr<ns3::Node> node) const;
    ns3::ApplicationContainer Install(const ns3::NodeContainer& nodes) const;

  protected:
    /// A client of `type` that connects to `remote`.
    FlowApplicationHelper(ns3::TypeId type, const ns3::Address& remote);
    /// A server of `type` on `port`.
    FlowApplicationHelper(ns3::TypeId type, uint16_t port);

    ns3::ObjectFactory factory_;
};

}  // namespace kcpkit::sim
