#include "sim/scenario/impairment.hpp"

#include <algorithm>

#include "ns3/ipv4-header.h"
#include "ns3/node.h"
#include "ns3/ppp-header.h"
#include "ns3/simulator.h"
#include "ns3/udp-header.h"

namespace kcpkit::sim {

using namespace ns3;

LossConfig LossConfig::gilbert_elliott(double loss, double burst) {
    LossConfig c;
    if (loss <= 0) return c;
    c.ge = true;
    c.ge_r = 1.0 / std::max(burst, 1.0);
    c.ge_p = std::min(1.0, loss * c.ge_r / std::max(1e-9, 1.0 - loss));
    c.ge_loss_good = 0;
    c.ge_loss_bad = 1;
    return c;
}

WirePacket classify_wire_packet(const Packet& p) {
    WirePacket w;
    constexpr std::uint16_t kPppIpv4 = 0x0021;
    constexpr std::uint8_t kTcp = 6, kUdp = 17;
    constexpr std::uint32_t kMinIpv4 = 20;
    PppHeader ppp;
    const std::uint32_t size = p.GetSize();
    const std::uint32_t ppp_size = ppp.GetSerializedSize();
    if (size < ppp_size + kMinIpv4) return w;
    p.PeekHeader(ppp);
    if (ppp.GetProtocol() != kPppIpv4) return w;
    // The IPv4 header sits behind the PPP one: peek it on a fragment (shares the buffer).
    Ipv4Header ip;
    const std::uint32_t ip_size = p.CreateFragment(ppp_size, size - ppp_size)->PeekHeader(ip);
    if (ip_size < kMinIpv4 || ppp_size + ip_size + ip.GetPayloadSize() > size) return w;
    // Only a whole datagram carries its transport header and all of its payload.
    if (ip.GetFragmentOffset() != 0 || !ip.IsLastFragment()) return w;
    if (ip.GetProtocol() == kTcp) {
        w.kind = WirePacket::Kind::tcp;
        return w;
    }
    UdpHeader udp;
    if (ip.GetProtocol() != kUdp || ip.GetPayloadSize() < udp.GetSerializedSize()) return w;
    w.kind = WirePacket::Kind::udp;
    w.payload_offset = ppp_size + ip_size + udp.GetSerializedSize();
    w.payload_size = ip.GetPayloadSize() - udp.GetSerializedSize();
    return w;
}

NS_OBJECT_ENSURE_REGISTERED(ImpairmentErrorModel);

TypeId ImpairmentErrorModel::GetTypeId() {
    static TypeId tid = TypeId("kcpkit::ImpairmentErrorModel")
                            .SetParent<ErrorModel>()
                            .SetGroupName("kcpkit")
                            .AddConstructor<ImpairmentErrorModel>();
    return tid;
}

ImpairmentErrorModel::ImpairmentErrorModel()
    : loss_rv_(CreateObject<UniformRandomVariable>()),
      state_rv_(CreateObject<UniformRandomVariable>()),
      corrupt_rv_(CreateObject<UniformRandomVariable>()) {}

void ImpairmentErrorModel::Configure(const LossConfig& config) {
    config_ = config;
    drop_set_ = std::set<std::uint64_t>(config.drop_list.begin(), config.drop_list.end());
    DoReset();
}

int64_t ImpairmentErrorModel::AssignStreams(int64_t stream) {
    loss_rv_->SetStream(stream);
    state_rv_->SetStream(stream + 1);
    return 2;
}

int64_t ImpairmentErrorModel::AssignCorruptionStream(int64_t stream) {
    corrupt_rv_->SetStream(stream);
    return 1;
}

bool ImpairmentErrorModel::Damage(Ptr<Packet> p, bool already_dropped) {
    // Two draws per corrupted packet and one per other packet, whatever else happens to
    // it, so the loss models and the packet mix do not shift the corruption sequence.
    if (!(corrupt_rv_->GetValue() < config_.corrupt)) return false;
    const double where = corrupt_rv_->GetValue();
    if (already_dropped) return false;
    const WirePacket w = classify_wire_packet(*p);
    if (w.kind == WirePacket::Kind::tcp) {
        ++counters_.corrupted;
        return true;
    }
    if (w.kind != WirePacket::Kind::udp || w.payload_size == 0) return false;
    const std::uint64_t bits = std::uint64_t{w.payload_size} * 8;
    const std::uint64_t bit =
        std::min(bits - 1, static_cast<std::uint64_t>(where * static_cast<double>(bits)));
    // ns-3 packets hold real bytes. Cut the packet at the damaged byte and put it back
    // together with that byte flipped: the header bytes are never rewritten, and the rest
    // of the payload keeps its byte tags.
    const std::uint32_t at = w.payload_offset + static_cast<std::uint32_t>(bit / 8);
    std::uint8_t byte = 0;
    p->CreateFragment(at, 1)->CopyData(&byte, 1);
    byte ^= static_cast<std::uint8_t>(1u << (bit % 8));
    const std::uint32_t after = p->GetSize() - at - 1;
    Ptr<Packet> rest = after > 0 ? p->CreateFragment(at + 1, after) : nullptr;
    p->RemoveAtEnd(after + 1);
    p->AddAtEnd(Create<Packet>(&byte, 1));
    if (rest) p->AddAtEnd(rest);
    ++counters_.corrupted;
    return false;
}

bool ImpairmentErrorModel::DoCorrupt(Ptr<Packet> p) {
    const std::uint64_t n = ++counters_.seen;
    bool drop = false;
    // Bernoulli loss and the Gilbert-Elliott chain draw from separate streams, so
    // enabling one never shifts the other's random sequence.
    if (config_.bernoulli > 0 && loss_rv_->GetValue() < config_.bernoulli) {
        drop = true;
        ++counters_.bernoulli;
    }
    if (config_.ge) {
        const double u = state_rv_->GetValue();
        bad_ = bad_ ? !(u < config_.ge_r) : (u < config_.ge_p);
        const double loss = bad_ ? config_.ge_loss_bad : config_.ge_loss_good;
        if (loss >= 1 || (loss > 0 && state_rv_->GetValue() < loss)) {
            if (!drop) ++counters_.ge;
            drop = true;
        }
    }
    if (!drop_set_.empty() && drop_set_.count(n)) {
        if (!drop) ++counters_.listed;
        drop = true;
    }
    if (config_.blackhole_off.IsStrictlyPositive()) {
        const Time since = Simulator::Now() - config_.blackhole_start;
        const Time period = config_.blackhole_on + config_.blackhole_off;
        if (since.IsPositive() && period.IsStrictlyPositive() &&
            Time(since.GetTimeStep() % period.GetTimeStep()) >= config_.blackhole_on) {
            if (!drop) ++counters_.blackhole;
            drop = true;
        }
    }
    if (config_.corrupt > 0 && Damage(p, drop)) drop = true;
    if (drop) ++counters_.dropped;
    return drop;
}

void ImpairmentErrorModel::DoReset() {
    bad_ = false;
    counters_ = {};
}

NS_OBJECT_ENSURE_REGISTERED(ImpairedChannel);

TypeId ImpairedChannel::GetTypeId() {
    static TypeId tid = TypeId("kcpkit::ImpairedChannel")
                            .SetParent<PointToPointChannel>()
                            .SetGroupName("kcpkit")
                            .AddConstructor<ImpairedChannel>();
    return tid;
}

ImpairedChannel::ImpairedChannel()
    : jitter_rv_(CreateObject<UniformRandomVariable>()),
      dup_rv_(CreateObject<UniformRandomVariable>()) {}

int64_t ImpairedChannel::AssignStreams(int64_t stream) {
    jitter_rv_->SetStream(stream);
    dup_rv_->SetStream(stream + 1);
    return 2;
}

bool ImpairedChannel::TransmitStart(Ptr<const Packet> p, Ptr<PointToPointNetDevice> src,
                                    Time txTime) {
    if (!config_.any()) return PointToPointChannel::TransmitStart(p, src, txTime);
    // As PointToPointChannel::TransmitStart, plus a random extra delay per copy.
    const uint32_t wire = src == GetSource(0) ? 0 : 1;
    Ptr<PointToPointNetDevice> dst = GetDestination(wire);
    const uint32_t context = dst->GetNode()->GetId();
    const bool dup = config_.duplicate > 0 && dup_rv_->GetValue() < config_.duplicate;
    const int copies = dup ? 2 : 1;
    ++counters_.packets;
    if (dup) ++counters_.duplicated;
    for (int i = 0; i < copies; ++i) {
        Time extra;
        if (config_.jitter.IsStrictlyPositive()) {
            extra = NanoSeconds(static_cast<int64_t>(
                jitter_rv_->GetValue(0, static_cast<double>(config_.jitter.GetNanoSeconds()))));
        }
        Time arrival = Simulator::Now() + txTime + GetDelay() + extra;
        if (!config_.reorder && arrival < last_arrival_[wire]) {
            arrival = last_arrival_[wire];
            extra = arrival - Simulator::Now() - txTime - GetDelay();
        }
        if (arrival < last_arrival_[wire]) ++counters_.reordered;
        last_arrival_[wire] = std::max(last_arrival_[wire], arrival);
        Simulator::ScheduleWithContext(context, txTime + GetDelay() + extra,
                                       &PointToPointNetDevice::Receive, dst, p->Copy());
    }
    return true;
}

}  // namespace kcpkit::sim
