// The small transfer protocol kcp-peer speaks with kcp-peer-go (docs/interop.md): the
// SplitMix64 payload stream, the 8-byte length header, start/bye bytes, SHA-256 digests
// and the result line both peers print.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace kcpkit::net::peer {

inline constexpr std::uint8_t kStartByte = 0x01;  ///< a dialing sink opens with it
inline constexpr std::uint8_t kByeByte = 0x04;    ///< the source got the digest
inline constexpr std::size_t kHeaderSize = 8;
inline constexpr std::size_t kDigestSize = 32;
inline constexpr std::uint64_t kMaxTransfer = std::uint64_t{1} << 40;

using Digest = std::array<std::uint8_t, kDigestSize>;

/// The payload: SplitMix64 outputs of `seed`, each as 8 little-endian bytes, read in any
/// piece sizes.
class PayloadStream {
  public:
    explicit PayloadStream(std::uint64_t seed) : state_(seed) {}
    void read(std::span<std::uint8_t> out);

  private:
    std::uint64_t next();
    std::uint64_t state_;
    std::array<std::uint8_t, 8> pending_{};
    std::size_t have_ = 0;  // unread bytes at the tail of pending_
};

std::array<std::uint8_t, kHeaderSize> encode_header(std::uint64_t n);
/// nullopt above kMaxTransfer.
std::optional<std::uint64_t> decode_header(std::span<const std::uint8_t, kHeaderSize> header);

/// Incremental SHA-256 (Crypto++ underneath).
class Sha256 {
  public:
    Sha256();
    ~Sha256();
    void update(std::span<const std::uint8_t> data);
    Digest finish();

  private:
    struct Impl;
    Impl* impl_;
};

/// SHA-256 of the first n bytes of the stream of `seed` (the `gen` mode).
Digest stream_digest(std::uint64_t seed, std::uint64_t n);

/// "sha256 <hex> bytes <n>": the last stdout line of a finished transfer.
std::string result_line(const Digest& digest, std::uint64_t n);

}  // namespace kcpkit::net::peer
