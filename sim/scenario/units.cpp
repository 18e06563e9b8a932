#include "sim/scenario/units.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace kcpkit::sim {
namespace {

// Splits "12.5Mbps" into 12.5 and "mbps" (lower case); nullopt if no number.
std::optional<std::pair<double, std::string>> split(const std::string& text) {
    const char* begin = text.c_str();
    char* end = nullptr;
    const double v = std::strtod(begin, &end);
    if (end == begin || !std::isfinite(v) || v < 0) return std::nullopt;
    std::string unit(end);
    for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    while (!unit.empty() && unit.front() == ' ') unit.erase(unit.begin());
    return std::make_pair(v, unit);
}

}  // namespace

std::optional<std::uint64_t> parse_rate_bps(const std::string& text) {
    auto s = split(text);
    if (!s) return std::nullopt;
    auto [v, u] = *s;
    double mult = 0;
    if (u == "bps" || u == "b/s" || u == "")
        mult = 1;
    else if (u == "kbps" || u == "kb/s" || u == "kbit/s")
        mult = 1e3;
    else if (u == "mbps" || u == "mb/s" || u == "mbit/s")
        mult = 1e6;
    else if (u == "gbps" || u == "gb/s" || u == "gbit/s")
        mult = 1e9;
    else
        return std::nullopt;
    const double bps = v * mult;
    if (bps < 1) return std::nullopt;
    return static_cast<std::uint64_t>(std::llround(bps));
}

std::optional<std::int64_t> parse_time_ns(const std::string& text) {
    auto s = split(text);
    if (!s) return std::nullopt;
    auto [v, u] = *s;
    double mult = 0;
    if (u == "s" || u == "")
        mult = 1e9;
    else if (u == "ms")
        mult = 1e6;
    else if (u == "us")
        mult = 1e3;
    else if (u == "ns")
        mult = 1;
    else if (u == "min")
        mult = 60e9;
    else
        return std::nullopt;
    return static_cast<std::int64_t>(std::llround(v * mult));
}

std::optional<std::uint64_t> parse_bytes(const std::string& text) {
    auto s = split(text);
    if (!s) return std::nullopt;
    auto [v, u] = *s;
    double mult = 0;
    if (u == "" || u == "b")
        mult = 1;
    else if (u == "kb")
        mult = 1e3;
    else if (u == "mb")
        mult = 1e6;
    else if (u == "gb")
        mult = 1e9;
    else if (u == "kib")
        mult = 1024;
    else if (u == "mib")
        mult = 1048576;
    else if (u == "gib")
        mult = 1073741824;
    else
        return std::nullopt;
    return static_cast<std::uint64_t>(std::llround(v * mult));
}

std::optional<QueueSpec> parse_queue(const std::string& text) {
    if (text == "auto" || text == "bdp") return QueueSpec{};
    if (!text.empty() && (text.back() == 'p' || text.back() == 'P')) {
        auto s = split(text.substr(0, text.size() - 1));
        if (!s || !s->second.empty() || s->first < 1) return std::nullopt;
        return QueueSpec{static_cast<std::uint32_t>(s->first), 0};
    }
    auto b = parse_bytes(text);
    if (!b || *b < 100) return std::nullopt;
    return QueueSpec{0, *b};
}

std::optional<double> parse_probability(const std::string& text) {
    auto s = split(text);
    if (!s) return std::nullopt;
    double v = s->first;
    if (s->second == "%")
        v /= 100;
    else if (!s->second.empty())
        return std::nullopt;
    if (v < 0 || v > 1) return std::nullopt;
    return v;
}

std::string format_rate(std::uint64_t bps) {
    std::ostringstream os;
    if (bps % 1000000000 == 0)
        os << bps / 1000000000 << "Gbps";
    else if (bps >= 1000000 && bps % 1000 == 0)
        os << static_cast<double>(bps) / 1e6 << "Mbps";
    else if (bps >= 1000)
        os << static_cast<double>(bps) / 1e3 << "kbps";
    else
        os << bps << "bps";
    return os.str();
}

std::string format_ms(double ms) {
    std::ostringstream os;
    os << ms << "ms";
    return os.str();
}

}  // namespace kcpkit::sim
