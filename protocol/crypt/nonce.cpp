#include "kcpkit/crypt/nonce.hpp"

#include <algorithm>
#include <cstring>

#include "kcpkit/base/byte_order.hpp"

namespace kcpkit::crypt {

AesCtrNonceSource::AesCtrNonceSource(std::span<const std::uint8_t, kSeedSize> seed)
    : engine_(seed) {}

void AesCtrNonceSource::reseed(std::span<const std::uint8_t, kSeedSize> seed) {
    engine_.rekey(seed);
    next_ = sizeof buffer_;
}

void AesCtrNonceSource::refill() {
    // Counter blocks 0..kBlocks-1 (little-endian u32 in the first four bytes). The key is
    // fresh on every refill, so the counter can restart at 0.
    std::memset(buffer_, 0, sizeof buffer_);
    for (std::size_t i = 0; i < kBlocks; ++i)
        store_le32(buffer_ + 16 * i, static_cast<std::uint32_t>(i));
    engine_.encrypt_blocks(buffer_, buffer_, kBlocks);
    engine_.rekey(std::span<const std::uint8_t>(buffer_, kSeedSize));
    std::memset(buffer_, 0, kSeedSize);
    next_ = kSeedSize;
}

void AesCtrNonceSource::fill(std::span<std::uint8_t> out) {
    while (!out.empty()) {
        if (next_ == sizeof buffer_) refill();
        const std::size_t n = std::min(out.size(), sizeof buffer_ - next_);
        std::memcpy(out.data(), buffer_ + next_, n);
        std::memset(buffer_ + next_, 0, n);  // handed out once, then forgotten
        next_ += n;
        out = out.subspan(n);
    }
}

}  // namespace kcpkit::crypt
