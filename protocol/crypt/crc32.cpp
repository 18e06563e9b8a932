#include "kcpkit/crypt/crc32.hpp"

#include <array>
#include <cstring>

#include "kcpkit/base/byte_order.hpp"

#if defined(__x86_64__) && defined(__GNUC__)
#define KCPKIT_CRC_X86 1
#include <immintrin.h>
#else
#define KCPKIT_CRC_X86 0
#endif

namespace kcpkit::crypt {

namespace {

// ----- arithmetic in the reflected domain ---------------------------------------------
//
// A 32-bit "reflected" value r stands for the polynomial whose x^31 coefficient is bit 0
// and whose x^0 coefficient is bit 31; that is how the CRC register holds its remainder.
// Multiplying by x is then a right shift, reduced by the reflected polynomial.

constexpr std::uint32_t kPolyReflected = 0xEDB88320u;

constexpr std::uint32_t times_x(std::uint32_t r) {
    return (r >> 1) ^ ((r & 1u) ? kPolyReflected : 0u);
}

/// x^n mod P in the reflected representation.
constexpr std::uint32_t x_pow_mod(unsigned n) {
    std::uint32_t r = 0x80000000u;  // x^0
    for (unsigned i = 0; i < n; ++i) r = times_x(r);
    return r;
}

// ----- slicing-by-8 tables ---------------------------------------------------------------

using Table = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr Table make_tables() {
    Table t{};
    for (std::uint32_t b = 0; b < 256; ++b) {
        std::uint32_t r = b;
        for (int bit = 0; bit < 8; ++bit) r = times_x(r);
        t[0][b] = r;
    }
    for (std::size_t k = 1; k < 8; ++k)
        for (std::size_t b = 0; b < 256; ++b)
            t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xFFu];
    return t;
}

constexpr Table kTables = make_tables();

static_assert(kTables[0][1] == 0x77073096u, "table entry for byte 1 of the IEEE CRC");

/// Runs the raw register `r` (not inverted) over `len` bytes.
std::uint32_t table_raw(std::uint32_t r, const std::uint8_t* p, std::size_t len) {
    while (len >= 8) {
        const std::uint32_t lo = load_le32(p) ^ r;
        const std::uint32_t hi = load_le32(p + 4);
        r = kTables[7][lo & 0xFFu] ^ kTables[6][(lo >> 8) & 0xFFu] ^
            kTables[5][(lo >> 16) & 0xFFu] ^ kTables[4][lo >> 24] ^ kTables[3][hi & 0xFFu] ^
            kTables[2][(hi >> 8) & 0xFFu] ^ kTables[1][(hi >> 16) & 0xFFu] ^ kTables[0][hi >> 24];
        p += 8;
        len -= 8;
    }
    while (len-- > 0) r = kTables[0][(r ^ *p++) & 0xFFu] ^ (r >> 8);
    return r;
}

#if KCPKIT_CRC_X86

// ----- carry-less multiply folding -------------------------------------------------------
//
// Load 16 message bytes into an xmm register (little-endian): bit k of the register is
// then the coefficient of x^(127-k) of that 128-bit block, the low quadword holding the
// upper half H and the high quadword the lower half L of block A = H·x^64 + L.
//
// Moving A forward by D bits (onto the block D bits later) means replacing A·x^D by
// anything congruent to it mod P that fits in 128 bits: H·(x^(64+D) mod P) +
// L·(x^D mod P) has degree < 96. With a 64-bit operand u (bit i ~ x^(63-i)) and a
// constant v = r << 32 (r reflected, so bit m of v ~ x^(63-m)), PCLMULQDQ's integer
// product w satisfies: bit k of w ~ x^(126-k) of u·v, i.e. read as a block it is x·u·v.
// So the constants hold x^(63+D) mod P (for H) and x^(D-1) mod P (for L).
//
// The preset is XORed into the first four message bytes, all full 16-byte blocks are
// folded into one block V, and the CRC of V followed by the unfolded tail (< 16 bytes),
// starting from a zero register, is the CRC of the whole input.

struct FoldConstants {
    std::uint64_t for_high_half;  // multiplies the low quadword (H)
    std::uint64_t for_low_half;   // multiplies the high quadword (L)
};

constexpr FoldConstants fold_by(unsigned distance_bits) {
    return {std::uint64_t{x_pow_mod(63 + distance_bits)} << 32,
            std::uint64_t{x_pow_mod(distance_bits - 1)} << 32};
}

constexpr FoldConstants kFold128 = fold_by(128);
constexpr FoldConstants kFold256 = fold_by(256);
constexpr FoldConstants kFold512 = fold_by(512);
constexpr FoldConstants kFold1024 = fold_by(1024);
constexpr FoldConstants kFold2048 = fold_by(2048);

// Cross-check against the constants published for this polynomial (where the same numbers
// appear shifted to a 33-bit form): x^160 and x^96 for a 128-bit fold.
static_assert((std::uint64_t{x_pow_mod(160)} << 1) == 0x1751997d0u);
static_assert((std::uint64_t{x_pow_mod(96)} << 1) == 0x0ccaa009eu);

#pragma GCC push_options
#pragma GCC target("sse4.1,pclmul")

inline __m128i constants128(const FoldConstants& k) {
    return _mm_set_epi64x(static_cast<long long>(k.for_low_half),
                          static_cast<long long>(k.for_high_half));
}

inline __m128i fold128(__m128i acc, __m128i k) {
    return _mm_xor_si128(_mm_clmulepi64_si128(acc, k, 0x00), _mm_clmulepi64_si128(acc, k, 0x11));
}

inline __m128i load128(const std::uint8_t* p) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

/// Folds the remaining full 16-byte blocks into `acc` and finishes with the table.
inline std::uint32_t finish128(__m128i acc, const std::uint8_t* p, std::size_t len) {
    const __m128i k128 = constants128(kFold128);
    while (len >= 16) {
        acc = _mm_xor_si128(fold128(acc, k128), load128(p));
        p += 16;
        len -= 16;
    }
    alignas(16) std::uint8_t block[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(block), acc);
    return table_raw(table_raw(0, block, 16), p, len);
}

std::uint32_t pclmul_raw(std::uint32_t r, const std::uint8_t* p, std::size_t len) {
    if (len < 32) return table_raw(r, p, len);
    const __m128i preset = _mm_cvtsi32_si128(static_cast<int>(r));
    if (len < 256) {
        const __m128i acc = _mm_xor_si128(load128(p), preset);
        return finish128(acc, p + 16, len - 16);
    }
    // Eight independent lanes, 128 bytes per round.
    __m128i x[8];
    for (int i = 0; i < 8; ++i) x[i] = load128(p + 16 * i);
    x[0] = _mm_xor_si128(x[0], preset);
    p += 128;
    len -= 128;
    const __m128i k1024 = constants128(kFold1024);
    while (len >= 128) {
        for (int i = 0; i < 8; ++i) x[i] = _mm_xor_si128(fold128(x[i], k1024), load128(p + 16 * i));
        p += 128;
        len -= 128;
    }
    const __m128i k128 = constants128(kFold128);
    __m128i acc = x[0];
    for (int i = 1; i < 8; ++i) acc = _mm_xor_si128(fold128(acc, k128), x[i]);
    return finish128(acc, p, len);
}

#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("sse4.1,pclmul,avx2,vpclmulqdq")

// AVX2 + VPCLMULQDQ (Zen 3, Alder Lake): two 128-bit lanes per register.

inline __m256i fold256(__m256i acc, __m256i k, __m256i next) {
    return _mm256_xor_si256(_mm256_xor_si256(_mm256_clmulepi64_epi128(acc, k, 0x00),
                                             _mm256_clmulepi64_epi128(acc, k, 0x11)),
                            next);
}

inline __m256i constants256(const FoldConstants& k) {
    const auto hi = static_cast<long long>(k.for_high_half);
    const auto lo = static_cast<long long>(k.for_low_half);
    return _mm256_set_epi64x(lo, hi, lo, hi);
}

inline __m256i load256(const std::uint8_t* p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

std::uint32_t vpclmul256_raw(std::uint32_t r, const std::uint8_t* p, std::size_t len) {
    if (len < 256) return pclmul_raw(r, p, len);
    // Four ymm registers = eight 128-bit lanes, 128 bytes per round.
    __m256i y0 = _mm256_xor_si256(load256(p),
                                  _mm256_zextsi128_si256(_mm_cvtsi32_si128(static_cast<int>(r))));
    __m256i y1 = load256(p + 32);
    __m256i y2 = load256(p + 64);
    __m256i y3 = load256(p + 96);
    p += 128;
    len -= 128;
    const __m256i k1024 = constants256(kFold1024);
    while (len >= 128) {
        y0 = fold256(y0, k1024, load256(p));
        y1 = fold256(y1, k1024, load256(p + 32));
        y2 = fold256(y2, k1024, load256(p + 64));
        y3 = fold256(y3, k1024, load256(p + 96));
        p += 128;
        len -= 128;
    }
    // Combined as a tree (two independent folds, then one) rather than a chain.
    const __m256i k512 = constants256(kFold512);
    const __m256i k256 = constants256(kFold256);
    __m256i acc = fold256(fold256(y0, k512, y2), k256, fold256(y1, k512, y3));
    while (len >= 32) {
        acc = fold256(acc, k256, load256(p));
        p += 32;
        len -= 32;
    }
    const __m128i v = _mm_xor_si128(fold128(_mm256_castsi256_si128(acc), constants128(kFold128)),
                                    _mm256_extracti128_si256(acc, 1));
    _mm256_zeroupper();  // back to SSE code (see vpclmul_raw)
    return finish128(v, p, len);
}

#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("sse4.1,pclmul,avx512f,avx512vl,avx512bw,vpclmulqdq")

inline __m512i fold512(__m512i acc, __m512i k, __m512i next) {
    const __m512i a = _mm512_clmulepi64_epi128(acc, k, 0x00);
    const __m512i b = _mm512_clmulepi64_epi128(acc, k, 0x11);
    return _mm512_ternarylogic_epi64(a, b, next, 0x96);  // a ^ b ^ next
}

// (GCC 12 warns spuriously inside _mm512_broadcast_i32x4 / _mm512_extracti32x4_epi32, so
// the constants are built with set and the lanes are split through memory.)
inline __m512i constants512(const FoldConstants& k) {
    const auto hi = static_cast<long long>(k.for_high_half);
    const auto lo = static_cast<long long>(k.for_low_half);
    return _mm512_set_epi64(lo, hi, lo, hi, lo, hi, lo, hi);
}

inline __m512i load512(const std::uint8_t* p) {
    return _mm512_loadu_si512(static_cast<const void*>(p));
}

std::uint32_t vpclmul_raw(std::uint32_t r, const std::uint8_t* p, std::size_t len) {
    if (len < 512) return pclmul_raw(r, p, len);
    const __m512i preset = _mm512_zextsi128_si512(_mm_cvtsi32_si128(static_cast<int>(r)));
    // Four zmm registers = sixteen 128-bit lanes, 256 bytes per round.
    __m512i z0 = _mm512_xor_si512(load512(p), preset);
    __m512i z1 = load512(p + 64);
    __m512i z2 = load512(p + 128);
    __m512i z3 = load512(p + 192);
    p += 256;
    len -= 256;
    const __m512i k2048 = constants512(kFold2048);
    while (len >= 256) {
        z0 = fold512(z0, k2048, load512(p));
        z1 = fold512(z1, k2048, load512(p + 64));
        z2 = fold512(z2, k2048, load512(p + 128));
        z3 = fold512(z3, k2048, load512(p + 192));
        p += 256;
        len -= 256;
    }
    const __m512i k512 = constants512(kFold512);
    __m512i acc = fold512(z0, k512, z1);
    acc = fold512(acc, k512, z2);
    acc = fold512(acc, k512, z3);
    while (len >= 64) {
        acc = fold512(acc, k512, load512(p));
        p += 64;
        len -= 64;
    }
    const __m128i k128 = constants128(kFold128);
    alignas(64) std::uint8_t lanes[64];
    _mm512_store_si512(static_cast<void*>(lanes), acc);
    // Clean the upper register state before going back to SSE code (the table tail here,
    // and whatever the caller runs next, e.g. legacy-SSE AES-NI): GCC does not insert this
    // on its own here, and on Intel cores dirty upper state slows every later SSE
    // instruction down (measured: AES-CFB decryption after this CRC ran 2.4x slower).
    _mm256_zeroupper();
    __m128i v = load128(lanes);
    for (int i = 1; i < 4; ++i) v = _mm_xor_si128(fold128(v, k128), load128(lanes + 16 * i));
    return finish128(v, p, len);
}

#pragma GCC pop_options

#endif  // KCPKIT_CRC_X86

using RawFn = std::uint32_t (*)(std::uint32_t, const std::uint8_t*, std::size_t);

struct Backend {
    RawFn fn;
    std::string_view name;
    bool (*supported)();
};

// Fastest first; the last one runs everywhere.
constexpr Backend kBackends[] = {
#if KCPKIT_CRC_X86
    {&vpclmul_raw, "vpclmulqdq-avx512",
     [] {
         return __builtin_cpu_supports("vpclmulqdq") && __builtin_cpu_supports("avx512f") &&
                __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
                __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
     }},
    {&vpclmul256_raw, "vpclmulqdq-avx2",
     [] {
         return __builtin_cpu_supports("vpclmulqdq") && __builtin_cpu_supports("avx2") &&
                __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
     }},
    {&pclmul_raw, "pclmulqdq",
     [] { return __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1"); }},
#endif
    {&table_raw, "slice8", [] { return true; }},
};

/// The fastest backend this CPU runs among those from `name` on (down the list).
const Backend& best_from(std::string_view name) {
    std::size_t i = 0;
    while (kBackends[i].name != name && i + 1 < std::size(kBackends)) ++i;
    while (!kBackends[i].supported()) ++i;
    return kBackends[i];
}

const Backend& backend() {
    static const Backend& chosen = []() -> const Backend& {
#if KCPKIT_CRC_X86
        __builtin_cpu_init();
#endif
        return best_from(kBackends[0].name);
    }();
    return chosen;
}

}  // namespace

std::uint32_t crc32_ieee_update(std::uint32_t crc, std::span<const std::uint8_t> data) {
    return ~backend().fn(~crc, data.data(), data.size());
}

std::uint32_t crc32_ieee(std::span<const std::uint8_t> data) {
    return crc32_ieee_update(0, data);
}

std::string_view crc32_backend() {
    return backend().name;
}

namespace detail {

std::uint32_t crc32_update_table(std::uint32_t crc, const std::uint8_t* data, std::size_t len) {
    return ~table_raw(~crc, data, len);
}

std::uint32_t crc32_update_pclmul(std::uint32_t crc, const std::uint8_t* data, std::size_t len) {
    return ~best_from("pclmulqdq").fn(~crc, data, len);
}

std::uint32_t crc32_update_vpclmul256(std::uint32_t crc, const std::uint8_t* data,
                                      std::size_t len) {
    return ~best_from("vpclmulqdq-avx2").fn(~crc, data, len);
}

std::uint32_t crc32_update_vpclmul(std::uint32_t crc, const std::uint8_t* data, std::size_t len) {
    return ~best_from("vpclmulqdq-avx512").fn(~crc, data, len);
}

}  // namespace detail

}  // namespace kcpkit::crypt
