#include "kcpkit/crypt/detail/sm4.hpp"

#include <array>
#include <bit>

#include "kcpkit/base/byte_order.hpp"
#include "kcpkit/crypt/detail/cfb.hpp"

namespace kcpkit::crypt::detail {

namespace {

// The S-box from its algebraic form, S(x) = A·inv(A·x + C) + C in GF(2^8) modulo
// x^8+x^7+x^6+x^5+x^4+x^2+1, A the circulant matrix whose rows are 0xD3 rotated right,
// C = 0xD3 (Liu, Ji, Hu, Xu, Zhang, "Analysis of the SMS4 block cipher"): no 256-byte
// table to mistype. Spot-checked below; the tests compare whole ciphers with Crypto++.
constexpr std::uint8_t gf_mul(std::uint8_t a, std::uint8_t b) {
    unsigned r = 0, x = a;
    for (; b != 0; b = static_cast<std::uint8_t>(b >> 1)) {
        if (b & 1) r ^= x;
        x <<= 1;
        if (x & 0x100) x ^= 0x1F5;
    }
    return static_cast<std::uint8_t>(r);
}

constexpr std::uint8_t gf_inverse(std::uint8_t a) {  // a^254; 0 maps to 0
    std::uint8_t r = 1, p = a;
    for (int e = 254; e != 0; e >>= 1) {
        if (e & 1) r = gf_mul(r, p);
        p = gf_mul(p, p);
    }
    return r;
}

constexpr std::uint8_t affine(std::uint8_t x) {
    unsigned y = 0;
    for (int i = 0; i < 8; ++i) {
        const std::uint8_t row = std::rotr(std::uint8_t{0xD3}, i);
        y |= static_cast<unsigned>(std::popcount(static_cast<unsigned>(row & x)) & 1) << (7 - i);
    }
    return static_cast<std::uint8_t>(y ^ 0xD3);
}

struct Tables {
    std::uint8_t sbox[256];
    /// t[j][x] = L(S(x) placed in byte j, j = 0 the most significant): one round is
    /// four lookups and XORs. L commutes with rotation, so t[j] is t[0] rotated right 8j.
    std::uint32_t t[4][256];
};

constexpr Tables make_tables() {
    Tables tb{};
    for (unsigned x = 0; x < 256; ++x) {
        const std::uint8_t s = affine(gf_inverse(affine(static_cast<std::uint8_t>(x))));
        tb.sbox[x] = s;
        const std::uint32_t b = std::uint32_t{s} << 24;
        const std::uint32_t l =
            b ^ std::rotl(b, 2) ^ std::rotl(b, 10) ^ std::rotl(b, 18) ^ std::rotl(b, 24);
        for (int j = 0; j < 4; ++j) tb.t[j][x] = std::rotr(l, 8 * j);
    }
    return tb;
}

constexpr Tables kTables = make_tables();
static_assert(kTables.sbox[0x00] == 0xD6 && kTables.sbox[0x01] == 0x90 &&
              kTables.sbox[0xFF] == 0x48);

inline std::uint32_t load_be32(const std::uint8_t* p) {
    return byteswap(load_le32(p));
}
inline void store_be32(std::uint8_t* p, std::uint32_t v) {
    store_le32(p, byteswap(v));
}

inline std::uint32_t round_t(std::uint32_t a) {
    const auto& t = kTables.t;
    return (t[0][a >> 24] ^ t[1][(a >> 16) & 0xFF]) ^ (t[2][(a >> 8) & 0xFF] ^ t[3][a & 0xFF]);
}

/// x0..x3 in, the output words (in output order) out. X[i+4] = X[i] ^ T(a_i) with
/// a_i = X[i+1] ^ X[i+2] ^ X[i+3] ^ rk_i; the next a is computed from T's four lookups
/// directly, a_{i+1} = T(a_i) ^ (X[i] ^ X[i+2] ^ X[i+3] ^ rk_{i+1}), the bracket known
/// early, so the chain per round is lookups plus two XOR levels, not four.
inline void encrypt_words(const std::uint32_t* rk, std::uint32_t x[4]) {
    std::uint32_t w[36];
    for (int i = 0; i < 4; ++i) w[i] = x[i];
    std::uint32_t a = w[1] ^ w[2] ^ w[3] ^ rk[0];
#pragma GCC unroll 32
    for (int i = 0; i < 32; ++i) {
        const auto& t = kTables.t;
        const std::uint32_t lo = t[0][a >> 24] ^ t[3][a & 0xFF];  // the quicker indices
        const std::uint32_t hi = t[1][(a >> 16) & 0xFF] ^ t[2][(a >> 8) & 0xFF];
        w[i + 4] = (lo ^ w[i]) ^ hi;
        if (i < 31) a = (lo ^ (w[i] ^ w[i + 2] ^ w[i + 3] ^ rk[i + 1])) ^ hi;
    }
    x[0] = w[35];
    x[1] = w[34];
    x[2] = w[33];
    x[3] = w[32];
}

/// N independent blocks round by round, so their loads and XORs overlap.
template <int N>
inline void encrypt_words_n(const std::uint32_t* rk, std::uint32_t (*x)[4]) {
    for (int i = 0; i < 32; ++i) {
        const int a = i & 3;
        for (int n = 0; n < N; ++n) {
            std::uint32_t* w = x[n];
            w[a] ^= round_t(w[(a + 1) & 3] ^ w[(a + 2) & 3] ^ w[(a + 3) & 3] ^ rk[i]);
        }
    }
    for (int n = 0; n < N; ++n) {
        std::uint32_t* w = x[n];
        const std::uint32_t w0 = w[0], w1 = w[1];
        w[0] = w[3];
        w[1] = w[2];
        w[2] = w1;
        w[3] = w0;
    }
}

/// data[16*index ..] ^= the keystream block (the packet's last block may be short).
inline void xor_keystream(std::uint8_t* data, std::size_t len, std::size_t index,
                          const std::uint32_t* ks) {
    std::uint8_t* p = data + 16 * index;
    const std::size_t left = len - 16 * index;
    if (left >= 16) {
        for (int i = 0; i < 4; ++i) store_be32(p + 4 * i, load_be32(p + 4 * i) ^ ks[i]);
        return;
    }
    std::uint8_t bytes[16];
    for (int i = 0; i < 4; ++i) store_be32(bytes + 4 * i, ks[i]);
    for (std::size_t i = 0; i < left; ++i) p[i] ^= bytes[i];
}

}  // namespace

Sm4Cfb::Sm4Cfb(std::span<const std::uint8_t, 16> key) {
    constexpr std::uint32_t fk[4] = {0xA3B1BAC6, 0x56AA3350, 0x677D9197, 0xB27022DC};
    std::uint32_t k[4];
    for (int i = 0; i < 4; ++i) k[i] = load_be32(key.data() + 4 * i) ^ fk[i];
    for (int i = 0; i < 32; ++i) {
        std::uint32_t ck = 0;  // byte j of CK_i is (4i + j) * 7 mod 256
        for (int j = 0; j < 4; ++j) ck = ck << 8 | (((4 * i + j) * 7) & 0xFF);
        const std::uint32_t a = k[(i + 1) & 3] ^ k[(i + 2) & 3] ^ k[(i + 3) & 3] ^ ck;
        std::uint32_t b = 0;
        for (int j = 0; j < 4; ++j)
            b |= std::uint32_t{kTables.sbox[(a >> (8 * j)) & 0xFF]} << (8 * j);
        k[i & 3] ^= b ^ std::rotl(b, 13) ^ std::rotl(b, 23);
        rk_[i] = k[i & 3];
    }
    std::uint32_t iv[4];
    for (int i = 0; i < 4; ++i) iv[i] = load_be32(kCfbIv + 4 * i);
    encrypt_words(rk_, iv);
    for (int i = 0; i < 4; ++i) first_keystream_[i] = iv[i];
}

void Sm4Cfb::encrypt_block(const std::uint8_t* in, std::uint8_t* out) const {
    std::uint32_t x[4];
    for (int i = 0; i < 4; ++i) x[i] = load_be32(in + 4 * i);
    encrypt_words(rk_, x);
    for (int i = 0; i < 4; ++i) store_be32(out + 4 * i, x[i]);
}

void Sm4Cfb::cfb_encrypt(std::uint8_t* data, std::size_t len) const {
    std::uint32_t ks[4];
    for (int i = 0; i < 4; ++i) ks[i] = first_keystream_[i];
    for (; len >= 16; len -= 16, data += 16) {
        for (int i = 0; i < 4; ++i) {
            ks[i] ^= load_be32(data + 4 * i);  // now the ciphertext word
            store_be32(data + 4 * i, ks[i]);
        }
        if (len > 16) encrypt_words(rk_, ks);
    }
    std::uint8_t tail[16];
    for (int i = 0; i < 4; ++i) store_be32(tail + 4 * i, ks[i]);
    for (std::size_t i = 0; i < len; ++i) data[i] ^= tail[i];
}

void Sm4Cfb::cfb_decrypt(std::uint8_t* data, std::size_t len) const {
    // Keystream block i = E(ciphertext block i-1), E(IV) for block 0. Going from the last
    // group to the first, a group's inputs are still ciphertext when it reads them, so no
    // copy is needed.
    const std::size_t blocks = (len + 15) / 16;
    if (blocks == 0) return;
    const auto run = [&]<int N>(std::size_t first) {  // blocks first .. first+N-1, first >= 1
        std::uint32_t x[N][4];
        for (int n = 0; n < N; ++n)
            for (int i = 0; i < 4; ++i) x[n][i] = load_be32(data + (first + n - 1) * 16 + 4 * i);
        encrypt_words_n<N>(rk_, x);
        for (int n = 0; n < N; ++n) xor_keystream(data, len, first + n, x[n]);
    };
    constexpr std::size_t kGroup = 8;
    std::size_t end = blocks;
    for (std::size_t rest = (blocks - 1) % kGroup; rest > 0; --rest) run.operator()<1>(--end);
    for (; end > 1; end -= kGroup) run.operator()<kGroup>(end - kGroup);
    xor_keystream(data, len, 0, first_keystream_);
}

}  // namespace kcpkit::crypt::detail
