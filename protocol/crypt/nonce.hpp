// Nonce generators for PacketCrypt::seal. The core reads no randomness of its own: the
// caller seeds a generator (from getrandom(), std::random_device, a test seed...) and
// passes it to seal().
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "kcpkit/crypt/crypt.hpp"
#include "kcpkit/crypt/detail/aes.hpp"

namespace kcpkit::crypt {

/// A fast CSPRNG for nonces: AES-256 in counter mode with "fast key erasure". Each refill
/// encrypts the counters 0..63 under the current key; the first 32 output bytes become the
/// next key and the other 992 are handed out, so earlier output cannot be recomputed from
/// the object's state. About 20 cycles per 16-byte nonce with AES-NI; no allocation after
/// construction.
///
/// Seeding: 32 bytes the caller got from a real entropy source. Two generators given the
/// same seed produce the same stream (which tests use); in production seed each one
/// independently. reseed() may be called at any time (it replaces the key; it does not mix).
/// Not thread-safe: one generator per thread, or a lock.
class AesCtrNonceSource final : public NonceSource {
  public:
    static constexpr std::size_t kSeedSize = 32;

    explicit AesCtrNonceSource(std::span<const std::uint8_t, kSeedSize> seed);
    void reseed(std::span<const std::uint8_t, kSeedSize> seed);
    void fill(std::span<std::uint8_t> out) override;

  private:
    static constexpr std::size_t kBlocks = 64;
    void refill();
    detail::AesEngine engine_;
    alignas(16) std::uint8_t buffer_[kBlocks * 16] = {};
    std::size_t next_ = sizeof buffer_;  // first unused byte of buffer_
};

}  // namespace kcpkit::crypt
