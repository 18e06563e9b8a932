#include "kcpkit/crypt/detail/tea.hpp"

#include <cstring>

#include "kcpkit/base/byte_order.hpp"
#include "kcpkit/crypt/detail/cfb.hpp"

#if defined(__x86_64__) && defined(__GNUC__)
#define KCPKIT_TEA_X86 1
#else
#define KCPKIT_TEA_X86 0
#endif

namespace kcpkit::crypt::detail {

namespace {

using Variant = TeaCfb::Variant;
using Schedule = TeaCfb::Schedule;

constexpr std::uint32_t kDelta = 0x9E3779B9;

inline std::uint32_t load_be32(const std::uint8_t* p) {
    return byteswap(load_le32(p));
}
inline void store_be32(std::uint8_t* p, std::uint32_t v) {
    store_le32(p, byteswap(v));
}

// The rounds, for W = one word or a vector of words (GCC vector extensions: one block per
// lane, scalars broadcast). By reference, so no vector crosses a call boundary.
template <Variant V, typename W>
[[gnu::always_inline]] inline void encrypt_words(const Schedule& s, W& v0, W& v1) {
    if constexpr (V == Variant::tea16) {
        const std::uint32_t k0 = s.key[0], k1 = s.key[1], k2 = s.key[2], k3 = s.key[3];
        std::uint32_t sum = 0;
#pragma GCC unroll 8
        for (int i = 0; i < 8; ++i) {
            sum += kDelta;
            v0 += ((v1 << 4) + k0) ^ (v1 + sum) ^ ((v1 >> 5) + k1);
            v1 += ((v0 << 4) + k2) ^ (v0 + sum) ^ ((v0 >> 5) + k3);
        }
    } else {
#pragma GCC unroll 64
        for (int i = 0; i < 64; i += 2) {
            v0 += (((v1 << 4) ^ (v1 >> 5)) + v1) ^ s.xtea[i];
            v1 += (((v0 << 4) ^ (v0 >> 5)) + v0) ^ s.xtea[i + 1];
        }
    }
}

/// G vectors of blocks side by side: one vector's round is a serial chain of about five
/// operations, so interleaving keeps the vector units busy.
template <Variant V, typename Vec, int G>
[[gnu::always_inline]] inline void encrypt_vectors(const Schedule& s, Vec* v0, Vec* v1) {
    if constexpr (V == Variant::tea16) {
        std::uint32_t sum = 0;
        for (int i = 0; i < 8; ++i) {
            sum += kDelta;
            for (int g = 0; g < G; ++g)
                v0[g] += ((v1[g] << 4) + s.key[0]) ^ (v1[g] + sum) ^ ((v1[g] >> 5) + s.key[1]);
            for (int g = 0; g < G; ++g)
                v1[g] += ((v0[g] << 4) + s.key[2]) ^ (v0[g] + sum) ^ ((v0[g] >> 5) + s.key[3]);
        }
    } else {
        for (int i = 0; i < 64; i += 2) {
            for (int g = 0; g < G; ++g)
                v0[g] += (((v1[g] << 4) ^ (v1[g] >> 5)) + v1[g]) ^ s.xtea[i];
            for (int g = 0; g < G; ++g)
                v1[g] += (((v0[g] << 4) ^ (v0[g] >> 5)) + v0[g]) ^ s.xtea[i + 1];
        }
    }
}

/// data[8*index ..] ^= the keystream block (the packet's last block may be short).
inline void xor_keystream(std::uint8_t* data, std::size_t len, std::size_t index, std::uint32_t k0,
                          std::uint32_t k1) {
    std::uint8_t* p = data + 8 * index;
    const std::size_t left = len - 8 * index;
    if (left >= 8) {
        store_be32(p, load_be32(p) ^ k0);
        store_be32(p + 4, load_be32(p + 4) ^ k1);
        return;
    }
    std::uint8_t bytes[8];
    store_be32(bytes, k0);
    store_be32(bytes + 4, k1);
    for (std::size_t i = 0; i < left; ++i) p[i] ^= bytes[i];
}

/// Keystream for blocks first .. first+n-1 (first >= 1, n <= lanes * G): block i's is E of
/// ciphertext block i-1, which the caller has not overwritten yet.
template <Variant V, typename Vec, int G>
[[gnu::always_inline]] inline void decrypt_chunk(const Schedule& s, std::uint8_t* data,
                                                 std::size_t len, std::size_t first,
                                                 std::size_t n) {
    constexpr std::size_t kLanes = sizeof(Vec) / 4;
    alignas(32) std::uint32_t a[G * kLanes] = {}, b[G * kLanes] = {};
    for (std::size_t i = 0; i < n; ++i) {
        a[i] = load_be32(data + 8 * (first + i - 1));
        b[i] = load_be32(data + 8 * (first + i - 1) + 4);
    }
    Vec v0[G], v1[G];
    std::memcpy(v0, a, sizeof v0);
    std::memcpy(v1, b, sizeof v1);
    encrypt_vectors<V, Vec, G>(s, v0, v1);
    std::memcpy(a, v0, sizeof v0);
    std::memcpy(b, v1, sizeof v1);
    for (std::size_t i = 0; i < n; ++i) xor_keystream(data, len, first + i, a[i], b[i]);
}

/// Blocks 1.. in chunks from the last to the first, so each chunk still finds its inputs
/// as ciphertext; block 0's keystream is E(IV), precomputed.
template <Variant V, typename Vec>
[[gnu::always_inline]] inline void decrypt_with(const Schedule& s, const std::uint32_t* first_ks,
                                                std::uint8_t* data, std::size_t len) {
    constexpr std::size_t kLanes = sizeof(Vec) / 4, kMaxGroups = 4, kChunk = kLanes * kMaxGroups;
    const std::size_t blocks = (len + 7) / 8;
    if (blocks == 0) return;
    std::size_t end = blocks;
    if (const std::size_t rest = (blocks - 1) % kChunk; rest > 0) {
        end -= rest;
        switch ((rest + kLanes - 1) / kLanes) {
            case 1:
                decrypt_chunk<V, Vec, 1>(s, data, len, end, rest);
                break;
            case 2:
                decrypt_chunk<V, Vec, 2>(s, data, len, end, rest);
                break;
            case 3:
                decrypt_chunk<V, Vec, 3>(s, data, len, end, rest);
                break;
            default:
                decrypt_chunk<V, Vec, 4>(s, data, len, end, rest);
                break;
        }
    }
    for (; end > 1; end -= kChunk)
        decrypt_chunk<V, Vec, kMaxGroups>(s, data, len, end - kChunk, kChunk);
    xor_keystream(data, len, 0, first_ks[0], first_ks[1]);
}

using Vec4 = std::uint32_t __attribute__((vector_size(16)));

template <Variant V>
void decrypt_4lanes(const Schedule& s, const std::uint32_t* first_ks, std::uint8_t* data,
                    std::size_t len) {
    decrypt_with<V, Vec4>(s, first_ks, data, len);
}

#if KCPKIT_TEA_X86
using Vec8 = std::uint32_t __attribute__((vector_size(32)));

template <Variant V>
[[gnu::target("avx2")]] void decrypt_avx2(const Schedule& s, const std::uint32_t* first_ks,
                                          std::uint8_t* data, std::size_t len) {
    decrypt_with<V, Vec8>(s, first_ks, data, len);
}
#endif

template <Variant V>
void cfb_encrypt_with(const Schedule& s, const std::uint32_t* first_ks, std::uint8_t* data,
                      std::size_t len) {
    std::uint32_t k0 = first_ks[0], k1 = first_ks[1];
    for (; len >= 8; len -= 8, data += 8) {
        k0 ^= load_be32(data);  // now the ciphertext words
        k1 ^= load_be32(data + 4);
        store_be32(data, k0);
        store_be32(data + 4, k1);
        if (len > 8) encrypt_words<V>(s, k0, k1);
    }
    xor_keystream(data, len, 0, k0, k1);
}

}  // namespace

TeaCfb::TeaCfb(Variant variant, std::span<const std::uint8_t, 16> key, bool allow_avx2)
    : variant_(variant) {
#if KCPKIT_TEA_X86
    if (allow_avx2) {
        __builtin_cpu_init();
        avx2_ = __builtin_cpu_supports("avx2");
    }
#else
    (void)allow_avx2;
#endif
    for (int i = 0; i < 4; ++i) schedule_.key[i] = load_be32(key.data() + 4 * i);
    std::uint32_t sum = 0;
    for (int i = 0; i < 64; i += 2) {
        schedule_.xtea[i] = sum + schedule_.key[sum & 3];
        sum += kDelta;
        schedule_.xtea[i + 1] = sum + schedule_.key[(sum >> 11) & 3];
    }
    std::uint8_t ks[8];
    encrypt_block(kCfbIv, ks);
    first_keystream_[0] = load_be32(ks);
    first_keystream_[1] = load_be32(ks + 4);
}

void TeaCfb::encrypt_block(const std::uint8_t* in, std::uint8_t* out) const {
    std::uint32_t v0 = load_be32(in), v1 = load_be32(in + 4);
    if (variant_ == Variant::tea16)
        encrypt_words<Variant::tea16>(schedule_, v0, v1);
    else
        encrypt_words<Variant::xtea>(schedule_, v0, v1);
    store_be32(out, v0);
    store_be32(out + 4, v1);
}

void TeaCfb::cfb_encrypt(std::uint8_t* data, std::size_t len) const {
    if (variant_ == Variant::tea16)
        cfb_encrypt_with<Variant::tea16>(schedule_, first_keystream_, data, len);
    else
        cfb_encrypt_with<Variant::xtea>(schedule_, first_keystream_, data, len);
}

void TeaCfb::cfb_decrypt(std::uint8_t* data, std::size_t len) const {
#if KCPKIT_TEA_X86
    if (avx2_) {
        if (variant_ == Variant::tea16)
            decrypt_avx2<Variant::tea16>(schedule_, first_keystream_, data, len);
        else
            decrypt_avx2<Variant::xtea>(schedule_, first_keystream_, data, len);
        return;
    }
#endif
    if (variant_ == Variant::tea16)
        decrypt_4lanes<Variant::tea16>(schedule_, first_keystream_, data, len);
    else
        decrypt_4lanes<Variant::xtea>(schedule_, first_keystream_, data, len);
}

}  // namespace kcpkit::crypt::detail
