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

PipelineStats pipeline_stats_of(const frame::FrameCounters& c, std::uint64_t rejected) {
    PipelineStats p;
    p.sealed = c.sealed;
    p.seal_rejected = c.seal_rejected;
    p.wire_datagrams = c.out_pkts;
    p.wire_bytes = c.out_bytes;
    p.fec_parity = c.parity_out;
    p.fec_parity_bytes = c.parity_out_bytes;
    p.header_bytes = c.framing_out_bytes;
    p.opened = c.delivered;
    p.fec_recovered = c.recovered;
    p.rejected = rejected;
    p.csum_errors = c.in_csum_errors;
    return p;
}

std::unique_ptr<crypt::NonceSource> make_nonce_source(std::uint64_t nonce_seed) {
    return std::make_unique<crypt::AesCtrNonceSource>(nonce_seed_bytes(nonce_seed));
}

}  // namespace kcpkit::sim
