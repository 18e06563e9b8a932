#include "kcpkit/crypt/detail/gcm.hpp"

#include <cryptopp/aes.h>
#include <cryptopp/gcm.h>
#include <cryptopp/misc.h>

#include <cstring>

#include "kcpkit/base/byte_order.hpp"
#include "kcpkit/crypt/detail/aesni.hpp"

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

bool have_vaes_avx2() {
#if KCPKIT_AES_X86
    static const bool available = [] {
        __builtin_cpu_init();
        return have_aesni_pclmul() && __builtin_cpu_supports("avx2") &&
               __builtin_cpu_supports("vaes") && __builtin_cpu_supports("vpclmulqdq");
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

// The helpers below are forced inline: the VAES kernels are compiled for a wider target,
// and an out-of-line SSE call from them costs a register spill and a vzeroupper each.

[[gnu::always_inline]] inline __m128i reverse_bytes(__m128i v) {
    return _mm_shuffle_epi8(v, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

/// 128-bit integer shifts (s in 1..63).
[[gnu::always_inline]] inline __m128i shr128(__m128i v, int s) {
    return _mm_or_si128(_mm_srli_epi64(v, s), _mm_slli_epi64(_mm_srli_si128(v, 8), 64 - s));
}
[[gnu::always_inline]] inline __m128i shl128(__m128i v, int s) {
    return _mm_or_si128(_mm_slli_epi64(v, s), _mm_srli_epi64(_mm_slli_si128(v, 8), 64 - s));
}
/// v << (128 - s) for s in 1..63: the low s bits of v moved to the top.
[[gnu::always_inline]] inline __m128i low_bits_to_top(__m128i v, int s) {
    return _mm_slli_si128(_mm_slli_epi64(v, 64 - s), 8);
}

/// Unreduced 256-bit product, kept as three 128-bit sums (lo, mid, hi).
struct Wide {
    __m128i lo = _mm_setzero_si128();
    __m128i mid = _mm_setzero_si128();
    __m128i hi = _mm_setzero_si128();
    [[gnu::always_inline]] void add_product(__m128i a, __m128i b_tilde) {
        lo = _mm_xor_si128(lo, _mm_clmulepi64_si128(a, b_tilde, 0x00));
        hi = _mm_xor_si128(hi, _mm_clmulepi64_si128(a, b_tilde, 0x11));
        mid = _mm_xor_si128(mid, _mm_xor_si128(_mm_clmulepi64_si128(a, b_tilde, 0x01),
                                               _mm_clmulepi64_si128(a, b_tilde, 0x10)));
    }
    [[gnu::always_inline]] __m128i reduce() const {
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

/// The same sum built Karatsuba-style: three multiplies per product instead of four,
/// given b's two 64-bit halves XORed (in the low half of `b_halves`).
struct KaratsubaSum {
    __m128i lo = _mm_setzero_si128();
    __m128i cross = _mm_setzero_si128();  // sum of (a.lo ^ a.hi)·(b.lo ^ b.hi)
    __m128i hi = _mm_setzero_si128();
    [[gnu::always_inline]] void add_product(__m128i a, __m128i b_tilde, __m128i b_halves) {
        lo = _mm_xor_si128(lo, _mm_clmulepi64_si128(a, b_tilde, 0x00));
        hi = _mm_xor_si128(hi, _mm_clmulepi64_si128(a, b_tilde, 0x11));
        cross = _mm_xor_si128(
            cross, _mm_clmulepi64_si128(_mm_xor_si128(a, _mm_shuffle_epi32(a, 0x4E)), b_halves, 0));
    }
    [[gnu::always_inline]] __m128i reduce() const {
        Wide w;
        w.lo = lo;
        w.hi = hi;
        w.mid = _mm_xor_si128(cross, _mm_xor_si128(lo, hi));
        return w.reduce();
    }
};

/// v's two 64-bit halves XORed, in the low half (KaratsubaSum's `b_halves`).
inline __m128i halves_of(__m128i v) {
    return _mm_xor_si128(v, _mm_srli_si128(v, 8));
}

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

/// acc = (acc ^ x[0])·H^n ^ x[1]·H^(n-1) ^ ... ^ x[n-1]·H, for n in 1..8 blocks in R;
/// halves[i] is halves_of(powers[i]).
[[gnu::always_inline]] inline __m128i ghash_blocks(__m128i acc, const __m128i* x, int n,
                                                   const __m128i* powers, const __m128i* halves) {
    KaratsubaSum sum;
    sum.add_product(_mm_xor_si128(acc, x[0]), powers[n - 1], halves[n - 1]);
#pragma GCC unroll 8
    for (int i = 1; i < n; ++i) sum.add_product(x[i], powers[n - 1 - i], halves[n - 1 - i]);
    return sum.reduce();
}

template <int Nr, bool kSeal>
void gcm_kernel(const AesSchedule& schedule, const std::uint8_t (*power_bytes)[16],
                const std::uint8_t* nonce, std::uint8_t* p, std::size_t len,
                std::uint8_t* tag_out) {
    const Keys<Nr> rk(schedule);
    __m128i powers[8], halves[8];
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i) {
        powers[i] = load(power_bytes[i]);
        halves[i] = halves_of(powers[i]);
    }

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
        acc = ghash_blocks(acc, x, 8, powers, halves);
        p += 128;
        len -= 128;
    }
    if (len > 0) {
        // Up to seven whole blocks in place, then a partial one through a zero-padded copy
        // (the hash sees its ciphertext bytes zero-padded).
        const int blocks = static_cast<int>((len + 15) / 16);
        const std::size_t whole = len / 16;
        __m128i ks[8], x[8];
#pragma GCC unroll 8
        for (int i = 0; i < 8; ++i) ks[i] = counter_block(counter + static_cast<std::uint32_t>(i));
        encrypt_n<Nr, 8>(rk, ks);
#pragma GCC unroll 8
        for (std::size_t i = 0; i < 8; ++i) {
            if (i >= whole) break;
            const __m128i in = load(p + 16 * i);
            const __m128i out = _mm_xor_si128(in, ks[i]);
            store(p + 16 * i, out);
            x[i] = reverse_bytes(kSeal ? out : in);
        }
        if (const std::size_t rest = len % 16; rest != 0) {
            alignas(16) std::uint8_t part[16] = {};
            std::memcpy(part, p + 16 * whole, rest);
            const __m128i in = load(part);
            store(part, _mm_xor_si128(in, ks[whole]));
            std::memcpy(p + 16 * whole, part, rest);
            if (kSeal) std::memset(part + rest, 0, sizeof part - rest);
            x[whole] = reverse_bytes(kSeal ? load(part) : in);
        }
        acc = ghash_blocks(acc, x, blocks, powers, halves);
    }
    // Length block: 64-bit bit counts of the additional data (none) and of the text.
    const __m128i lengths = _mm_set_epi64x(0, static_cast<long long>(total * 8));
    acc = ghash_blocks(acc, &lengths, 1, powers, halves);
    const __m128i tag = _mm_xor_si128(encrypt1<Nr>(rk, counter_block(1)), reverse_bytes(acc));
    store(tag_out, tag);
}

/// GcmAesni<kSeal>::Rounds<Nr>::run, the shape aesni::by_rounds dispatches on.
template <bool kSeal>
struct GcmAesni {
    template <int Nr>
    struct Rounds {
        static void run(const AesSchedule& s, const std::uint8_t (*pw)[16], const std::uint8_t* n,
                        std::uint8_t* p, std::size_t len, std::uint8_t* tag) {
            gcm_kernel<Nr, kSeal>(s, pw, n, p, len, tag);
        }
    };
};

/// The VAES kernels' last step: hashes the length block (no additional data) with H^1 and
/// XORs the result with E(K, J0). `j0` is the nonce with counter 1; keys are 16 bytes
/// apart in rows of 64.
template <int Nr>
[[gnu::always_inline]] inline void finish_tag(__m128i acc, std::size_t total,
                                              const std::uint8_t* h1_tilde, __m128i j0,
                                              const std::uint8_t (*keys)[64],
                                              std::uint8_t* tag_out) {
    Wide w;
    w.add_product(_mm_xor_si128(acc, _mm_set_epi64x(0, static_cast<long long>(total * 8))),
                  load(h1_tilde));
    acc = w.reduce();
    j0 = _mm_xor_si128(j0, load(keys[0]));
    for (int r = 1; r < Nr; ++r) j0 = _mm_aesenc_si128(j0, load(keys[r]));
    j0 = _mm_aesenclast_si128(j0, load(keys[Nr]));
    store(tag_out, _mm_xor_si128(j0, reverse_bytes(acc)));
}

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

// ----- AVX2 + VAES + VPCLMULQDQ: two blocks per instruction, 16 per step ----------------
//
// Zen 3 and Alder Lake class CPUs have 256-bit VAES/VPCLMULQDQ without AVX-512: each
// instruction does two blocks, so a 16-block step is eight registers of keystream and
// eight of hash input. GHASH multiplies Karatsuba-style (three carry-less multiplies per
// block, not four) because VPCLMULQDQ, not AES, limits this loop on those CPUs.

#pragma GCC push_options
#pragma GCC target("sse4.1,aes,pclmul,avx2,vaes,vpclmulqdq")

inline __m256i yload(const void* p) {
    return _mm256_loadu_si256(static_cast<const __m256i*>(p));
}
inline void ystore(void* p, __m256i v) {
    _mm256_storeu_si256(static_cast<__m256i*>(p), v);
}

/// The VAES kernels' tables: round keys four times over (the ymm kernel reads two),
/// powers of H, and (for the ymm kernel's Karatsuba middle product) each power's two
/// halves XORed.
struct VaesTables {
    const std::uint8_t (*keys)[64];
    const std::uint8_t (*powers)[16];        // 32 entries: H^16..H^1 (x^-1), then zeros
    const std::uint8_t (*power_halves)[16];  // the same order: low qword = lo ^ hi
};

template <int Nr>
struct YmmGcmCore {
    __m256i k[Nr + 1];
    __m256i base;
    __m256i counters;  // lane l of the next keystream register: counter in dword 3 (LE)
    VaesTables tables;

    YmmGcmCore(VaesTables t, const std::uint8_t* nonce) : tables(t) {
#pragma GCC unroll 16
        for (int i = 0; i <= Nr; ++i) k[i] = yload(t.keys[i]);
        alignas(32) std::uint8_t base_bytes[32] = {};
        std::memcpy(base_bytes, nonce, 12);
        std::memcpy(base_bytes + 16, nonce, 12);
        base = yload(base_bytes);
        // Blocks take counters 2, 3, ... (1 is J0, for the tag).
        counters = _mm256_set_epi32(3, 0, 0, 0, 2, 0, 0, 0);
    }

    /// N registers (2N blocks) of keystream for the next counters.
    template <int N>
    void keystream(__m256i* b) {
        const __m256i two = _mm256_set_epi32(2, 0, 0, 0, 2, 0, 0, 0);
        const __m256i swap = _mm256_set_epi8(
            12, 13, 14, 15, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128,
            12, 13, 14, 15, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, -128);
#pragma GCC unroll 8
        for (int j = 0; j < N; ++j) {
            b[j] =
                _mm256_xor_si256(_mm256_or_si256(base, _mm256_shuffle_epi8(counters, swap)), k[0]);
            counters = _mm256_add_epi32(counters, two);
        }
#pragma GCC unroll 16
        for (int r = 1; r < Nr; ++r)
#pragma GCC unroll 8
            for (int j = 0; j < N; ++j) b[j] = _mm256_aesenc_epi128(b[j], k[r]);
#pragma GCC unroll 8
        for (int j = 0; j < N; ++j) b[j] = _mm256_aesenclast_epi128(b[j], k[Nr]);
    }

    /// reduce((acc ^ block 0)·powers[first] ^ block 1·powers[first + 1] ^ ...) over the
    /// 2N blocks of `c` (bytes in wire order).
    template <int N>
    __m128i hash(__m128i acc, const __m256i* c, int first) const {
        const __m256i reverse =
            _mm256_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5,
                            6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        __m256i lo = _mm256_setzero_si256(), hi = lo, mid = lo;
#pragma GCC unroll 8
        for (int j = 0; j < N; ++j) {
            __m256i x = _mm256_shuffle_epi8(c[j], reverse);
            if (j == 0) x = _mm256_xor_si256(x, _mm256_zextsi128_si256(acc));
            const __m256i h = yload(tables.powers[first + 2 * j]);
            const __m256i x_halves = _mm256_xor_si256(x, _mm256_shuffle_epi32(x, 0x4E));
            lo = _mm256_xor_si256(lo, _mm256_clmulepi64_epi128(x, h, 0x00));
            hi = _mm256_xor_si256(hi, _mm256_clmulepi64_epi128(x, h, 0x11));
            mid = _mm256_xor_si256(
                mid, _mm256_clmulepi64_epi128(x_halves, yload(tables.power_halves[first + 2 * j]),
                                              0x00));
        }
        auto fold = [](__m256i v) {
            return _mm_xor_si128(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
        };
        Wide w;
        w.lo = fold(lo);
        w.hi = fold(hi);
        w.mid = _mm_xor_si128(fold(mid), _mm_xor_si128(w.lo, w.hi));
        return w.reduce();
    }

    /// The last len (< 2N·16) bytes: whole registers in place, the last partial one
    /// through a zero-padded copy so the hash sees zero padding. Block i of the m left is
    /// multiplied by H^(m-i): powers from 16 - m on, the table's zero entries past H^1
    /// meeting registers past the end.
    template <int N, bool kSeal>
    __m128i tail(__m128i acc, std::uint8_t* p, std::size_t len) {
        __m256i b[N], c[N];
        keystream<N>(b);
        const std::size_t whole = len / 32;
#pragma GCC unroll 8
        for (std::size_t j = 0; j < static_cast<std::size_t>(N); ++j) {
            if (j < whole) {
                const __m256i in = yload(p + 32 * j);
                const __m256i out = _mm256_xor_si256(in, b[j]);
                ystore(p + 32 * j, out);
                c[j] = kSeal ? out : in;
            } else {
                c[j] = _mm256_setzero_si256();
            }
        }
        if (const std::size_t rest = len % 32; rest != 0) {
            alignas(32) std::uint8_t part[32] = {};
            std::memcpy(part, p + 32 * whole, rest);
            const __m256i in = yload(part);
            ystore(part, _mm256_xor_si256(in, b[whole]));
            std::memcpy(p + 32 * whole, part, rest);
            if (kSeal) {
                std::memset(part + rest, 0, sizeof part - rest);
                c[whole] = yload(part);
            } else {
                c[whole] = in;
            }
        }
        return hash<N>(acc, c, 16 - static_cast<int>((len + 15) / 16));
    }
};

template <int Nr, bool kSeal>
void gcm_kernel_ymm(VaesTables t, const std::uint8_t* nonce, std::uint8_t* p, std::size_t len,
                    std::uint8_t* tag_out) {
    YmmGcmCore<Nr> core(t, nonce);
    const std::size_t total = len;
    __m128i acc = _mm_setzero_si128();
    while (len >= 256) {
        __m256i b[8], c[8];
        core.template keystream<8>(b);
#pragma GCC unroll 8
        for (int j = 0; j < 8; ++j) {
            const __m256i in = yload(p + 32 * j);
            const __m256i out = _mm256_xor_si256(in, b[j]);
            ystore(p + 32 * j, out);
            c[j] = kSeal ? out : in;
        }
        acc = core.template hash<8>(acc, c, 0);
        p += 256;
        len -= 256;
    }
    if (len > 128)
        acc = core.template tail<8, kSeal>(acc, p, len);
    else if (len > 64)
        acc = core.template tail<4, kSeal>(acc, p, len);
    else if (len > 0)
        acc = core.template tail<2, kSeal>(acc, p, len);
    finish_tag<Nr>(acc, total, t.powers[15],
                   _mm_insert_epi32(_mm256_castsi256_si128(core.base),
                                    static_cast<int>(__builtin_bswap32(1)), 3),
                   t.keys, tag_out);
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

template <int Nr, bool kSeal>
void gcm_kernel_vaes(VaesTables t, const std::uint8_t* nonce, std::uint8_t* p, std::size_t len,
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
    finish_tag<Nr>(acc, total, t.powers[15],
                   _mm_insert_epi32(load(base_bytes), static_cast<int>(__builtin_bswap32(1)), 3),
                   t.keys, tag_out);
}

#pragma GCC pop_options

/// GcmVaes<kSeal, kAvx512>::Rounds<Nr>::run, the shape aesni::by_rounds dispatches on
/// (compiled for the default target: it only calls the kernels).
template <bool kSeal, bool kAvx512>
struct GcmVaes {
    template <int Nr>
    struct Rounds {
        static void run(VaesTables t, const std::uint8_t* n, std::uint8_t* p, std::size_t len,
                        std::uint8_t* tag) {
            if constexpr (kAvx512)
                gcm_kernel_vaes<Nr, kSeal>(t, n, p, len, tag);
            else
                gcm_kernel_ymm<Nr, kSeal>(t, n, p, len, tag);
        }
    };
};

}  // namespace

#endif  // KCPKIT_AES_X86

struct AesGcm::Portable {
    CryptoPP::GCM<CryptoPP::AES>::Encryption enc;
    CryptoPP::GCM<CryptoPP::AES>::Decryption dec;
};

AesGcm::AesGcm(std::span<const std::uint8_t> key, bool force_portable) : aes_(key, force_portable) {
    init(key, force_portable ? Path::portable : Path::vaes_avx512);
}

AesGcm::AesGcm(std::span<const std::uint8_t> key, Path force) : aes_(key, force == Path::portable) {
    init(key, force);
}

void AesGcm::init(std::span<const std::uint8_t> key, Path allowed) {
#if KCPKIT_AES_X86
    const bool avx512 = allowed >= Path::vaes_avx512 && have_vaes_avx512();
    if (avx512 || (allowed >= Path::vaes_avx2 && have_vaes_avx2())) {
        path_ = avx512 ? Path::vaes_avx512 : Path::vaes_avx2;
        std::uint8_t powers[16][16];
        compute_powers(aes_, powers, 16);
        for (int i = 0; i < 16; ++i) {
            std::memcpy(wide_powers_[i], powers[15 - i], 16);
            for (int b = 0; b < 8; ++b)
                wide_power_halves_[i][b] = powers[15 - i][b] ^ powers[15 - i][8 + b];
        }
        for (int r = 0; r <= aes_.schedule().rounds; ++r)
            for (int lane = 0; lane < 4; ++lane)
                std::memcpy(&wide_keys_[r][16 * lane], aes_.schedule().round_key[r], 16);
        return;
    }
    if (allowed >= Path::aesni && have_aesni_pclmul()) {
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

#if KCPKIT_AES_X86
namespace {

/// Runs the kernel of an accelerated `path` (anything but portable).
template <bool kSeal>
void run_kernel(AesGcm::Path path, const AesSchedule& schedule, const std::uint8_t (*powers)[16],
                VaesTables wide, const std::uint8_t* nonce, std::uint8_t* data, std::size_t len,
                std::uint8_t* tag) {
    using aesni::by_rounds;
    switch (path) {
        case AesGcm::Path::vaes_avx512:
            return by_rounds<GcmVaes<kSeal, true>::template Rounds>(schedule.rounds, wide, nonce,
                                                                    data, len, tag);
        case AesGcm::Path::vaes_avx2:
            return by_rounds<GcmVaes<kSeal, false>::template Rounds>(schedule.rounds, wide, nonce,
                                                                     data, len, tag);
        default:
            return by_rounds<GcmAesni<kSeal>::template Rounds>(schedule.rounds, schedule, powers,
                                                               nonce, data, len, tag);
    }
}

}  // namespace
#endif

void AesGcm::seal(const std::uint8_t* nonce, std::uint8_t* data, std::size_t len,
                  std::uint8_t* tag) {
#if KCPKIT_AES_X86
    if (path_ != Path::portable)
        return run_kernel<true>(path_, aes_.schedule(), powers_,
                                VaesTables{wide_keys_, wide_powers_, wide_power_halves_}, nonce,
                                data, len, tag);
#endif
    portable_->enc.EncryptAndAuthenticate(data, tag, kTagSize, nonce, kNonceSize, nullptr, 0, data,
                                          len);
}

bool AesGcm::open(const std::uint8_t* nonce, std::uint8_t* data, std::size_t len,
                  const std::uint8_t* tag) {
    alignas(16) std::uint8_t expected[kTagSize];
#if KCPKIT_AES_X86
    if (path_ != Path::portable) {
        run_kernel<false>(path_, aes_.schedule(), powers_,
                          VaesTables{wide_keys_, wide_powers_, wide_power_halves_}, nonce, data,
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
