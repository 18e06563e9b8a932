// AES-NI building blocks shared by the AES code of protocol/ (internal). Everything here
// is compiled for SSE4.1 + AES + PCLMULQDQ whatever the build flags; callers must check
// have_aesni() (aes.hpp) before running any of it. Code using these helpers must be
// compiled for (at least) the same target, or GCC will not inline them — which costs a
// factor of two or more, silently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "kcpkit/crypt/detail/aes.hpp"

#if defined(__x86_64__) && defined(__GNUC__)
#define KCPKIT_AES_X86 1
#include <immintrin.h>
#else
#define KCPKIT_AES_X86 0
#endif

#if KCPKIT_AES_X86

namespace kcpkit::crypt::detail::aesni {

#pragma GCC push_options
#pragma GCC target("sse4.1,aes,pclmul")

inline __m128i load(const std::uint8_t* p) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}
inline void store(std::uint8_t* p, __m128i v) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v);
}

template <int Nr>
struct Keys {
    __m128i k[Nr + 1];
    explicit Keys(const AesSchedule& s) {
#pragma GCC unroll 16
        for (int i = 0; i <= Nr; ++i) k[i] = load(s.round_key[i]);
    }
};

template <int Nr>
inline __m128i encrypt1(const Keys<Nr>& rk, __m128i x) {
    x = _mm_xor_si128(x, rk.k[0]);
#pragma GCC unroll 16
    for (int r = 1; r < Nr; ++r) x = _mm_aesenc_si128(x, rk.k[r]);
    return _mm_aesenclast_si128(x, rk.k[Nr]);
}

/// Encrypts N independent blocks; the rounds are interleaved so they pipeline.
template <int Nr, int N>
inline void encrypt_n(const Keys<Nr>& rk, __m128i* x) {
#pragma GCC unroll 16
    for (int i = 0; i < N; ++i) x[i] = _mm_xor_si128(x[i], rk.k[0]);
#pragma GCC unroll 16
    for (int r = 1; r < Nr; ++r)
#pragma GCC unroll 16
        for (int i = 0; i < N; ++i) x[i] = _mm_aesenc_si128(x[i], rk.k[r]);
#pragma GCC unroll 16
    for (int i = 0; i < N; ++i) x[i] = _mm_aesenclast_si128(x[i], rk.k[Nr]);
}

/// XORs the first `n` (< 16) bytes of `data` with `keystream`.
inline void xor_tail(std::uint8_t* data, std::size_t n, __m128i keystream) {
    alignas(16) std::uint8_t ks[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(ks), keystream);
#pragma GCC unroll 16
    for (std::size_t i = 0; i < n; ++i) data[i] ^= ks[i];
}

#pragma GCC pop_options

/// Calls F<rounds>::run(args...) for rounds 10, 12 or 14.
template <template <int> class F, typename... Args>
void by_rounds(int rounds, Args&&... args) {
    switch (rounds) {
        case 10:
            F<10>::run(std::forward<Args>(args)...);
            break;
        case 12:
            F<12>::run(std::forward<Args>(args)...);
            break;
        default:
            F<14>::run(std::forward<Args>(args)...);
            break;
    }
}

}  // namespace kcpkit::crypt::detail::aesni

#endif  // KCPKIT_AES_X86
