// Test data shared by the FEC tests: hex text to bytes, and one worked 3 + 2 example
// (three KCP datagrams and the five FEC packets kcp-go made of them), which fec_test.cpp
// checks packet by packet and reed_solomon_test.cpp checks at the shard level.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace kcpkit::fec::testing {

using Bytes = std::vector<std::uint8_t>;

/// Bytes from hex text, written in groups (spaces and '|' ignored).
inline Bytes spec_bytes(std::string_view text) {
    Bytes out;
    int high = -1;
    for (char ch : text) {
        int v = -1;
        if (ch >= '0' && ch <= '9') v = ch - '0';
        if (ch >= 'a' && ch <= 'f') v = ch - 'a' + 10;
        if (v < 0) continue;
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<std::uint8_t>(high * 16 + v));
            high = -1;
        }
    }
    return out;
}

// The worked 3 + 2 example. A FEC packet is seqid (4) | type (2) | shard; a data shard is
// its size field (2) and the KCP bytes, a parity shard is as long as the longest of them.
inline const Bytes kKcp0 = spec_bytes(
    "44 33 22 11 51 00 80 00 e8 03 00 00 00 00 00 00 00 00 00 00 05 00 00 00 68 65 6c 6c 6f");
inline const Bytes kKcp1 =
    spec_bytes("44 33 22 11 52 00 7f 00 e8 03 00 00 00 00 00 00 01 00 00 00 00 00 00 00");
inline const Bytes kKcp2 = spec_bytes(
    "07 00 00 00 51 00 80 00 05 00 00 00 02 00 00 00 00 00 00 00 08 00 00 00 34 35 36 37 38 39 "
    "3a 3b");
inline const Bytes kData0 = spec_bytes(
    "00 00 00 00 f1 00 1f 00 | 44 33 22 11 51 00 80 00 e8 03 00 00 00 00 00 00 00 00 00 00 05 00 "
    "00 00 68 65 6c 6c 6f");
inline const Bytes kData1 = spec_bytes(
    "01 00 00 00 f1 00 1a 00 | 44 33 22 11 52 00 7f 00 e8 03 00 00 00 00 00 00 01 00 00 00 00 00 "
    "00 00");
inline const Bytes kData2 = spec_bytes(
    "02 00 00 00 f1 00 22 00 | 07 00 00 00 51 00 80 00 05 00 00 00 02 00 00 00 00 00 00 00 08 00 "
    "00 00 34 35 36 37 38 39 3a 3b");
inline const Bytes kParity0 = spec_bytes(
    "03 00 00 00 f2 00 | 27 00 07 00 00 00 52 00 7f 00 05 00 00 00 02 00 00 00 01 00 00 00 0d 00 "
    "00 00 5c 50 5a 5b 57 39 3a 3b");
inline const Bytes kParity1 = spec_bytes(
    "04 00 00 00 f2 00 | b9 00 d3 99 ee 77 49 00 2b 00 bc 09 00 00 0c 00 00 00 08 00 00 00 03 00 "
    "00 00 da 97 ea ec df 96 9c 9a");

/// The shard length of the example: the longest data shard (kData2's), 34 bytes.
inline constexpr std::size_t kShardLength = 34;

/// The shard a FEC packet carries (its bytes after the 6-byte header), zero-padded to
/// kShardLength as the encoder pads it.
inline Bytes shard_of(const Bytes& packet) {
    Bytes s(packet.begin() + 6, packet.end());
    s.resize(kShardLength, 0);
    return s;
}

}  // namespace kcpkit::fec::testing
