// kcp-go's CFB over any Crypto++ block cipher (8- or 16-byte blocks). Internal to protocol/.
//
// The mode (docs/crypt.md, "kcp-go's CFB"): full-block feedback, a fixed IV, applied to
// the whole buffer; the bytes after the last full block are XORed with the leading bytes of
// the next keystream block. Only the cipher's encryption direction is used.
#pragma once

#include <cstddef>
#include <cstdint>

namespace CryptoPP {
class BlockTransformation;
}

namespace kcpkit::crypt::detail {

/// The fixed IV; 8-byte block ciphers use its first 8 bytes.
inline constexpr std::uint8_t kCfbIv[16] = {0xa7, 0x73, 0x4f, 0x9c, 0x12, 0xac, 0x1b, 0x01,
                                            0xa4, 0x15, 0xf2, 0xc1, 0xfc, 0x78, 0xe6, 0x6b};

/// In place. `cipher` is an encryption-direction transformation with block size 8 or 16;
/// `first_keystream` = E_K(IV) (block-size bytes), precomputed by the caller.
void cfb_encrypt_generic(const CryptoPP::BlockTransformation& cipher,
                         const std::uint8_t* first_keystream, std::uint8_t* data, std::size_t len);

/// In place. Every keystream block of a packet is known up front (it is E of the previous
/// ciphertext block), so the blocks go to Crypto++ in chunks it can process in parallel.
void cfb_decrypt_generic(const CryptoPP::BlockTransformation& cipher, std::uint8_t* data,
                         std::size_t len);

}  // namespace kcpkit::crypt::detail
