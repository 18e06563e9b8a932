// TEA (16 rounds = 8 cycles, as kcp-go keys x/crypto's TEA) and XTEA (64 rounds) in kcp-go's
// CFB (docs/crypt.md). Internal to protocol/. Both read the 8-byte block
// and the key as big-endian 32-bit words.
//
// Our own code. CFB encryption is a serial chain, so it runs one block at a time with the
// words in registers and no call per block; XTEA's per-round key words are precomputed.
// Decryption knows every keystream input up front: the same rounds run on many blocks at
// once, one block per 32-bit vector lane (AVX2, 8 lanes, where the CPU has it; else SSE2 or
// the compiler's generic vectors, 4 lanes), up to four vectors interleaved. Crypto++'s TEA
// and XTEA are the reference in tests. Operations are const and keep no state in the
// object, so one object may serve several threads. Nothing is allocated per call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace kcpkit::crypt::detail {

class TeaCfb {
  public:
    enum class Variant { tea16, xtea };
    /// `allow_avx2` false keeps decryption on the 4-lane vectors (tests compare both).
    TeaCfb(Variant variant, std::span<const std::uint8_t, 16> key, bool allow_avx2 = true);

    Variant variant() const { return variant_; }
    bool uses_avx2() const { return avx2_; }

    /// One block, encryption direction (the only one CFB needs); `in` may equal `out`.
    void encrypt_block(const std::uint8_t* in, std::uint8_t* out) const;
    /// In place, any length.
    void cfb_encrypt(std::uint8_t* data, std::size_t len) const;
    void cfb_decrypt(std::uint8_t* data, std::size_t len) const;

    /// What a round adds besides the data words: TEA's key words and running sums, or
    /// XTEA's sum + key word for each of its 64 rounds.
    struct Schedule {
        std::uint32_t key[4];
        std::uint32_t xtea[64];
    };

  private:
    Variant variant_;
    bool avx2_ = false;
    Schedule schedule_{};
    std::uint32_t first_keystream_[2] = {};  ///< E(IV) as big-endian words
};

}  // namespace kcpkit::crypt::detail
