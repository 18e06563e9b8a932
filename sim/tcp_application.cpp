#include "sim/tcp_application.hpp"

#include <algorithm>
#include <cmath>

#include "ns3/boolean.h"
#include "ns3/config.h"
#include "ns3/double.h"
#include "ns3/enum.h"
#include "ns3/inet-socket-address.h"
#include "ns3/log.h"
#include "ns3/packet.h"
#include "ns3/simulator.h"
#include "ns3/tcp-header.h"
#include "ns3/tcp-l4-protocol.h"
#include "ns3/tcp-socket-base.h"
#include "ns3/type-id.h"
#include "ns3/uinteger.h"
#include "sim/message_stream.hpp"

namespace kcpkit::sim {

using namespace ns3;

NS_LOG_COMPONENT_DEFINE("TcpFlowApplication");
NS_OBJECT_ENSURE_REGISTERED(TcpFlowApplication);

struct TcpFlowApplication::Conn {
    Conn(Ptr<Socket> s, uint64_t seed, uint32_t max_size) : socket(s), reader(seed, max_size) {}
    Ptr<Socket> socket;
    MessageReader reader;
    std::vector<std::uint8_t> out;  // written by the application, not yet in the socket
    std::size_t out_pos = 0;
    std::vector<std::uint8_t> in;
    EndpointStats stats;
    SequenceNumber32 high_tx;  // highest sequence sent + 1
    bool any_tx = false, done = false;
};

TypeId TcpFlowApplication::GetTypeId() {
    static TypeId tid =
        TypeId("kcpkit::TcpFlowApplication")
            .SetParent<Application>()
            .SetGroupName("kcpkit")
            .AddConstructor<TcpFlowApplication>()
            .AddAttribute("Role", "Client (connects to Remote) or Server.", EnumValue(Client),
                          MakeEnumAccessor(&TcpFlowApplication::role_),
                          MakeEnumChecker(Client, "Client", Server, "Server"))
            .AddAttribute("Remote", "The server's address (client).", AddressValue(),
                          MakeAddressAccessor(&TcpFlowApplication::remote_), MakeAddressChecker())
            .AddAttribute("Port", "Local TCP port (server).", UintegerValue(0),
                          MakeUintegerAccessor(&TcpFlowApplication::port_),
                          MakeUintegerChecker<uint16_t>())
            .AddAttribute("CongestionControl", "A TcpCongestionOps TypeId.",
                          TypeIdValue(TypeId::LookupByName("ns3::TcpCubic")),
                          MakeTypeIdAccessor(&TcpFlowApplication::congestion_), MakeTypeIdChecker())
            .AddAttribute("Pacing", "TCP pacing (BBR needs it).", BooleanValue(false),
                          MakeBooleanAccessor(&TcpFlowApplication::pacing_), MakeBooleanChecker())
            .AddAttribute(
                "Traffic", "What the client writes.",
                EnumValue(static_cast<int>(TrafficKind::bulk)),
                MakeEnumAccessor(&TcpFlowApplication::SetTraffic, &TcpFlowApplication::GetTraffic),
                MakeEnumChecker(static_cast<int>(TrafficKind::bulk), "bulk",
                                static_cast<int>(TrafficKind::echo), "echo",
                                static_cast<int>(TrafficKind::periodic), "periodic"))
            .AddAttribute("MessageSize", "Bytes per message (bulk: per write).",
                          UintegerValue(16384),
                          MakeUintegerAccessor(&TcpFlowApplication::message_size_),
                          MakeUintegerChecker<uint32_t>(kMessageHeaderSize))
            .AddAttribute("MessageRate", "Messages per second (echo, periodic).", DoubleValue(50),
                          MakeDoubleAccessor(&TcpFlowApplication::message_rate_),
                          MakeDoubleChecker<double>(0))
            .AddAttribute("MaxBytes", "Bytes to write (0: until TrafficStop).", UintegerValue(0),
                          MakeUintegerAccessor(&TcpFlowApplication::max_bytes_),
                          MakeUintegerChecker<uint64_t>())
            .AddAttribute("Seed", "Seed of the message content (same on both ends).",
                          UintegerValue(1), MakeUintegerAccessor(&TcpFlowApplication::seed_),
                          MakeUintegerChecker<uint64_t>())
            .AddAttribute("TrafficStop", "When the client stops writing (0: never).",
                          TimeValue(Time()), MakeTimeAccessor(&TcpFlowApplication::traffic_stop_),
                          MakeTimeChecker())
            .AddTraceSource("MessageRx", "A verified message arrived (seq, latency).",
                            MakeTraceSourceAccessor(&TcpFlowApplication::message_rx_),
                            "kcpkit::KcpApplication::MessageTracedCallback")
            .AddTraceSource("BulkDone", "The server received MaxBytes.",
                            MakeTraceSourceAccessor(&TcpFlowApplication::bulk_done_),
                            "ns3::TracedCallback::Void");
    return tid;
}

TcpFlowApplication::TcpFlowApplication() = default;
TcpFlowApplication::~TcpFlowApplication() = default;

Ptr<Socket> TcpFlowApplication::MakeSocket() {
    // Pacing lives in TcpSocketState, created with the socket: set its default first.
    Config::SetDefault("ns3::TcpSocketState::EnablePacing", BooleanValue(pacing_));
    Ptr<TcpL4Protocol> tcp = GetNode()->GetObject<TcpL4Protocol>();
    NS_ABORT_MSG_IF(!tcp, "TcpFlowApplication needs the internet stack on its node");
    return tcp->CreateSocket(congestion_);
}

TcpFlowApplication::Conn* TcpFlowApplication::Adopt(Ptr<Socket> socket) {
    conns_.push_back(
        std::make_unique<Conn>(socket, seed_, std::max(message_size_, kMessageHeaderSize)));
    Conn* c = conns_.back().get();
    socket->SetRecvCallback(Callback<void, Ptr<Socket>>([this, c](Ptr<Socket>) { HandleRead(c); }));
    socket->SetSendCallback(
        Callback<void, Ptr<Socket>, uint32_t>([this, c](Ptr<Socket>, uint32_t) { Pump(c); }));
    socket->TraceConnectWithoutContext(
        "Tx", Callback<void, Ptr<const Packet>, const TcpHeader&, Ptr<const TcpSocketBase>>(
                  [c](Ptr<const Packet> p, const TcpHeader& h, Ptr<const TcpSocketBase>) {
                      const uint32_t len = p->GetSize();
                      ++c->stats.datagrams_sent;
                      c->stats.wire_bytes_sent += len + h.GetSerializedSize() + 20;
                      if (len == 0) return;
                      const SequenceNumber32 seq = h.GetSequenceNumber();
                      const SequenceNumber32 end = seq + len;
                      if (c->any_tx && seq < c->high_tx) {
                          const uint32_t again =
                              std::min<uint32_t>(len, static_cast<uint32_t>(c->high_tx - seq));
                          c->stats.retrans_bytes += again;
                          ++c->stats.retrans_segments;
                      }
                      if (!c->any_tx || end > c->high_tx) c->high_tx = end;
                      c->any_tx = true;
                  }));
    return c;
}

void TcpFlowApplication::StartApplication() {
    if (role_ == Server) {
        listener_ = MakeSocket();
        listener_->Bind(InetSocketAddress(Ipv4Address::GetAny(), port_));
        listener_->Listen();
        listener_->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
                                     MakeCallback(&TcpFlowApplication::HandleAccept, this));
        return;
    }
    Ptr<Socket> s = MakeSocket();
    s->Bind();
    Conn* c = Adopt(s);
    s->SetConnectCallback(Callback<void, Ptr<Socket>>([this, c](Ptr<Socket>) {
                              if (traffic_ == TrafficKind::bulk) {
                                  Pump(c);
                              } else {
                                  Tick();
                              }
                          }),
                          MakeNullCallback<void, Ptr<Socket>>());
    s->Connect(remote_);
}

void TcpFlowApplication::HandleAccept(Ptr<Socket> socket, const Address&) {
    Adopt(socket);
}

void TcpFlowApplication::StopApplication() {
    tick_.Cancel();
    for (auto& c : conns_) {
        c->socket->SetRecvCallback(MakeNullCallback<void, Ptr<Socket>>());
        c->socket->SetSendCallback(MakeNullCallback<void, Ptr<Socket>, uint32_t>());
        c->socket->Close();
    }
    if (listener_) listener_->Close();
}

void TcpFlowApplication::DoDispose() {
    conns_.clear();
    listener_ = nullptr;
    Application::DoDispose();
}

bool TcpFlowApplication::GenerationOpen() const {
    if (role_ != Client || conns_.empty()) return false;
    if (!traffic_stop_.IsZero() && Simulator::Now() >= traffic_stop_) return false;
    return max_bytes_ == 0 || conns_.front()->stats.bytes_sent < max_bytes_;
}

void TcpFlowApplication::Write(uint32_t size) {
    Conn* c = conns_.front().get();
    if (max_bytes_ > 0)
        size = static_cast<uint32_t>(std::min<uint64_t>(size, max_bytes_ - c->stats.bytes_sent));
    size = std::max(size, kMessageHeaderSize);
    if (c->out_pos == c->out.size()) {
        c->out.clear();
        c->out_pos = 0;
    }
    append_message(c->out, seed_, next_seq_++,
                   static_cast<uint64_t>(Simulator::Now().GetNanoSeconds()), size);
    ++c->stats.messages_sent;
    c->stats.bytes_sent += size;
    if (c->stats.first_send_s < 0) c->stats.first_send_s = Simulator::Now().GetSeconds();
}

void TcpFlowApplication::Pump(Conn* c) {
    for (;;) {
        if (c->out_pos == c->out.size()) {
            if (role_ != Client || traffic_ != TrafficKind::bulk || !GenerationOpen()) return;
            Write(message_size_);
        }
        const uint32_t avail = c->socket->GetTxAvailable();
        if (avail == 0) return;
        const uint32_t n =
            static_cast<uint32_t>(std::min<std::size_t>(avail, c->out.size() - c->out_pos));
        const int sent = c->socket->Send(Create<Packet>(c->out.data() + c->out_pos, n));
        if (sent <= 0) return;
        c->out_pos += static_cast<std::size_t>(sent);
    }
}

void TcpFlowApplication::Tick() {
    if (!GenerationOpen()) return;
    Write(message_size_);
    Pump(conns_.front().get());
    const double gap = 1e9 / std::max(message_rate_, 1e-6);
    tick_ = Simulator::Schedule(NanoSeconds(static_cast<int64_t>(std::llround(gap))),
                                &TcpFlowApplication::Tick, this);
}

void TcpFlowApplication::HandleRead(Conn* c) {
    bool echoed = false;
    while (Ptr<Packet> p = c->socket->Recv()) {
        const uint32_t size = p->GetSize();
        if (size == 0) break;
        c->in.resize(size);
        p->CopyData(c->in.data(), size);
        if (!c->stats.intact) continue;
        const bool ok = c->reader.feed(
            std::span<const std::uint8_t>(c->in.data(), size),
            [&](const MessageHeader& h, std::span<const std::uint8_t> bytes) {
                const Time now = Simulator::Now();
                const Time latency =
                    NanoSeconds(static_cast<int64_t>(now.GetNanoSeconds() - h.sent_ns));
                ++c->stats.messages_received;
                c->stats.bytes_received += h.size;
                c->stats.last_receive_s = now.GetSeconds();
                const bool echo_server = role_ == Server && traffic_ == TrafficKind::echo;
                if (!echo_server) c->stats.latency_ms.push_back(latency.GetSeconds() * 1e3);
                message_rx_(h.seq, latency);
                if (echo_server) {
                    if (c->out_pos == c->out.size()) {
                        c->out.clear();
                        c->out_pos = 0;
                    }
                    c->out.insert(c->out.end(), bytes.begin(), bytes.end());
                    ++c->stats.messages_sent;
                    c->stats.bytes_sent += bytes.size();
                    echoed = true;
                }
                if (role_ == Server && traffic_ == TrafficKind::bulk && max_bytes_ > 0 &&
                    c->stats.bytes_received >= max_bytes_ && !c->done) {
                    c->done = true;
                    bulk_done_();
                }
            });
        if (!ok) {
            c->stats.intact = false;
            c->stats.error = c->reader.error();
        }
    }
    if (echoed) Pump(c);
}

EndpointStats TcpFlowApplication::GetStats() const {
    EndpointStats total;
    for (const auto& c : conns_) {
        const EndpointStats& e = c->stats;
        total.messages_sent += e.messages_sent;
        total.bytes_sent += e.bytes_sent;
        total.messages_received += e.messages_received;
        total.bytes_received += e.bytes_received;
        total.latency_ms.insert(total.latency_ms.end(), e.latency_ms.begin(), e.latency_ms.end());
        if (e.first_send_s >= 0 && (total.first_send_s < 0 || e.first_send_s < total.first_send_s))
            total.first_send_s = e.first_send_s;
        total.last_receive_s = std::max(total.last_receive_s, e.last_receive_s);
        if (!e.intact && total.intact) {
            total.intact = false;
            total.error = e.error;
        }
        total.digest = total.digest * 0x100000001b3ull ^ c->reader.digest();
        total.datagrams_sent += e.datagrams_sent;
        total.wire_bytes_sent += e.wire_bytes_sent;
        total.retrans_bytes += e.retrans_bytes;
        total.retrans_segments += e.retrans_segments;
    }
    return total;
}

TcpFlowClientHelper::TcpFlowClientHelper(const Address& remote,
                                         const std::string& congestion_type) {
    factory_.SetTypeId(TcpFlowApplication::GetTypeId());
    factory_.Set("Role", EnumValue(TcpFlowApplication::Client));
    factory_.Set("Remote", AddressValue(remote));
    factory_.Set("CongestionControl", TypeIdValue(TypeId::LookupByName(congestion_type)));
}

void TcpFlowClientHelper::SetAttribute(const std::string& name, const AttributeValue& value) {
    factory_.Set(name, value);
}

ApplicationContainer TcpFlowClientHelper::Install(Ptr<Node> node) const {
    Ptr<Application> app = factory_.Create<Application>();
    node->AddApplication(app);
    return ApplicationContainer(app);
}

TcpFlowServerHelper::TcpFlowServerHelper(uint16_t port, const std::string& congestion_type) {
    factory_.SetTypeId(TcpFlowApplication::GetTypeId());
    factory_.Set("Role", EnumValue(TcpFlowApplication::Server));
    factory_.Set("Port", UintegerValue(port));
    factory_.Set("CongestionControl", TypeIdValue(TypeId::LookupByName(congestion_type)));
}

void TcpFlowServerHelper::SetAttribute(const std::string& name, const AttributeValue& value) {
    factory_.Set(name, value);
}

ApplicationContainer TcpFlowServerHelper::Install(Ptr<Node> node) const {
    Ptr<Application> app = factory_.Create<Application>();
    node->AddApplication(app);
    return ApplicationContainer(app);
}

}  // namespace kcpkit::sim
