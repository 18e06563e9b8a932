#include "protocol/crypt_gcm.hpp"

#include <cryptopp/aes.h>
#include <cryptopp/gcm.h>
#include <cryptopp/misc.h>

#include <cstring>

#include "protocol/byte_order.hpp"
#include "protocol/crypt_aesni.hpp"

namespace kcpkit::crypt::detail {

// ----- GHASH arithmetic --------------------------------------------------------------------
//
// GCM's field is GF(2)[x] / P, P = x^128 + x^7 + x^2 + x + 1, and a 16-byte block holds a
// polynomial with the coefficient of x^0 in the top bit of byte 0 and x^127 in the low bit
// of byte 15. Reversing the 16 bytes and loading them as a little-endian 128-bit integer
// gives "representation R": integer bit i is the coefficient of x^(127-i).
//
// Product. PCLMULQDQ multiplies integers as GF(2) polynomials in the bit index t. For a, b
// in R, the 256-bit integer product w has bit k = coefficient of x^(254-k) in a·b. Read in
// the 256-bit version of R (bit k ~ x^(255-k)) it is x·a·b. So we multiply by
// b~ = b·x^-1 instead of b and get a·b directly. Since x·(x^127 + x^6 + x + 1) = 1 mod P,
// x^-1 = x^127 + x^6 + x + 1, which in R is the integer with bits 0, 121, 126 and 127 set;
// and b·x^-1 is "shift the integer left by one, and if the bit shifted out (the x^0
// coefficient) was set, XOR that constant in".
//
// Reduction. The 256-bit product splits into a low-degree half L (its high 128 bits) and
// a high-degree half U (its low 128 bits, standing for U·x^128). U·x^128 = U·g with
// g = x^7 + x^2 + x + 1, and in R multiplying by x^s is an integer right shift by s whose
// shifted-out bits are coefficients of x^128 and up. Collect those as O (the low s bits of
// U moved to the top: U << (128-s)), then O·x^128 = O·g folds once more without overflow
// (O only has bits >= 121):
//   result = L ^ U ^ U>>1 ^ U>>2 ^ U>>7 ^ O ^ O>>1 ^ O>>2 ^ O>>7,  O = U<<127 ^ U<<126 ^ U<<121.

bool have_aesni_pclmul() {
#if KCPKIT_AES_X86
    static const bool available = [] {
        __builtin_cpu_init();
        return have_aesni() && __builtin_cpu_supports("pclmul");
    }();
    return available;
#else
    return false;
#endif
}

bool have_vaes_avx512() {
#if KCPKIT_AES_X86
    static const bool available = [] {
        __builtin_cpu_init();
        return have_aesni_pclmul() && __builtin_cpu_supports("vaes") &&
               __builtin_cpu_supports("vpclmulqdq") && __builtin_cpu_supports("avx512f") &&
               __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
    }();
    return available;
#else
    return false;
#endif
}

#if KCPKIT_AES_X86

namespace {

using namespace aesni;

#pragma GCC push_options
#pragma GCC target("sse4.1,aes,pclmul")

inline __m128i reverse_bytes(__m128i v) {
    return _mm_shuffle_epi8(v, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

/// 128-bit integer shifts (s in 1..63).
inline __m128i shr128(__m128i v, int s) {
    return _mm_or_si128(_mm_srli_epi64(v, s), _mm_slli_epi64(_mm_srli_si128(v, 8), 64 - s));
}
inline __m128i shl128(__m128i v, int s) {
    return _mm_or_si128(_mm_slli_epi64(v, s), _mm_srli_epi64(_mm_slli_si128(v, 8), 64 - s));
}
/// v << (128 - s) for s in 1..63: the low s bits of v moved to the top.
inline __m128i low_bits_to_top(__m128i v, int s) {
    return _mm_slli_si128(_mm_slli_epi64(v, 64 - s), 8);
}

/// Unreduced 256-bit product, kept as three 128-bit sums (lo, mid, hi).
struct Wide {
    __m128i lo = _mm_setzero_si128();
    __m128i mid = _mm_setzero_si128();
    __m128i hi = _mm_setzero_si128();
    void add_product(__m128i a, __m128i b_tilde) {
        lo = _mm_xor_si128(lo, _mm_clmulepi64_si128(a, b_tilde, 0x00));
        hi = _mm_xor_si128(hi, _mm_clmulepi64_si128(a, b_tilde, 0x11));
        mid = _mm_xor_si128(mid, _mm_xor_si128(_mm_clmulepi64_si128(a, b_tilde, 0x01),
                                               _mm_clmulepi64_si128(a, b_tilde, 0x10)));
    }
    __m128i reduce() const {
        const __m128i u = _mm_xor_si128(lo, _mm_slli_si128(mid, 8));
        const __m128i l = _mm_xor_si128(hi, _mm_srli_si128(mid, 8));
        const __m128i o = _mm_xor_si128(_mm_xor_si128(low_bits_to_top(u, 1), low_bits_to_top(u, 2)),
                                        low_bits_to_top(u, 7));
        const __m128i uo = _mm_xor_si128(u, o);
        __m128i r = _mm_xor_si128(l, uo);
        r = _mm_xor_si128(r, shr128(uo, 1));
        r = _mm_xor_si128(r, shr128(uo, 2));
        return _mm_xor_si128(r, shr128(uo, 7));
    }
};

/// a·x^-1 in representation R.
inline __m128i times_x_inverse(__m128i a) {
    const bool top = (_mm_extract_epi64(a, 1) < 0);  // coefficient of x^0
    __m128i r = shl128(a, 1);
    if (top) r = _mm_xor_si128(r, _mm_set_epi64x(static_cast<long long>(0xC200000000000000ull), 1));
    return r;
}

inline __m128i mul(__m128i a, __m128i b_tilde) {
    Wide w;
    w.add_product(a, b_tilde);
    return w.reduce();
}

/// acc = (acc ^ x[0])·H^n ^ x[1]·H^(n-1) ^ ... ^ x[n-1]·H, for n in 1..8 blocks in R.
inline __m128i ghash_blocks(__m128i acc, const __m128i* x, int n, const __m128i* powers) {
    Wide w;
    w.add_product(_mm_xor_si128(acc, x[0]), powers[n - 1]);
#pragma GCC unroll 8
    for (int i = 1; i < n; ++i) w.add_product(x[i], powers[n - 1 - i]);
    return w.reduce();
}

template <int Nr, bool kSeal>
void gcm_kernel(const AesSchedule& schedule, const std::uint8_t (*power_bytes)[16],
                const std::uint8_t* nonce, std::uint8_t* p, std::size_t len,
                std::uint8_t* tag_out) {
    const Keys<Nr> rk(schedule);
    __m128i powers[8];
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i) powers[i] = load(power_bytes[i]);

    alignas(16) std::uint8_t j0_bytes[16] = {};
    std::memcpy(j0_bytes, nonce, 12);
    const __m128i base = load(j0_bytes);  // counter field still zero
    auto counter_block = [&](std::uint32_t c) {
        return _mm_insert_epi32(base, static_cast<int>(__builtin_bswap32(c)), 3);
    };
    std::uint32_t counter = 2;  // 1 is J0, used for the tag
    __m128i acc = _mm_setzero_si128();
    const std::size_t total = len;

    while (len >= 128) {
        __m128i ks[8], c[8], x[8];
#pragma GCC unroll 8
        for (int i = 0; i < 8; ++i) ks[i] = counter_block(counter + static_cast<std::uint32_t>(i));
        counter += 8;
        encrypt_n<Nr, 8>(rk, ks);
#pragma GCC unroll 8
        for (int i = 0; i < 8; ++i) {
            const __m128i in = load(p + 16 * i);
            c[i] = kSeal ? _mm_xor_si128(in, ks[i]) : in;
            store(p + 16 * i, _mm_xor_si128(in, ks[i]));
            x[i] = reverse_bytes(c[i]);
        }
        acc = ghash_blocks(acc, x, 8, powers);
        p += 128;
        len -= 128;
    }
    if (len > 0) {
        // Up to seven full blocks and a partial one; the partial block is hashed
        // zero-padded (ciphertext bytes only).
        const int blocks = static_cast<int>((len + 15) / 16);
        __m128i ks[8], x[8];
#pragma GCC unroll 8
        for (int i = 0; i < 8; ++i) ks[i] = counter_block(counter + static_cast<std::uint32_t>(i));
        encrypt_n<Nr, 8>(rk, ks);
        for (int i = 0; i < blocks; ++i) {
            const std::size_t n = std::min<std::size_t>(16, len - 16 * static_cast<std::size_t>(i));
            alignas(16) std::uint8_t in[16] = {};
            std::memcpy(in, p, n);
            const __m128i v = load(in);
            alignas(16) std::uint8_t out[16];
            _mm_store_si128(reinterpret_cast<__m128i*>(out), _mm_xor_si128(v, ks[i]));
            std::memcpy(p, out, n);
            if (kSeal) {
                std::memset(out + n, 0, 16 - n);
                x[i] = reverse_bytes(load(out));
            } else {
                x[i] = reverse_bytes(v);
            }
            p += n;
        }
        acc = ghash_blocks(acc, x, blocks, powers);
    }
    // Length block: 64-bit bit counts of the additional data (none) and of the text.
    const __m128i lengths = _mm_set_epi64x(0, static_cast<long long>(total * 8));
    acc = ghash_blocks(acc, &lengths, 1, powers);
    const __m128i tag = _mm_xor_si128(encrypt1<Nr>(rk, counter_block(1)), reverse_bytes(acc));
    store(tag_out, tag);
}

template <int Nr>
struct GcmSeal {
    static void run(const AesSchedule& s, const std::uint8_t (*pw)[16], const std::uint8_t* n,
                    std::uint8_t* p, std::size_t len, std::uint8_t* tag) {
        gcm_kernel<Nr, true>(s, pw, n, p, len, tag);
    }
};
template <int Nr>
struct GcmOpen {
    static void run(const AesSchedule& s, const std::uint8_t (*pw)[16], const std::uint8_t* n,
                    std::uint8_t* p, std::size_t len, std::uint8_t* tag) {
        gcm_kernel<Nr, false>(s, pw, n, p, len, tag);
    }
};

/// Fills out[i] = H^(i+1)·x^-1 for i < n.
void compute_powers(const AesEngine& aes, std::uint8_t (*out)[16], int n) {
    alignas(16) std::uint8_t zero[16] = {}, h_bytes[16];
    aes.encrypt_blocks(zero, h_bytes, 1);
    const __m128i h = reverse_bytes(load(h_bytes));
    const __m128i h_tilde = times_x_inverse(h);
    __m128i power = h;
    for (int i = 0; i < n; ++i) {
        store(out[i], times_x_inverse(power));
        power = mul(power, h_tilde);
    }
}

#pragma GCC pop_options

// ----- AVX-512 + VAES + VPCLMULQDQ: four blocks per instruction, 16 per step ------------

#pragma GCC push_options
#pragma GCC target("sse4.1,aes,pclmul,avx2,avx512f,avx512bw,avx512vl,vaes,vpclmulqdq")

inline __m512i zload(const void* p) {
    return _mm512_loadu_si512(p);
}

/// XOR of the four 128-bit lanes.
inline __m128i fold_lanes(__m512i z) {
    const __m256i a = _mm256_xor_si256(_mm512_maskz_extracti64x4_epi64(0xF, z, 0),
                                       _mm512_maskz_extracti64x4_epi64(0xF, z, 1));
    return _mm_xor_si128(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
}

inline __m512i xor3(__m512i a, __m512i b, __m512i c) {
    return _mm512_ternarylogic_epi64(a, b, c, 0x96);
}

/// Bytes [64 j, 64 j + 64) of a `len`-byte buffer, as a byte mask.
inline __mmask64 chunk_mask(std::size_t len, std::size_t j) {
    const std::size_t start = 64 * j;
    if (len >= start + 64) return ~__mmask64{0};
    if (len <= start) return 0;
    return (__mmask64{1} << (len - start)) - 1;
}

struct WideTables {
    const std::uint8_t (*keys)[64];
    const std::uint8_t (*powers)[16];  // 32 entries: H^16..H^1 (x^-1), then zeros
};

template <int Nr, bool kSeal>
void gcm_kernel_vaes(WideTables t, const std::uint8_t* nonce, std::uint8_t* p, std::size_t len,
                     std::uint8_t* tag_out) {
    __m512i k[Nr + 1];
#pragma GCC unroll 16
    for (int i = 0; i <= Nr; ++i) k[i] = zload(t.keys[i]);
    alignas(64) static constexpr std::uint8_t kReverse[64] = {
        15, 14, 13, 12, 11, 10, 9,  8,  7,  6,  5,  4,  3,  2,  1,  0,  15, 14, 13, 12, 11, 10,
        9,  8,  7,  6,  5,  4,  3,  2,  1,  0,  15, 14, 13, 12, 11, 10, 9,  8,  7,  6,  5,  4,
        3,  2,  1,  0,  15, 14, 13, 12, 11, 10, 9,  8,  7,  6,  5,  4,  3,  2,  1,  0};
    // Counter field (last four bytes of each lane) from a little-endian dword 3.
    alignas(64) static constexpr std::uint8_t kCounterSwap[64] = {
        0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 15, 14, 13, 12,
        0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 15, 14, 13, 12,
        0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 15, 14, 13, 12,
        0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 15, 14, 13, 12};
    const __m512i reverse = zload(kReverse);
    const __m512i swap = zload(kCounterSwap);

    alignas(64) std::uint8_t base_bytes[64] = {};
    for (int lane = 0; lane < 4; ++lane) std::memcpy(base_bytes + 16 * lane, nonce, 12);
    const __m512i base = zload(base_bytes);
    // Lane l of counter group g holds counter 2 + 4 g + l (1 is J0, for the tag).
    __m512i counters = _mm512_set_epi32(5, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0);
    const __m512i four = _mm512_set_epi32(4, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0);

    auto keystream = [&](__m512i* b) {
#pragma GCC unroll 4
        for (int j = 0; j < 4; ++j) {
            b[j] =
                _mm512_xor_si512(_mm512_or_si512(base, _mm512_shuffle_epi8(counters, swap)), k[0]);
            counters = _mm512_add_epi32(counters, four);
        }
#pragma GCC unroll 16
        for (int r = 1; r < Nr; ++r)
#pragma GCC unroll 4
            for (int j = 0; j < 4; ++j) b[j] = _mm512_aesenc_epi128(b[j], k[r]);
#pragma GCC unroll 4
        for (int j = 0; j < 4; ++j) b[j] = _mm512_aesenclast_epi128(b[j], k[Nr]);
    };
    // acc = reduce(sum over j of x[j] · powers[first + 4 j .. first + 4 j + 3]).
    auto hash = [&](__m128i acc, __m512i* x, int first) {
        x[0] = _mm512_xor_si512(x[0], _mm512_zextsi128_si512(acc));
        __m512i lo = _mm512_setzero_si512(), hi = lo, mid = lo;
#pragma GCC unroll 4
        for (int j = 0; j < 4; ++j) {
            const __m512i h = zload(t.powers[first + 4 * j]);
            lo = _mm512_xor_si512(lo, _mm512_clmulepi64_epi128(x[j], h, 0x00));
            hi = _mm512_xor_si512(hi, _mm512_clmulepi64_epi128(x[j], h, 0x11));
            mid = xor3(mid, _mm512_clmulepi64_epi128(x[j], h, 0x01),
                       _mm512_clmulepi64_epi128(x[j], h, 0x10));
        }
        Wide w;
        w.lo = fold_lanes(lo);
        w.mid = fold_lanes(mid);
        w.hi = fold_lanes(hi);
        return w.reduce();
    };

    const std::size_t total = len;
    __m128i acc = _mm_setzero_si128();
    while (len >= 256) {
        __m512i b[4], x[4];
        keystream(b);
#pragma GCC unroll 4
        for (int j = 0; j < 4; ++j) {
            const __m512i in = zload(p + 64 * j);
            const __m512i out = _mm512_xor_si512(in, b[j]);
            _mm512_storeu_si512(p + 64 * j, out);
            x[j] = _mm512_shuffle_epi8(kSeal ? out : in, reverse);
        }
        acc = hash(acc, x, 0);
        p += 256;
        len -= 256;
    }
    if (len > 0) {
        // Up to 16 blocks, the last maybe partial: masked loads and stores; the hash sees
        // zero padding; block i of m is multiplied by H^(m-i).
        const int blocks = static_cast<int>((len + 15) / 16);
        __m512i b[4], x[4];
        keystream(b);
#pragma GCC unroll 4
        for (int j = 0; j < 4; ++j) {
            const __mmask64 m = chunk_mask(len, static_cast<std::size_t>(j));
            const __m512i in = _mm512_maskz_loadu_epi8(m, p + 64 * j);
            const __m512i out = _mm512_xor_si512(in, b[j]);
            _mm512_mask_storeu_epi8(p + 64 * j, m, out);
            x[j] = _mm512_shuffle_epi8(kSeal ? _mm512_maskz_mov_epi8(m, out) : in, reverse);
        }
        acc = hash(acc, x, 16 - blocks);
    }
    // Length block (no additional data), times H^1.
    Wide w;
    w.add_product(_mm_xor_si128(acc, _mm_set_epi64x(0, static_cast<long long>(total * 8))),
                  load(t.powers[15]));
    acc = w.reduce();
    __m128i j0 = _mm_insert_epi32(load(base_bytes), static_cast<int>(__builtin_bswap32(1)), 3);
    j0 = _mm_xor_si128(j0, load(t.keys[0]));
    for (int r = 1; r < Nr; ++r) j0 = _mm_aesenc_si128(j0, load(t.keys[r]));
    j0 = _mm_aesenclast_si128(j0, load(t.keys[Nr]));
    store(tag_out, _mm_xor_si128(j0, reverse_bytes(acc)));
}

template <int Nr>
struct GcmSealWide {
    static void run(WideTables t, const std::uint8_t* n, std::uint8_t* p, std::size_t len,
                    std::uint8_t* tag) {
        gcm_kernel_vaes<Nr, true>(t, n, p, len, tag);
    }
};
template <int Nr>
struct GcmOpenWide {
    static void run(WideTables t, const std::uint8_t* n, std::uint8_t* p, std::size_t len,
                    std::uint8_t* tag) {
        gcm_kernel_vaes<Nr, false>(t, n, p, len, tag);
    }
};

#pragma GCC pop_options

}  // namespace

#endif  // KCPKIT_AES_X86

struct AesGcm::Portable {
    CryptoPP::GCM<CryptoPP::AES>::Encryption enc;
    CryptoPP::GCM<CryptoPP::AES>::Decryption dec;
};

AesGcm::AesGcm(std::span<const std::uint8_t> key, bool force_portable) : aes_(key, force_portable) {
    init(key, force_portable ? Path::portable : Path::vaes);
}

AesGcm::AesGcm(std::span<const std::uint8_t> key, Path force) : aes_(key, force == Path::portable) {
    init(key, force);
}

void AesGcm::init(std::span<const std::uint8_t> key, Path allowed) {
#if KCPKIT_AES_X86
    if (allowed == Path::vaes && have_vaes_avx512()) {
        path_ = Path::vaes;
        std::uint8_t powers[16][16];
        compute_powers(aes_, powers, 16);
        for (int i = 0; i < 16; ++i) std::memcpy(wide_powers_[i], powers[15 - i], 16);
        for (int r = 0; r <= aes_.schedule().rounds; ++r)
            for (int lane = 0; lane < 4; ++lane)
                std::memcpy(&wide_keys_[r][16 * lane], aes_.schedule().round_key[r], 16);
        return;
    }
    if (allowed != Path::portable && have_aesni_pclmul()) {
        path_ = Path::aesni;
        compute_powers(aes_, powers_, 8);
        return;
    }
#endif
    path_ = Path::portable;
    portable_ = std::make_unique<Portable>();
    const std::uint8_t iv[kNonceSize] = {};
    portable_->enc.SetKeyWithIV(key.data(), key.size(), iv, sizeof iv);
    portable_->dec.SetKeyWithIV(key.data(), key.size(), iv, sizeof iv);
}

AesGcm::~AesGcm() = default;

void AesGcm::seal(const std::uint8_t* nonce, std::uint8_t* data, std::size_t len,
                  std::uint8_t* tag) {
#if KCPKIT_AES_X86
    if (path_ == Path::vaes)
        return aesni::by_rounds<GcmSealWide>(
            aes_.schedule().rounds, WideTables{wide_keys_, wide_powers_}, nonce, data, len, tag);
    if (path_ == Path::aesni)
        return aesni::by_rounds<GcmSeal>(aes_.schedule().rounds, aes_.schedule(), powers_, nonce,
                                         data, len, tag);
#endif
    portable_->enc.EncryptAndAuthenticate(data, tag, kTagSize, nonce, kNonceSize, nullptr, 0, data,
                                          len);
}

bool AesGcm::open(const std::uint8_t* nonce, std::uint8_t* data, std::size_t len,
                  const std::uint8_t* tag) {
    alignas(16) std::uint8_t expected[kTagSize];
#if KCPKIT_AES_X86
    if (path_ == Path::vaes) {
        aesni::by_rounds<GcmOpenWide>(aes_.schedule().rounds, WideTables{wide_keys_, wide_powers_},
                                      nonce, data, len, expected);
        return CryptoPP::VerifyBufsEqual(expected, tag, kTagSize);
    }
    if (path_ == Path::aesni) {
        aesni::by_rounds<GcmOpen>(aes_.schedule().rounds, aes_.schedule(), powers_, nonce, data,
                                  len, expected);
        return CryptoPP::VerifyBufsEqual(expected, tag, kTagSize);
    }
#endif
    // (Crypto++'s DecryptAndVerify allocates the computed tag on every call; this does not.)
    portable_->dec.Resynchronize(nonce, static_cast<int>(kNonceSize));
    portable_->dec.ProcessData(data, data, len);
    portable_->dec.TruncatedFinal(expected, sizeof expected);
    return CryptoPP::VerifyBufsEqual(expected, tag, kTagSize);
}

}  // namespace kcpkit::crypt::detail
