#include "kcpkit/crypt/detail/aes.hpp"

#include <cryptopp/aes.h>

#include <array>
#include <cstring>
#include <utility>

#include "kcpkit/crypt/detail/cfb.hpp"

#include "kcpkit/crypt/detail/aesni.hpp"

namespace kcpkit::crypt::detail {

// ----- key expansion (FIPS-197 section 5.2), portable --------------------------------------

namespace {

constexpr std::uint8_t gf_mul(std::uint8_t a, std::uint8_t b) {
    std::uint8_t product = 0;
    while (b != 0) {
        if (b & 1u) product = static_cast<std::uint8_t>(product ^ a);
        const bool carry = (a & 0x80u) != 0;
        a = static_cast<std::uint8_t>(a << 1);
        if (carry) a = static_cast<std::uint8_t>(a ^ 0x1Bu);  // x^8 = x^4 + x^3 + x + 1
        b = static_cast<std::uint8_t>(b >> 1);
    }
    return product;
}

constexpr std::uint8_t gf_inverse(std::uint8_t a) {
    // a^254 = a^-1 in GF(2^8); 0 maps to 0.
    std::uint8_t result = 1;
    std::uint8_t power = a;
    for (unsigned e = 254; e != 0; e >>= 1) {
        if (e & 1u) result = gf_mul(result, power);
        power = gf_mul(power, power);
    }
    return a == 0 ? 0 : result;
}

constexpr std::uint8_t rotl8(std::uint8_t v, unsigned n) {
    return static_cast<std::uint8_t>((v << n) | (v >> (8 - n)));
}

constexpr std::array<std::uint8_t, 256> make_sbox() {
    std::array<std::uint8_t, 256> box{};
    for (unsigned i = 0; i < 256; ++i) {
        const std::uint8_t inv = gf_inverse(static_cast<std::uint8_t>(i));
        box[i] = static_cast<std::uint8_t>(inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^
                                           rotl8(inv, 4) ^ 0x63u);
    }
    return box;
}

constexpr std::array<std::uint8_t, 256> kSbox = make_sbox();
static_assert(kSbox[0x00] == 0x63 && kSbox[0x01] == 0x7c && kSbox[0x53] == 0xed);

}  // namespace

void aes_expand_key(AesSchedule& schedule, std::span<const std::uint8_t> key) {
    const std::size_t nk = key.size() / 4;  // 4, 6 or 8 words
    const std::size_t rounds = nk + 6;
    const std::size_t words = 4 * (rounds + 1);
    std::uint8_t w[60][4];
    for (std::size_t i = 0; i < nk; ++i) std::memcpy(w[i], key.data() + 4 * i, 4);
    std::uint8_t rcon = 1;
    for (std::size_t i = nk; i < words; ++i) {
        std::uint8_t t[4];
        std::memcpy(t, w[i - 1], 4);
        if (i % nk == 0) {
            const std::uint8_t first = t[0];
            t[0] = static_cast<std::uint8_t>(kSbox[t[1]] ^ rcon);
            t[1] = kSbox[t[2]];
            t[2] = kSbox[t[3]];
            t[3] = kSbox[first];
            rcon = gf_mul(rcon, 2);
        } else if (nk > 6 && i % nk == 4) {
            for (auto& b : t) b = kSbox[b];
        }
        for (int j = 0; j < 4; ++j) w[i][j] = static_cast<std::uint8_t>(w[i - nk][j] ^ t[j]);
    }
    for (std::size_t r = 0; r <= rounds; ++r)
        for (std::size_t c = 0; c < 4; ++c)
            std::memcpy(&schedule.round_key[r][4 * c], w[4 * r + c], 4);
    schedule.rounds = static_cast<int>(rounds);
}

// ----- AES-NI kernels --------------------------------------------------------------------

#if KCPKIT_AES_X86

namespace {

using namespace aesni;

#pragma GCC push_options
#pragma GCC target("sse4.1,aes,pclmul")  // the same as aesni.hpp, so its helpers inline

template <int Nr>
void ecb_kernel(const AesSchedule& s, const std::uint8_t* in, std::uint8_t* out,
                std::size_t blocks) {
    const Keys<Nr> rk(s);
    while (blocks >= 8) {
        __m128i x[8];
#pragma GCC unroll 16
        for (int i = 0; i < 8; ++i) x[i] = load(in + 16 * i);
        encrypt_n<Nr, 8>(rk, x);
#pragma GCC unroll 16
        for (int i = 0; i < 8; ++i) store(out + 16 * i, x[i]);
        in += 128;
        out += 128;
        blocks -= 8;
    }
    for (; blocks > 0; --blocks, in += 16, out += 16) store(out, encrypt1<Nr>(rk, load(in)));
}

// CFB encryption is a chain: each block's input is the previous ciphertext block. To keep
// one XOR off that chain, the keystream is carried as keystream ^ K0 (K0 = the first round
// key): the last round uses K_last ^ K0, and plaintext ^ (keystream ^ K0) is directly the
// state after the first AddRoundKey of the next block. The stored ciphertext gets K0 back
// off the critical path.

/// E(x ^ K0) ^ K0, given x ^ K0 ("pre-whitened" in and out).
template <int Nr>
inline __m128i encrypt_prewhitened(const Keys<Nr>& rk, __m128i last_key, __m128i x) {
#pragma GCC unroll 16
    for (int r = 1; r < Nr; ++r) x = _mm_aesenc_si128(x, rk.k[r]);
    return _mm_aesenclast_si128(x, last_key);
}

template <int Nr>
void cfb_encrypt_kernel(const AesSchedule& s, const std::uint8_t* first, std::uint8_t* p,
                        std::size_t len) {
    const Keys<Nr> rk(s);
    const __m128i k0 = rk.k[0];
    const __m128i last_key = _mm_xor_si128(rk.k[Nr], k0);
    __m128i keystream = _mm_xor_si128(load(first), k0);  // keystream ^ K0
    while (len >= 16) {
        const __m128i state = _mm_xor_si128(load(p), keystream);  // ciphertext ^ K0
        store(p, _mm_xor_si128(state, k0));
        p += 16;
        len -= 16;
        if (len == 0) return;
        keystream = encrypt_prewhitened<Nr>(rk, last_key, state);
    }
    xor_tail(p, len, _mm_xor_si128(keystream, k0));
}

template <int Nr>
void cfb_decrypt_kernel(const AesSchedule& s, const std::uint8_t* first, std::uint8_t* p,
                        std::size_t len) {
    const Keys<Nr> rk(s);
    __m128i keystream = load(first);  // for the block at p
    // Keystream block i+1 = E(ciphertext block i): eight blocks in flight at a time.
    while (len >= 128) {
        __m128i c[8], k[8];
#pragma GCC unroll 16
        for (int i = 0; i < 8; ++i) k[i] = c[i] = load(p + 16 * i);
        encrypt_n<Nr, 8>(rk, k);
        store(p, _mm_xor_si128(c[0], keystream));
#pragma GCC unroll 16
        for (int i = 1; i < 8; ++i) store(p + 16 * i, _mm_xor_si128(c[i], k[i - 1]));
        keystream = k[7];
        p += 128;
        len -= 128;
    }
    if (len == 0) return;
    // At most seven full blocks and a tail are left: their keystream needs E of up to seven
    // ciphertext blocks, done as one parallel batch.
    const std::size_t full = len / 16;
    const std::size_t tail = len % 16;
    __m128i c[8], k[8];
#pragma GCC unroll 16
    for (std::size_t i = 0; i < 8; ++i)
        k[i] = c[i] = i < full ? load(p + 16 * i) : _mm_setzero_si128();
    encrypt_n<Nr, 8>(rk, k);
#pragma GCC unroll 16
    for (std::size_t i = 0; i < full; ++i) {
        store(p, _mm_xor_si128(c[i], keystream));
        keystream = k[i];
        p += 16;
    }
    xor_tail(p, tail, keystream);
}

/// Advances N packets by `blocks` full blocks each; lane i starts at ptr[i] with the keystream
/// ks[i] and leaves with the keystream for its next block (both pre-whitened: ^ K0).
template <int Nr, int N>
void cfb_encrypt_lanes(const Keys<Nr>& rk, std::uint8_t** ptr, __m128i* ks, std::size_t blocks) {
    const __m128i k0 = rk.k[0];
    const __m128i last_key = _mm_xor_si128(rk.k[Nr], k0);
    __m128i x[N];
#pragma GCC unroll 16
    for (int i = 0; i < N; ++i) x[i] = ks[i];
    for (std::size_t j = 0; j < blocks; ++j) {
#pragma GCC unroll 16
        for (int i = 0; i < N; ++i) {
            x[i] = _mm_xor_si128(load(ptr[i]), x[i]);
            store(ptr[i], _mm_xor_si128(x[i], k0));
            ptr[i] += 16;
        }
#pragma GCC unroll 16
        for (int r = 1; r < Nr; ++r)
#pragma GCC unroll 16
            for (int i = 0; i < N; ++i) x[i] = _mm_aesenc_si128(x[i], rk.k[r]);
#pragma GCC unroll 16
        for (int i = 0; i < N; ++i) x[i] = _mm_aesenclast_si128(x[i], last_key);
    }
#pragma GCC unroll 16
    for (int i = 0; i < N; ++i) ks[i] = x[i];
}

/// cfb_encrypt_lanes with the lane count chosen at run time.
template <int Nr>
void run_lanes(int n, const Keys<Nr>& rk, std::uint8_t** ptr, __m128i* ks, std::size_t blocks) {
    switch (n) {
        case 1:
            return cfb_encrypt_lanes<Nr, 1>(rk, ptr, ks, blocks);
        case 2:
            return cfb_encrypt_lanes<Nr, 2>(rk, ptr, ks, blocks);
        case 3:
            return cfb_encrypt_lanes<Nr, 3>(rk, ptr, ks, blocks);
        case 4:
            return cfb_encrypt_lanes<Nr, 4>(rk, ptr, ks, blocks);
        case 5:
            return cfb_encrypt_lanes<Nr, 5>(rk, ptr, ks, blocks);
        case 6:
            return cfb_encrypt_lanes<Nr, 6>(rk, ptr, ks, blocks);
        case 7:
            return cfb_encrypt_lanes<Nr, 7>(rk, ptr, ks, blocks);
        default:
            return cfb_encrypt_lanes<Nr, 8>(rk, ptr, ks, blocks);
    }
}

constexpr int kMaxLanes = 8;

template <int Nr>
void cfb_encrypt_many_kernel(const AesSchedule& s, const std::uint8_t* first,
                             std::span<const std::span<std::uint8_t>> packets) {
    const Keys<Nr> rk(s);
    const __m128i first_ks = load(first);
    const __m128i first_white = _mm_xor_si128(first_ks, rk.k[0]);
    std::uint8_t* ptr[kMaxLanes];
    __m128i ks[kMaxLanes];
    std::size_t blocks[kMaxLanes];  // full blocks left per lane
    std::size_t tail[kMaxLanes];
    int active = 0;
    std::size_t next = 0;
    for (;;) {
        // Fill free lanes; packets without full blocks are finished right away.
        while (active < kMaxLanes && next < packets.size()) {
            const std::span<std::uint8_t> pk = packets[next++];
            if (pk.size() < 16) {
                xor_tail(pk.data(), pk.size(), first_ks);
                continue;
            }
            ptr[active] = pk.data();
            ks[active] = first_white;
            blocks[active] = pk.size() / 16;
            tail[active] = pk.size() % 16;
            ++active;
        }
        if (active == 0) return;
        std::size_t step = blocks[0];
#pragma GCC unroll 16
        for (int i = 1; i < active; ++i) step = std::min(step, blocks[i]);
        // The last full block of a lane needs no further keystream unless a tail follows;
        // computing it anyway keeps the lanes in lockstep and costs no extra latency.
        run_lanes<Nr>(active, rk, ptr, ks, step);
        // Retire the lanes that ran out of full blocks (tail uses the keystream computed).
        int kept = 0;
#pragma GCC unroll 16
        for (int i = 0; i < active; ++i) {
            blocks[i] -= step;
            if (blocks[i] == 0) {
                xor_tail(ptr[i], tail[i], _mm_xor_si128(ks[i], rk.k[0]));
                continue;
            }
            ptr[kept] = ptr[i];
            ks[kept] = ks[i];
            blocks[kept] = blocks[i];
            tail[kept] = tail[i];
            ++kept;
        }
        active = kept;
    }
}

#pragma GCC pop_options

template <int Nr>
struct Ecb {
    static void run(const AesSchedule& s, const std::uint8_t* in, std::uint8_t* out,
                    std::size_t n) {
        ecb_kernel<Nr>(s, in, out, n);
    }
};
template <int Nr>
struct CfbEnc {
    static void run(const AesSchedule& s, const std::uint8_t* f, std::uint8_t* p, std::size_t n) {
        cfb_encrypt_kernel<Nr>(s, f, p, n);
    }
};
template <int Nr>
struct CfbDec {
    static void run(const AesSchedule& s, const std::uint8_t* f, std::uint8_t* p, std::size_t n) {
        cfb_decrypt_kernel<Nr>(s, f, p, n);
    }
};
template <int Nr>
struct CfbEncMany {
    static void run(const AesSchedule& s, const std::uint8_t* f,
                    std::span<const std::span<std::uint8_t>> packets) {
        cfb_encrypt_many_kernel<Nr>(s, f, packets);
    }
};

}  // namespace

#endif  // KCPKIT_AES_X86

bool have_aesni() {
#if KCPKIT_AES_X86
    static const bool available = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("aes") && __builtin_cpu_supports("pclmul") &&
               __builtin_cpu_supports("sse4.1");
    }();
    return available;
#else
    return false;
#endif
}

// ----- the engine ------------------------------------------------------------------------

struct AesEngine::Portable {
    CryptoPP::AES::Encryption cipher;
};

AesEngine::AesEngine(std::span<const std::uint8_t> key, bool force_portable)
    : aesni_(have_aesni() && !force_portable) {
    if (!aesni_) portable_ = std::make_unique<Portable>();
    rekey(key);
}

void AesEngine::rekey(std::span<const std::uint8_t> key) {
    aes_expand_key(schedule_, key);
    if (portable_) portable_->cipher.SetKey(key.data(), key.size());
    encrypt_blocks(kCfbIv, first_keystream_, 1);
}

AesEngine::~AesEngine() = default;

void AesEngine::encrypt_blocks(const std::uint8_t* in, std::uint8_t* out,
                               std::size_t blocks) const {
#if KCPKIT_AES_X86
    if (aesni_) return by_rounds<Ecb>(schedule_.rounds, schedule_, in, out, blocks);
#endif
    portable_->cipher.AdvancedProcessBlocks(in, nullptr, out, blocks * 16,
                                            CryptoPP::BlockTransformation::BT_AllowParallel);
}

void AesEngine::cfb_encrypt(std::uint8_t* data, std::size_t len) const {
#if KCPKIT_AES_X86
    if (aesni_) return by_rounds<CfbEnc>(schedule_.rounds, schedule_, first_keystream_, data, len);
#endif
    cfb_encrypt_generic(portable_->cipher, first_keystream_, data, len);
}

void AesEngine::cfb_decrypt(std::uint8_t* data, std::size_t len) const {
#if KCPKIT_AES_X86
    if (aesni_) return by_rounds<CfbDec>(schedule_.rounds, schedule_, first_keystream_, data, len);
#endif
    cfb_decrypt_generic(portable_->cipher, data, len);
}

void AesEngine::cfb_encrypt_many(std::span<const std::span<std::uint8_t>> packets) const {
#if KCPKIT_AES_X86
    if (aesni_)
        return by_rounds<CfbEncMany>(schedule_.rounds, schedule_, first_keystream_, packets);
#endif
    for (const auto& p : packets)
        cfb_encrypt_generic(portable_->cipher, first_keystream_, p.data(), p.size());
}

}  // namespace kcpkit::crypt::detail
