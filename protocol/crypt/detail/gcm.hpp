// AES-GCM (NIST SP 800-38D) with a 12-byte nonce, a 16-byte tag and no additional data:
// exactly what kcp-go's NewAESGCMCrypt wraps. Internal to protocol/; PacketCrypt uses it.
//
// On x86 it runs our own code, the widest the CPU allows: VAES + VPCLMULQDQ on 512-bit
// (AVX-512) or 256-bit (AVX2) registers, 16 blocks per GHASH reduction; else AES-NI and
// PCLMULQDQ, counter-mode AES eight blocks at a time, eight blocks per reduction.
// Elsewhere it uses Crypto++'s GCM. Either way nothing is allocated per call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "kcpkit/crypt/detail/aes.hpp"

namespace kcpkit::crypt::detail {

bool have_aesni_pclmul();
/// AVX2 with VAES and VPCLMULQDQ (two blocks per instruction, 16 per step).
bool have_vaes_avx2();
/// AVX-512 with VAES and VPCLMULQDQ (four blocks per instruction, 16 per step).
bool have_vaes_avx512();

class AesGcm {
  public:
    static constexpr std::size_t kNonceSize = 12;
    static constexpr std::size_t kTagSize = 16;

    /// `key` is 16, 24 or 32 bytes. `force_portable` selects Crypto++ (for tests).
    explicit AesGcm(std::span<const std::uint8_t> key, bool force_portable = false);
    ~AesGcm();
    AesGcm(const AesGcm&) = delete;
    AesGcm& operator=(const AesGcm&) = delete;

    /// From slowest to fastest; the constructor takes the fastest the CPU has, up to the
    /// one given.
    enum class Path { portable, aesni, vaes_avx2, vaes_avx512 };
    /// `force` caps the path below what the CPU allows (tests compare them).
    AesGcm(std::span<const std::uint8_t> key, Path force);
    Path path() const { return path_; }
    bool accelerated() const { return path_ != Path::portable; }

    /// Encrypts data[0, len) in place and writes the tag.
    void seal(const std::uint8_t* nonce, std::uint8_t* data, std::size_t len, std::uint8_t* tag);
    /// Checks the tag and decrypts in place; false (data then unspecified) if it fails.
    bool open(const std::uint8_t* nonce, std::uint8_t* data, std::size_t len,
              const std::uint8_t* tag);

  private:
    void init(std::span<const std::uint8_t> key, Path allowed);
    AesEngine aes_;
    Path path_ = Path::portable;
    /// H^1..H^8 times x^-1, in the bit-reflected representation the multiply uses.
    alignas(16) std::uint8_t powers_[8][16] = {};
    /// For the VAES paths: H^16..H^1 (times x^-1) in block order, then 16 zero entries.
    alignas(64) std::uint8_t wide_powers_[32][16] = {};
    /// For the AVX2 VAES path: each of those powers' two 64-bit halves XORed (low qword).
    alignas(64) std::uint8_t wide_power_halves_[32][16] = {};
    /// For the VAES paths: each round key repeated four times (the AVX2 path reads two).
    alignas(64) std::uint8_t wide_keys_[15][64] = {};
    struct Portable;
    std::unique_ptr<Portable> portable_;
};

}  // namespace kcpkit::crypt::detail
