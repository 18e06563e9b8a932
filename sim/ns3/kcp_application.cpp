#include "kcpkit/ns3/kcp_application.hpp"

#include <algorithm>
#include <limits>
#include <optional>

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
class KcpApplication::Session {
  public:
    Session(KcpApplication& app, const Address& peer, uint32_t conv)
        : app_(app), peer_(peer), flow_(app), nonces_(make_nonce_source(app.NonceSeed())) {
        kcpgo::SessionConfig c;
        c.conv = conv;
        // A C-original core has no release: C's session semantics, kcp-go's framing in front.
        c.release = kcpgo::release_for_core_profile(app.profile_);
        if (kcpgo::find_release(app.profile_) == nullptr)
            c.ikcp_profile = kcp::find_profile(app.profile_);
        c.frame = app.frame_config_;
        c.mtu = app.mtu_;
        c.snd_wnd = static_cast<int>(app.snd_wnd_);
        c.rcv_wnd = static_cast<int>(app.rcv_wnd_);
        c.nodelay = app.nodelay_;
        c.interval = app.interval_;
        c.resend = app.resend_;
        c.nc = app.nc_;
        c.stream = app.stream_;
        c.write_delay = app.write_delay_;
        c.ack_nodelay = app.ack_nodelay_;
        c.passive = app.role_ == Server;
        // The driver collects every datagram a burst of calls produced (SendPending): no cap.
        c.transmit_queue_limit = std::numeric_limits<std::size_t>::max();
        kcpgo::Session::CreateError why;
        session_ = kcpgo::Session::create(c, NowMs(), *nonces_, &why);
        NS_ABORT_MSG_IF(!session_, "kcpgo::Session refused the configuration (bad mtu "
                                       << why.bad_mtu << ", bad window " << why.bad_window << ")");
        session_->kcp().set_dead_link(app.dead_link_);
    }

    ~Session() { Stop(); }

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
        if (r.status != frame::OpenResult::Status::ok) ++rejected_;
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
        timer_ = Simulator::Schedule(at - Simulator::Now(), &Session::OnTimer, this);
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
        traffic_timer_ = Simulator::Schedule(app_.MessageGap(), &Session::Tick, this);
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

TypeId KcpApplication::GetTypeId() {
    static const kcptun::NoDelay kDefaultMode = *kcptun::kcptun_mode(kcptun::kDefaultMode);
    static TypeId tid =
        TypeId("kcpkit::KcpApplication")
            .SetParent<FlowApplication>()
            .SetGroupName("kcpkit")
            .AddConstructor<KcpApplication>()
            .AddAttribute("Conv", "KCP conversation id (client).", UintegerValue(1),
                          MakeUintegerAccessor(&KcpApplication::conv_),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute(
                "NoDelay", "ikcp_nodelay: nodelay (0, 1, 2).", IntegerValue(kDefaultMode.nodelay),
                MakeIntegerAccessor(&KcpApplication::nodelay_), MakeIntegerChecker<int32_t>())
            .AddAttribute("Interval", "ikcp_nodelay: flush interval, ms.",
                          IntegerValue(kDefaultMode.interval),
                          MakeIntegerAccessor(&KcpApplication::interval_),
                          MakeIntegerChecker<int32_t>())
            .AddAttribute("Resend", "ikcp_nodelay: fast-resend threshold (0: off).",
                          IntegerValue(kDefaultMode.resend),
                          MakeIntegerAccessor(&KcpApplication::resend_),
                          MakeIntegerChecker<int32_t>())
            .AddAttribute("NoCongestionWindow", "ikcp_nodelay: nc (1: no cwnd).",
                          IntegerValue(kDefaultMode.nc), MakeIntegerAccessor(&KcpApplication::nc_),
                          MakeIntegerChecker<int32_t>())
            .AddAttribute("SndWnd", "Send window, segments.", UintegerValue(128),
                          MakeUintegerAccessor(&KcpApplication::snd_wnd_),
                          MakeUintegerChecker<uint32_t>(1))
            .AddAttribute("RcvWnd", "Receive window, segments.", UintegerValue(512),
                          MakeUintegerAccessor(&KcpApplication::rcv_wnd_),
                          MakeUintegerChecker<uint32_t>(1))
            .AddAttribute("Mtu", "UDP payload per datagram, framing included, bytes.",
                          UintegerValue(1400), MakeUintegerAccessor(&KcpApplication::mtu_),
                          MakeUintegerChecker<uint32_t>(50))
            .AddAttribute("DeadLink", "Transmissions after which the core reports dead.",
                          UintegerValue(20), MakeUintegerAccessor(&KcpApplication::dead_link_),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("StreamMode", "KCP stream mode (kcptun: on).", BooleanValue(false),
                          MakeBooleanAccessor(&KcpApplication::stream_), MakeBooleanChecker())
            .AddAttribute("AckNoDelay", "Flush right after input (kcp-go ackNoDelay).",
                          BooleanValue(false), MakeBooleanAccessor(&KcpApplication::ack_nodelay_),
                          MakeBooleanChecker())
            .AddAttribute("WriteDelay",
                          "Leave written data for the next tick instead of flushing at once.",
                          BooleanValue(false), MakeBooleanAccessor(&KcpApplication::write_delay_),
                          MakeBooleanChecker())
            .AddAttribute("Profile", "Behaviour profile of the core (ikcp, ...).",
                          StringValue("ikcp"), MakeStringAccessor(&KcpApplication::profile_),
                          MakeStringChecker())
            .AddAttribute("ClockOffset", "Added to the core's millisecond clock.", UintegerValue(0),
                          MakeUintegerAccessor(&KcpApplication::clock_offset_),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute(
                "DataShard", "FEC data shards (0: no FEC).", IntegerValue(0),
                MakeIntegerAccessor(&KcpApplication::SetDataShard, &KcpApplication::GetDataShard),
                MakeIntegerChecker<int>(0))
            .AddAttribute("ParityShard", "FEC parity shards (0: no FEC).", IntegerValue(0),
                          MakeIntegerAccessor(&KcpApplication::SetParityShard,
                                              &KcpApplication::GetParityShard),
                          MakeIntegerChecker<int>(0))
            .AddAttribute("Crypt", "Packet cipher, kcptun's names (null: no crypt layer).",
                          StringValue("null"),
                          MakeStringAccessor(&KcpApplication::SetCrypt, &KcpApplication::GetCrypt),
                          MakeStringChecker());
    return tid;
}

KcpApplication::KcpApplication() = default;
KcpApplication::~KcpApplication() = default;

void KcpApplication::StartApplication() {
    NS_ABORT_MSG_IF(kcp::find_profile(profile_) == nullptr, "unknown KCP profile " << profile_);
    const std::string config_error = pipeline_config_error(pipeline_config_, profile_);
    NS_ABORT_MSG_IF(!config_error.empty(), config_error);
    const kcpgo::Release* session_release = kcpgo::find_release(profile_);
    frame_config_ =
        frame_config_for(pipeline_config_, kcpgo::release_for_core_profile(profile_)).config;
    // The configured mtu is the whole UDP payload; the framing takes its share first.
    const auto framer = frame::Framer::create(frame_config_);
    NS_ABORT_MSG_IF(!framer, "the framing refuses the FEC/crypt settings");
    const std::optional<std::size_t> kcp_mtu = framer->kcp_mtu_for(mtu_);
    NS_ABORT_MSG_IF(!kcp_mtu || *kcp_mtu < 50, "Mtu " << mtu_ << " leaves no room after "
                                                      << framer->overhead() << " framing bytes");
    kcp_mtu_ = static_cast<uint32_t>(*kcp_mtu);
    // C semantics (ikcp): a message must fit the core's fragment limit unless the stream is
    // cut freely. kcp-go sessions cut writes into mss chunks themselves.
    if (!stream_ && session_release == nullptr) {
        const uint32_t mss = kcp_mtu_ - static_cast<uint32_t>(kcp::kHeaderSize);
        message_size_ =
            std::min(message_size_, (kcp::find_profile(profile_)->fragment_limit - 1) * mss);
    }
    if (role_ == Server) {
        demux_ = kcpgo::ListenerDemux::create(frame_config_);
        NS_ABORT_MSG_IF(!demux_, "the listener's framing refuses the FEC/crypt settings");
    }
    socket_ = Socket::CreateSocket(GetNode(), UdpSocketFactory::GetTypeId());
    NS_ABORT_MSG_IF(socket_->Bind(InetSocketAddress(Ipv4Address::GetAny(), port_)) != 0,
                    "cannot bind UDP port " << port_);
    socket_->SetRecvCallback(MakeCallback(&KcpApplication::HandleRead, this));
    if (role_ == Client) {
        sessions_.push_back(std::make_unique<Session>(*this, remote_, conv_));
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
            sessions_.push_back(std::make_unique<Session>(*this, from, d.conv));
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
