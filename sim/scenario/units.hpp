// Units on the command line, in ns-3's spelling: rates ("10Mbps", "1.5Gbps", "500kbps",
// "10Mb/s"), times ("98ms", "0.2s", "250us", "1.5"=seconds), sizes ("16KB", "1MiB",
// "1500"=bytes) and queue sizes ("100p" packets, "150KB" bytes, "auto").
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace kcpkit::sim {

std::optional<std::uint64_t> parse_rate_bps(const std::string& text);
std::optional<std::int64_t> parse_time_ns(const std::string& text);
std::optional<std::uint64_t> parse_bytes(const std::string& text);

/// "auto" -> {0, 0}; "100p" -> {100, 0}; "150KB" -> {0, 150000}.
struct QueueSpec {
    std::uint32_t packets = 0;
    std::uint64_t bytes = 0;
};
std::optional<QueueSpec> parse_queue(const std::string& text);

/// A probability: "0.02", "2%".
std::optional<double> parse_probability(const std::string& text);

std::string format_rate(std::uint64_t bps);  ///< "10Mbps"
std::string format_ms(double ms);            ///< "200ms", "0.5ms"

}  // namespace kcpkit::sim
