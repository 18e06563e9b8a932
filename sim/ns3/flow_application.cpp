#include "kcpkit/ns3/flow_application.hpp"

#include <algorithm>
#include <cmath>

#include "ns3/double.h"
#include "ns3/enum.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

namespace kcpkit::sim {

using namespace ns3;

NS_OBJECT_ENSURE_REGISTERED(FlowApplication);

TypeId FlowApplication::GetTypeId() {
    static TypeId tid =
        TypeId("kcpkit::FlowApplication")
            .SetParent<Application>()
            .SetGroupName("kcpkit")
            .AddAttribute("Role", "Client (opens one flow to Remote) or Server.", EnumValue(Client),
                          MakeEnumAccessor(&FlowApplication::role_),
                          MakeEnumChecker(Client, "Client", Server, "Server"))
            .AddAttribute("Remote", "The server's address (client).", AddressValue(),
                          MakeAddressAccessor(&FlowApplication::remote_), MakeAddressChecker())
            .AddAttribute("Port", "Local port (server; 0: ephemeral).", UintegerValue(0),
                          MakeUintegerAccessor(&FlowApplication::port_),
                          MakeUintegerChecker<uint16_t>())
            .AddAttribute(
                "Traffic", "What the client writes.",
                EnumValue(static_cast<int>(TrafficKind::bulk)),
                MakeEnumAccessor(&FlowApplication::SetTraffic, &FlowApplication::GetTraffic),
                MakeEnumChecker(static_cast<int>(TrafficKind::bulk), "bulk",
                                static_cast<int>(TrafficKind::echo), "echo",
                                static_cast<int>(TrafficKind::periodic), "periodic"))
            .AddAttribute("MessageSize", "Bytes per message (bulk: per write).",
                          UintegerValue(16384),
                          MakeUintegerAccessor(&FlowApplication::message_size_),
                          MakeUintegerChecker<uint32_t>(kMessageHeaderSize))
            .AddAttribute("MessageRate", "Messages per second (echo, periodic).", DoubleValue(50),
                          MakeDoubleAccessor(&FlowApplication::message_rate_),
                          MakeDoubleChecker<double>(0))
            .AddAttribute("MaxBytes", "Bytes to write (0: until TrafficStop).", UintegerValue(0),
                          MakeUintegerAccessor(&FlowApplication::max_bytes_),
                          MakeUintegerChecker<uint64_t>())
            .AddAttribute("Seed", "Seed of the message content (same on both ends).",
                          UintegerValue(1), MakeUintegerAccessor(&FlowApplication::seed_),
                          MakeUintegerChecker<uint64_t>())
            .AddAttribute("TrafficStop", "When the client stops writing (0: never).",
                          TimeValue(Time()), MakeTimeAccessor(&FlowApplication::traffic_stop_),
                          MakeTimeChecker())
            .AddTraceSource("MessageRx", "A verified message arrived (seq, latency).",
                            MakeTraceSourceAccessor(&FlowApplication::message_rx_),
                            "kcpkit::FlowApplication::MessageTracedCallback")
            .AddTraceSource("BulkDone", "The server received MaxBytes.",
                            MakeTraceSourceAccessor(&FlowApplication::bulk_done_),
                            "ns3::TracedCallback::Void");
    return tid;
}

Time FlowApplication::MessageGap() const {
    return NanoSeconds(static_cast<int64_t>(std::llround(1e9 / std::max(message_rate_, 1e-6))));
}

FlowApplication::Flow::Flow(FlowApplication& app)
    : app_(app), reader_(app.seed_, std::max(app.message_size_, kMessageHeaderSize)) {}

bool FlowApplication::Flow::GenerationOpen() const {
    if (app_.role_ != Client) return false;
    if (!app_.traffic_stop_.IsZero() && Simulator::Now() >= app_.traffic_stop_) return false;
    return app_.max_bytes_ == 0 || stats_.bytes_sent < app_.max_bytes_;
}

uint32_t FlowApplication::Flow::NextSize() const {
    uint64_t size = app_.message_size_;
    if (app_.max_bytes_ > 0) size = std::min<uint64_t>(size, app_.max_bytes_ - stats_.bytes_sent);
    return static_cast<uint32_t>(std::max<uint64_t>(size, kMessageHeaderSize));
}

void FlowApplication::Flow::AppendNext(std::vector<std::uint8_t>& out, uint32_t size) const {
    append_message(out, app_.seed_, next_seq_,
                   static_cast<uint64_t>(Simulator::Now().GetNanoSeconds()), size);
}

void FlowApplication::Flow::Sent(uint32_t size) {
    ++next_seq_;
    ++stats_.messages_sent;
    stats_.bytes_sent += size;
    if (stats_.first_send_s < 0) stats_.first_send_s = Simulator::Now().GetSeconds();
}

void FlowApplication::Flow::Receive(std::span<const std::uint8_t> data, Echo echo) {
    if (!stats_.intact) return;  // the caller keeps reading (the window stays open)
    const bool ok =
        reader_.feed(data, [&](const MessageHeader& h, std::span<const std::uint8_t> bytes) {
            OnMessage(h, bytes, echo);
        });
    if (!ok) {
        stats_.intact = false;
        stats_.error = reader_.error();
    }
}

void FlowApplication::Flow::OnMessage(const MessageHeader& h, std::span<const std::uint8_t> bytes,
                                      Echo echo) {
    const Time now = Simulator::Now();
    const Time latency = NanoSeconds(static_cast<int64_t>(now.GetNanoSeconds() - h.sent_ns));
    ++stats_.messages_received;
    stats_.bytes_received += h.size;
    stats_.last_receive_s = now.GetSeconds();
    const bool server = app_.role_ == Server;
    const bool echo_server = server && app_.traffic_ == TrafficKind::echo;
    if (!echo_server) stats_.latency_ms.push_back(latency.GetSeconds() * 1e3);
    app_.message_rx_(h.seq, latency);
    if (echo_server) {
        echo(bytes);
        ++stats_.messages_sent;
        stats_.bytes_sent += bytes.size();
    }
    if (server && app_.traffic_ == TrafficKind::bulk && app_.max_bytes_ > 0 &&
        stats_.bytes_received >= app_.max_bytes_ && !done_) {
        done_ = true;
        app_.bulk_done_();
    }
}

EndpointStats FlowApplication::Flow::Measured() const {
    EndpointStats s = stats_;
    s.digest = reader_.digest();
    return s;
}

FlowApplicationHelper::FlowApplicationHelper(TypeId type, const Address& remote) {
    factory_.SetTypeId(type);
    factory_.Set("Role", EnumValue(FlowApplication::Client));
    factory_.Set("Remote", AddressValue(remote));
}

FlowApplicationHelper::FlowApplicationHelper(TypeId type, uint16_t port) {
    factory_.SetTypeId(type);
    factory_.Set("Role", EnumValue(FlowApplication::Server));
    factory_.Set("Port", UintegerValue(port));
}

void FlowApplicationHelper::SetAttribute(const std::string& name, const AttributeValue& value) {
    factory_.Set(name, value);
}

ApplicationContainer FlowApplicationHelper::Install(Ptr<Node> node) const {
    Ptr<Application> app = factory_.Create<Application>();
    node->AddApplication(app);
    return ApplicationContainer(app);
}

ApplicationContainer FlowApplicationHelper::Install(const NodeContainer& nodes) const {
    ApplicationContainer apps;
    for (auto it = nodes.Begin(); it != nodes.End(); ++it) apps.Add(Install(*it));
    return apps;
}

}  // namespace kcpkit::sim
