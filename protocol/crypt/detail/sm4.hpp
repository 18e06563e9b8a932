// SM4 (GB/T 32907) in kcp-go's CFB (docs/crypt.md). Internal to protocol/.
//
// Our own table-driven code, portable C++. CFB encryption is a serial chain, so a packet
// costs 1 block latency per 16 bytes: each round is four loads from tables that fold the
// S-box into the linear transform, plus XORs. CFB decryption knows every keystream input up
// front and runs several blocks side by side. Crypto++'s SM4 is the reference in tests.
// The round keys are computed once per key; operations are const and keep no state in the
// object, so one object may serve several threads. Nothing is allocated per call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace kcpkit::crypt::detail {

class Sm4Cfb {
  public:
    explicit Sm4Cfb(std::span<const std::uint8_t, 16> key);

    /// One block, encryption direction (the only one CFB needs); `in` may equal `out`.
    void encrypt_block(const std::uint8_t* in, std::uint8_t* out) const;
    /// In place, any length.
    void cfb_encrypt(std::uint8_t* data, std::size_t len) const;
    void cfb_decrypt(std::uint8_t* data, std::size_t len) const;

  private:
    std::uint32_t rk_[32] = {};
    std::uint32_t first_keystream_[4] = {};  ///< E(IV) as big-endian words
};

}  // namespace kcpkit::crypt::detail
