// Test helpers shared by the core's tests: datagram capture and literal segment builders.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "kcpkit/kcp/kcp.hpp"

namespace kcpkit::kcp::testing {

using Bytes = std::vector<std::uint8_t>;

/// Collects every datagram a Kcp outputs.
struct Capture {
    std::vector<Bytes> datagrams;
    void operator()(std::span<const std::uint8_t> d) { datagrams.emplace_back(d.begin(), d.end()); }
    Bytes take_one() {
        Bytes d = datagrams.empty() ? Bytes{} : datagrams.front();
        if (!datagrams.empty()) datagrams.erase(datagrams.begin());
        return d;
    }
};

/// Command bytes, for literal segments.
inline constexpr std::uint8_t kPush = static_cast<std::uint8_t>(Command::push);
inline constexpr std::uint8_t kAck = static_cast<std::uint8_t>(Command::ack);
inline constexpr std::uint8_t kWask = static_cast<std::uint8_t>(Command::window_ask);
inline constexpr std::uint8_t kWins = static_cast<std::uint8_t>(Command::window_tell);

/// A Kcp that outputs into `out`, and the test's clock `now`, which the test passes to
/// input() and flush() (kcp-go profiles read it there). at(t) sets the clock; with
/// `update_on_at` it also calls update(t), so ikcp (which latches time only there) sees
/// the same clock as kcp-go.
struct ClockedEndpoint {
    Capture out;
    std::uint32_t now = 0;
    Kcp kcp;
    bool update_on_at;
    ClockedEndpoint(std::uint32_t conv, const Profile& p, bool update_on_at_too)
        : kcp(conv, p), update_on_at(update_on_at_too) {
        kcp.set_output(out);
    }
    void at(std::uint32_t t) {
        now = t;
        if (update_on_at) kcp.update(t);
    }
    /// Every segment header emitted since the last call, in order.
    std::vector<SegmentHeader> take();
};

/// One segment as bytes: header plus payload.
inline Bytes segment(SegmentHeader h, const Bytes& payload = {}) {
    h.len = static_cast<std::uint32_t>(payload.size());
    Bytes out(kHeaderSize);
    encode_header(out.data(), h);
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

inline Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

inline Bytes text(const char* s) {
    Bytes b;
    while (*s) b.push_back(static_cast<std::uint8_t>(*s++));
    return b;
}

/// Splits a datagram into its segment headers.
inline std::vector<SegmentHeader> headers_of(const Bytes& d) {
    std::vector<SegmentHeader> out;
    std::size_t at = 0;
    while (at + kHeaderSize <= d.size()) {
        out.push_back(decode_header(d.data() + at));
        at += kHeaderSize + out.back().len;
    }
    return out;
}

inline std::vector<SegmentHeader> ClockedEndpoint::take() {
    std::vector<SegmentHeader> all;
    for (const auto& d : out.datagrams)
        for (const auto& h : headers_of(d)) all.push_back(h);
    out.datagrams.clear();
    return all;
}

/// Queues one-byte messages "a", "b", ... and sends them with one flush at `t`.
inline void send_letters(ClockedEndpoint& e, int count, std::uint32_t t) {
    for (int i = 0; i < count; ++i) e.kcp.send(Bytes{static_cast<std::uint8_t>('a' + i)});
    e.at(t);
    e.kcp.flush(e.now);
}

/// `count` seeded random messages of 1 to `max_size` bytes.
inline std::vector<Bytes> random_messages(std::uint32_t seed, int count, std::size_t max_size) {
    std::mt19937 rng(seed);
    std::vector<Bytes> out;
    for (int i = 0; i < count; ++i) {
        Bytes m(1 + rng() % max_size);
        for (auto& b : m) b = static_cast<std::uint8_t>(rng());
        out.push_back(std::move(m));
    }
    return out;
}

inline bool same_state(const KcpState& a, const KcpState& b) {
    return a.snd_una == b.snd_una && a.snd_nxt == b.snd_nxt && a.rcv_nxt == b.rcv_nxt &&
           a.cwnd == b.cwnd && a.ssthresh == b.ssthresh && a.rx_srtt == b.rx_srtt &&
           a.rx_rttval == b.rx_rttval && a.rx_rto == b.rx_rto && a.rmt_wnd == b.rmt_wnd &&
           a.probe == b.probe && a.state == b.state && a.incr == b.incr &&
           a.nsnd_buf == b.nsnd_buf && a.nrcv_buf == b.nrcv_buf && a.nsnd_que == b.nsnd_que &&
           a.nrcv_que == b.nrcv_que && a.xmit == b.xmit;
}

/// One direction of a seeded virtual link: loss, delay with jitter (so reordering) and
/// duplication. Times are wrap-aware milliseconds.
class VirtualLink {
  public:
    struct Config {
        double loss = 0.0;
        double duplicate = 0.0;
        std::uint32_t delay_ms = 20;
        std::uint32_t jitter_ms = 0;
    };

    VirtualLink(const Config& cfg, std::uint32_t seed) : cfg_(cfg), rng_(seed) {}

    void carry(std::uint32_t now, const Bytes& d) {
        if (chance(cfg_.loss)) return;
        const int copies = chance(cfg_.duplicate) ? 2 : 1;
        for (int i = 0; i < copies; ++i) queue_.push_back({now + delay(), d});
    }

    /// Delivers every datagram whose time has come, in arrival order.
    template <class F>
    void deliver(std::uint32_t now, F&& to) {
        std::stable_sort(queue_.begin(), queue_.end(), [&](const InFlight& a, const InFlight& b) {
            return static_cast<std::int32_t>(a.arrival - now) <
                   static_cast<std::int32_t>(b.arrival - now);
        });
        std::size_t n = 0;
        while (n < queue_.size() && static_cast<std::int32_t>(now - queue_[n].arrival) >= 0)
            to(queue_[n++].datagram);
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    }

    bool idle() const { return queue_.empty(); }

  private:
    struct InFlight {
        std::uint32_t arrival;
        Bytes datagram;
    };
    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
    std::uint32_t delay() {
        return cfg_.delay_ms +
               (cfg_.jitter_ms ? static_cast<std::uint32_t>(rng_() % cfg_.jitter_ms) : 0);
    }

    Config cfg_;
    std::mt19937 rng_;
    std::vector<InFlight> queue_;
};

}  // namespace kcpkit::kcp::testing
