#include "kcpkit/ns3/kcp_application.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <type_traits>
#include <variant>

#include "kcpkit/frame/frame.hpp"
#include "kcpkit/kcp/kcp.hpp"
#include "kcpkit/kcpgo/session.hpp"
#include "kcpkit/kcptun/kcptun.hpp"
#include "kcpkit/ns3/message_stream.hpp"
#include "ns3/boolean.h"
#include "ns3/inet-socket-address.h"
#include "ns3/integer.h"
#include "ns3/log.h"
#include "ns3/nstime.h"
#include "ns3/packet.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/udp-socket-factory.h"
#include "ns3/uinteger.h"

namespace kcpkit::sim {

using namespace ns3;

NS_LOG_COMPONENT_DEFINE("KcpApplication");
NS_OBJECT_ENSURE_REGISTERED(KcpApplication);

// One KCP conversation: a kcpgo::Session (for every profile) and the workload on top.
class KcpApplication::Conversation {
  public:
    Conversation(KcpApplication& app, const Address& peer, uint32_t conv)
        : app_(app), peer_(peer), flow_(app), nonces_(make_nonce_source(app.NonceSeed())) {
        kcpgo::SessionConfig c = app.session_config_;
        c.conv = conv;
        // The driver collects every datagram a burst of calls produced (SendPending): no cap.
        c.transmit_queue_limit = std::numeric_limits<std::size_t>::max();
        auto made = kcpgo::Session::create(c, NowMs(), *nonces_);
        NS_ABORT_MSG_IF(!made, "kcpgo::Session refused the configuration (" +
                                   std::string(name_of(made.error().setting)) + ")");
        session_ = std::move(made).value();
        session_->kcp().set_dead_link(app.dead_link_);
    }

    ~Conversation() { Stop(); }

    EndpointStats stats() {
        const kcp::Kcp& core = session_->kcp();
        EndpointStats& s = flow_.stats();
        s.pipeline = pipeline_stats_of(session_->framer().counters(), rejected_);
        s.dead_link = s.dead_link || core.dead();
        s.input_errors = input_errors_;
        // The core counts retransmitted segments (Lost + Fast + Early, kcp-go's RetransSegs),
        // not their bytes: each costs the average payload of the segments made so far (every
        // written byte is in a segment numbered below snd_nxt or still in the send queue).
        s.retrans_segments = core.counters().retrans_segs();
        const kcp::KcpState state = core.state();
        const std::uint64_t segments = std::uint64_t{state.snd_nxt} + state.nsnd_que;
        s.retrans_bytes = segments == 0 ? 0 : s.retrans_segments * s.bytes_sent / segments;
        return flow_.Measured();
    }

    /// Client: start writing.
    void StartTraffic() {
        if (app_.traffic_ == TrafficKind::bulk) {
            Pump();  // the first timer sends it (the session's first deadline)
        } else {
            Tick();
        }
        Arm(false);
    }

    /// One datagram from the peer (`decrypted`: the listener already opened its crypt).
    void Receive(std::span<std::uint8_t> datagram, bool decrypted) {
        const kcpgo::DatagramResult r = decrypted ? session_->handle_decrypted(datagram, NowMs())
                                                  : session_->handle_datagram(datagram, NowMs());
        if (r.status != frame::FrameOpenStatus::ok) ++rejected_;
        input_errors_ += static_cast<std::uint64_t>(r.kcp_errors);
        Drain();
        Pump();
        SendPending();
        Arm(false);
    }

    void Stop() {
        stopped_ = true;
        timer_.Cancel();
        traffic_timer_.Cancel();
    }

  private:
    uint32_t NowMs() const { return app_.NowMs(); }

    // Sends what the calls since the last time produced (under C semantics, this runs the
    // one flush the burst owes, as a C program calls ikcp_flush after its calls).
    void SendPending() {
        EndpointStats& s = flow_.stats();
        std::uint8_t wire[frame::kMaxDatagram];
        for (int n; (n = session_->poll_transmit(wire)) > 0;) {
            ++s.datagrams_sent;
            s.wire_bytes_sent += static_cast<std::uint64_t>(n) + 28;  // + IPv4 and UDP headers
            app_.socket_->SendTo(Create<Packet>(wire, static_cast<uint32_t>(n)), 0, peer_);
        }
    }

    void OnTimer() {
        if (stopped_) return;
        session_->handle_timeout(NowMs());
        Pump();
        SendPending();
        Arm(true);
    }

    // Arms the session's one timer at the core's next deadline.
    void Arm(bool after_update) {
        if (stopped_) return;
        const int64_t now_floor = Simulator::Now().GetMilliSeconds();
        const uint32_t now = static_cast<uint32_t>(now_floor) + app_.clock_offset_;
        int32_t wait = static_cast<int32_t>(session_->next_deadline() - now);
        // The deadline says "now" only when there is work; right after a timer, wake at
        // the next millisecond rather than spin.
        wait = std::max(wait, after_update ? 1 : 0);
        Time at = std::max(MilliSeconds(now_floor + wait), Simulator::Now());
        if (timer_.IsRunning() && timer_at_ <= at) return;
        timer_.Cancel();
        timer_at_ = at;
        timer_ = Simulator::Schedule(at - Simulator::Now(), &Conversation::OnTimer, this);
    }

    // Reads everything received (the server echoes it).
    void Drain() {
        FlushEchoBacklog();
        for (;;) {
            recv_buf_.resize(std::max<std::size_t>(session_->readable_bytes(), 1));
            const int n = session_->read(recv_buf_, NowMs());
            if (n < 0) break;
            flow_.Receive(
                std::span<const std::uint8_t>(recv_buf_.data(), static_cast<std::size_t>(n)),
                [&](std::span<const std::uint8_t> bytes) { Echo(bytes); });
        }
    }

    bool Written(std::span<const std::uint8_t> bytes) {
        return session_->write(bytes, NowMs()) >= 0;
    }

    // Echoes a kcp-go Write would have blocked on wait here, in order, until writable.
    void FlushEchoBacklog() {
        if (!echo_backlog_.empty() && Written(echo_backlog_)) echo_backlog_.clear();
    }

    // Echo server: back at once, or behind the echoes still waiting, in order.
    void Echo(std::span<const std::uint8_t> bytes) {
        if (!echo_backlog_.empty() || !Written(bytes))
            echo_backlog_.insert(echo_backlog_.end(), bytes.begin(), bytes.end());
    }

    bool GenerationOpen() const { return !stopped_ && flow_.GenerationOpen(); }

    bool Write(uint32_t size) {
        msg_.clear();
        flow_.AppendNext(msg_, size);
        if (!Written(msg_)) return false;
        flow_.Sent(size);
        return true;
    }

    // Bulk: writes while the session takes more (kcp-go's Write blocks beyond that).
    void Pump() {
        if (app_.traffic_ != TrafficKind::bulk) return;
        while (GenerationOpen() && session_->writable() && Write(flow_.NextSize())) {
        }
    }

    // Echo and periodic: one message every 1/rate seconds (a blocked write is skipped).
    void Tick() {
        if (!GenerationOpen()) return;
        Write(flow_.NextSize());
        SendPending();
        Arm(false);
        traffic_timer_ = Simulator::Schedule(app_.MessageGap(), &Conversation::Tick, this);
    }

    KcpApplication& app_;
    Address peer_;
    Flow flow_;
    std::unique_ptr<crypt::NonceSource> nonces_;  // before session_: it must outlive it
    std::unique_ptr<kcpgo::Session> session_;
    EventId timer_, traffic_timer_;
    Time timer_at_;
    std::vector<std::uint8_t> msg_, recv_buf_, echo_backlog_;
    std::uint64_t rejected_ = 0;      // datagrams the framing refused
    std::uint64_t input_errors_ = 0;  // KCP datagrams Kcp::input refused
    bool stopped_ = false;
};

ns3::Ptr<ns3::AttributeValue> KcptunSettingsValue::Copy() const {
    return ns3::Create<KcptunSettingsValue>(*this);
}

std::string KcptunSettingsValue::SerializeToString(Ptr<const AttributeChecker>) const {
    std::string line;
    for (const kcptun::Flag& flag : kcptun::flag_table()) {
        std::visit(
            [&](auto member) {
                const auto& v = value_.*member;
                using T = std::remove_cvref_t<decltype(v)>;
                if constexpr (std::is_same_v<T, bool>) {
                    if (v) line += " --" + std::string(flag.name);
                } else if constexpr (std::is_same_v<T, std::string>) {
                    line += " --" + std::string(flag.name) + " '" + v + "'";
                } else {
                    line += " --" + std::string(flag.name) + " " + std::to_string(v);
                }
            },
            flag.member);
    }
    return line.substr(line.empty() ? 0 : 1) + " --profile " + value_.profile;
}

bool KcptunSettingsValue::DeserializeFromString(std::string, Ptr<const AttributeChecker>) {
    return false;  // set from code: KcptunSettingsValue(settings)
}

kcptun::Settings KcpApplication::DefaultKcptunSettings() {
    kcptun::Settings s;
    s.crypt = "null";
    s.datashard = 0;
    s.parityshard = 0;
    s.mtu = 1400;
    s.profile = "ikcp";
    return s;
}

TypeId KcpApplication::GetTypeId() {
    static TypeId tid =
        TypeId("kcpkit::KcpApplication")
            .SetParent<FlowApplication>()
            .SetGroupName("kcpkit")
            .AddConstructor<KcpApplication>()
            .AddAttribute("Conv", "KCP conversation id (client).", UintegerValue(1),
                          MakeUintegerAccessor(&KcpApplication::conv_),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("Kcptun",
                          "kcptun's flags, whole (kcptun::Settings): mode, windows, mtu, FEC, "
                          "crypt, key, stream, ACK no-delay and the core's profile.",
                          KcptunSettingsValue(DefaultKcptunSettings()),
                          MakeAccessorHelper<KcptunSettingsValue>(&KcpApplication::kcptun_),
                          MakeSimpleAttributeChecker<KcptunSettingsValue, AttributeChecker>(
                              "kcpkit::sim::KcptunSettingsValue", "kcpkit::kcptun::Settings"))
            .AddAttribute("DeadLink", "Transmissions after which the core reports dead.",
                          UintegerValue(20), MakeUintegerAccessor(&KcpApplication::dead_link_),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("WriteDelay",
                          "Leave written data for the next tick instead of flushing at once.",
                          BooleanValue(false), MakeBooleanAccessor(&KcpApplication::write_delay_),
                          MakeBooleanChecker())
            .AddAttribute("ClockOffset", "Added to the core's millisecond clock.", UintegerValue(0),
                          MakeUintegerAccessor(&KcpApplication::clock_offset_),
                          MakeUintegerChecker<uint32_t>());
    return tid;
}

KcpApplication::KcpApplication() = default;
KcpApplication::~KcpApplication() = default;

void KcpApplication::StartApplication() {
    const kcptun::Role role = role_ == Server ? kcptun::Role::listen : kcptun::Role::dial;
    kcptun::SessionConfigResult made =
        kcptun::session_config(kcptun_, role, cached_pass(kcptun_.key));
    NS_ABORT_MSG_IF(!made, made.error().message);
    session_config_ = std::move(made).value();
    session_config_.write_delay = write_delay_;  // the simulator's knob; kcptun's is off
    // The configured mtu is the whole UDP payload; the framing takes its share first.
    const auto framer = frame::Framer::create(session_config_.frame);
    NS_ABORT_MSG_IF(!framer, "the framing refuses the FEC/crypt settings");
    const std::optional<std::size_t> kcp_mtu = (*framer)->kcp_mtu_for(session_config_.mtu);
    NS_ABORT_MSG_IF(!kcp_mtu || *kcp_mtu < 50, "Mtu " << kcptun_.mtu << " leaves no room after "
                                                      << (*framer)->overhead() << " framing bytes");
    // C semantics (ikcp): a message must fit the core's fragment limit unless the stream is
    // cut freely. kcp-go sessions cut writes into mss chunks themselves.
    if (const kcp::Profile* core = session_config_.ikcp_profile; core && !kcptun_.stream) {
        const auto mss = static_cast<uint32_t>(*kcp_mtu - kcp::kHeaderSize);
        message_size_ = std::min(message_size_, (core->fragment_limit - 1) * mss);
    }
    if (role_ == Server) {
        auto demux = kcpgo::ListenerDemux::create(session_config_.frame);
        NS_ABORT_MSG_IF(!demux, "the listener's framing refuses the FEC/crypt settings");
        demux_ = std::move(demux).value();
    }
    socket_ = Socket::CreateSocket(GetNode(), UdpSocketFactory::GetTypeId());
    NS_ABORT_MSG_IF(socket_->Bind(InetSocketAddress(Ipv4Address::GetAny(), port_)) != 0,
                    "cannot bind UDP port " << port_);
    socket_->SetRecvCallback(MakeCallback(&KcpApplication::HandleRead, this));
    if (role_ == Client) {
        sessions_.push_back(std::make_unique<Conversation>(*this, remote_, conv_));
        sessions_.back()->StartTraffic();
    }
}

void KcpApplication::StopApplication() {
    for (auto& s : sessions_) s->Stop();
    if (socket_) {
        socket_->SetRecvCallback(MakeNullCallback<void, Ptr<Socket>>());
        socket_->Close();
    }
}

void KcpApplication::DoDispose() {
    sessions_.clear();
    demux_.reset();
    socket_ = nullptr;
    Application::DoDispose();
}

uint32_t KcpApplication::NowMs() const {
    return static_cast<uint32_t>(Simulator::Now().GetMilliSeconds()) + clock_offset_;
}

void KcpApplication::HandleRead(Ptr<Socket> socket) {
    Address from;
    while (Ptr<Packet> packet = socket->RecvFrom(from)) {
        const uint32_t size = packet->GetSize();
        rx_buffer_.resize(size);
        packet->CopyData(rx_buffer_.data(), size);
        const std::span<std::uint8_t> wire(rx_buffer_.data(), size);
        if (role_ == Client) {
            sessions_.front()->Receive(wire, false);
            continue;
        }
        Route(from, wire);
    }
}

void KcpApplication::Route(const Address& from, std::span<std::uint8_t> wire) {
    // kcp-go's listener keys sessions by the peer's address: the serialized ns-3 Address.
    std::uint8_t key_bytes[Address::MAX_SIZE + 2];
    const std::span<const std::uint8_t> key(
        key_bytes, from.CopyAllTo(key_bytes, static_cast<uint8_t>(sizeof key_bytes)));
    const kcpgo::DemuxDecision d = demux_->route(key, wire);
    switch (d.action) {
        case kcpgo::DemuxAction::deliver:
            sessions_[d.token]->Receive(d.plain, true);
            return;
        case kcpgo::DemuxAction::close:
            sessions_[d.token]->Stop();
            demux_->erase(key);
            return;
        case kcpgo::DemuxAction::replace:
            sessions_[d.token]->Stop();
            demux_->erase(key);
            [[fallthrough]];
        case kcpgo::DemuxAction::create: {
            const std::uint64_t token = sessions_.size();
            sessions_.push_back(std::make_unique<Conversation>(*this, from, d.conv));
            demux_->insert(key, d.conv, token);
            demux_->accepted(key);  // the simulated application accepts at once
            sessions_.back()->Receive(d.plain, true);
            return;
        }
        case kcpgo::DemuxAction::drop:
            return;  // counted by the demux
    }
}

uint64_t KcpApplication::NonceSeed() const {
    // Nonces differ per endpoint and session but follow the run's seed.
    return seed_ * 0x100000001b3ull ^ (uint64_t{conv_} << 20) ^ (uint64_t{sessions_.size()} << 1) ^
           static_cast<uint64_t>(role_);
}

EndpointStats KcpApplication::GetStats() const {
    EndpointStats total;
    for (const auto& s : sessions_) accumulate(total, s->stats());
    if (demux_) {
        // What the listener dropped before any session saw it (a server's CRC failures).
        const kcpgo::DemuxCounters& d = demux_->counters();
        total.pipeline.csum_errors += d.in_csum_errors;
        total.pipeline.rejected += d.in_csum_errors + d.truncated + d.too_short + d.conv_mismatch +
                                   d.no_conv + d.backlog_full;
    }
    return total;
}

std::size_t KcpApplication::GetSessionCount() const {
    return sessions_.size();
}

}  // namespace kcpkit::sim
