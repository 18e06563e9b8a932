// Google Benchmark suite for the crypt layer (protocol/crypt/crypt.hpp, protocol/crypt/crc32.hpp).
//
// Names pair with interop/cmd/bench-kcpgo/crypt_bench_test.go so a script can print
// ratios: strip Go's "Benchmark" prefix and "-N" GOMAXPROCS suffix and match
//   CryptEncrypt/<cipher>   BlockCrypt encrypt of one 1400-byte buffer, in place
//   CryptDecrypt/<cipher>   BlockCrypt decrypt of one 1400-byte buffer, in place
//   AEADSeal/<cipher>       AES-GCM seal of a 1400-byte payload (nonce given)
//   AEADOpen/<cipher>       AES-GCM open of that datagram (copied back each iteration)
//   CRC32IEEE1K             CRC-32 of 1024 bytes
// kcpkit-only: CryptEncryptBatch/aes-128/N (N packets of 1400 B per iteration, bytes count
// all of them), SealBatch/aes-128/N, Seal/<cipher> and Open/<cipher> (full envelope incl.
// nonce and CRC), NonceFill16, CRC32IEEE/<len>, GcmSealPath/<path> (AES-128-GCM seal of
// 1400 B capped at one kernel, to show what CPUs without the widest one get; the label
// names the kernel that ran).
// Bytes processed are payload bytes (1400 per packet), as Go's b.SetBytes(1400).
#include <benchmark/benchmark.h>

#include <array>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kcpkit/crypt/crc32.hpp"
#include "kcpkit/crypt/crypt.hpp"
#include "kcpkit/crypt/detail/gcm.hpp"
#include "kcpkit/crypt/key_derivation.hpp"
#include "kcpkit/crypt/nonce.hpp"

namespace {

using namespace kcpkit::crypt;
using kcpkit::name_of;

constexpr std::size_t kPacket = 1400;

std::vector<std::uint8_t> random_bytes(std::size_t n, std::uint64_t seed = 1) {
    std::mt19937_64 rng(seed);
    std::vector<std::uint8_t> b(n);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    return b;
}

/// A random key of kcptun's length for the cipher.
std::vector<std::uint8_t> key_for(Cipher c) {
    return random_bytes(kcptun_key_length(c), 99);
}

struct FixedNonces final : NonceSource {
    void fill(std::span<std::uint8_t> out) override { std::memset(out.data(), 0x42, out.size()); }
};

enum class Direction { encrypt, decrypt };

/// CryptEncrypt/CryptDecrypt: one 1400-byte buffer in place.
void CryptOne(benchmark::State& state, Cipher c, Direction d) {
    auto bc = *make_block_crypt(c, key_for(c));
    auto buf = random_bytes(kPacket);
    for (auto _ : state) {
        if (d == Direction::encrypt)
            bc->encrypt(buf);
        else
            bc->decrypt(buf);
        benchmark::DoNotOptimize(buf.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kPacket));
}

/// CryptEncryptBatch/CryptDecryptBatch: range(0) buffers of 1400 bytes per call.
void CryptBatch(benchmark::State& state, Cipher c, Direction d) {
    const auto n = static_cast<std::size_t>(state.range(0));
    auto bc = *make_block_crypt(c, key_for(c));
    std::vector<std::vector<std::uint8_t>> bufs;
    std::vector<std::span<std::uint8_t>> spans;
    for (std::size_t i = 0; i < n; ++i) bufs.push_back(random_bytes(kPacket, i));
    for (auto& b : bufs) spans.emplace_back(b);
    for (auto _ : state) {
        if (d == Direction::encrypt)
            bc->encrypt_batch(spans);
        else
            bc->decrypt_batch(spans);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * kPacket));
}

/// The whole send path for one datagram: nonce, CRC-32, encryption (or GCM).
void Seal(benchmark::State& state, Cipher c) {
    auto pc = *make_packet_crypt(c, key_for(c));
    std::array<std::uint8_t, 32> seed{};
    AesCtrNonceSource nonces(seed);
    std::vector<std::uint8_t> buf(pc->overhead().total() + kPacket);
    for (auto _ : state) {
        benchmark::DoNotOptimize(pc->seal(buf, kPacket, nonces));
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kPacket));
}

/// The whole receive path: decryption and CRC check (or GCM open). The sealed datagram is
/// copied back every iteration (1.4 KB memcpy, included in the time).
void Open(benchmark::State& state, Cipher c) {
    auto pc = *make_packet_crypt(c, key_for(c));
    FixedNonces nonces;
    std::vector<std::uint8_t> sealed(pc->overhead().total() + kPacket);
    const auto len = pc->seal(sealed, kPacket, nonces).length;
    std::vector<std::uint8_t> buf(len);
    for (auto _ : state) {
        std::memcpy(buf.data(), sealed.data(), len);
        auto r = pc->open(buf);
        if (r.status != OpenStatus::ok) state.SkipWithError("open failed");
        benchmark::DoNotOptimize(r);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kPacket));
}

void SealBatch(benchmark::State& state, Cipher c) {
    const auto n = static_cast<std::size_t>(state.range(0));
    auto pc = *make_packet_crypt(c, key_for(c));
    std::array<std::uint8_t, 32> seed{};
    AesCtrNonceSource nonces(seed);
    std::vector<std::vector<std::uint8_t>> bufs(
        n, std::vector<std::uint8_t>(pc->overhead().total() + kPacket));
    std::vector<SealJob> jobs;
    for (auto& b : bufs) jobs.push_back({b, kPacket, {}});
    for (auto _ : state) {
        pc->seal_batch(jobs, nonces);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * kPacket));
}

/// AES-GCM seal with the nonce already in place (what AEADSeal measures in Go).
void AEADSeal(benchmark::State& state, Cipher c) {
    auto pc = *make_packet_crypt(c, key_for(c));
    std::vector<std::uint8_t> buf(pc->overhead().total() + kPacket);
    for (auto _ : state) {
        benchmark::DoNotOptimize(pc->seal_with_nonce(buf, kPacket));
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kPacket));
}

/// AES-GCM open, same as Open (named to pair with Go's AEADOpen).
void AEADOpen(benchmark::State& state, Cipher c) {
    Open(state, c);
}

void CRC32IEEE(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    auto buf = random_bytes(n);
    for (auto _ : state) benchmark::DoNotOptimize(crc32_ieee(buf));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
    state.SetLabel(std::string(crc32_backend()));
}

void CRC32IEEE1K(benchmark::State& state) {
    auto buf = random_bytes(1024);
    for (auto _ : state) benchmark::DoNotOptimize(crc32_ieee(buf));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * 1024));
    state.SetLabel(std::string(crc32_backend()));
}

void NonceFill16(benchmark::State& state) {
    std::array<std::uint8_t, 32> seed{};
    AesCtrNonceSource nonces(seed);
    std::array<std::uint8_t, 16> out{};
    for (auto _ : state) {
        nonces.fill(out);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * 16));
}

void GcmSealPath(benchmark::State& state, detail::AesGcm::Path cap) {
    const auto key = random_bytes(16, 5);
    detail::AesGcm gcm(key, cap);
    auto buf = random_bytes(kPacket, 6);
    const auto nonce = random_bytes(detail::AesGcm::kNonceSize, 7);
    std::uint8_t tag[detail::AesGcm::kTagSize];
    for (auto _ : state) {
        gcm.seal(nonce.data(), buf.data(), buf.size(), tag);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kPacket));
    static constexpr const char* kNames[] = {"portable", "aesni", "vaes_avx2", "vaes_avx512"};
    state.SetLabel(kNames[static_cast<int>(gcm.path())]);
}

void register_all() {
    using benchmark::RegisterBenchmark;
    for (Cipher c : kAllCiphers) {
        if (is_aead(c)) continue;
        const std::string name(name_of(c));
        RegisterBenchmark(("CryptEncrypt/" + name).c_str(), CryptOne, c, Direction::encrypt);
        RegisterBenchmark(("CryptDecrypt/" + name).c_str(), CryptOne, c, Direction::decrypt);
    }
    for (int n : {1, 4, 8, 16})
        RegisterBenchmark("CryptEncryptBatch/aes-128", CryptBatch, Cipher::aes128,
                          Direction::encrypt)
            ->Arg(n);
    RegisterBenchmark("CryptEncryptBatch/aes-256", CryptBatch, Cipher::aes256, Direction::encrypt)
        ->Arg(8);
    RegisterBenchmark("CryptDecryptBatch/aes-128", CryptBatch, Cipher::aes128, Direction::decrypt)
        ->Arg(8);
    for (Cipher c : {Cipher::aes128, Cipher::aes256, Cipher::salsa20, Cipher::aes128_gcm}) {
        const std::string name(name_of(c));
        RegisterBenchmark(("Seal/" + name).c_str(), Seal, c);
        RegisterBenchmark(("Open/" + name).c_str(), Open, c);
    }
    RegisterBenchmark("SealBatch/aes-128", SealBatch, Cipher::aes128)->Arg(8)->Arg(16);
    for (Cipher c : {Cipher::aes128_gcm, Cipher::aes192_gcm, Cipher::aes256_gcm}) {
        const std::string name(name_of(c));
        RegisterBenchmark(("AEADSeal/" + name).c_str(), AEADSeal, c);
        RegisterBenchmark(("AEADOpen/" + name).c_str(), AEADOpen, c);
    }
    using Path = detail::AesGcm::Path;
    for (auto [name, cap] :
         {std::pair{"portable", Path::portable}, std::pair{"aesni", Path::aesni},
          std::pair{"vaes_avx2", Path::vaes_avx2}, std::pair{"vaes_avx512", Path::vaes_avx512}})
        RegisterBenchmark((std::string("GcmSealPath/") + name).c_str(), GcmSealPath, cap);
    RegisterBenchmark("CRC32IEEE1K", CRC32IEEE1K);
    RegisterBenchmark("CRC32IEEE", CRC32IEEE)->Arg(20)->Arg(100)->Arg(1400)->Arg(65536);
    RegisterBenchmark("NonceFill16", NonceFill16);
}

}  // namespace

int main(int argc, char** argv) {
    register_all();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
