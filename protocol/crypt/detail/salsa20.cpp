#include "kcpkit/crypt/detail/salsa20.hpp"

#include <cryptopp/salsa.h>

#include <cstring>

#include "kcpkit/base/byte_order.hpp"

#if defined(__x86_64__) && defined(__GNUC__)
#define KCPKIT_SALSA_X86 1
#include <immintrin.h>
#else
#define KCPKIT_SALSA_X86 0
#endif

namespace kcpkit::crypt::detail {

bool have_avx2_salsa20() {
#if KCPKIT_SALSA_X86
    static const bool available = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2");
    }();
    return available;
#else
    return false;
#endif
}

bool have_avx512_salsa20() {
#if KCPKIT_SALSA_X86
    static const bool available = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
    }();
    return available;
#else
    return false;
#endif
}

#if KCPKIT_SALSA_X86

namespace {

// The 20 rounds (ten double rounds: columns, then rows) over the state x0..x15, shared by
// the kernels; each defines KCPKIT_SALSA_STEP(b, a, c, r), b ^= (a + c) <<< r, for its
// register type.
#define KCPKIT_SALSA_20_ROUNDS()               \
    for (int round = 0; round < 10; ++round) { \
        /* Columns. */                         \
        KCPKIT_SALSA_STEP(x4, x0, x12, 7);     \
        KCPKIT_SALSA_STEP(x9, x5, x1, 7);      \
        KCPKIT_SALSA_STEP(x14, x10, x6, 7);    \
        KCPKIT_SALSA_STEP(x3, x15, x11, 7);    \
        KCPKIT_SALSA_STEP(x8, x4, x0, 9);      \
        KCPKIT_SALSA_STEP(x13, x9, x5, 9);     \
        KCPKIT_SALSA_STEP(x2, x14, x10, 9);    \
        KCPKIT_SALSA_STEP(x7, x3, x15, 9);     \
        KCPKIT_SALSA_STEP(x12, x8, x4, 13);    \
        KCPKIT_SALSA_STEP(x1, x13, x9, 13);    \
        KCPKIT_SALSA_STEP(x6, x2, x14, 13);    \
        KCPKIT_SALSA_STEP(x11, x7, x3, 13);    \
        KCPKIT_SALSA_STEP(x0, x12, x8, 18);    \
        KCPKIT_SALSA_STEP(x5, x1, x13, 18);    \
        KCPKIT_SALSA_STEP(x10, x6, x2, 18);    \
        KCPKIT_SALSA_STEP(x15, x11, x7, 18);   \
        /* Rows. */                            \
        KCPKIT_SALSA_STEP(x1, x0, x3, 7);      \
        KCPKIT_SALSA_STEP(x6, x5, x4, 7);      \
        KCPKIT_SALSA_STEP(x11, x10, x9, 7);    \
        KCPKIT_SALSA_STEP(x12, x15, x14, 7);   \
        KCPKIT_SALSA_STEP(x2, x1, x0, 9);      \
        KCPKIT_SALSA_STEP(x7, x6, x5, 9);      \
        KCPKIT_SALSA_STEP(x8, x11, x10, 9);    \
        KCPKIT_SALSA_STEP(x13, x12, x15, 9);   \
        KCPKIT_SALSA_STEP(x3, x2, x1, 13);     \
        KCPKIT_SALSA_STEP(x4, x7, x6, 13);     \
        KCPKIT_SALSA_STEP(x9, x8, x11, 13);    \
        KCPKIT_SALSA_STEP(x14, x13, x12, 13);  \
        KCPKIT_SALSA_STEP(x0, x3, x2, 18);     \
        KCPKIT_SALSA_STEP(x5, x4, x7, 18);     \
        KCPKIT_SALSA_STEP(x10, x9, x8, 18);    \
        KCPKIT_SALSA_STEP(x15, x14, x13, 18);  \
    }

#pragma GCC push_options
#pragma GCC target("avx2,avx512f,avx512bw")

// GCC 12 warns about the plain forms of these intrinsics (their "undefined" pass-through
// operand); the zero-masking forms with a full mask compile to the same instructions.
template <int R>
inline __m512i rotl(__m512i v) {
    return _mm512_maskz_rol_epi32(0xFFFF, v, R);
}
inline __m512i unpacklo32(__m512i a, __m512i b) {
    return _mm512_maskz_unpacklo_epi32(0xFFFF, a, b);
}
inline __m512i unpackhi32(__m512i a, __m512i b) {
    return _mm512_maskz_unpackhi_epi32(0xFFFF, a, b);
}
inline __m512i unpacklo64(__m512i a, __m512i b) {
    return _mm512_maskz_unpacklo_epi64(0xFF, a, b);
}
inline __m512i unpackhi64(__m512i a, __m512i b) {
    return _mm512_maskz_unpackhi_epi64(0xFF, a, b);
}
template <int Imm>
inline __m512i lanes4(__m512i a, __m512i b) {
    return _mm512_maskz_shuffle_i32x4(0xFFFF, a, b, Imm);
}

// The Salsa20 state, word by word (the specification's x0..x15): constants on the
// diagonal (0, 5, 10, 15), key in 1..4 and 11..14, nonce in 6..7, block counter in 8..9.
// A quarter-round step is b ^= (a + c) <<< r.
#define KCPKIT_SALSA_STEP(b, a, c, r) b = _mm512_xor_si512(b, rotl<r>(_mm512_add_epi32(a, c)))

/// 16 keystream blocks for counters counter .. counter + 15, XORed into up to 1024 bytes
/// of `data` (`len` of them; masked at the end).
void salsa20_x16(const std::uint32_t* key, const std::uint8_t* nonce, std::uint64_t counter,
                 std::uint8_t* data, std::size_t len) {
    static constexpr std::uint32_t kSigma[4] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
    __m512i in[16];
    in[0] = _mm512_set1_epi32(static_cast<int>(kSigma[0]));
    in[5] = _mm512_set1_epi32(static_cast<int>(kSigma[1]));
    in[10] = _mm512_set1_epi32(static_cast<int>(kSigma[2]));
    in[15] = _mm512_set1_epi32(static_cast<int>(kSigma[3]));
    for (int i = 0; i < 4; ++i) {
        in[1 + i] = _mm512_set1_epi32(static_cast<int>(key[i]));
        in[11 + i] = _mm512_set1_epi32(static_cast<int>(key[4 + i]));
    }
    in[6] = _mm512_set1_epi32(static_cast<int>(load_le32(nonce)));
    in[7] = _mm512_set1_epi32(static_cast<int>(load_le32(nonce + 4)));
    // 64-bit counters: low words with a per-lane offset, high words with its carry.
    const __m512i lanes = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    const __m512i low = _mm512_add_epi32(
        _mm512_set1_epi32(static_cast<int>(static_cast<std::uint32_t>(counter))), lanes);
    const __mmask16 carry = _mm512_cmplt_epu32_mask(low, lanes);
    in[8] = low;
    in[9] = _mm512_mask_add_epi32(
        _mm512_set1_epi32(static_cast<int>(static_cast<std::uint32_t>(counter >> 32))), carry,
        _mm512_set1_epi32(static_cast<int>(static_cast<std::uint32_t>(counter >> 32))),
        _mm512_set1_epi32(1));

    __m512i x0 = in[0], x1 = in[1], x2 = in[2], x3 = in[3], x4 = in[4], x5 = in[5], x6 = in[6],
            x7 = in[7], x8 = in[8], x9 = in[9], x10 = in[10], x11 = in[11], x12 = in[12],
            x13 = in[13], x14 = in[14], x15 = in[15];
    KCPKIT_SALSA_20_ROUNDS();
    __m512i w[16] = {x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15};
    for (int i = 0; i < 16; ++i) w[i] = _mm512_add_epi32(w[i], in[i]);

    // Transpose: w[i] lane b is word i of block b; make one register per block.
    __m512i a[16], b[16];
    for (int i = 0; i < 16; i += 2) {
        a[i] = unpacklo32(w[i], w[i + 1]);
        a[i + 1] = unpackhi32(w[i], w[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        b[i] = unpacklo64(a[i], a[i + 2]);
        b[i + 1] = unpackhi64(a[i], a[i + 2]);
        b[i + 2] = unpacklo64(a[i + 1], a[i + 3]);
        b[i + 3] = unpackhi64(a[i + 1], a[i + 3]);
    }
    // Now b[4 g + k], 128-bit lane L, holds words 4g..4g+3 of block 4L+k.
    for (int k = 0; k < 4; ++k) {
        const __m512i c0 = lanes4<0x44>(b[k], b[4 + k]);
        const __m512i c1 = lanes4<0xEE>(b[k], b[4 + k]);
        const __m512i c2 = lanes4<0x44>(b[8 + k], b[12 + k]);
        const __m512i c3 = lanes4<0xEE>(b[8 + k], b[12 + k]);
        const __m512i block[4] = {lanes4<0x88>(c0, c2), lanes4<0xDD>(c0, c2), lanes4<0x88>(c1, c3),
                                  lanes4<0xDD>(c1, c3)};
        for (int lane = 0; lane < 4; ++lane) {
            const std::size_t offset = 64 * static_cast<std::size_t>(4 * lane + k);
            if (offset >= len) continue;
            std::uint8_t* p = data + offset;
            if (len - offset >= 64) {
                _mm512_storeu_si512(p, _mm512_xor_si512(_mm512_loadu_si512(p), block[lane]));
            } else {
                const __mmask64 m = (__mmask64{1} << (len - offset)) - 1;
                _mm512_mask_storeu_epi8(
                    p, m, _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, p), block[lane]));
            }
        }
    }
}

#undef KCPKIT_SALSA_STEP

#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2")

// AVX2 kernels. salsa20_x8 is the bulk one: one ymm register per state word, one 32-bit lane
// per block. (The same on 128-bit registers, 4 blocks, took as long per call: it is bound by
// the instruction count, and a 128-bit operation costs as much as a 256-bit one.)
template <int R>
inline __m256i rotl(__m256i v) {
    return _mm256_or_si256(_mm256_slli_epi32(v, R), _mm256_srli_epi32(v, 32 - R));
}
inline __m256i set1(std::uint32_t x) {
    return _mm256_set1_epi32(static_cast<int>(x));
}

/// data[0, avail) ^= ks, where avail may be less than 32 (the end of the data): then
/// through a stack copy, so nothing past the end is read or written.
inline void xor32(std::uint8_t* p, __m256i ks, std::size_t avail) {
    if (avail >= 32) {
        const __m256i d = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), _mm256_xor_si256(d, ks));
        return;
    }
    alignas(32) std::uint8_t tmp[32] = {};
    std::memcpy(tmp, p, avail);
    const __m256i d = _mm256_load_si256(reinterpret_cast<const __m256i*>(tmp));
    _mm256_store_si256(reinterpret_cast<__m256i*>(tmp), _mm256_xor_si256(d, ks));
    std::memcpy(p, tmp, avail);
}

#define KCPKIT_SALSA_STEP(b, a, c, r) b = _mm256_xor_si256(b, rotl<r>(_mm256_add_epi32(a, c)))

/// 8 keystream blocks for counters counter .. counter + 7, XORed into the first `len`
/// (at most 512) bytes of `data`.
void salsa20_x8(const std::uint32_t* key, const std::uint8_t* nonce, std::uint64_t counter,
                std::uint8_t* data, std::size_t len) {
    static constexpr std::uint32_t kSigma[4] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
    __m256i in[16];
    in[0] = set1(kSigma[0]);
    in[5] = set1(kSigma[1]);
    in[10] = set1(kSigma[2]);
    in[15] = set1(kSigma[3]);
    for (int i = 0; i < 4; ++i) {
        in[1 + i] = set1(key[i]);
        in[11 + i] = set1(key[4 + i]);
    }
    in[6] = set1(load_le32(nonce));
    in[7] = set1(load_le32(nonce + 4));
    // 64-bit counters: low words with a per-lane offset, high words plus the carry
    // (low < offset, compared unsigned by flipping the sign bits; true is -1).
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i low = _mm256_add_epi32(set1(static_cast<std::uint32_t>(counter)), lanes);
    const __m256i sign = set1(0x80000000u);
    const __m256i carry =
        _mm256_cmpgt_epi32(_mm256_xor_si256(lanes, sign), _mm256_xor_si256(low, sign));
    in[8] = low;
    in[9] = _mm256_sub_epi32(set1(static_cast<std::uint32_t>(counter >> 32)), carry);

    __m256i x0 = in[0], x1 = in[1], x2 = in[2], x3 = in[3], x4 = in[4], x5 = in[5], x6 = in[6],
            x7 = in[7], x8 = in[8], x9 = in[9], x10 = in[10], x11 = in[11], x12 = in[12],
            x13 = in[13], x14 = in[14], x15 = in[15];
    KCPKIT_SALSA_20_ROUNDS();
    __m256i w[16] = {x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15};
    for (int i = 0; i < 16; ++i) w[i] = _mm256_add_epi32(w[i], in[i]);

    // Transpose within each 128-bit lane: w[i] element j of lane L is word i of block
    // 4L + j. Afterwards t[4 g + k], lane L, holds words 4g..4g+3 of block 4L + k.
    __m256i a[16], t[16];
    for (int i = 0; i < 16; i += 2) {
        a[i] = _mm256_unpacklo_epi32(w[i], w[i + 1]);
        a[i + 1] = _mm256_unpackhi_epi32(w[i], w[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        t[i] = _mm256_unpacklo_epi64(a[i], a[i + 2]);
        t[i + 1] = _mm256_unpackhi_epi64(a[i], a[i + 2]);
        t[i + 2] = _mm256_unpacklo_epi64(a[i + 1], a[i + 3]);
        t[i + 3] = _mm256_unpackhi_epi64(a[i + 1], a[i + 3]);
    }
    // Block k is the low lanes of t[k], t[4 + k] then of t[8 + k], t[12 + k]; block 4 + k
    // the high lanes.
    for (int k = 0; k < 4; ++k) {
        const __m256i half[4] = {_mm256_permute2x128_si256(t[k], t[4 + k], 0x20),
                                 _mm256_permute2x128_si256(t[8 + k], t[12 + k], 0x20),
                                 _mm256_permute2x128_si256(t[k], t[4 + k], 0x31),
                                 _mm256_permute2x128_si256(t[8 + k], t[12 + k], 0x31)};
        for (int q = 0; q < 4; ++q) {
            const std::size_t offset = 64 * static_cast<std::size_t>(k + 4 * (q / 2)) +
                                       32 * static_cast<std::size_t>(q % 2);
            if (offset < len) xor32(data + offset, half[q], len - offset);
        }
    }
}

#undef KCPKIT_SALSA_STEP

// For salsa20_rows: the helpers (functions, not lambdas, so that they get the target).
inline __m256i pair(std::uint32_t w0, std::uint32_t w1, std::uint32_t w2, std::uint32_t w3,
                    std::uint32_t v0, std::uint32_t v1, std::uint32_t v2, std::uint32_t v3) {
    return _mm256_setr_epi32(static_cast<int>(w0), static_cast<int>(w1), static_cast<int>(w2),
                             static_cast<int>(w3), static_cast<int>(v0), static_cast<int>(v1),
                             static_cast<int>(v2), static_cast<int>(v3));
}
template <int N, int R>
inline void rows_step(__m256i* t, const __m256i* p, const __m256i* q) {
    for (int j = 0; j < N; ++j)
        t[j] = _mm256_xor_si256(t[j], rotl<R>(_mm256_add_epi32(p[j], q[j])));
}
template <int N, int Imm>
inline void rows_shuffle(__m256i* v) {
    for (int j = 0; j < N; ++j) v[j] = _mm256_shuffle_epi32(v[j], Imm);
}
/// w's word 0, x's word 1, y's word 2, z's word 3 (in each lane).
inline __m256i pick(__m256i w, __m256i x, __m256i y, __m256i z) {
    return _mm256_blend_epi32(_mm256_blend_epi32(_mm256_blend_epi32(w, x, 0x22), y, 0x44), z, 0x88);
}

/// 2 N keystream blocks for counters counter .. counter + 2 N - 1, XORed into the first
/// `len` (at most 128 N) bytes of `data`. For short data: the state of two blocks lives in
/// four registers (a 128-bit lane per block) in the usual diagonal order,
///   a = x0 x5 x10 x15, b = x4 x9 x14 x3, c = x8 x13 x2 x7, d = x12 x1 x6 x11,
/// so a column round is four vector steps, and a row round the same after rotating b, c and
/// d by one, two and three words. That is latency-bound, so N independent pairs (N <= 3)
/// cost about as much as one, and less than salsa20_x8.
template <int N>
void salsa20_rows(const std::uint32_t* key, const std::uint8_t* nonce, std::uint64_t counter,
                  std::uint8_t* data, std::size_t len) {
    static constexpr std::uint32_t kSigma[4] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
    const std::uint32_t n0 = load_le32(nonce), n1 = load_le32(nonce + 4);
    // x1..x4 = key[0..3], x6 x7 = nonce, x8 x9 = counter, x11..x14 = key[4..7].
    __m256i a[N], b[N], c[N], d[N], in[4][N];
    for (int j = 0; j < N; ++j) {
        const std::uint64_t c0 = counter + 2 * static_cast<std::uint64_t>(j), c1 = c0 + 1;
        const auto lo0 = static_cast<std::uint32_t>(c0), hi0 = static_cast<std::uint32_t>(c0 >> 32);
        const auto lo1 = static_cast<std::uint32_t>(c1), hi1 = static_cast<std::uint32_t>(c1 >> 32);
        a[j] = in[0][j] = pair(kSigma[0], kSigma[1], kSigma[2], kSigma[3], kSigma[0], kSigma[1],
                               kSigma[2], kSigma[3]);
        b[j] = in[1][j] = pair(key[3], hi0, key[7], key[2], key[3], hi1, key[7], key[2]);
        c[j] = in[2][j] = pair(lo0, key[6], key[1], n1, lo1, key[6], key[1], n1);
        d[j] = in[3][j] = pair(key[5], key[0], n0, key[4], key[5], key[0], n0, key[4]);
    }
    for (int round = 0; round < 10; ++round) {
        rows_step<N, 7>(b, a, d);  // columns
        rows_step<N, 9>(c, b, a);
        rows_step<N, 13>(d, c, b);
        rows_step<N, 18>(a, d, c);
        rows_shuffle<N, 0x93>(b);  // now x3 x4 x9 x14
        rows_shuffle<N, 0x4E>(c);  // x2 x7 x8 x13
        rows_shuffle<N, 0x39>(d);  // x1 x6 x11 x12
        rows_step<N, 7>(d, a, b);  // rows
        rows_step<N, 9>(c, d, a);
        rows_step<N, 13>(b, c, d);
        rows_step<N, 18>(a, b, c);
        rows_shuffle<N, 0x39>(b);
        rows_shuffle<N, 0x4E>(c);
        rows_shuffle<N, 0x93>(d);
    }
    for (int j = 0; j < N; ++j) {
        const __m256i va = _mm256_add_epi32(a[j], in[0][j]), vb = _mm256_add_epi32(b[j], in[1][j]),
                      vc = _mm256_add_epi32(c[j], in[2][j]), vd = _mm256_add_epi32(d[j], in[3][j]);
        // The block's words in order: x0..x3 = a0 d1 c2 b3, x4..x7 = b0 a1 d2 c3, and so on.
        const __m256i r0 = pick(va, vd, vc, vb), r1 = pick(vb, va, vd, vc),
                      r2 = pick(vc, vb, va, vd), r3 = pick(vd, vc, vb, va);
        const __m256i half[4] = {
            _mm256_permute2x128_si256(r0, r1, 0x20), _mm256_permute2x128_si256(r2, r3, 0x20),
            _mm256_permute2x128_si256(r0, r1, 0x31), _mm256_permute2x128_si256(r2, r3, 0x31)};
        for (int q = 0; q < 4; ++q) {
            const std::size_t offset =
                128 * static_cast<std::size_t>(j) + 32 * static_cast<std::size_t>(q);
            if (offset < len) xor32(data + offset, half[q], len - offset);
        }
    }
}

/// The AVX2 path: salsa20_x8 while more than 384 bytes remain, then salsa20_rows (for a
/// 1400-byte packet 512 + 512 + 368 bytes: ~10% faster than three salsa20_x8 here, and a
/// one-block packet ~45% faster).
void salsa20_avx2(const std::uint32_t* key, const std::uint8_t* nonce, std::uint8_t* data,
                  std::size_t len) {
    std::uint64_t counter = 0;
    for (; len > 384; counter += 8) {
        const std::size_t n = len < 512 ? len : 512;
        salsa20_x8(key, nonce, counter, data, n);
        data += n;
        len -= n;
    }
    if (len > 256)
        salsa20_rows<3>(key, nonce, counter, data, len);
    else if (len > 128)
        salsa20_rows<2>(key, nonce, counter, data, len);
    else if (len > 0)
        salsa20_rows<1>(key, nonce, counter, data, len);
}

#pragma GCC pop_options

#undef KCPKIT_SALSA_20_ROUNDS

}  // namespace

#endif  // KCPKIT_SALSA_X86

struct Salsa20Xor::Portable {
    CryptoPP::Salsa20::Encryption cipher;
};

Salsa20Xor::Salsa20Xor(std::span<const std::uint8_t, 32> key, Path allowed) {
    if (allowed >= Path::avx512 && have_avx512_salsa20())
        path_ = Path::avx512;
    else if (allowed >= Path::avx2 && have_avx2_salsa20())
        path_ = Path::avx2;
    for (int i = 0; i < 8; ++i) key_words_[i] = load_le32(key.data() + 4 * i);
    if (path_ == Path::portable) {
        portable_ = std::make_unique<Portable>();
        const std::uint8_t iv[8] = {};
        portable_->cipher.SetKeyWithIV(key.data(), key.size(), iv, sizeof iv);
    }
}

Salsa20Xor::~Salsa20Xor() = default;

void Salsa20Xor::apply(const std::uint8_t* nonce8, std::uint8_t* data, std::size_t len) {
#if KCPKIT_SALSA_X86
    if (path_ == Path::avx2) {
        salsa20_avx2(key_words_, nonce8, data, len);
        return;
    }
    if (path_ == Path::avx512) {
        for (std::uint64_t counter = 0; len > 0; counter += 16) {
            const std::size_t n = len < 1024 ? len : 1024;
            salsa20_x16(key_words_, nonce8, counter, data, n);
            data += n;
            len -= n;
        }
        return;
    }
#endif
    portable_->cipher.Resynchronize(nonce8, 8);
    portable_->cipher.ProcessData(data, data, len);
}

}  // namespace kcpkit::crypt::detail
