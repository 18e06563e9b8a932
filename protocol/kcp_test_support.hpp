// Test helpers shared by the core's tests: datagram capture and literal segment builders.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "protocol/kcp.hpp"

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

inline bool same_state(const KcpState& a, const KcpState& b) {
    return a.snd_una == b.snd_una && a.snd_nxt == b.snd_nxt && a.rcv_nxt == b.rcv_nxt &&
           a.cwnd == b.cwnd && a.ssthresh == b.ssthresh && a.rx_srtt == b.rx_srtt &&
           a.rx_rttval == b.rx_rttval && a.rx_rto == b.rx_rto && a.rmt_wnd == b.rmt_wnd &&
           a.probe == b.probe && a.state == b.state && a.incr == b.incr &&
           a.nsnd_buf == b.nsnd_buf && a.nrcv_buf == b.nrcv_buf && a.nsnd_que == b.nsnd_que &&
           a.nrcv_que == b.nrcv_que && a.xmit == b.xmit;
}

}  // namespace kcpkit::kcp::testing
