#include "sim/scenario/units.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <initializer_list>
#include <sstream>
#include <string_view>

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

// The spellings of one unit (lower case) and what it scales the number by.
struct Unit {
    std::initializer_list<std::string_view> spellings;
    double scale;
};

// The number in `text` times its unit's scale; nullopt if no number or an unknown unit.
std::optional<double> scaled(const std::string& text, std::initializer_list<Unit> units) {
    const auto s = split(text);
    if (!s) return std::nullopt;
    for (const Unit& u : units)
        for (std::string_view spelling : u.spellings)
            if (s->second == spelling) return s->first * u.scale;
    return std::nullopt;
}

}  // namespace

std::optional<std::uint64_t> parse_rate_bps(const std::string& text) {
    const auto bps = scaled(text, {{{"bps", "b/s", ""}, 1},
                                   {{"kbps", "kb/s", "kbit/s"}, 1e3},
                                   {{"mbps", "mb/s", "mbit/s"}, 1e6},
                                   {{"gbps", "gb/s", "gbit/s"}, 1e9}});
    if (!bps || *bps < 1) return std::nullopt;
    return static_cast<std::uint64_t>(std::llround(*bps));
}

std::optional<std::int64_t> parse_time_ns(const std::string& text) {
    const auto ns = scaled(
        text, {{{"s", ""}, 1e9}, {{"ms"}, 1e6}, {{"us"}, 1e3}, {{"ns"}, 1}, {{"min"}, 60e9}});
    if (!ns) return std::nullopt;
    return static_cast<std::int64_t>(std::llround(*ns));
}

std::optional<std::uint64_t> parse_bytes(const std::string& text) {
    const auto bytes = scaled(text, {{{"", "b"}, 1},
                                     {{"kb"}, 1e3},
                                     {{"mb"}, 1e6},
                                     {{"gb"}, 1e9},
                                     {{"kib"}, 1024},
                                     {{"mib"}, 1048576},
                                     {{"gib"}, 1073741824}});
    if (!bytes) return std::nullopt;
    return static_cast<std::uint64_t>(std::llround(*bytes));
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
