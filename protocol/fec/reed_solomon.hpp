// Reed-Solomon erasure code over GF(2^8), bit-compatible with klauspost/reedsolomon's
// default code, which is what kcp-go uses for its FEC layer (docs/fec.md).
//
// Field: GF(2^8) with reducing polynomial x^8+x^4+x^3+x^2+1 (0x11D), generator 2; the same
// field as Jerasure/GF-Complete with w = 8.
//
// Code: the S x ds encoding matrix M = V * T^-1, where V[r][c] = r^c (row index used as a
// field element, 0^0 = 1) and T is V's top ds x ds square. M's top ds rows are the
// identity, so data shards go out unchanged and parity shard i is row ds+i of M times the
// data shards, byte by byte. The matrix is built and inverted with Jerasure's matrix
// functions; the per-byte region arithmetic is ours (GFNI affine on AVX-512 or AVX2, an
// AVX2 nibble-table kernel, or a table-driven scalar loop), picked once at run time from
// what the CPU offers.
//
// Reconstruction follows klauspost's ReconstructData exactly, which matters when the
// shards are not consistent with each other (garbage from a hostile peer, or kcp-go's
// zero-padding of late shards): the first ds present shards in index order are used,
// their sub-matrix is inverted, and only the missing *data* shards are rebuilt. Inverted
// matrices are cached per pattern of used shards (a fixed number of slots, LRU).
//
// No allocation in steady state: encode() never allocates; reconstruct_data() allocates
// only if reserve_reconstruct() was not called first, and then once (all slots at once).
//
// Threads: encode() is const and may run concurrently; reconstruct_data() updates the
// decode cache, so one thread at a time per object.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "kcpkit/base/enum_names.hpp"
#include "kcpkit/base/expected.hpp"
#include "kcpkit/fec/config_error.hpp"

namespace kcpkit::fec {

// ----- GF(2^8) scalars (0x11D, generator 2) ----------------------------------------------

namespace gf {
std::uint8_t mul(std::uint8_t a, std::uint8_t b);
/// Multiplicative inverse; inv(0) is 0 (undefined in the field; never used on 0).
std::uint8_t inv(std::uint8_t a);
/// klauspost's galExp: a^n, with a^0 = 1 for every a (also 0^0).
std::uint8_t pow(std::uint8_t a, int n);
/// The 256-byte row x -> c*x.
const std::uint8_t* mul_row(std::uint8_t c);
}  // namespace gf

// ----- region kernels ----------------------------------------------------------------------

/// Implementations of "out[r] = XOR over c of coef[r][c] * in[c]" over a byte range.
enum class GfKernel : std::uint8_t {
    scalar,       ///< 256-byte product tables, any CPU
    avx2,         ///< AVX2 vpshufb on nibbles (split tables)
    gfni_avx2,    ///< GFNI affine transform on 32-byte vectors
    gfni_avx512,  ///< GFNI affine transform on 64-byte vectors, masked tail
};
// Several names a line: a table, not code to lay out.
// clang-format off
constexpr auto enum_names(GfKernel) {
    using enum GfKernel;
    return std::to_array<EnumName<GfKernel>>({{scalar, "scalar"}, {avx2, "avx2"},
        {gfni_avx2, "gfni-avx2"}, {gfni_avx512, "gfni-avx512"}});
}
// clang-format on
static_assert(names_are_distinct<GfKernel>());
inline constexpr auto kAllGfKernels = values_of<GfKernel>();
/// Whether this CPU (and OS) can run the kernel.
bool kernel_available(GfKernel kernel);
/// The fastest available kernel (checked once).
GfKernel best_kernel();

/// A rows x cols coefficient matrix prepared for every kernel. Storage is owned by the
/// caller (see GfMatrix for an owning version) so a cache can reuse it.
struct GfMatrixView {
    int rows = 0;
    int cols = 0;
    const std::uint8_t* coef = nullptr;     ///< rows*cols, row-major
    const std::uint64_t* affine = nullptr;  ///< rows*cols GFNI bit matrices
    const std::uint8_t* split = nullptr;  ///< rows*cols*32: 16 low-nibble + 16 high-nibble products
};

/// Owning prepared matrix.
class GfMatrix {
  public:
    GfMatrix() = default;
    GfMatrix(int rows, int cols, std::span<const std::uint8_t> coef);
    GfMatrixView view() const {
        return {rows_, cols_, coef_.data(), affine_.data(), split_.data()};
    }
    int rows() const { return rows_; }
    int cols() const { return cols_; }

  private:
    int rows_ = 0, cols_ = 0;
    std::vector<std::uint8_t> coef_;
    std::vector<std::uint64_t> affine_;
    std::vector<std::uint8_t> split_;
};

/// Fills affine/split for `count` coefficients (prepared forms of coef[0..count)).
void prepare_coefficients(const std::uint8_t* coef, std::size_t count, std::uint64_t* affine,
                          std::uint8_t* split);

/// out[r][0..len) = XOR over c of m.coef[r][c] * in[c][0..len). Outputs must not overlap
/// inputs or each other. The kernel must be available.
void gf_matmul(GfKernel kernel, const GfMatrixView& m, const std::uint8_t* const* in,
               std::uint8_t* const* out, std::size_t len);

// ----- the code ------------------------------------------------------------------------------

/// What encode() / reconstruct_data() did. Nothing was written unless ok.
enum class CodingStatus : std::uint8_t {
    ok = 0,             ///< done (reconstruct_data: also when nothing was missing)
    wrong_shard_count,  ///< the spans do not hold ds / ps / S entries: a caller bug
    too_few_shards,     ///< reconstruct: fewer than ds shards present (klauspost
                        ///< ErrTooFewShards): wait for more shards, or give the group up
    no_data,            ///< zero-length shards (klauspost ErrShardNoData): nothing to code
    singular,           ///< a sub-matrix did not invert (cannot happen with this code)
};
// Several names a line: a table, not code to lay out.
// clang-format off
constexpr auto enum_names(CodingStatus) {
    using enum CodingStatus;
    return std::to_array<EnumName<CodingStatus>>({{ok, "ok"},
        {wrong_shard_count, "wrong_shard_count"}, {too_few_shards, "too_few_shards"},
        {no_data, "no_data"}, {singular, "singular"}});
}
// clang-format on
static_assert(names_are_distinct<CodingStatus>());

class ReedSolomon {
  public:
    /// The code, or bad_shard_count (ds < 1, ps < 0 or ds + ps > 256) or singular_matrix.
    static Expected<std::unique_ptr<ReedSolomon>, ConfigError> create(int data_shards,
                                                                      int parity_shards);

    int data_shards() const { return ds_; }
    int parity_shards() const { return ps_; }
    int total_shards() const { return ds_ + ps_; }
    /// Entry of the S x ds encoding matrix M.
    std::uint8_t matrix(int row, int col) const { return matrix_[row * ds_ + col]; }

    /// Kernel used by this object (defaults to best_kernel()); must be available.
    void set_kernel(GfKernel kernel) { kernel_ = kernel; }
    GfKernel kernel() const { return kernel_; }

    /// parity[i][0..len) = row ds+i of M times data[0..ds)[0..len). `data` has ds pointers,
    /// `parity` ps. len 0 gives no_data (as klauspost).
    CodingStatus encode(std::span<const std::uint8_t* const> data,
                        std::span<std::uint8_t* const> parity, std::size_t len) const;

    /// klauspost's ReconstructData: `shards` has S pointers, each to len bytes of storage;
    /// present[k] says which hold a received shard. Missing data shards (k < ds) are
    /// written; parity shards are not touched. Returns ok when nothing is missing.
    CodingStatus reconstruct_data(std::span<std::uint8_t* const> shards,
                                  std::span<const bool> present, std::size_t len);

    /// Sizes every decode-matrix cache slot, so reconstruct_data() never allocates (a
    /// decoder calls it up front; an encode-only codec need not pay for the cache).
    void reserve_reconstruct();

    /// Number of decode-matrix cache slots and how many lookups missed so far.
    std::size_t cache_slots() const { return cache_.size(); }
    std::uint64_t cache_misses() const { return cache_misses_; }

  private:
    ReedSolomon(int ds, int ps);
    struct CacheEntry {
        std::array<std::uint64_t, 4> key{};  ///< bitset of the shard indices used
        bool valid = false;
        std::uint64_t last_used = 0;
        int rows = 0;                       ///< missing data shards
        std::vector<std::uint8_t> coef;     ///< min(ds,ps) x ds
        std::vector<std::uint64_t> affine;  ///< same count
        std::vector<std::uint8_t> split;    ///< same count x 32
        std::vector<std::uint8_t> used;     ///< ds shard indices (inputs)
        std::vector<std::uint8_t> missing;  ///< rows data indices (outputs)
    };
    CacheEntry* lookup(const std::array<std::uint64_t, 4>& key);
    CodingStatus fill(CacheEntry& e, const std::array<std::uint64_t, 4>& key,
                      std::span<const std::uint8_t> used, std::span<const std::uint8_t> missing);

    int ds_, ps_;
    GfKernel kernel_;
    std::vector<std::uint8_t> matrix_;  ///< S x ds
    GfMatrix parity_;                   ///< ps x ds rows of M, prepared
    std::vector<CacheEntry> cache_;
    std::uint64_t clock_ = 0;
    std::uint64_t cache_misses_ = 0;
    std::vector<int> scratch_sub_, scratch_inv_;  ///< ds x ds, for Jerasure
};

}  // namespace kcpkit::fec
