// The framing of a simulated KCP flow: what the driver supplies to the session's framing.
//
//   kcpgo::Session: Kcp output --seal--> wire datagrams --socket--> ... --open--> Kcp::input
//
// kcp-go puts FEC (Reed-Solomon data + parity shards) and packet encryption (nonce,
// CRC-32, cipher) between KCP and the socket; the session runs both (protocol/frame/frame.hpp)
// for every profile, configured from kcptun's flags by kcptun::session_config
// (protocol/kcptun/settings.hpp). This file only caches the key derivation, seeds the nonces
// and names what the table reports. No protocol logic lives here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "kcpkit/crypt/crypt.hpp"
#include "kcpkit/crypt/key_derivation.hpp"
#include "kcpkit/frame/frame.hpp"

namespace kcpkit::sim {

/// What the framing did, for the result table. Byte counts are UDP payload bytes.
struct PipelineStats {
    std::uint64_t sealed = 0;            ///< KCP datagrams sealed
    std::uint64_t wire_datagrams = 0;    ///< datagrams handed to the socket
    std::uint64_t wire_bytes = 0;        ///< their bytes
    std::uint64_t fec_parity = 0;        ///< of the wire datagrams, parity shards
    std::uint64_t fec_parity_bytes = 0;  ///< their bytes
    std::uint64_t header_bytes = 0;      ///< framing added to data datagrams (crypt + FEC headers)
    std::uint64_t opened = 0;            ///< KCP datagrams opened and handed to KCP
    std::uint64_t fec_recovered = 0;     ///< of them, rebuilt from parity
    std::uint64_t rejected = 0;          ///< wire datagrams dropped (CRC, malformed, length gates)
    std::uint64_t csum_errors = 0;       ///< of them, CRC-32 / AES-GCM tag failures (InCsumErrors)
    std::uint64_t seal_rejected = 0;     ///< KCP datagrams too long to frame (a driver bug)

    /// Adds every field (framing.cpp's column table lists them).
    PipelineStats& operator+=(const PipelineStats& other);
};

/// The table's view of the core's framing counters; `rejected` is counted by the driver
/// (wire datagrams whose open() did not succeed).
PipelineStats pipeline_stats_of(const frame::FrameCounters& c, std::uint64_t rejected);

/// kcptun's pass for `key` (crypt::kcptun_pass): kcptun's key derivation costs ~4 ms
/// (PBKDF2, 4096 rounds), so it runs once per key per process, not once per session.
crypt::KcptunPass cached_pass(const std::string& key);

/// The crypt nonces of one endpoint, seeded (SplitMix64 spreads any seed over the AES key),
/// for a kcpgo::Session, which takes its NonceSource from the driver: a run stays
/// reproducible.
std::unique_ptr<crypt::NonceSource> make_nonce_source(std::uint64_t nonce_seed);

}  // namespace kcpkit::sim
