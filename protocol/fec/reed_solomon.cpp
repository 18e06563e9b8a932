#include "kcpkit/fec/reed_solomon.hpp"

#include <immintrin.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

extern "C" {
#include <gf_complete.h>
}
#include <jerasure.h>
#include <jerasure/galois.h>

namespace kcpkit::fec {

// ----- field tables ----------------------------------------------------------------------------

namespace {

struct Tables {
    std::uint8_t exp[512];  // exp[i] = 2^i, doubled so exp[log a + log b] needs no modulo
    std::uint8_t log[256];  // log[0] unused
    std::uint8_t mul[256][256];

    Tables() {
        unsigned x = 1;
        for (int i = 0; i < 255; ++i) {
            exp[i] = static_cast<std::uint8_t>(x);
            exp[i + 255] = static_cast<std::uint8_t>(x);
            log[x] = static_cast<std::uint8_t>(i);
            x <<= 1;
            if (x & 0x100) x ^= 0x11D;
        }
        exp[510] = exp[0];
        exp[511] = exp[1];
        log[0] = 0;
        for (int a = 0; a < 256; ++a)
            for (int b = 0; b < 256; ++b) mul[a][b] = (a == 0 || b == 0) ? 0 : exp[log[a] + log[b]];
    }
};

const Tables& tables() {
    static const Tables t;
    return t;
}

}  // namespace

namespace gf {
std::uint8_t mul(std::uint8_t a, std::uint8_t b) {
    return tables().mul[a][b];
}
std::uint8_t inv(std::uint8_t a) {
    if (a == 0) return 0;
    const Tables& t = tables();
    return t.exp[(255 - t.log[a]) % 255];
}
std::uint8_t pow(std::uint8_t a, int n) {
    if (n == 0) return 1;
    if (a == 0) return 0;
    const Tables& t = tables();
    return t.exp[(static_cast<long>(t.log[a]) * n) % 255];
}
const std::uint8_t* mul_row(std::uint8_t c) {
    return tables().mul[c];
}
}  // namespace gf

// ----- coefficient preparation -------------------------------------------------------------

namespace {

/// The 8x8 bit matrix of "x -> c*x" in the layout vgf2p8affineqb reads: byte 7-i of the
/// qword holds the mask of input bits that feed output bit i.
std::uint64_t affine_matrix(std::uint8_t c) {
    std::uint8_t images[8];
    for (int j = 0; j < 8; ++j) images[j] = gf::mul(c, static_cast<std::uint8_t>(1u << j));
    std::uint64_t a = 0;
    for (int i = 0; i < 8; ++i) {
        unsigned row = 0;
        for (int j = 0; j < 8; ++j)
            if ((images[j] >> i) & 1u) row |= 1u << j;
        a |= static_cast<std::uint64_t>(row) << (8 * (7 - i));
    }
    return a;
}

}  // namespace

void prepare_coefficients(const std::uint8_t* coef, std::size_t count, std::uint64_t* affine,
                          std::uint8_t* split) {
    for (std::size_t k = 0; k < count; ++k) {
        const std::uint8_t c = coef[k];
        affine[k] = affine_matrix(c);
        const std::uint8_t* row = gf::mul_row(c);
        for (unsigned i = 0; i < 16; ++i) {
            split[32 * k + i] = row[i];
            split[32 * k + 16 + i] = row[i << 4];
        }
    }
}

GfMatrix::GfMatrix(int rows, int cols, std::span<const std::uint8_t> coef)
    : rows_(rows),
      cols_(cols),
      coef_(coef.begin(), coef.end()),
      affine_(coef.size()),
      split_(coef.size() * 32) {
    prepare_coefficients(coef_.data(), coef_.size(), affine_.data(), split_.data());
}

// ----- kernels ---------------------------------------------------------------------------------

namespace {

void matmul_scalar(const GfMatrixView& m, const std::uint8_t* const* in, std::uint8_t* const* out,
                   std::size_t len) {
    for (int r = 0; r < m.rows; ++r) {
        std::uint8_t* o = out[r];
        const std::uint8_t* coef = m.coef + static_cast<std::size_t>(r) * m.cols;
        const std::uint8_t* t = gf::mul_row(coef[0]);
        const std::uint8_t* s = in[0];
        for (std::size_t i = 0; i < len; ++i) o[i] = t[s[i]];
        for (int c = 1; c < m.cols; ++c) {
            s = in[c];
            if (coef[c] == 0) continue;
            if (coef[c] == 1) {
                for (std::size_t i = 0; i < len; ++i) o[i] ^= s[i];
                continue;
            }
            t = gf::mul_row(coef[c]);
            for (std::size_t i = 0; i < len; ++i) o[i] ^= t[s[i]];
        }
    }
}

// Row blocks: R output rows are computed together so every input vector is loaded once per
// block. Tails: AVX-512 uses masked loads/stores; the AVX2 kernels recompute the last full
// vector ending at len (outputs never alias inputs, so overlapping stores write equal
// bytes), and fall back to scalar below one vector.

template <int R>
__attribute__((target("avx512f,avx512bw,gfni"))) void gfni512_block(const GfMatrixView& m, int r0,
                                                                    const std::uint8_t* const* in,
                                                                    std::uint8_t* const* out,
                                                                    std::size_t len) {
    const std::uint64_t* a = m.affine + static_cast<std::size_t>(r0) * m.cols;
    const std::size_t cols = static_cast<std::size_t>(m.cols);
    std::size_t off = 0;
    for (; off + 128 <= len; off += 128) {
        __m512i acc0[R], acc1[R];
        {
            const __m512i x0 = _mm512_loadu_si512(in[0] + off);
            const __m512i x1 = _mm512_loadu_si512(in[0] + off + 64);
            for (int j = 0; j < R; ++j) {
                const __m512i aj = _mm512_set1_epi64(static_cast<long long>(a[j * cols]));
                acc0[j] = _mm512_gf2p8affine_epi64_epi8(x0, aj, 0);
                acc1[j] = _mm512_gf2p8affine_epi64_epi8(x1, aj, 0);
            }
        }
        for (std::size_t c = 1; c < cols; ++c) {
            const __m512i x0 = _mm512_loadu_si512(in[c] + off);
            const __m512i x1 = _mm512_loadu_si512(in[c] + off + 64);
            for (int j = 0; j < R; ++j) {
                const __m512i aj = _mm512_set1_epi64(static_cast<long long>(a[j * cols + c]));
                acc0[j] = _mm512_xor_si512(acc0[j], _mm512_gf2p8affine_epi64_epi8(x0, aj, 0));
                acc1[j] = _mm512_xor_si512(acc1[j], _mm512_gf2p8affine_epi64_epi8(x1, aj, 0));
            }
        }
        for (int j = 0; j < R; ++j) {
            _mm512_storeu_si512(out[r0 + j] + off, acc0[j]);
            _mm512_storeu_si512(out[r0 + j] + off + 64, acc1[j]);
        }
    }
    while (off < len) {
        const std::size_t n = std::min<std::size_t>(64, len - off);
        const __mmask64 k = n == 64 ? ~__mmask64{0} : ((__mmask64{1} << n) - 1);
        __m512i acc[R];
        {
            const __m512i x = _mm512_maskz_loadu_epi8(k, in[0] + off);
            for (int j = 0; j < R; ++j)
                acc[j] = _mm512_gf2p8affine_epi64_epi8(
                    x, _mm512_set1_epi64(static_cast<long long>(a[j * cols])), 0);
        }
        for (std::size_t c = 1; c < cols; ++c) {
            const __m512i x = _mm512_maskz_loadu_epi8(k, in[c] + off);
            for (int j = 0; j < R; ++j)
                acc[j] = _mm512_xor_si512(
                    acc[j], _mm512_gf2p8affine_epi64_epi8(
                                x, _mm512_set1_epi64(static_cast<long long>(a[j * cols + c])), 0));
        }
        for (int j = 0; j < R; ++j) _mm512_mask_storeu_epi8(out[r0 + j] + off, k, acc[j]);
        off += n;
    }
}

template <int R>
__attribute__((target("avx2,gfni"))) void gfni256_block(const GfMatrixView& m, int r0,
                                                        const std::uint8_t* const* in,
                                                        std::uint8_t* const* out, std::size_t len) {
    const std::uint64_t* a = m.affine + static_cast<std::size_t>(r0) * m.cols;
    const std::size_t cols = static_cast<std::size_t>(m.cols);
    std::size_t off = 0;
    for (;;) {
        if (off + 32 > len) {
            if (off == len) break;
            off = len - 32;  // last vector, overlapping the previous one
        }
        __m256i acc[R];
        {
            const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in[0] + off));
            for (int j = 0; j < R; ++j)
                acc[j] = _mm256_gf2p8affine_epi64_epi8(
                    x, _mm256_set1_epi64x(static_cast<long long>(a[j * cols])), 0);
        }
        for (std::size_t c = 1; c < cols; ++c) {
            const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in[c] + off));
            for (int j = 0; j < R; ++j)
                acc[j] = _mm256_xor_si256(
                    acc[j], _mm256_gf2p8affine_epi64_epi8(
                                x, _mm256_set1_epi64x(static_cast<long long>(a[j * cols + c])), 0));
        }
        for (int j = 0; j < R; ++j)
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(out[r0 + j] + off), acc[j]);
        off += 32;
    }
}

// Column c's products for R rows and V vectors, XORed into acc (the first column assigns).
template <int R, int V, bool First>
__attribute__((target("avx2"), always_inline)) inline void avx2_column(const std::uint8_t* sp,
                                                                       std::size_t cols,
                                                                       std::size_t c,
                                                                       const std::uint8_t* src,
                                                                       __m256i (&acc)[R][V]) {
    const __m256i nib = _mm256_set1_epi8(0x0f);
    __m256i lo[V], hi[V];
    for (int v = 0; v < V; ++v) {
        const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + 32 * v));
        lo[v] = _mm256_and_si256(x, nib);
        hi[v] = _mm256_and_si256(_mm256_srli_epi16(x, 4), nib);
    }
    for (int j = 0; j < R; ++j) {
        const std::uint8_t* t = sp + (j * cols + c) * 32;
        const __m256i tl =
            _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(t)));
        const __m256i th =
            _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(t + 16)));
        for (int v = 0; v < V; ++v) {
            const __m256i p =
                _mm256_xor_si256(_mm256_shuffle_epi8(tl, lo[v]), _mm256_shuffle_epi8(th, hi[v]));
            acc[j][v] = First ? p : _mm256_xor_si256(acc[j][v], p);
        }
    }
}

// V vectors of 32 bytes per step (V = 2 in the main loop, so every table load serves 64
// bytes, then V = 1 for what is left, the last vector overlapping its predecessor).
template <int R, int V>
__attribute__((target("avx2"), always_inline)) inline void avx2_step(const std::uint8_t* sp,
                                                                     std::size_t cols,
                                                                     const std::uint8_t* const* in,
                                                                     std::uint8_t* const* out,
                                                                     std::size_t off) {
    __m256i acc[R][V];
    avx2_column<R, V, true>(sp, cols, 0, in[0] + off, acc);
    for (std::size_t c = 1; c < cols; ++c) avx2_column<R, V, false>(sp, cols, c, in[c] + off, acc);
    for (int j = 0; j < R; ++j)
        for (int v = 0; v < V; ++v)
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(out[j] + off + 32 * v), acc[j][v]);
}

template <int R>
__attribute__((target("avx2"))) void avx2_block(const GfMatrixView& m, int r0,
                                                const std::uint8_t* const* in,
                                                std::uint8_t* const* out, std::size_t len) {
    const std::uint8_t* sp = m.split + static_cast<std::size_t>(r0) * m.cols * 32;
    const auto cols = static_cast<std::size_t>(m.cols);
    std::uint8_t* const* rows = out + r0;
    std::size_t off = 0;
    for (; off + 64 <= len; off += 64) avx2_step<R, 2>(sp, cols, in, rows, off);
    for (; off + 32 <= len; off += 32) avx2_step<R, 1>(sp, cols, in, rows, off);
    if (off < len) avx2_step<R, 1>(sp, cols, in, rows, len - 32);  // len >= 32 (caller)
}

using BlockFn = void (*)(const GfMatrixView&, int, const std::uint8_t* const*, std::uint8_t* const*,
                         std::size_t);

template <BlockFn F1, BlockFn F2, BlockFn F3, BlockFn F4>
void run_blocks(const GfMatrixView& m, const std::uint8_t* const* in, std::uint8_t* const* out,
                std::size_t len) {
    int r = 0;
    while (r < m.rows) {
        const int left = m.rows - r;
        if (left >= 4) {
            F4(m, r, in, out, len);
            r += 4;
        } else if (left == 3) {
            F3(m, r, in, out, len);
            r += 3;
        } else if (left == 2) {
            F2(m, r, in, out, len);
            r += 2;
        } else {
            F1(m, r, in, out, len);
            r += 1;
        }
    }
}

struct Cpu {
    bool avx2 = false, gfni_avx2 = false, gfni_avx512 = false;
    Cpu() {
        __builtin_cpu_init();
        avx2 = __builtin_cpu_supports("avx2");
        const bool gfni = __builtin_cpu_supports("gfni");
        gfni_avx2 = avx2 && gfni;
        gfni_avx512 =
            gfni && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
    }
};

const Cpu& cpu() {
    static const Cpu c;
    return c;
}

}  // namespace

bool kernel_available(GfKernel kernel) {
    switch (kernel) {
        case GfKernel::scalar:
            return true;
        case GfKernel::avx2:
            return cpu().avx2;
        case GfKernel::gfni_avx2:
            return cpu().gfni_avx2;
        case GfKernel::gfni_avx512:
            return cpu().gfni_avx512;
    }
    return false;
}

GfKernel best_kernel() {
    static const GfKernel best = [] {
        if (kernel_available(GfKernel::gfni_avx512)) return GfKernel::gfni_avx512;
        if (kernel_available(GfKernel::gfni_avx2)) return GfKernel::gfni_avx2;
        if (kernel_available(GfKernel::avx2)) return GfKernel::avx2;
        return GfKernel::scalar;
    }();
    return best;
}

void gf_matmul(GfKernel kernel, const GfMatrixView& m, const std::uint8_t* const* in,
               std::uint8_t* const* out, std::size_t len) {
    if (m.rows <= 0 || m.cols <= 0 || len == 0) return;
    switch (kernel) {
        case GfKernel::gfni_avx512:
            run_blocks<gfni512_block<1>, gfni512_block<2>, gfni512_block<3>, gfni512_block<4>>(
                m, in, out, len);
            return;
        case GfKernel::gfni_avx2:
            if (len < 32) break;
            run_blocks<gfni256_block<1>, gfni256_block<2>, gfni256_block<3>, gfni256_block<4>>(
                m, in, out, len);
            return;
        case GfKernel::avx2:
            if (len < 32) break;
            run_blocks<avx2_block<1>, avx2_block<2>, avx2_block<3>, avx2_block<4>>(m, in, out, len);
            return;
        case GfKernel::scalar:
            break;
    }
    matmul_scalar(m, in, out, len);
}

// ----- the code ----------------------------------------------------------------------------------

namespace {

// GF-Complete builds its w = 8 field on first use; a function-local static makes that
// happen exactly once without the core depending on a threading header.
void init_jerasure_field() {
    static const bool ready = (galois_single_multiply(1, 1, 8), true);
    (void)ready;
}

}  // namespace

Expected<std::unique_ptr<ReedSolomon>, ConfigError> ReedSolomon::create(int data_shards,
                                                                        int parity_shards) {
    if (data_shards < 1 || parity_shards < 0 || data_shards + parity_shards > 256)
        return Unexpected(ConfigError::bad_shard_count);
    std::unique_ptr<ReedSolomon> rs(new ReedSolomon(data_shards, parity_shards));
    if (rs->matrix_.empty()) return Unexpected(ConfigError::singular_matrix);
    return rs;
}

ReedSolomon::ReedSolomon(int ds, int ps) : ds_(ds), ps_(ps), kernel_(best_kernel()) {
    init_jerasure_field();
    const int total = ds + ps;
    // Vandermonde S x ds, V[r][c] = r^c with 0^0 = 1.
    std::vector<int> v(static_cast<std::size_t>(total) * ds);
    for (int r = 0; r < total; ++r) {
        int p = 1;
        for (int c = 0; c < ds; ++c) {
            v[static_cast<std::size_t>(r) * ds + c] = p;
            p = galois_single_multiply(p, r, 8);
        }
    }
    std::vector<int> top(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(ds) * ds);
    std::vector<int> top_inv(static_cast<std::size_t>(ds) * ds);
    if (jerasure_invert_matrix(top.data(), top_inv.data(), ds, 8) != 0) return;
    int* product = jerasure_matrix_multiply(v.data(), top_inv.data(), total, ds, ds, ds, 8);
    if (!product) return;
    matrix_.resize(static_cast<std::size_t>(total) * ds);
    for (std::size_t i = 0; i < matrix_.size(); ++i)
        matrix_[i] = static_cast<std::uint8_t>(product[i]);
    std::free(product);

    parity_ = GfMatrix(
        ps, ds, std::span<const std::uint8_t>(matrix_).subspan(static_cast<std::size_t>(ds) * ds));

    const std::size_t max_rows = static_cast<std::size_t>(std::min(ds, ps));
    const std::size_t entry_bytes = max_rows * static_cast<std::size_t>(ds) * (1 + 8 + 32) +
                                    2 * static_cast<std::size_t>(ds) + 64;
    const std::size_t slots = std::clamp<std::size_t>((std::size_t{1} << 20) / entry_bytes, 1, 32);
    cache_.resize(max_rows == 0 ? 1 : slots);
    scratch_sub_.resize(static_cast<std::size_t>(ds) * ds);
    scratch_inv_.resize(static_cast<std::size_t>(ds) * ds);
}

CodingStatus ReedSolomon::encode(std::span<const std::uint8_t* const> data,
                                 std::span<std::uint8_t* const> parity, std::size_t len) const {
    if (data.size() != static_cast<std::size_t>(ds_) ||
        parity.size() != static_cast<std::size_t>(ps_))
        return CodingStatus::wrong_shard_count;
    if (len == 0) return CodingStatus::no_data;
    gf_matmul(kernel_, parity_.view(), data.data(), parity.data(), len);
    return CodingStatus::ok;
}

ReedSolomon::CacheEntry* ReedSolomon::lookup(const std::array<std::uint64_t, 4>& key) {
    for (CacheEntry& e : cache_)
        if (e.valid && e.key == key) {
            e.last_used = ++clock_;
            return &e;
        }
    return nullptr;
}

CodingStatus ReedSolomon::fill(CacheEntry& e, const std::array<std::uint64_t, 4>& key,
                               std::span<const std::uint8_t> used,
                               std::span<const std::uint8_t> missing) {
    const std::size_t ds = static_cast<std::size_t>(ds_);
    e.valid = false;
    for (std::size_t r = 0; r < ds; ++r)
        for (std::size_t c = 0; c < ds; ++c)
            scratch_sub_[r * ds + c] = matrix_[static_cast<std::size_t>(used[r]) * ds + c];
    if (jerasure_invert_matrix(scratch_sub_.data(), scratch_inv_.data(), ds_, 8) != 0)
        return CodingStatus::singular;
    if (e.coef.empty()) reserve_reconstruct();
    e.rows = static_cast<int>(missing.size());
    for (std::size_t r = 0; r < missing.size(); ++r)
        for (std::size_t c = 0; c < ds; ++c)
            e.coef[r * ds + c] = static_cast<std::uint8_t>(
                scratch_inv_[static_cast<std::size_t>(missing[r]) * ds + c]);
    prepare_coefficients(e.coef.data(), missing.size() * ds, e.affine.data(), e.split.data());
    std::copy(used.begin(), used.end(), e.used.begin());
    std::copy(missing.begin(), missing.end(), e.missing.begin());
    e.key = key;
    e.valid = true;
    e.last_used = ++clock_;
    return CodingStatus::ok;
}

void ReedSolomon::reserve_reconstruct() {
    const auto ds = static_cast<std::size_t>(ds_);
    const auto max_rows = static_cast<std::size_t>(std::min(ds_, ps_));
    for (CacheEntry& slot : cache_) {
        if (!slot.coef.empty()) continue;
        slot.coef.resize(max_rows * ds);
        slot.affine.resize(max_rows * ds);
        slot.split.resize(max_rows * ds * 32);
        slot.used.resize(ds);
        slot.missing.resize(max_rows);
    }
}

CodingStatus ReedSolomon::reconstruct_data(std::span<std::uint8_t* const> shards,
                                           std::span<const bool> present, std::size_t len) {
    const std::size_t total = static_cast<std::size_t>(ds_ + ps_);
    if (shards.size() != total || present.size() != total) return CodingStatus::wrong_shard_count;
    if (len == 0) return CodingStatus::no_data;

    // Only the first n_used / n_missing entries are read: no need to clear 512 bytes.
    std::array<std::uint8_t, 256> used;
    std::array<std::uint8_t, 256> missing;
    std::size_t n_used = 0, n_missing = 0, n_present = 0;
    std::array<std::uint64_t, 4> key{};
    for (std::size_t k = 0; k < total; ++k) {
        if (present[k]) {
            ++n_present;
            if (n_used < static_cast<std::size_t>(ds_)) {
                used[n_used++] = static_cast<std::uint8_t>(k);
                key[k >> 6] |= std::uint64_t{1} << (k & 63);
            }
        } else if (k < static_cast<std::size_t>(ds_)) {
            missing[n_missing++] = static_cast<std::uint8_t>(k);
        }
    }
    if (n_missing == 0) return CodingStatus::ok;
    if (n_present < static_cast<std::size_t>(ds_)) return CodingStatus::too_few_shards;

    CacheEntry* e = lookup(key);
    if (!e) {
        ++cache_misses_;
        e = &*std::min_element(cache_.begin(), cache_.end(),
                               [](const CacheEntry& a, const CacheEntry& b) {
                                   if (a.valid != b.valid) return !a.valid;
                                   return a.last_used < b.last_used;
                               });
        const CodingStatus s =
            fill(*e, key, std::span(used.data(), n_used), std::span(missing.data(), n_missing));
        if (s != CodingStatus::ok) return s;
    }
    std::array<const std::uint8_t*, 256> in;  // ds and rows entries filled below
    std::array<std::uint8_t*, 256> out;
    for (std::size_t j = 0; j < static_cast<std::size_t>(ds_); ++j) in[j] = shards[e->used[j]];
    for (int r = 0; r < e->rows; ++r)
        out[static_cast<std::size_t>(r)] = shards[e->missing[static_cast<std::size_t>(r)]];
    const GfMatrixView view{e->rows, ds_, e->coef.data(), e->affine.data(), e->split.data()};
    gf_matmul(kernel_, view, in.data(), out.data(), len);
    return CodingStatus::ok;
}

}  // namespace kcpkit::fec
