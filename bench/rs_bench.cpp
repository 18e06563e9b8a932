// Google Benchmark suite for the Reed-Solomon codec (protocol/fec/reed_solomon.hpp).
//
// Names pair with interop/cmd/bench-kcpgo/rs_bench_test.go (klauspost/reedsolomon as
// kcp-go v5.6.72 creates it) so bench/compare can print ratios:
//   RSEncode/10x3/<shard>        3 parity shards from 10 data shards
//   RSReconstruct/10x3/<shard>   the 10 data shards back with data shards 0, 4 and 9 lost
// kcpkit-only: RSEncodeKernel/<kernel>/10x3/<shard> and RSReconstructKernel/... for every
// region kernel this CPU can run (the unsuffixed names use the one picked at run time).
// Bytes processed are the data bytes (10 x shard), as Go's b.SetBytes.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "kcpkit/fec/reed_solomon.hpp"

namespace {

using namespace kcpkit::fec;

constexpr int kData = 10;
constexpr int kParity = 3;
constexpr int kLost[] = {0, 4, 9};
constexpr std::size_t kShardSizes[] = {1400, 1408};

/// Thirteen 64-byte aligned shards, the data ones random, as the FEC layer holds them.
struct Shards {
    explicit Shards(std::size_t size) {
        const std::size_t stride = (size + 63) / 64 * 64;
        storage.reset(
            static_cast<std::uint8_t*>(std::aligned_alloc(64, stride * (kData + kParity))));
        std::mt19937_64 rng(size);
        for (int i = 0; i < kData + kParity; ++i) {
            ptr[static_cast<std::size_t>(i)] = storage.get() + static_cast<std::size_t>(i) * stride;
            cptr[static_cast<std::size_t>(i)] = ptr[static_cast<std::size_t>(i)];
            for (std::size_t j = 0; j < size; ++j)
                ptr[static_cast<std::size_t>(i)][j] =
                    i < kData ? static_cast<std::uint8_t>(rng()) : 0;
        }
    }
    std::span<const std::uint8_t* const> data() const { return {cptr.data(), kData}; }
    std::span<std::uint8_t* const> parity() const { return {ptr.data() + kData, kParity}; }

    struct Free {
        void operator()(std::uint8_t* p) const { std::free(p); }
    };
    std::unique_ptr<std::uint8_t, Free> storage;
    std::array<std::uint8_t*, kData + kParity> ptr{};
    std::array<const std::uint8_t*, kData + kParity> cptr{};
};

void run_encode(benchmark::State& state, GfKernel kernel, std::size_t size) {
    auto rs = *ReedSolomon::create(kData, kParity);
    rs->set_kernel(kernel);
    Shards s(size);
    for (int i = 0; i < kData + kParity; ++i)
        s.cptr[static_cast<std::size_t>(i)] = s.ptr[static_cast<std::size_t>(i)];
    for (auto _ : state) {
        if (rs->encode(s.data(), s.parity(), size) != CodingStatus::ok)
            state.SkipWithError("encode failed");
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * kData *
                            static_cast<std::int64_t>(size));
}

void run_reconstruct(benchmark::State& state, GfKernel kernel, std::size_t size) {
    auto rs = *ReedSolomon::create(kData, kParity);
    rs->set_kernel(kernel);
    rs->reserve_reconstruct();
    Shards s(size);
    for (int i = 0; i < kData + kParity; ++i)
        s.cptr[static_cast<std::size_t>(i)] = s.ptr[static_cast<std::size_t>(i)];
    rs->encode(s.data(), s.parity(), size);
    std::vector<std::vector<std::uint8_t>> want;
    for (int l : kLost)
        want.emplace_back(s.ptr[static_cast<std::size_t>(l)],
                          s.ptr[static_cast<std::size_t>(l)] + size);
    std::array<bool, kData + kParity> present{};
    present.fill(true);
    for (int l : kLost) present[static_cast<std::size_t>(l)] = false;
    for (auto _ : state) {
        if (rs->reconstruct_data(s.ptr, present, size) != CodingStatus::ok)
            state.SkipWithError("reconstruct failed");
        benchmark::ClobberMemory();
    }
    for (std::size_t k = 0; k < std::size(kLost); ++k)
        if (std::memcmp(s.ptr[static_cast<std::size_t>(kLost[k])], want[k].data(), size) != 0)
            state.SkipWithError("shard not rebuilt");
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * kData *
                            static_cast<std::int64_t>(size));
}

const int kRegistered = [] {
    benchmark::AddCustomContext("rs_kernel", std::string(kcpkit::name_of(best_kernel())));
    for (std::size_t size : kShardSizes) {
        const std::string shape = "/10x3/" + std::to_string(size);
        benchmark::RegisterBenchmark(("RSEncode" + shape).c_str(), run_encode, best_kernel(), size);
        benchmark::RegisterBenchmark(("RSReconstruct" + shape).c_str(), run_reconstruct,
                                     best_kernel(), size);
        for (GfKernel k : kAllGfKernels) {
            if (!kernel_available(k)) continue;
            const std::string name(kcpkit::name_of(k));
            benchmark::RegisterBenchmark(("RSEncodeKernel/" + name + shape).c_str(), run_encode, k,
                                         size);
            benchmark::RegisterBenchmark(("RSReconstructKernel/" + name + shape).c_str(),
                                         run_reconstruct, k, size);
        }
    }
    return 0;
}();

}  // namespace

BENCHMARK_MAIN();
