#include "sim/scenario/topology.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "ns3/boolean.h"
#include "ns3/traffic-control-module.h"

namespace kcpkit::sim {

using namespace ns3;

std::string PathConfig::queue_string() const {
    if (queue_bytes > 0) return std::to_string(queue_bytes) + "B";
    if (queue_packets > 0) return std::to_string(queue_packets) + "p";
    const double bdp = bdp_bytes() / static_cast<double>(mtu);
    return std::to_string(std::max<std::uint32_t>(10, static_cast<std::uint32_t>(std::ceil(bdp)))) +
           "p";
}

double PathConfig::queue_limit_bytes() const {
    if (queue_bytes > 0) return static_cast<double>(queue_bytes);
    const std::string q = queue_string();
    return std::stod(q.substr(0, q.size() - 1)) * mtu;
}

std::pair<Ptr<PointToPointNetDevice>, Ptr<PointToPointNetDevice>> Dumbbell::link(
    Ptr<Node> a, Ptr<Node> b, std::uint64_t bps, std::int64_t delay_ns, const std::string& queue,
    Ptr<PointToPointChannel> channel, bool flow_control) {
    // As PointToPointHelper::Install, with the channel passed in.
    Ptr<PointToPointNetDevice> dev[2];
    Ptr<Node> node[2] = {a, b};
    for (int i = 0; i < 2; ++i) {
        dev[i] = CreateObject<PointToPointNetDevice>();
        dev[i]->SetAttribute("DataRate", DataRateValue(DataRate(bps)));
        dev[i]->SetAttribute("Mtu", UintegerValue(path_.mtu));
        dev[i]->SetAddress(Mac48Address::Allocate());
        node[i]->AddDevice(dev[i]);
        Ptr<DropTailQueue<Packet>> q = CreateObject<DropTailQueue<Packet>>();
        q->SetAttribute("MaxSize", QueueSizeValue(QueueSize(queue)));
        dev[i]->SetQueue(q);
        if (flow_control) {
            // Only under a queue disc: without one, a stopped device queue makes the
            // traffic-control layer drop packets where no queue counts them.
            Ptr<NetDeviceQueueInterface> ndqi = CreateObject<NetDeviceQueueInterface>();
            ndqi->GetTxQueue(0)->ConnectQueueTraces(q);
            dev[i]->AggregateObject(ndqi);
        }
        auto counter = link_packets_;
        dev[i]->TraceConnectWithoutContext(
            "PhyTxEnd",
            Callback<void, Ptr<const Packet>>([counter](Ptr<const Packet>) { ++*counter; }));
    }
    channel->SetAttribute("Delay", TimeValue(NanoSeconds(delay_ns)));
    dev[0]->Attach(channel);
    dev[1]->Attach(channel);
    return {dev[0], dev[1]};
}

Dumbbell::Dumbbell(const PathConfig& path, std::uint32_t flows, int64_t stream)
    : path_(path), link_packets_(std::make_shared<std::uint64_t>(0)) {
    senders_.Create(flows);
    receivers_.Create(flows);
    routers_.Create(2);
    InternetStackHelper stack;
    stack.Install(senders_);
    stack.Install(receivers_);
    stack.Install(routers_);

    const bool qdisc = path.queue_disc_type != "none" && !path.queue_disc_type.empty();
    // Access queues are generous: a KCP flush can hand the NIC a whole window at once,
    // and a sender's own NIC (txqueuelen 1000 on Linux) is not the path under test.
    const std::string access_queue = "1000p";
    const std::string bottleneck_queue = qdisc ? "1p" : path.queue_string();

    Ipv4AddressHelper addr;
    std::vector<NetDeviceContainer> access_devs;
    for (std::uint32_t i = 0; i < flows; ++i) {
        auto [s, a] =
            link(senders_.Get(i), routers_.Get(0), path.access_bandwidth_bps, path.access_delay_ns,
                 access_queue, CreateObject<PointToPointChannel>(), false);
        auto [b, r] =
            link(routers_.Get(1), receivers_.Get(i), path.access_bandwidth_bps,
                 path.access_delay_ns, access_queue, CreateObject<PointToPointChannel>(), false);
        NetDeviceContainer left, right;
        left.Add(s);
        left.Add(a);
        right.Add(b);
        right.Add(r);
        access_devs.push_back(left);
        access_devs.push_back(right);
    }
    channel_ = CreateObject<ImpairedChannel>();
    channel_->Configure(path.channel);
    auto [ba, bb] = link(routers_.Get(0), routers_.Get(1), path.bandwidth_bps, path.delay_ns,
                         bottleneck_queue, channel_, qdisc);
    bottleneck_[0] = ba;
    bottleneck_[1] = bb;
    int64_t s = stream;
    s += channel_->AssignStreams(s);
    for (int end = 0; end < 2; ++end) {
        loss_[end] = CreateObject<ImpairmentErrorModel>();
        loss_[end]->Configure(end == 0 ? path.loss_fwd : path.loss_rev);
        s += loss_[end]->AssignStreams(s);
    }
    // The forward loss model sits at B's receiver (packets A->B), the reverse one at A.
    if (path.loss_fwd.any()) bottleneck_[1]->SetReceiveErrorModel(loss_[0]);
    if (path.loss_rev.any()) bottleneck_[0]->SetReceiveErrorModel(loss_[1]);

    // Addresses. Ipv4AddressHelper::Assign installs the default queue disc (FqCoDel)
    // only on devices with flow control (a NetDeviceQueueInterface); links are wired
    // without it, so the device's drop-tail queue is the path's queue, except on the
    // bottleneck under --queue_disc_type.
    for (std::uint32_t i = 0; i < flows; ++i) {
        char net[32];
        std::snprintf(net, sizeof net, "10.%u.%u.0", 1 + i / 250, i % 250);
        addr.SetBase(net, "255.255.255.0");
        Ipv4InterfaceContainer l = addr.Assign(access_devs[2 * i]);
        sender_addr_.push_back(l.GetAddress(0));
        std::snprintf(net, sizeof net, "10.%u.%u.0", 101 + i / 250, i % 250);
        addr.SetBase(net, "255.255.255.0");
        Ipv4InterfaceContainer r = addr.Assign(access_devs[2 * i + 1]);
        receiver_addr_.push_back(r.GetAddress(1));
    }
    addr.SetBase("10.255.0.0", "255.255.255.0");
    NetDeviceContainer bottle;
    bottle.Add(bottleneck_[0]);
    bottle.Add(bottleneck_[1]);
    addr.Assign(bottle);
    if (qdisc) {
        TrafficControlHelper().Uninstall(bottle);
        TypeId tid;
        if (!TypeId::LookupByNameFailSafe(path.queue_disc_type, &tid))
            throw std::invalid_argument("unknown queue disc type " + path.queue_disc_type);
        TrafficControlHelper q;
        q.SetRootQueueDisc(path.queue_disc_type, "MaxSize",
                           QueueSizeValue(QueueSize(path.queue_string())));
        QueueDiscContainer c = q.Install(bottle);
        qdisc_[0] = c.Get(0);
        qdisc_[1] = c.Get(1);
    }
    Ipv4GlobalRoutingHelper::PopulateRoutingTables();
    // Under the weak end-system model (ns-3's default) every forwarded packet is checked
    // against every address of every interface, which on a router with one access link
    // per flow makes each hop O(flows). Nothing here is addressed to a router, so the
    // strong model changes no outcome, only the cost.
    for (std::uint32_t r = 0; r < routers_.GetN(); ++r)
        routers_.Get(r)->GetObject<Ipv4>()->SetAttribute("WeakEsModel", BooleanValue(false));

    NodeContainer allNodes(senders_, receivers_, routers_);
    s += stack.AssignStreams(allNodes, s);
    // Corruption came later: its streams follow all the others, so adding it moved no
    // other stream's number (a run without --corrupt draws exactly as before).
    for (int end = 0; end < 2; ++end) s += loss_[end]->AssignCorruptionStream(s);
    streams_used_ = s - stream;
}

void Dumbbell::enable_pcap(const std::string& prefix) {
    PointToPointHelper p2p;
    p2p.EnablePcap(prefix + "-bottleneck.pcap", bottleneck_[0], false, true);
}

PathCounters Dumbbell::counters() const {
    PathCounters c;
    for (int end = 0; end < 2; ++end) {
        std::uint64_t drops = bottleneck_[end]->GetQueue()->GetTotalDroppedPackets();
        if (qdisc_[end]) drops += qdisc_[end]->GetStats().nTotalDroppedPackets;
        (end == 0 ? c.queue_drops_fwd : c.queue_drops_rev) = drops;
    }
    c.loss_fwd = loss_[0]->Counters();
    c.loss_rev = loss_[1]->Counters();
    c.channel = channel_->Counters();
    c.bottleneck_packets_fwd = bottleneck_[0]->GetQueue()->GetTotalReceivedPackets();
    c.bottleneck_bytes_fwd = bottleneck_[0]->GetQueue()->GetTotalReceivedBytes();
    c.link_packets = *link_packets_;
    return c;
}

}  // namespace kcpkit::sim
