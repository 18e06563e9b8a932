// The dumbbell every scenario runs on, wired by hand so the bottleneck can use
// ImpairedChannel (PointToPointHelper only builds plain channels):
//
//   sender i --access--> A ==bottleneck==> B --access--> receiver i      (i < flows)
//
// Access links: access_bandwidth / access_delay (tcp-variants-comparison's names).
// Bottleneck: bandwidth / delay, a drop-tail queue of `queue` packets or bytes at each
// end (or a queue disc), loss and bit-corruption models on each direction and
// jitter/duplication on the channel. Round-trip propagation time = 2 * (delay + 2 *
// access_delay).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"
#include "ns3/queue-disc.h"
#include "sim/scenario/impairment.hpp"

namespace kcpkit::sim {

struct PathConfig {
    std::uint64_t bandwidth_bps = 10'000'000;
    std::int64_t delay_ns = 98'000'000;
    std::uint64_t access_bandwidth_bps = 100'000'000;
    std::int64_t access_delay_ns = 1'000'000;
    /// Bottleneck queue at each end; both 0 = one bandwidth-delay product of packets.
    std::uint32_t queue_packets = 0;
    std::uint64_t queue_bytes = 0;
    /// "none" = the device's drop-tail queue only; otherwise an ns-3 queue disc TypeId
    /// name (ns3::FqCoDelQueueDisc, ns3::PfifoFastQueueDisc, ...) holding the queue.
    std::string queue_disc_type = "none";
    std::uint32_t mtu = 1500;       ///< IP MTU of every link
    LossConfig loss_fwd, loss_rev;  ///< on the bottleneck, sender->receiver and back
    ChannelConfig channel;          ///< jitter and duplication on the bottleneck

    double rtt_seconds() const {
        return 2.0 * static_cast<double>(delay_ns + 2 * access_delay_ns) * 1e-9;
    }
    /// Bandwidth-delay product in bytes at the bottleneck rate.
    double bdp_bytes() const { return static_cast<double>(bandwidth_bps) / 8.0 * rtt_seconds(); }
    /// The queue as a QueueSize string ("123p" or "45678B").
    std::string queue_string() const;
    /// The queue's capacity in bytes (packets counted at the link MTU).
    double queue_limit_bytes() const;
};

/// Counters of the bottleneck after a run.
struct PathCounters {
    std::uint64_t queue_drops_fwd = 0, queue_drops_rev = 0;
    LossCounters loss_fwd, loss_rev;
    ChannelCounters channel;
    std::uint64_t bottleneck_packets_fwd = 0, bottleneck_bytes_fwd = 0;
    std::uint64_t link_packets = 0;  ///< packet transmissions over all links (sim work)
};

class Dumbbell {
  public:
    /// Builds nodes, links, the internet stack and routes. Random streams from
    /// `stream` upwards (returns via streams_used()).
    Dumbbell(const PathConfig& path, std::uint32_t flows, int64_t stream);

    ns3::Ptr<ns3::Node> sender(std::uint32_t i) const { return senders_.Get(i); }
    ns3::Ptr<ns3::Node> receiver(std::uint32_t i) const { return receivers_.Get(i); }
    ns3::Ipv4Address receiver_address(std::uint32_t i) const { return receiver_addr_[i]; }
    ns3::Ipv4Address sender_address(std::uint32_t i) const { return sender_addr_[i]; }
    /// The bottleneck devices: [0] at A (forward queue), [1] at B (reverse queue).
    ns3::Ptr<ns3::PointToPointNetDevice> bottleneck(int end) const { return bottleneck_[end]; }
    int64_t streams_used() const { return streams_used_; }

    /// Writes <prefix>-bottleneck.pcap (the A end of the bottleneck).
    void enable_pcap(const std::string& prefix);
    PathCounters counters() const;

  private:
    std::pair<ns3::Ptr<ns3::PointToPointNetDevice>, ns3::Ptr<ns3::PointToPointNetDevice>> link(
        ns3::Ptr<ns3::Node> a, ns3::Ptr<ns3::Node> b, std::uint64_t bps, std::int64_t delay_ns,
        const std::string& queue, ns3::Ptr<ns3::PointToPointChannel> channel, bool flow_control);

    PathConfig path_;
    ns3::NodeContainer senders_, receivers_, routers_;
    std::vector<ns3::Ipv4Address> sender_addr_, receiver_addr_;
    ns3::Ptr<ns3::PointToPointNetDevice> bottleneck_[2];
    ns3::Ptr<ImpairedChannel> channel_;
    ns3::Ptr<ImpairmentErrorModel> loss_[2];
    ns3::Ptr<ns3::QueueDisc> qdisc_[2];
    std::shared_ptr<std::uint64_t> link_packets_;
    int64_t streams_used_ = 0;
};

}  // namespace kcpkit::sim
