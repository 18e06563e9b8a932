#include "kcpkit/ns3/tcp_application.hpp"

#include <algorithm>

#include "kcpkit/ns3/message_stream.hpp"
#include "ns3/boolean.h"
#include "ns3/config.h"
#include "ns3/inet-socket-address.h"
#include "ns3/log.h"
#include "ns3/packet.h"
#include "ns3/simulator.h"
#include "ns3/tcp-header.h"
#include "ns3/tcp-l4-protocol.h"
#include "ns3/tcp-socket-base.h"
#include "ns3/type-id.h"
#include "ns3/uinteger.h"

namespace kcpkit::sim {

using namespace ns3;

NS_LOG_COMPONENT_DEFINE("TcpFlowApplication");
NS_OBJECT_ENSURE_REGISTERED(TcpFlowApplication);

struct TcpFlowApplication::Conn {
    Conn(Ptr<Socket> s, FlowApplication& app) : socket(s), flow(app) {}
    // The buffer to append to, emptied first once all of it is in the socket.
    std::vector<std::uint8_t>& Outbox() {
        if (out_pos == out.size()) {
            out.clear();
            out_pos = 0;
        }
        return out;
    }
    Ptr<Socket> socket;
    Flow flow;
    std::vector<std::uint8_t> out;  // written by the application, not yet in the socket
    std::size_t out_pos = 0;
    std::vector<std::uint8_t> in;
    SequenceNumber32 high_tx;  // highest sequence sent + 1
    bool any_tx = false;
};

TypeId TcpFlowApplication::GetTypeId() {
    static TypeId tid =
        TypeId("kcpkit::TcpFlowApplication")
            .SetParent<FlowApplication>()
            .SetGroupName("kcpkit")
            .AddConstructor<TcpFlowApplication>()
            .AddAttribute("CongestionControl", "A TcpCongestionOps TypeId.",
                          TypeIdValue(TypeId::LookupByName("ns3::TcpCubic")),
                          MakeTypeIdAccessor(&TcpFlowApplication::congestion_), MakeTypeIdChecker())
            .AddAttribute("Pacing", "TCP pacing (BBR needs it).", BooleanValue(false),
                          MakeBooleanAccessor(&TcpFlowApplication::pacing_), MakeBooleanChecker());
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
    conns_.push_back(std::make_unique<Conn>(socket, *this));
    Conn* c = conns_.back().get();
    socket->SetRecvCallback(Callback<void, Ptr<Socket>>([this, c](Ptr<Socket>) { HandleRead(c); }));
    socket->SetSendCallback(
        Callback<void, Ptr<Socket>, uint32_t>([this, c](Ptr<Socket>, uint32_t) { Pump(c); }));
    socket->TraceConnectWithoutContext(
        "Tx", Callback<void, Ptr<const Packet>, const TcpHeader&, Ptr<const TcpSocketBase>>(
                  [c](Ptr<const Packet> p, const TcpHeader& h, Ptr<const TcpSocketBase>) {
                      const uint32_t len = p->GetSize();
                      EndpointStats& stats = c->flow.stats();
                      ++stats.datagrams_sent;
                      stats.wire_bytes_sent += len + h.GetSerializedSize() + 20;
                      if (len == 0) return;
                      const SequenceNumber32 seq = h.GetSequenceNumber();
                      const SequenceNumber32 end = seq + len;
                      if (c->any_tx && seq < c->high_tx) {
                          const uint32_t again =
                              std::min<uint32_t>(len, static_cast<uint32_t>(c->high_tx - seq));
                          stats.retrans_bytes += again;
                          ++stats.retrans_segments;
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
    return !conns_.empty() && conns_.front()->flow.GenerationOpen();
}

void TcpFlowApplication::Write() {
    Flow& flow = conns_.front()->flow;
    const uint32_t size = flow.NextSize();
    flow.AppendNext(conns_.front()->Outbox(), size);
    flow.Sent(size);  // `out` is unbounded: queued counts as sent
}

void TcpFlowApplication::Pump(Conn* c) {
    for (;;) {
        if (c->out_pos == c->out.size()) {
            if (role_ != Client || traffic_ != TrafficKind::bulk || !GenerationOpen()) return;
            Write();
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
    Write();
    Pump(conns_.front().get());
    tick_ = Simulator::Schedule(MessageGap(), &TcpFlowApplication::Tick, this);
}

void TcpFlowApplication::HandleRead(Conn* c) {
    bool echoed = false;
    while (Ptr<Packet> p = c->socket->Recv()) {
        const uint32_t size = p->GetSize();
        if (size == 0) break;
        c->in.resize(size);
        p->CopyData(c->in.data(), size);
        c->flow.Receive(std::span<const std::uint8_t>(c->in.data(), size),
                        [&](std::span<const std::uint8_t> bytes) {
                            std::vector<std::uint8_t>& out = c->Outbox();
                            out.insert(out.end(), bytes.begin(), bytes.end());
                            echoed = true;
                        });
    }
    if (echoed) Pump(c);
}

EndpointStats TcpFlowApplication::GetStats() const {
    EndpointStats total;
    for (const auto& c : conns_) accumulate(total, c->flow.Measured());
    return total;
}

TcpFlowClientHelper::TcpFlowClientHelper(const Address& remote, const std::string& congestion_type)
    : FlowApplicationHelper(TcpFlowApplication::GetTypeId(), remote) {
    factory_.Set("CongestionControl", TypeIdValue(TypeId::LookupByName(congestion_type)));
}

TcpFlowServerHelper::TcpFlowServerHelper(uint16_t port, const std::string& congestion_type)
    : FlowApplicationHelper(TcpFlowApplication::GetTypeId(), port) {
    factory_.Set("CongestionControl", TypeIdValue(TypeId::LookupByName(congestion_type)));
}

}  // namespace kcpkit::sim
