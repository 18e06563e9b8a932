// Path impairments ns-3 does not ship: a packet-loss model combining Bernoulli loss, a
// Gilbert-Elliott burst channel, a drop list, on/off blackholes and bit corruption; and a
// point-to-point channel that adds per-packet jitter (so reordering) and duplication.
//
// Both draw randomness only from ns-3 RandomVariableStreams with explicitly assigned
// stream numbers, so a run is a pure function of (--seed, --run): the same seed gives the
// same drops, the same jitter and the same numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "ns3/error-model.h"
#include "ns3/nstime.h"
#include "ns3/packet.h"
#include "ns3/point-to-point-channel.h"
#include "ns3/point-to-point-net-device.h"
#include "ns3/random-variable-stream.h"

namespace kcpkit::sim {

/// Loss on one direction of a link. A packet is lost if any component says so.
///  - Bernoulli: each packet independently with probability `bernoulli`.
///  - Gilbert-Elliott: a two-state Markov chain stepped once per packet; good->bad with
///    probability p, bad->good with r; a packet is lost with probability loss_good or
///    loss_bad in that state. Mean loss = (p*loss_bad + r*loss_good) / (p + r); with
///    loss_good = 0 and loss_bad = 1 the mean loss burst is 1/r packets.
///  - Drop list: the n-th packet through this model (1-based), as the QUIC interop
///    runner's droplist scenario.
///  - Blackhole: after `blackhole_start`, the link works for `blackhole_on`, then loses
///    everything for `blackhole_off`, repeating (the interop runner's blackhole).
/// And corruption, which loses nothing by itself: each packet independently with
/// probability `corrupt` gets one uniformly chosen bit of its UDP payload flipped (IPv4,
/// PPP and UDP headers untouched; ns-3 computes no UDP checksum by default, so the
/// damaged payload reaches the socket). A TCP segment drawn for corruption is dropped
/// instead, as a receiver's TCP checksum would drop it (ns-3's TCP checks none either, and
/// would hand the flipped bit to the application). Other packets pass untouched.
struct LossConfig {
    double bernoulli = 0;
    double ge_p = 0, ge_r = 1, ge_loss_good = 0, ge_loss_bad = 1;
    bool ge = false;
    std::vector<std::uint64_t> drop_list;
    ns3::Time blackhole_on, blackhole_off, blackhole_start;
    double corrupt = 0;

    bool any() const {
        return bernoulli > 0 || ge || !drop_list.empty() || blackhole_off.IsStrictlyPositive() ||
               corrupt > 0;
    }
    /// Gilbert-Elliott with loss_good 0, loss_bad 1, mean loss `loss` and mean burst
    /// `burst` packets (>= 1): r = 1/burst, p = loss*r/(1-loss).
    static LossConfig gilbert_elliott(double loss, double burst);
};

struct LossCounters {
    std::uint64_t seen = 0, dropped = 0;
    std::uint64_t bernoulli = 0, ge = 0, listed = 0, blackhole = 0;
    /// Packets whose payload got a flipped bit (delivered), plus TCP segments drawn for
    /// corruption (dropped; those also count in `dropped`).
    std::uint64_t corrupted = 0;
};

/// What a packet is as a point-to-point device receives it (PPP header first), read with
/// ns-3's header classes: an unfragmented IPv4 UDP datagram with where its payload starts
/// and how long it is, a TCP segment, or anything else (other protocols, IPv4 fragments,
/// packets too short to hold their headers).
struct WirePacket {
    enum class Kind { other, udp, tcp };
    Kind kind = Kind::other;
    std::uint32_t payload_offset = 0, payload_size = 0;  ///< udp: the bytes after its header
};
WirePacket classify_wire_packet(const ns3::Packet& p);

class ImpairmentErrorModel : public ns3::ErrorModel {
  public:
    static ns3::TypeId GetTypeId();
    ImpairmentErrorModel();

    void Configure(const LossConfig& config);
    const LossConfig& Config() const { return config_; }
    /// Uses streams `stream` and `stream + 1`; returns the number used (2).
    int64_t AssignStreams(int64_t stream);
    /// The corruption draws' stream, kept apart so the loss streams' numbers do not move
    /// when it was added; returns the number used (1).
    int64_t AssignCorruptionStream(int64_t stream);
    const LossCounters& Counters() const { return counters_; }
    bool InBadState() const { return bad_; }

  private:
    bool DoCorrupt(ns3::Ptr<ns3::Packet> p) override;
    void DoReset() override;
    /// Flips one bit of `p`'s UDP payload in place if the draw says so; true if `p` is
    /// to be dropped instead (a TCP segment).
    bool Damage(ns3::Ptr<ns3::Packet> p, bool already_dropped);

    LossConfig config_;
    std::set<std::uint64_t> drop_set_;
    ns3::Ptr<ns3::UniformRandomVariable> loss_rv_, state_rv_, corrupt_rv_;
    bool bad_ = false;
    LossCounters counters_;
};

/// Per-packet extra delay and duplication on a point-to-point link.
struct ChannelConfig {
    ns3::Time jitter;      ///< each packet gets U[0, jitter] extra delay
    bool reorder = true;   ///< false: a packet never overtakes an earlier one (FIFO)
    double duplicate = 0;  ///< probability a packet is delivered twice
    bool any() const { return jitter.IsStrictlyPositive() || duplicate > 0; }
};

struct ChannelCounters {
    std::uint64_t packets = 0, duplicated = 0, reordered = 0;
};

/// PointToPointChannel plus jitter and duplication. PointToPointHelper cannot create a
/// custom channel type, so links using it are wired by hand (see topology.hpp).
class ImpairedChannel : public ns3::PointToPointChannel {
  public:
    static ns3::TypeId GetTypeId();
    ImpairedChannel();

    void Configure(const ChannelConfig& config) { config_ = config; }
    int64_t AssignStreams(int64_t stream);
    const ChannelCounters& Counters() const { return counters_; }

    bool TransmitStart(ns3::Ptr<const ns3::Packet> p, ns3::Ptr<ns3::PointToPointNetDevice> src,
                       ns3::Time txTime) override;

  private:
    ChannelConfig config_;
    ns3::Ptr<ns3::UniformRandomVariable> jitter_rv_, dup_rv_;
    ns3::Time last_arrival_[2];
    ChannelCounters counters_;
};

}  // namespace kcpkit::sim
