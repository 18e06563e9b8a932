#include "kcpkit/ns3/framing.hpp"

#include <array>
#include <map>
#include <mutex>

#include "kcpkit/crypt/key_derivation.hpp"
#include "kcpkit/crypt/nonce.hpp"
#include "kcpkit/frame/frame.hpp"
#include "kcpkit/ns3/splitmix64.hpp"

namespace kcpkit::sim {

crypt::KcptunPass cached_pass(const std::string& key) {
    static std::mutex mutex;
    static std::map<std::string, crypt::KcptunPass> cache;
    const std::lock_guard lock(mutex);
    auto it = cache.find(key);
    if (it == cache.end()) it = cache.emplace(key, crypt::kcptun_pass(key)).first;
    return it->second;
}

namespace {

std::array<std::uint8_t, crypt::AesCtrNonceSource::kSeedSize> nonce_seed_bytes(std::uint64_t seed) {
    std::array<std::uint8_t, crypt::AesCtrNonceSource::kSeedSize> out{};
    std::uint64_t state = seed;
    for (std::size_t i = 0; i < out.size(); i += 8) {
        const std::uint64_t z = splitmix64_next(state);
        for (std::size_t b = 0; b < 8; ++b) out[i + b] = static_cast<std::uint8_t>(z >> (8 * b));
    }
    return out;
}

}  // namespace

namespace {

/// One PipelineStats field and the framing counter it shows (null: the driver counts it).
/// Every field has exactly one row; adding a counter is a field and a row.
struct PipelineColumn {
    std::uint64_t PipelineStats::*field;
    std::uint64_t frame::FrameCounters::*source;
};

constexpr PipelineColumn kPipelineColumns[] = {
    {&PipelineStats::sealed, &frame::FrameCounters::sealed},
    {&PipelineStats::wire_datagrams, &frame::FrameCounters::out_pkts},
    {&PipelineStats::wire_bytes, &frame::FrameCounters::out_bytes},
    {&PipelineStats::fec_parity, &frame::FrameCounters::parity_out},
    {&PipelineStats::fec_parity_bytes, &frame::FrameCounters::parity_out_bytes},
    {&PipelineStats::header_bytes, &frame::FrameCounters::framing_out_bytes},
    {&PipelineStats::opened, &frame::FrameCounters::delivered},
    {&PipelineStats::fec_recovered, &frame::FrameCounters::recovered},
    {&PipelineStats::rejected, nullptr},
    {&PipelineStats::csum_errors, &frame::FrameCounters::in_csum_errors},
    {&PipelineStats::seal_rejected, &frame::FrameCounters::seal_rejected},
};
static_assert(sizeof(PipelineStats) == std::size(kPipelineColumns) * sizeof(std::uint64_t));

}  // namespace

PipelineStats& PipelineStats::operator+=(const PipelineStats& other) {
    for (const PipelineColumn& c : kPipelineColumns) this->*c.field += other.*c.field;
    return *this;
}

PipelineStats pipeline_stats_of(const frame::FrameCounters& c, std::uint64_t rejected) {
    PipelineStats p;
    for (const PipelineColumn& column : kPipelineColumns)
        if (column.source) p.*column.field = c.*column.source;
    p.rejected = rejected;
    return p;
}

std::unique_ptr<crypt::NonceSource> make_nonce_source(std::uint64_t nonce_seed) {
    return std::make_unique<crypt::AesCtrNonceSource>(nonce_seed_bytes(nonce_seed));
}

}  // namespace kcpkit::sim
