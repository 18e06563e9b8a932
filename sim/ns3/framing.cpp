#include "kcpkit/ns3/framing.hpp"

#include <array>
#include <map>
#include <mutex>

#include "kcpkit/crypt/key_derivation.hpp"
#include "kcpkit/crypt/nonce.hpp"
#include "kcpkit/frame/frame.hpp"
#include "kcpkit/ns3/splitmix64.hpp"

namespace kcpkit::sim {

namespace {

// kcptun's key derivation costs ~4 ms (PBKDF2, 4096 rounds): once per key per process,
// not once per session.
crypt::KcptunPass cached_pass(const std::string& key) {
    static std::mutex mutex;
    static std::map<std::string, crypt::KcptunPass> cache;
    const std::lock_guard lock(mutex);
    auto it = cache.find(key);
    if (it == cache.end()) it = cache.emplace(key, crypt::kcptun_pass(key)).first;
    return it->second;
}

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

kcptun::FrameConfigResult frame_config_for(const PipelineConfig& config,
                                           const kcpgo::Release& release) {
    kcptun::FrameConfigResult r =
        kcptun::kcptun_frame_config(config.crypt, cached_pass(config.key), release);
    r.config.data_shards = config.has_fec() ? config.datashard : 0;
    r.config.parity_shards = config.has_fec() ? config.parityshard : 0;
    return r;
}

std::string pipeline_config_error(const PipelineConfig& config, std::string_view kcp_profile) {
    if (config.datashard < 0 || config.parityshard < 0) return "shard counts must be >= 0";
    if (config.datashard + config.parityshard > fec::kMaxShards)
        return "datashard + parityshard must be <= " + std::to_string(fec::kMaxShards);
    if (config.plain()) return {};
    const kcptun::FrameConfigResult r =
        frame_config_for(config, kcpgo::release_for_core_profile(kcp_profile));
    switch (r.error) {
        case kcptun::ConfigError::none:
            return {};
        case kcptun::ConfigError::unknown_crypt:
            return "unknown --crypt '" + config.crypt +
                   "' (null, none, aes, aes-128, aes-192, aes-128-gcm, aes-256-gcm, salsa20, "
                   "blowfish, twofish, cast5, 3des, tea, xtea, xor, sm4)";
        case kcptun::ConfigError::aead_on_561:
            return "AES-GCM needs kcp-go v5.6.72 framing (not the kcp-go-5.6.1 profile)";
    }
    return std::string(kcptun::config_error_name(r.error));
}

std::size_t framing_overhead(const PipelineConfig& config, std::string_view kcp_profile) {
    if (!pipeline_config_error(config, kcp_profile).empty() || config.plain()) return 0;
    const kcptun::FrameConfigResult fc =
        frame_config_for(config, kcpgo::release_for_core_profile(kcp_profile));
    const auto framer = frame::Framer::create(fc.config);
    return framer ? framer->overhead() : 0;
}

std::unique_ptr<crypt::NonceSource> make_nonce_source(std::uint64_t nonce_seed) {
    return std::make_unique<crypt::AesCtrNonceSource>(nonce_seed_bytes(nonce_seed));
}

}  // namespace kcpkit::sim
