// Seeded, self-checking application messages: the bytes every simulated workload sends,
// over KCP and over TCP alike, so that "every byte arrived intact and in order" is checked
// the same way for both.
//
// A message is a 16-byte header followed by a payload:
//   u32 size (whole message, header included) | u32 seq | u64 sent_ns | payload
// all little-endian. Payload byte j of message `seq` is a pure function of (flow seed,
// seq, j), so a receiver regenerates and compares every byte without keeping a copy of
// what was sent. seq counts from 0 and must arrive without gaps or repeats.
//
// MessageReader parses a byte stream (TCP, KCP stream mode) or whole messages (KCP
// message mode) alike: feed it whatever recv() returned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "kcpkit/ns3/function_ref.hpp"

namespace kcpkit::sim {

inline constexpr std::uint32_t kMessageHeaderSize = 16;

struct MessageHeader {
    std::uint32_t size = 0;
    std::uint32_t seq = 0;
    std::uint64_t sent_ns = 0;
};

/// Word `word` (bytes 8*word .. 8*word+7) of message `seq`'s payload in a flow seeded
/// with `seed`: splitmix64 of the three, so every flow, message and offset differs.
std::uint64_t content_word(std::uint64_t seed, std::uint32_t seq, std::uint64_t word);

/// Appends message `seq` of `size` bytes in total (at least kMessageHeaderSize) to `out`.
void append_message(std::vector<std::uint8_t>& out, std::uint64_t seed, std::uint32_t seq,
                    std::uint64_t sent_ns, std::uint32_t size);

/// Reads the header at the start of `bytes` (which must hold kMessageHeaderSize).
MessageHeader read_header(const std::uint8_t* bytes);

class MessageReader {
  public:
    /// Called once per complete, verified message with its header and all its bytes
    /// (valid only during the call: an echo server sends them straight back).
    using OnMessage = FunctionRef<void(const MessageHeader&, std::span<const std::uint8_t>)>;

    MessageReader(std::uint64_t seed, std::uint32_t max_size);

    /// Consumes received bytes; calls on_message for every message they complete.
    /// Returns false, and stays failed (ignoring further input), at the first message
    /// whose size, seq or any payload byte is wrong; error() then says which.
    bool feed(std::span<const std::uint8_t> bytes, OnMessage on_message);

    bool ok() const { return error_.empty(); }
    const std::string& error() const { return error_; }
    /// Bytes of complete, verified messages (headers included).
    std::uint64_t bytes() const { return bytes_; }
    std::uint64_t messages() const { return next_seq_; }
    /// Bytes received but not yet forming a complete message.
    std::size_t pending() const { return buf_.size() - start_; }
    /// A 64-bit digest of every verified byte, in order.
    std::uint64_t digest() const { return digest_; }

  private:
    bool verify(const std::uint8_t* msg, const MessageHeader& h);

    std::uint64_t seed_;
    std::uint32_t max_size_;
    std::vector<std::uint8_t> buf_;
    std::size_t start_ = 0;
    std::uint64_t bytes_ = 0;
    std::uint32_t next_seq_ = 0;
    std::uint64_t digest_ = 0xcbf29ce484222325ull;
    std::string error_;
};

/// Summary of a set of latency samples (milliseconds).
struct LatencySummary {
    std::uint64_t count = 0;
    double mean = 0, p50 = 0, p95 = 0, p99 = 0, max = 0;
};

/// Nearest-rank percentiles of `samples` (sorted in place).
LatencySummary summarize(std::vector<double>& samples);

/// `points` evenly spaced quantiles of sorted `samples` (first = min, last = max): a
/// compact CDF for plots and result files.
std::vector<double> quantiles(const std::vector<double>& sorted, std::size_t points);

}  // namespace kcpkit::sim
