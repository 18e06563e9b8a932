// Salsa20/20 keystream XOR, as kcp-go's "salsa20" cipher uses it (32-byte key, 8-byte nonce,
// 64-bit block counter from 0). Internal to protocol/.
//
// Salsa20 blocks are independent, so on x86 our own code computes many at once, one vector
// register per state word and one 32-bit lane per block: 16 blocks per step on AVX-512, 8 on
// AVX2 (whose last up to 6 blocks use a latency-bound kernel with a 128-bit lane per block,
// quicker for so few). Crypto++'s Salsa20 (SSE2) ran at kcp-go's speed; it remains the portable
// path. The vector paths keep no state in the object, so one object may serve several threads
// there; the portable path keeps stream state and needs one object per thread. Nothing is allocated
// per call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace kcpkit::crypt::detail {

bool have_avx2_salsa20();
bool have_avx512_salsa20();

class Salsa20Xor {
  public:
    /// From slowest to fastest; the constructor takes the fastest the CPU has, up to the
    /// one given.
    enum class Path { portable, avx2, avx512 };

    /// `key` exactly 32 bytes. `allowed` caps the path (tests compare them all).
    explicit Salsa20Xor(std::span<const std::uint8_t, 32> key, Path allowed = Path::avx512);
    ~Salsa20Xor();
    Salsa20Xor(const Salsa20Xor&) = delete;
    Salsa20Xor& operator=(const Salsa20Xor&) = delete;

    Path path() const { return path_; }
    bool accelerated() const { return path_ != Path::portable; }

    /// data[i] ^= keystream(nonce)[i] for i < len, keystream from block counter 0.
    void apply(const std::uint8_t* nonce8, std::uint8_t* data, std::size_t len);

  private:
    std::uint32_t key_words_[8] = {};
    Path path_ = Path::portable;
    struct Portable;
    std::unique_ptr<Portable> portable_;
};

}  // namespace kcpkit::crypt::detail
