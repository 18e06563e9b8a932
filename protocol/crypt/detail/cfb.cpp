#include "kcpkit/crypt/detail/cfb.hpp"

#include <cryptopp/cryptlib.h>

#include <algorithm>
#include <cstring>

namespace kcpkit::crypt::detail {

namespace {

template <std::size_t B>
inline void xor_into(std::uint8_t* dst, const std::uint8_t* key) {
    for (std::size_t i = 0; i < B; ++i) dst[i] ^= key[i];
}

template <std::size_t B>
void encrypt_b(const CryptoPP::BlockTransformation& cipher, const std::uint8_t* first,
               std::uint8_t* data, std::size_t len) {
    std::uint8_t keystream[B];
    std::memcpy(keystream, first, B);
    std::size_t full = len / B;
    const std::size_t tail = len % B;
    for (; full > 0; --full) {
        xor_into<B>(data, keystream);
        // The next keystream block is only needed if something follows.
        if (full > 1 || tail > 0) cipher.ProcessBlock(data, keystream);
        data += B;
    }
    for (std::size_t i = 0; i < tail; ++i) data[i] ^= keystream[i];
}

template <std::size_t B>
void decrypt_b(const CryptoPP::BlockTransformation& cipher, std::uint8_t* data, std::size_t len) {
    constexpr std::size_t kChunkBlocks = 32;
    std::uint8_t inputs[kChunkBlocks * B];
    std::uint8_t previous[B];  // the ciphertext block before the chunk (the IV at first)
    std::memcpy(previous, kCfbIv, B);
    std::size_t full = len / B;
    while (full > 0) {
        const std::size_t n = std::min(full, kChunkBlocks);
        // Keystream block i = E(ciphertext block i-1): copy the inputs out before the
        // chunk is overwritten with plaintext.
        std::memcpy(inputs, previous, B);
        std::memcpy(inputs + B, data, (n - 1) * B);
        std::memcpy(previous, data + (n - 1) * B, B);
        cipher.AdvancedProcessBlocks(inputs, data, data, n * B,
                                     CryptoPP::BlockTransformation::BT_AllowParallel);
        data += n * B;
        full -= n;
    }
    const std::size_t tail = len % B;
    if (tail > 0) {
        std::uint8_t keystream[B];
        cipher.ProcessBlock(previous, keystream);
        for (std::size_t i = 0; i < tail; ++i) data[i] ^= keystream[i];
    }
}

}  // namespace

void cfb_encrypt_generic(const CryptoPP::BlockTransformation& cipher,
                         const std::uint8_t* first_keystream, std::uint8_t* data, std::size_t len) {
    if (cipher.BlockSize() == 8)
        encrypt_b<8>(cipher, first_keystream, data, len);
    else
        encrypt_b<16>(cipher, first_keystream, data, len);
}

void cfb_decrypt_generic(const CryptoPP::BlockTransformation& cipher, std::uint8_t* data,
                         std::size_t len) {
    if (cipher.BlockSize() == 8)
        decrypt_b<8>(cipher, data, len);
    else
        decrypt_b<16>(cipher, data, len);
}

}  // namespace kcpkit::crypt::detail
