// Salsa20/20 keystream XOR, as kcp-go's "salsa20" cipher uses it (32-byte key, 8-byte nonce,
// 64-bit block counter from 0). Internal to protocol/.
//
// On AVX-512 CPUs our own code computes 16 blocks at once (one zmm register per state word,
// one lane per block); elsewhere Crypto++'s Salsa20 does the work. Const operations keep no
// state, so one object may serve several threads on the AVX-512 path; the portable path
// keeps stream state and needs one object per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace kcpkit::crypt::detail {

bool have_avx512_salsa20();

class Salsa20Xor {
  public:
    /// `key` exactly 32 bytes. `force_portable` selects Crypto++ (tests compare the two).
    explicit Salsa20Xor(std::span<const std::uint8_t, 32> key, bool force_portable = false);
    ~Salsa20Xor();
    Salsa20Xor(const Salsa20Xor&) = delete;
    Salsa20Xor& operator=(const Salsa20Xor&) = delete;

    bool accelerated() const { return wide_; }

    /// data[i] ^= keystream(nonce)[i] for i < len, keystream from block counter 0.
    void apply(const std::uint8_t* nonce8, std::uint8_t* data, std::size_t len);

  private:
    std::uint32_t key_words_[8] = {};
    bool wide_ = false;
    struct Portable;
    std::unique_ptr<Portable> portable_;
};

}  // namespace kcpkit::crypt::detail
