#include "sim/kcp_application.hpp"

#include <algorithm>
#include <cmath>

#include "ns3/boolean.h"
#include "ns3/double.h"
#include "ns3/enum.h"
#include "ns3/inet-socket-address.h"
#include "ns3/integer.h"
#include "ns3/log.h"
#include "ns3/nstime.h"
#include "ns3/packet.h"
#include "ns3/simulator.h"
#include "ns3/string.h"
#include "ns3/udp-socket-factory.h"
#include "ns3/uinteger.h"
#include "protocol/kcp.hpp"
#include "sim/message_stream.hpp"

namespace kcpkit::sim {

using namespace ns3;

NS_LOG_COMPONENT_DEFINE("KcpApplication");
NS_OBJECT_ENSURE_REGISTERED(KcpApplication);

namespace {

// Profiles that read the clock inside input()/flush() (kcp-go) take ns-3's clock through
// Kcp::set_clock; a core without that hook (ikcp-only builds) needs nothing.
template <class K, class Fn>
void bind_clock(K& core, Fn fn, void* context) {
    if constexpr (requires { core.set_clock(fn, context); }) core.set_clock(fn, context);
}

}  // namespace

// One KCP conversation: the core, its pipeline, and the workload on top.
class KcpApplication::Session {
  public:
    Session(KcpApplication& app, const Address& peer, uint32_t conv,
            std::unique_ptr<DatagramPipeline> pipeline)
        : app_(app),
          peer_(peer),
          kcp_(conv, *kcp::find_profile(app.profile_)),
          pipeline_(std::move(pipeline)),
          reader_(app.seed_, std::max(app.message_size_, kMessageHeaderSize)) {
        kcp_.set_output(&Session::OutputThunk, this);
        bind_clock(kcp_, &Session::ClockThunk, this);
        kcp_.nodelay(app.nodelay_, app.interval_, app.resend_, app.nc_);
        kcp_.wndsize(static_cast<int>(app.snd_wnd_), static_cast<int>(app.rcv_wnd_));
        // The configured mtu is the whole UDP payload; the framing takes its share first.
        kcp_.setmtu(static_cast<int>(app.kcp_mtu()));
        kcp_.set_stream(app.stream_);
        kcp_.set_dead_link(app.dead_link_);
        kcp_.update(NowMs());
    }

    ~Session() { Stop(); }

    const Address& peer() const { return peer_; }
    const EndpointStats& stats() {
        stats_.pipeline = pipeline_->stats();
        stats_.digest = reader_.digest();
        stats_.dead_link = stats_.dead_link || kcp_.dead();
        return stats_;
    }

    /// Client: start writing.
    void StartTraffic() {
        if (app_.traffic_ == TrafficKind::bulk) {
            Pump();
        } else {
            Tick();
        }
        Arm(false);
    }

    /// One KCP datagram out of the pipeline (`recovered`: rebuilt by FEC).
    void Input(std::span<const std::uint8_t> datagram, bool recovered) {
        kcp_.update(NowMs());
        const auto type = recovered ? kcp::PacketType::fec_recovered : kcp::PacketType::regular;
        if (kcp_.input(datagram, type) < 0) ++stats_.input_errors;
    }

    /// One wire datagram: opened by the pipeline, its KCP datagrams input in order.
    void Receive(std::span<std::uint8_t> wire) {
        pipeline_->open(wire, NowMs(), [this](std::span<const std::uint8_t> d, bool recovered) {
            Input(d, recovered);
        });
        AfterInput();
    }

    /// After a wire datagram's KCP datagrams went in: read, reply, refill, re-arm.
    void AfterInput() {
        bool flush = app_.ack_nodelay_;
        if (Drain() && !app_.write_delay_) flush = true;
        if (Pump() && !app_.write_delay_) flush = true;
        if (flush) kcp_.flush();
        Arm(false);
    }

    void Stop() {
        stopped_ = true;
        timer_.Cancel();
        traffic_timer_.Cancel();
    }

  private:
    static void OutputThunk(void* self, std::span<const std::uint8_t> d) {
        static_cast<Session*>(self)->Output(d);
    }
    static uint32_t ClockThunk(void* self) { return static_cast<Session*>(self)->NowMs(); }

    uint32_t NowMs() const {
        return static_cast<uint32_t>(Simulator::Now().GetMilliSeconds()) + app_.clock_offset_;
    }

    bool IsClient() const { return app_.role_ == Client; }

    void Output(std::span<const std::uint8_t> d) {
        // Retransmission accounting only: a PUSH whose sn was already sent is a resend.
        for (std::size_t off = 0; off + kcp::kHeaderSize <= d.size();) {
            const kcp::SegmentHeader h = kcp::decode_header(d.data() + off);
            if (h.cmd == static_cast<std::uint8_t>(kcp::Command::push)) {
                if (static_cast<int32_t>(h.sn - next_new_sn_) < 0) {
                    stats_.retrans_bytes += h.len;
                    ++stats_.retrans_segments;
                } else {
                    next_new_sn_ = h.sn + 1;
                }
            }
            off += kcp::kHeaderSize + h.len;
        }
        pipeline_->seal(d, NowMs(), [this](std::span<const std::uint8_t> wire) {
            ++stats_.datagrams_sent;
            stats_.wire_bytes_sent += wire.size() + 28;  // + IPv4 and UDP headers
            app_.socket_->SendTo(Create<Packet>(wire.data(), static_cast<uint32_t>(wire.size())), 0,
                                 peer_);
        });
    }

    void OnTimer() {
        if (stopped_) return;
        kcp_.update(NowMs());
        if (Pump() && !app_.write_delay_) kcp_.flush();
        Arm(true);
    }

    // Arms the session's one timer at the core's next deadline.
    void Arm(bool after_update) {
        if (stopped_) return;
        const int64_t now_floor = Simulator::Now().GetMilliSeconds();
        const uint32_t now = static_cast<uint32_t>(now_floor) + app_.clock_offset_;
        int32_t wait = static_cast<int32_t>(kcp_.check(now) - now);
        // check() says "now" only when update() has work; right after an update, wake
        // at the next millisecond rather than spin.
        wait = std::max(wait, after_update ? 1 : 0);
        Time at = std::max(MilliSeconds(now_floor + wait), Simulator::Now());
        if (timer_.IsRunning() && timer_at_ <= at) return;
        timer_.Cancel();
        timer_at_ = at;
        timer_ = Simulator::Schedule(at - Simulator::Now(), &Session::OnTimer, this);
    }

    // Reads every complete message; returns true if the server queued echoes.
    bool Drain() {
        bool wrote = false;
        for (;;) {
            const int size = kcp_.peeksize();
            if (size < 0) break;
            recv_buf_.resize(static_cast<std::size_t>(std::max(size, 1)));
            const int n = kcp_.recv(recv_buf_);
            if (n < 0) break;
            if (!stats_.intact) continue;  // keep the window open, stop checking
            const bool ok = reader_.feed(
                std::span<const std::uint8_t>(recv_buf_.data(), static_cast<std::size_t>(n)),
                [&](const MessageHeader& h, std::span<const std::uint8_t> bytes) {
                    OnMessage(h, bytes, wrote);
                });
            if (!ok) {
                stats_.intact = false;
                stats_.error = reader_.error();
            }
        }
        return wrote;
    }

    void OnMessage(const MessageHeader& h, std::span<const std::uint8_t> bytes, bool& wrote) {
        const Time now = Simulator::Now();
        const Time latency = NanoSeconds(static_cast<int64_t>(now.GetNanoSeconds() - h.sent_ns));
        ++stats_.messages_received;
        stats_.bytes_received += h.size;
        stats_.last_receive_s = now.GetSeconds();
        const bool echo_server = !IsClient() && app_.traffic_ == TrafficKind::echo;
        if (!echo_server) stats_.latency_ms.push_back(latency.GetSeconds() * 1e3);
        app_.message_rx_(h.seq, latency);
        if (echo_server) {
            kcp_.send(bytes);
            ++stats_.messages_sent;
            stats_.bytes_sent += bytes.size();
            wrote = true;
        }
        if (!IsClient() && app_.traffic_ == TrafficKind::bulk && app_.max_bytes_ > 0 &&
            stats_.bytes_received >= app_.max_bytes_ && !done_) {
            done_ = true;
            app_.bulk_done_();
        }
    }

    bool GenerationOpen() const {
        if (!IsClient() || stopped_) return false;
        if (!app_.traffic_stop_.IsZero() && Simulator::Now() >= app_.traffic_stop_) return false;
        return app_.max_bytes_ == 0 || stats_.bytes_sent < app_.max_bytes_;
    }

    uint32_t NextSize() const {
        uint64_t size = app_.message_size_;
        if (app_.max_bytes_ > 0)
            size = std::min<uint64_t>(size, app_.max_bytes_ - stats_.bytes_sent);
        return static_cast<uint32_t>(std::max<uint64_t>(size, kMessageHeaderSize));
    }

    void Write(uint32_t size) {
        msg_.clear();
        append_message(msg_, app_.seed_, next_seq_++,
                       static_cast<uint64_t>(Simulator::Now().GetNanoSeconds()), size);
        kcp_.send(msg_);
        ++stats_.messages_sent;
        stats_.bytes_sent += size;
        if (stats_.first_send_s < 0) stats_.first_send_s = Simulator::Now().GetSeconds();
    }

    // Bulk: keeps up to two send windows queued (kcp-go blocks writers at about that).
    bool Pump() {
        if (app_.traffic_ != TrafficKind::bulk) return false;
        bool wrote = false;
        const int limit = 2 * static_cast<int>(kcp_.snd_wnd());
        while (GenerationOpen() && kcp_.waitsnd() < limit) {
            Write(NextSize());
            wrote = true;
        }
        return wrote;
    }

    // Echo and periodic: one message every 1/rate seconds.
    void Tick() {
        if (!GenerationOpen()) return;
        Write(NextSize());
        if (!app_.write_delay_) kcp_.flush();
        Arm(false);
        const double gap = 1e9 / std::max(app_.message_rate_, 1e-6);
        traffic_timer_ = Simulator::Schedule(NanoSeconds(static_cast<int64_t>(std::llround(gap))),
                                             &Session::Tick, this);
    }

    KcpApplication& app_;
    Address peer_;
    kcp::Kcp kcp_;
    std::unique_ptr<DatagramPipeline> pipeline_;
    MessageReader reader_;
    EndpointStats stats_;
    EventId timer_, traffic_timer_;
    Time timer_at_;
    uint32_t next_seq_ = 0;
    uint32_t next_new_sn_ = 0;
    std::vector<std::uint8_t> msg_, recv_buf_;
    bool stopped_ = false, done_ = false;
};

TypeId KcpApplication::GetTypeId() {
    static TypeId tid =
        TypeId("kcpkit::KcpApplication")
            .SetParent<Application>()
            .SetGroupName("kcpkit")
            .AddConstructor<KcpApplication>()
            .AddAttribute("Role", "Client (opens one session to Remote) or Server.",
                          EnumValue(Client), MakeEnumAccessor(&KcpApplication::role_),
                          MakeEnumChecker(Client, "Client", Server, "Server"))
            .AddAttribute("Remote", "The server's address (client).", AddressValue(),
                          MakeAddressAccessor(&KcpApplication::remote_), MakeAddressChecker())
            .AddAttribute("Port", "Local UDP port (0: ephemeral).", UintegerValue(0),
                          MakeUintegerAccessor(&KcpApplication::port_),
                          MakeUintegerChecker<uint16_t>())
            .AddAttribute("Conv", "KCP conversation id (client).", UintegerValue(1),
                          MakeUintegerAccessor(&KcpApplication::conv_),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("NoDelay", "ikcp_nodelay: nodelay (0, 1, 2).", IntegerValue(0),
                          MakeIntegerAccessor(&KcpApplication::nodelay_),
                          MakeIntegerChecker<int32_t>())
            .AddAttribute("Interval", "ikcp_nodelay: flush interval, ms.", IntegerValue(40),
                          MakeIntegerAccessor(&KcpApplication::interval_),
                          MakeIntegerChecker<int32_t>())
            .AddAttribute("Resend", "ikcp_nodelay: fast-resend threshold (0: off).",
                          IntegerValue(2), MakeIntegerAccessor(&KcpApplication::resend_),
                          MakeIntegerChecker<int32_t>())
            .AddAttribute("NoCongestionWindow", "ikcp_nodelay: nc (1: no cwnd).", IntegerValue(1),
                          MakeIntegerAccessor(&KcpApplication::nc_), MakeIntegerChecker<int32_t>())
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
                          MakeStringChecker())
            .AddAttribute(
                "Traffic", "What the client writes.",
                EnumValue(static_cast<int>(TrafficKind::bulk)),
                MakeEnumAccessor(&KcpApplication::SetTraffic, &KcpApplication::GetTraffic),
                MakeEnumChecker(static_cast<int>(TrafficKind::bulk), "bulk",
                                static_cast<int>(TrafficKind::echo), "echo",
                                static_cast<int>(TrafficKind::periodic), "periodic"))
            .AddAttribute("MessageSize", "Bytes per message (bulk: per write).",
                          UintegerValue(16384),
                          MakeUintegerAccessor(&KcpApplication::message_size_),
                          MakeUintegerChecker<uint32_t>(kMessageHeaderSize))
            .AddAttribute("MessageRate", "Messages per second (echo, periodic).", DoubleValue(50),
                          MakeDoubleAccessor(&KcpApplication::message_rate_),
                          MakeDoubleChecker<double>(0))
            .AddAttribute("MaxBytes", "Bytes to write (0: until TrafficStop).", UintegerValue(0),
                          MakeUintegerAccessor(&KcpApplication::max_bytes_),
                          MakeUintegerChecker<uint64_t>())
            .AddAttribute("Seed", "Seed of the message content (same on both ends).",
                          UintegerValue(1), MakeUintegerAccessor(&KcpApplication::seed_),
                          MakeUintegerChecker<uint64_t>())
            .AddAttribute("TrafficStop", "When the client stops writing (0: never).",
                          TimeValue(Time()), MakeTimeAccessor(&KcpApplication::traffic_stop_),
                          MakeTimeChecker())
            .AddTraceSource("MessageRx", "A verified message arrived (seq, latency).",
                            MakeTraceSourceAccessor(&KcpApplication::message_rx_),
                            "kcpkit::KcpApplication::MessageTracedCallback")
            .AddTraceSource("BulkDone", "The server received MaxBytes.",
                            MakeTraceSourceAccessor(&KcpApplication::bulk_done_),
                            "ns3::TracedCallback::Void");
    return tid;
}

KcpApplication::KcpApplication() = default;
KcpApplication::~KcpApplication() = default;

void KcpApplication::StartApplication() {
    NS_ABORT_MSG_IF(kcp::find_profile(profile_) == nullptr, "unknown KCP profile " << profile_);
    const std::string config_error = pipeline_config_error(pipeline_config_, profile_);
    NS_ABORT_MSG_IF(!config_error.empty(), config_error);
    const std::size_t overhead = MakePipeline()->overhead();
    NS_ABORT_MSG_IF(mtu_ < overhead + 50,
                    "Mtu " << mtu_ << " leaves no room after " << overhead << " framing bytes");
    kcp_mtu_ = mtu_ - static_cast<uint32_t>(overhead);
    // A message must fit the core's fragment limit unless the stream is cut freely.
    if (!stream_) {
        const uint32_t mss = kcp_mtu_ - static_cast<uint32_t>(kcp::kHeaderSize);
        message_size_ = std::min(message_size_, (kcp::kIkcpProfile.fragment_limit - 1) * mss);
    }
    socket_ = Socket::CreateSocket(GetNode(), UdpSocketFactory::GetTypeId());
    NS_ABORT_MSG_IF(socket_->Bind(InetSocketAddress(Ipv4Address::GetAny(), port_)) != 0,
                    "cannot bind UDP port " << port_);
    socket_->SetRecvCallback(MakeCallback(&KcpApplication::HandleRead, this));
    if (role_ == Client) {
        auto session = std::make_unique<Session>(*this, remote_, conv_, MakePipeline());
        Session* s = session.get();
        sessions_.push_back(std::move(session));
        s->StartTraffic();
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
    socket_ = nullptr;
    Application::DoDispose();
}

void KcpApplication::HandleRead(Ptr<Socket> socket) {
    Address from;
    while (Ptr<Packet> packet = socket->RecvFrom(from)) {
        const uint32_t size = packet->GetSize();
        rx_buffer_.resize(size);
        packet->CopyData(rx_buffer_.data(), size);
        const std::span<std::uint8_t> wire(rx_buffer_.data(), size);
        Session* session = nullptr;
        for (auto& s : sessions_) {
            if (role_ == Client || s->peer() == from) {
                session = s.get();
                break;
            }
        }
        if (session == nullptr) {
            if (role_ == Client) continue;
            // A new peer: open its first datagram to learn the conv (as kcp-go's
            // listener does), then give the pipeline to the new session.
            // (Copies: once per new peer, not per packet.)
            std::unique_ptr<DatagramPipeline> pipeline = MakePipeline();
            std::vector<std::pair<std::vector<std::uint8_t>, bool>> opened;
            const uint32_t now_ms =
                static_cast<uint32_t>(Simulator::Now().GetMilliSeconds()) + clock_offset_;
            pipeline->open(wire, now_ms, [&](std::span<const std::uint8_t> d, bool recovered) {
                opened.emplace_back(std::vector<std::uint8_t>(d.begin(), d.end()), recovered);
            });
            if (opened.empty() || opened.front().first.size() < kcp::kHeaderSize) continue;
            const uint32_t conv = kcp::peek_conv(opened.front().first);
            sessions_.push_back(std::make_unique<Session>(*this, from, conv, std::move(pipeline)));
            session = sessions_.back().get();
            for (const auto& [d, recovered] : opened) session->Input(d, recovered);
            session->AfterInput();
            continue;
        }
        session->Receive(wire);
    }
}

std::unique_ptr<DatagramPipeline> KcpApplication::MakePipeline() const {
    // Nonces differ per endpoint and session but follow the run's seed.
    const uint64_t nonce_seed = seed_ * 0x100000001b3ull ^ (uint64_t{conv_} << 20) ^
                                (uint64_t{sessions_.size()} << 1) ^ static_cast<uint64_t>(role_);
    return make_pipeline(pipeline_config_, profile_, nonce_seed);
}

EndpointStats KcpApplication::GetStats() const {
    EndpointStats total;
    for (const auto& s : sessions_) {
        const EndpointStats& e = s->stats();
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
        total.digest = total.digest * 0x100000001b3ull ^ e.digest;
        total.datagrams_sent += e.datagrams_sent;
        total.wire_bytes_sent += e.wire_bytes_sent;
        total.retrans_bytes += e.retrans_bytes;
        total.retrans_segments += e.retrans_segments;
        total.input_errors += e.input_errors;
        total.dead_link = total.dead_link || e.dead_link;
        total.pipeline.sealed += e.pipeline.sealed;
        total.pipeline.wire_datagrams += e.pipeline.wire_datagrams;
        total.pipeline.wire_bytes += e.pipeline.wire_bytes;
        total.pipeline.fec_parity += e.pipeline.fec_parity;
        total.pipeline.fec_parity_bytes += e.pipeline.fec_parity_bytes;
        total.pipeline.seal_rejected += e.pipeline.seal_rejected;
        total.pipeline.header_bytes += e.pipeline.header_bytes;
        total.pipeline.opened += e.pipeline.opened;
        total.pipeline.fec_recovered += e.pipeline.fec_recovered;
        total.pipeline.rejected += e.pipeline.rejected;
    }
    return total;
}

std::size_t KcpApplication::GetSessionCount() const {
    return sessions_.size();
}

KcpClientHelper::KcpClientHelper(const Address& remote) {
    factory_.SetTypeId(KcpApplication::GetTypeId());
    factory_.Set("Role", EnumValue(KcpApplication::Client));
    factory_.Set("Remote", AddressValue(remote));
}

void KcpClientHelper::SetAttribute(const std::string& name, const AttributeValue& value) {
    factory_.Set(name, value);
}

ApplicationContainer KcpClientHelper::Install(Ptr<Node> node) const {
    Ptr<KcpApplication> app = factory_.Create<KcpApplication>();
    node->AddApplication(app);
    return ApplicationContainer(app);
}

ApplicationContainer KcpClientHelper::Install(const NodeContainer& nodes) const {
    ApplicationContainer apps;
    for (auto it = nodes.Begin(); it != nodes.End(); ++it) apps.Add(Install(*it));
    return apps;
}

KcpServerHelper::KcpServerHelper(uint16_t port) {
    factory_.SetTypeId(KcpApplication::GetTypeId());
    factory_.Set("Role", EnumValue(KcpApplication::Server));
    factory_.Set("Port", UintegerValue(port));
}

void KcpServerHelper::SetAttribute(const std::string& name, const AttributeValue& value) {
    factory_.Set(name, value);
}

ApplicationContainer KcpServerHelper::Install(Ptr<Node> node) const {
    Ptr<KcpApplication> app = factory_.Create<KcpApplication>();
    node->AddApplication(app);
    return ApplicationContainer(app);
}

ApplicationContainer KcpServerHelper::Install(const NodeContainer& nodes) const {
    ApplicationContainer apps;
    for (auto it = nodes.Begin(); it != nodes.End(); ++it) apps.Add(Install(*it));
    return apps;
}

}  // namespace kcpkit::sim
