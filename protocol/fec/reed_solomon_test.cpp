#define BOOST_TEST_MODULE reed_solomon
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <memory>
#include <ostream>
#include <random>
#include <span>
#include <vector>

#include "kcpkit/base/allocation_counter_test_support.hpp"
#include "kcpkit/fec/reed_solomon.hpp"
#include "kcpkit/fec/test_support.hpp"

namespace kcpkit::fec {
std::ostream& operator<<(std::ostream& os, CodingStatus s) {
    return os << kcpkit::name_of(s);
}
}  // namespace kcpkit::fec

using namespace kcpkit::fec;
using namespace kcpkit::fec::testing;

namespace {

/// Bytewise reference: out = coef x in, with gf::mul only.
void reference_matmul(int rows, int cols, const std::uint8_t* coef, const std::uint8_t* const* in,
                      std::uint8_t* const* out, std::size_t len) {
    for (int r = 0; r < rows; ++r)
        for (std::size_t i = 0; i < len; ++i) {
            std::uint8_t acc = 0;
            for (int c = 0; c < cols; ++c)
                acc = static_cast<std::uint8_t>(acc ^ gf::mul(coef[r * cols + c], in[c][i]));
            out[r][i] = acc;
        }
}

/// Independent Gauss-Jordan inverse over GF(2^8) (not Jerasure's); false if singular.
bool reference_invert(std::vector<std::uint8_t> a, int n, std::vector<std::uint8_t>& inv) {
    inv.assign(static_cast<std::size_t>(n) * n, 0);
    for (int i = 0; i < n; ++i) inv[static_cast<std::size_t>(i) * n + i] = 1;
    auto at = [n](std::vector<std::uint8_t>& m, int r, int c) -> std::uint8_t& {
        return m[static_cast<std::size_t>(r) * n + c];
    };
    for (int col = 0; col < n; ++col) {
        int piv = col;
        while (piv < n && at(a, piv, col) == 0) ++piv;
        if (piv == n) return false;
        for (int c = 0; c < n; ++c) {
            std::swap(at(a, piv, c), at(a, col, c));
            std::swap(at(inv, piv, c), at(inv, col, c));
        }
        const std::uint8_t f = gf::inv(at(a, col, col));
        for (int c = 0; c < n; ++c) {
            at(a, col, c) = gf::mul(at(a, col, c), f);
            at(inv, col, c) = gf::mul(at(inv, col, c), f);
        }
        for (int r = 0; r < n; ++r) {
            if (r == col || at(a, r, col) == 0) continue;
            const std::uint8_t g = at(a, r, col);
            for (int c = 0; c < n; ++c) {
                at(a, r, c) = static_cast<std::uint8_t>(at(a, r, c) ^ gf::mul(g, at(a, col, c)));
                at(inv, r, c) =
                    static_cast<std::uint8_t>(at(inv, r, c) ^ gf::mul(g, at(inv, col, c)));
            }
        }
    }
    return true;
}

/// The parity rows of M in hex-free form, for comparison with tables written by hand.
std::vector<std::vector<int>> parity_rows(int ds, int ps) {
    auto rs = *ReedSolomon::create(ds, ps);
    BOOST_REQUIRE(rs);
    std::vector<std::vector<int>> rows;
    for (int r = ds; r < ds + ps; ++r) {
        std::vector<int> row;
        for (int c = 0; c < ds; ++c) row.push_back(rs->matrix(r, c));
        rows.push_back(row);
    }
    return rows;
}

Bytes random_bytes(std::mt19937_64& rng, std::size_t n) {
    Bytes b(n);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    return b;
}

/// One coded group: ds random data shards, then ps parity shards (zero until encoded), all
/// `len` bytes, with the pointer lists encode() takes. Not copyable: the lists point into it.
struct Group {
    std::vector<Bytes> shards;
    std::vector<const std::uint8_t*> data;
    std::vector<std::uint8_t*> parity;

    Group(int ds, int ps, std::size_t len, std::mt19937_64& rng)
        : shards(static_cast<std::size_t>(ds + ps), Bytes(len, 0)) {
        for (int i = 0; i < ds; ++i) shards[static_cast<std::size_t>(i)] = random_bytes(rng, len);
        for (int i = 0; i < ds; ++i) data.push_back(shards[static_cast<std::size_t>(i)].data());
        for (int i = ds; i < ds + ps; ++i)
            parity.push_back(shards[static_cast<std::size_t>(i)].data());
    }
    Group(const Group&) = delete;
    Group& operator=(const Group&) = delete;
};

/// What a receiver rebuilds from `shards`: a copy in which every shard not `present` is
/// overwritten with `fill`, passed through reconstruct_data (which must succeed).
std::vector<Bytes> rebuilt(ReedSolomon& rs, std::vector<Bytes> shards,
                           std::span<const bool> present, std::uint8_t fill) {
    std::vector<std::uint8_t*> ptrs;
    for (std::size_t i = 0; i < shards.size(); ++i) {
        if (!present[i]) std::fill(shards[i].begin(), shards[i].end(), fill);
        ptrs.push_back(shards[i].data());
    }
    BOOST_REQUIRE(rs.reconstruct_data(ptrs, present, shards.front().size()) == CodingStatus::ok);
    return shards;
}

}  // namespace

BOOST_AUTO_TEST_CASE(field_tables_match_the_spec) {
    // exp[0..15] and log[1..16] of fec.md 9.1
    const int exp16[] = {1, 2, 4, 8, 16, 32, 64, 128, 29, 58, 116, 232, 205, 135, 19, 38};
    for (int i = 0; i < 16; ++i) BOOST_TEST(gf::pow(2, i) == exp16[i]);
    const int log16[] = {0, 1, 25, 2, 50, 26, 198, 3, 223, 51, 238, 27, 104, 199, 75, 4};
    for (int a = 1; a <= 16; ++a) BOOST_TEST(gf::pow(2, log16[a - 1]) == a);
    BOOST_TEST(gf::mul(2, 128) == 29);
    BOOST_TEST(gf::pow(0, 0) == 1);  // klauspost's galExp: 0^0 = 1
    BOOST_TEST(gf::pow(0, 3) == 0);
    for (int a = 1; a < 256; ++a)
        BOOST_TEST(gf::mul(static_cast<std::uint8_t>(a), gf::inv(static_cast<std::uint8_t>(a))) ==
                   1);
}

BOOST_AUTO_TEST_CASE(matrix_3_2_is_the_worked_example) {
    auto rs = *ReedSolomon::create(3, 2);
    BOOST_REQUIRE(rs);
    const int expected[5][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 1}, {15, 8, 6}};
    for (int r = 0; r < 5; ++r)
        for (int c = 0; c < 3; ++c) BOOST_TEST(rs->matrix(r, c) == expected[r][c]);
}

BOOST_AUTO_TEST_CASE(parity_rows_of_other_configurations) {
    using R = std::vector<std::vector<int>>;
    BOOST_TEST((parity_rows(1, 1) == R{{0x01}}));
    BOOST_TEST((parity_rows(2, 1) == R{{0x03, 0x02}}));
    BOOST_TEST((parity_rows(2, 2) == R{{0x03, 0x02}, {0x02, 0x03}}));
    BOOST_TEST((parity_rows(4, 2) == R{{0x1b, 0x1c, 0x12, 0x14}, {0x1c, 0x1b, 0x14, 0x12}}));
    BOOST_TEST((parity_rows(5, 5) == R{{0x07, 0x07, 0x06, 0x06, 0x01},
                                       {0x09, 0x08, 0x09, 0x08, 0x01},
                                       {0x0f, 0x0e, 0x0e, 0x0f, 0x01},
                                       {0x02, 0x7d, 0x95, 0xfd, 0x16},
                                       {0x1f, 0x60, 0x89, 0xe1, 0x16}}));
    BOOST_TEST(
        (parity_rows(10, 3) == R{{0x81, 0x96, 0xaf, 0xb8, 0xd2, 0xc4, 0xfe, 0xe8, 0x03, 0x02},
                                 {0x96, 0x81, 0xb8, 0xaf, 0xc4, 0xd2, 0xe8, 0xfe, 0x02, 0x03},
                                 {0xbf, 0xd6, 0x62, 0x0a, 0x06, 0x6f, 0xdf, 0xb7, 0x05, 0x04}}));
}

BOOST_AUTO_TEST_CASE(every_matrix_is_systematic_and_mds_on_samples) {
    std::mt19937_64 rng(7);
    for (auto [ds, ps] : {std::pair{1, 1}, {3, 2}, {10, 3}, {20, 10}, {100, 50}, {128, 128}}) {
        auto rs = *ReedSolomon::create(ds, ps);
        BOOST_REQUIRE(rs);
        for (int r = 0; r < ds; ++r)
            for (int c = 0; c < ds; ++c) BOOST_TEST(rs->matrix(r, c) == (r == c ? 1 : 0));
        // a few random ds-row subsets must be invertible
        for (int trial = 0; trial < 5; ++trial) {
            std::vector<int> rows(static_cast<std::size_t>(ds + ps));
            for (int i = 0; i < ds + ps; ++i) rows[static_cast<std::size_t>(i)] = i;
            std::shuffle(rows.begin(), rows.end(), rng);
            std::vector<std::uint8_t> sub;
            for (int i = 0; i < ds; ++i)
                for (int c = 0; c < ds; ++c)
                    sub.push_back(rs->matrix(rows[static_cast<std::size_t>(i)], c));
            std::vector<std::uint8_t> inv;
            BOOST_TEST(reference_invert(sub, ds, inv));
        }
    }
}

BOOST_AUTO_TEST_CASE(shard_count_limits) {
    BOOST_TEST(!ReedSolomon::create(0, 1));
    BOOST_TEST((ReedSolomon::create(0, 1).error() == ConfigError::bad_shard_count));
    BOOST_TEST((ReedSolomon::create(1, -1).error() == ConfigError::bad_shard_count));
    BOOST_TEST((ReedSolomon::create(200, 57).error() == ConfigError::bad_shard_count));
    BOOST_TEST((*ReedSolomon::create(200, 56) != nullptr));
    BOOST_TEST((*ReedSolomon::create(4, 0) != nullptr));
}

BOOST_AUTO_TEST_CASE(spec_3_2_parity_bytes) {
    // The padded shards (size field + KCP bytes) of the worked 3 + 2 example.
    const Bytes d0 = shard_of(kData0), d1 = shard_of(kData1), d2 = shard_of(kData2);
    const Bytes p0 = shard_of(kParity0), p1 = shard_of(kParity1);
    for (GfKernel k : kAllGfKernels) {
        if (!kernel_available(k)) continue;
        auto rs = *ReedSolomon::create(3, 2);
        rs->set_kernel(k);
        Bytes q0(kShardLength), q1(kShardLength);
        const std::uint8_t* data[] = {d0.data(), d1.data(), d2.data()};
        std::uint8_t* par[] = {q0.data(), q1.data()};
        BOOST_TEST(rs->encode(data, par, kShardLength) == CodingStatus::ok);
        BOOST_TEST(q0 == p0, kcpkit::name_of(k));
        BOOST_TEST(q1 == p1, kcpkit::name_of(k));
        // data #1 and #2 lost: recovered from d0, p0, p1
        Bytes r1(kShardLength, 0xee), r2(kShardLength, 0xee), c0 = d0, c3 = p0, c4 = p1;
        std::uint8_t* shards[] = {c0.data(), r1.data(), r2.data(), c3.data(), c4.data()};
        const bool present[] = {true, false, false, true, true};
        BOOST_TEST(rs->reconstruct_data(shards, present, kShardLength) == CodingStatus::ok);
        BOOST_TEST(r1 == d1);
        BOOST_TEST(r2 == d2);
    }
}

BOOST_AUTO_TEST_CASE(kernels_match_the_bytewise_reference) {
    std::mt19937_64 rng(11);
    const std::size_t lengths[] = {1,   2,   7,   31,  32,  33,   63,   64,   65,   127,  128, 129,
                                   191, 200, 255, 256, 300, 1386, 1394, 1400, 1408, 1494, 1500};
    for (int rows = 1; rows <= 9; ++rows)
        for (int cols : {1, 2, 3, 5, 10, 17}) {
            Bytes coef = random_bytes(rng, static_cast<std::size_t>(rows * cols));
            if (rows == 2) coef[0] = 0, coef[1 % coef.size()] = 1;  // the special cases
            GfMatrix m(rows, cols, coef);
            for (std::size_t len : lengths) {
                // inputs at odd offsets inside bigger buffers, to exercise unaligned access
                std::vector<Bytes> inb, refb;
                std::vector<const std::uint8_t*> in;
                for (int c = 0; c < cols; ++c) inb.push_back(random_bytes(rng, len + 3));
                for (int c = 0; c < cols; ++c)
                    in.push_back(inb[static_cast<std::size_t>(c)].data() + 3);
                std::vector<std::uint8_t*> ref;
                for (int r = 0; r < rows; ++r) refb.emplace_back(len);
                for (int r = 0; r < rows; ++r)
                    ref.push_back(refb[static_cast<std::size_t>(r)].data());
                reference_matmul(rows, cols, coef.data(), in.data(), ref.data(), len);
                for (GfKernel k : kAllGfKernels) {
                    if (!kernel_available(k)) continue;
                    std::vector<Bytes> outb;
                    std::vector<std::uint8_t*> out;
                    for (int r = 0; r < rows; ++r) outb.emplace_back(len + 5, 0xcc);
                    for (int r = 0; r < rows; ++r)
                        out.push_back(outb[static_cast<std::size_t>(r)].data() + 1);
                    gf_matmul(k, m.view(), in.data(), out.data(), len);
                    for (int r = 0; r < rows; ++r) {
                        const Bytes& ob = outb[static_cast<std::size_t>(r)];
                        const bool body = std::equal(
                            ob.begin() + 1, ob.begin() + 1 + static_cast<std::ptrdiff_t>(len),
                            refb[static_cast<std::size_t>(r)].begin());
                        const bool guard =
                            ob[0] == 0xcc && ob[len + 1] == 0xcc && ob[len + 4] == 0xcc;
                        BOOST_TEST((body && guard), kcpkit::name_of(k)
                                                        << " rows " << rows << " cols " << cols
                                                        << " len " << len);
                    }
                }
            }
        }
}

BOOST_AUTO_TEST_CASE(encode_erase_reconstruct_random_patterns) {
    std::mt19937_64 rng(12345);
    const std::pair<int, int> configs[] = {{1, 1}, {1, 3},  {2, 1},   {3, 2},   {4, 2},
                                           {5, 5}, {10, 3}, {20, 10}, {64, 32}, {200, 56}};
    for (auto [ds, ps] : configs)
        for (GfKernel k : kAllGfKernels) {
            if (!kernel_available(k)) continue;
            auto rs = *ReedSolomon::create(ds, ps);
            rs->set_kernel(k);
            for (int trial = 0; trial < 12; ++trial) {
                const std::size_t len = 1 + rng() % 1500;
                Group group(ds, ps, len, rng);
                const auto& shards = group.shards;
                BOOST_REQUIRE(rs->encode(group.data, group.parity, len) == CodingStatus::ok);
                // parity equals the reference product
                std::vector<Bytes> refp(static_cast<std::size_t>(ps), Bytes(len));
                std::vector<std::uint8_t*> rp;
                for (auto& b : refp) rp.push_back(b.data());
                std::vector<std::uint8_t> prow;
                for (int r = ds; r < ds + ps; ++r)
                    for (int c = 0; c < ds; ++c) prow.push_back(rs->matrix(r, c));
                reference_matmul(ps, ds, prow.data(), group.data.data(), rp.data(), len);
                for (int i = 0; i < ps; ++i)
                    BOOST_TEST(refp[static_cast<std::size_t>(i)] ==
                               shards[static_cast<std::size_t>(ds + i)]);
                // erase up to ps shards at random
                std::vector<int> order(static_cast<std::size_t>(ds + ps));
                for (int i = 0; i < ds + ps; ++i) order[static_cast<std::size_t>(i)] = i;
                std::shuffle(order.begin(), order.end(), rng);
                const int erase = static_cast<int>(rng() % static_cast<unsigned>(ps + 1));
                const auto total = static_cast<std::size_t>(ds + ps);
                std::unique_ptr<bool[]> present(new bool[total]);
                std::fill_n(present.get(), total, true);
                for (int i = 0; i < erase; ++i)
                    present[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])] = false;
                const auto work =
                    rebuilt(*rs, shards, std::span<const bool>(present.get(), total), 0x5a);
                for (int i = 0; i < ds; ++i)
                    BOOST_TEST(
                        work[static_cast<std::size_t>(i)] == shards[static_cast<std::size_t>(i)],
                        kcpkit::name_of(k) << " " << ds << "+" << ps << " shard " << i);
                // parity shards are not rebuilt (klauspost's ReconstructData)
                for (int i = ds; i < ds + ps; ++i)
                    if (!present[static_cast<std::size_t>(i)])
                        BOOST_TEST(std::all_of(work[static_cast<std::size_t>(i)].begin(),
                                               work[static_cast<std::size_t>(i)].end(),
                                               [](std::uint8_t b) { return b == 0x5a; }));
            }
        }
}

BOOST_AUTO_TEST_CASE(reconstruct_uses_the_first_ds_present_shards_like_klauspost) {
    // With inconsistent shards the output depends on which rows are used; klauspost takes
    // the first ds present in index order. Random garbage everywhere, compared with an
    // independent decoder following that rule.
    std::mt19937_64 rng(99);
    for (auto [ds, ps] : {std::pair{3, 2}, {4, 4}, {10, 3}, {6, 6}}) {
        auto rs = *ReedSolomon::create(ds, ps);
        for (int trial = 0; trial < 40; ++trial) {
            const std::size_t len = 1 + rng() % 200;
            const int total = ds + ps;
            std::vector<Bytes> work(static_cast<std::size_t>(total));
            for (auto& w : work) w = random_bytes(rng, len);
            std::unique_ptr<bool[]> present(new bool[static_cast<std::size_t>(total)]);
            int n_present = 0;
            do {
                n_present = 0;
                for (int i = 0; i < total; ++i)
                    n_present += (present[static_cast<std::size_t>(i)] = (rng() % 3 != 0));
            } while (n_present < ds);
            const auto orig = work;
            std::vector<int> used, missing;
            for (int i = 0; i < total; ++i) {
                if (present[static_cast<std::size_t>(i)] && static_cast<int>(used.size()) < ds)
                    used.push_back(i);
                if (!present[static_cast<std::size_t>(i)] && i < ds) missing.push_back(i);
            }
            std::vector<std::uint8_t> sub, inv;
            for (int r : used)
                for (int c = 0; c < ds; ++c) sub.push_back(rs->matrix(r, c));
            BOOST_REQUIRE(reference_invert(sub, ds, inv));
            std::vector<std::uint8_t*> ptrs;
            for (auto& w : work) ptrs.push_back(w.data());
            BOOST_REQUIRE(rs->reconstruct_data(
                              ptrs,
                              std::span<const bool>(present.get(), static_cast<std::size_t>(total)),
                              len) == CodingStatus::ok);
            for (int m : missing) {
                Bytes expect(len, 0);
                for (std::size_t i = 0; i < len; ++i)
                    for (int j = 0; j < ds; ++j)
                        expect[i] = static_cast<std::uint8_t>(
                            expect[i] ^ gf::mul(inv[static_cast<std::size_t>(m * ds + j)],
                                                orig[static_cast<std::size_t>(
                                                    used[static_cast<std::size_t>(j)])][i]));
                BOOST_TEST(work[static_cast<std::size_t>(m)] == expect);
            }
            for (int i = 0; i < total; ++i)
                if (present[static_cast<std::size_t>(i)] || i >= ds)
                    BOOST_TEST(work[static_cast<std::size_t>(i)] ==
                               orig[static_cast<std::size_t>(i)]);
        }
    }
}

BOOST_AUTO_TEST_CASE(reconstruct_status_codes) {
    auto rs = *ReedSolomon::create(3, 2);
    Bytes a(8), b(8), c(8), d(8), e(8);
    std::uint8_t* shards[] = {a.data(), b.data(), c.data(), d.data(), e.data()};
    bool present[] = {true, false, false, true, false};
    BOOST_TEST(rs->reconstruct_data(shards, present, 8) == CodingStatus::too_few_shards);
    BOOST_TEST(rs->reconstruct_data(shards, present, 0) == CodingStatus::no_data);
    bool all_data[] = {true, true, true, false, false};
    BOOST_TEST(rs->reconstruct_data(shards, all_data, 8) == CodingStatus::ok);
    BOOST_TEST(rs->reconstruct_data(std::span(shards, 4), std::span(present, 4), 8) ==
               CodingStatus::wrong_shard_count);
    const std::uint8_t* data[] = {a.data(), b.data(), c.data()};
    std::uint8_t* par[] = {d.data(), e.data()};
    BOOST_TEST(rs->encode(data, par, 0) == CodingStatus::no_data);
}

BOOST_AUTO_TEST_CASE(decode_cache_hits_and_evicts) {
    auto rs = *ReedSolomon::create(10, 3);
    BOOST_TEST(rs->cache_slots() == 32u);
    std::mt19937_64 rng(5);
    const std::size_t len = 100;
    Group group(10, 3, len, rng);
    const auto& shards = group.shards;
    rs->encode(group.data, group.parity, len);
    auto lose = [&](std::vector<int> lost) {
        bool present[13];
        for (int i = 0; i < 13; ++i)
            present[i] = std::find(lost.begin(), lost.end(), i) == lost.end();
        const auto work = rebuilt(*rs, shards, present, 0);
        for (int i = 0; i < 10; ++i)
            BOOST_REQUIRE(work[static_cast<std::size_t>(i)] == shards[static_cast<std::size_t>(i)]);
    };
    lose({0});
    BOOST_TEST(rs->cache_misses() == 1u);
    lose({0});
    BOOST_TEST(rs->cache_misses() == 1u);
    lose({0, 10});  // same used rows? no: parity 10 lost changes which rows are used
    BOOST_TEST(rs->cache_misses() == 2u);
    // every single and double data loss: 10 + 45 = 55 patterns > 32 slots -> evictions, all correct
    for (int a = 0; a < 10; ++a) lose({a});
    for (int a = 0; a < 10; ++a)
        for (int b = a + 1; b < 10; ++b) lose({a, b});
    for (int a = 0; a < 10; ++a)
        for (int b = a + 1; b < 10; ++b) lose({a, b});
    BOOST_TEST(rs->cache_misses() > 55u);
}

BOOST_AUTO_TEST_CASE(no_allocation_in_steady_state) {
    auto rs = *ReedSolomon::create(10, 3);
    std::mt19937_64 rng(3);
    const std::size_t len = 1400;
    Group group(10, 3, len, rng);
    std::vector<std::uint8_t*> all;
    for (auto& s : group.shards) all.push_back(s.data());
    bool present[13];
    auto run = [&](int round) {
        rs->encode(group.data, group.parity, len);
        for (int i = 0; i < 13; ++i) present[i] = true;
        present[round % 10] = false;
        present[(round * 7 + 3) % 10] = false;
        rs->reconstruct_data(all, present, len);
    };
    for (int round = 0; round < 200; ++round) run(round);  // warm every pattern's slot
    const std::uint64_t before = kcpkit::test::allocations();
    for (int round = 0; round < 2000; ++round) run(round);
    BOOST_TEST(kcpkit::test::allocations() - before == 0u);
}

BOOST_AUTO_TEST_CASE(every_erasure_pattern_of_small_codes_decodes) {
    // Every subset of at most ps lost shards, for every code with S <= 8, on every kernel.
    std::mt19937_64 rng(2024);
    for (int ds = 1; ds <= 6; ++ds)
        for (int ps = 1; ds + ps <= 8; ++ps)
            for (GfKernel k : kAllGfKernels) {
                if (!kernel_available(k)) continue;
                auto rs = *ReedSolomon::create(ds, ps);
                rs->set_kernel(k);
                const int total = ds + ps;
                const std::size_t len = 37 + rng() % 100;
                Group group(ds, ps, len, rng);
                const auto& shards = group.shards;
                BOOST_REQUIRE(rs->encode(group.data, group.parity, len) == CodingStatus::ok);
                for (unsigned lost = 0; lost < (1u << total); ++lost) {
                    if (std::popcount(lost) > ps) continue;
                    std::unique_ptr<bool[]> present(new bool[static_cast<std::size_t>(total)]);
                    for (int i = 0; i < total; ++i)
                        present[static_cast<std::size_t>(i)] = !((lost >> i) & 1u);
                    const auto work = rebuilt(
                        *rs, shards,
                        std::span<const bool>(present.get(), static_cast<std::size_t>(total)),
                        0xa5);
                    bool same = true;
                    for (int i = 0; i < ds; ++i)
                        same = same && work[static_cast<std::size_t>(i)] ==
                                           shards[static_cast<std::size_t>(i)];
                    BOOST_TEST(same, kcpkit::name_of(k)
                                         << " " << ds << "+" << ps << " lost mask " << lost);
                }
            }
}

BOOST_AUTO_TEST_CASE(gfni_affine_matrices_are_right_on_any_cpu) {
    // The GFNI kernels cannot run on this project's CI CPU (AVX2 only); their coefficient
    // form can still be checked here: a scalar model of GF2P8AFFINEQB (output bit i = parity
    // of byte 7-i of the matrix AND the input) must multiply exactly as gf::mul.
    std::vector<std::uint8_t> coef(256);
    for (int c = 0; c < 256; ++c) coef[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c);
    const GfMatrix m(16, 16, coef);
    const GfMatrixView v = m.view();
    for (int c = 0; c < 256; ++c) {
        const std::uint64_t a = v.affine[c];
        bool ok = true;
        for (int x = 0; x < 256; ++x) {
            unsigned y = 0;
            for (int i = 0; i < 8; ++i) {
                const auto row = static_cast<unsigned>((a >> (8 * (7 - i))) & 0xffu);
                y |= static_cast<unsigned>(std::popcount(row & static_cast<unsigned>(x)) & 1) << i;
            }
            ok = ok && y == gf::mul(static_cast<std::uint8_t>(c), static_cast<std::uint8_t>(x));
        }
        BOOST_TEST(ok, "coefficient " << c);
    }
}
