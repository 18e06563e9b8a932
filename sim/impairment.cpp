#include "sim/impairment.hpp"

#include <algorithm>

#include "ns3/node.h"
#include "ns3/simulator.h"

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
      state_rv_(CreateObject<UniformRandomVariable>()) {}

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

bool ImpairmentErrorModel::DoCorrupt(Ptr<Packet>) {
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
