// The framing of a simulated KCP flow in kcptun's words: FEC shards, --crypt, --key.
//
//   kcpgo::Session: Kcp output --seal--> wire datagrams --socket--> ... --open--> Kcp::input
//
// kcp-go puts FEC (Reed-Solomon data + parity shards) and packet encryption (nonce,
// CRC-32, cipher) between KCP and the socket; the session runs both (protocol/frame/frame.hpp)
// for every profile. This file only turns kcptun-style settings into the session's
// frame::FrameConfig, seeds the nonces and names what the table reports. No protocol logic
// lives here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "kcpkit/crypt/crypt.hpp"
#include "kcpkit/frame/frame.hpp"
#include "kcpkit/kcptun/kcptun.hpp"

namespace kcpkit::sim {

/// kcptun's names: --datashard/--parityshard (FEC group), --crypt (cipher), --key.
/// crypt "null" (the default here) means no crypt layer at all; "none" is kcp-go's
/// 20-byte nonce + CRC-32 header without encryption; every other name is a cipher whose
/// key kcptun derives from `key` (PBKDF2-HMAC-SHA1, salt "kcp-go", 4096 rounds).
struct PipelineConfig {
    int datashard = 0;
    int parityshard = 0;
    std::string crypt = "null";
    std::string key = "it's a secrect";  // kcptun's default key (sic)

    bool has_fec() const { return datashard > 0 && parityshard > 0; }
    bool has_crypt() const { return crypt != "null"; }
    bool plain() const { return !has_fec() && !has_crypt(); }
};

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

/// kcptun's --crypt/--key recipe (protocol/kcptun/kcptun.hpp: kcptun_frame_config, unknown names
/// refused) with the FEC shards of `config`, under `release`'s framing
/// (kcpgo::release_for_core_profile for any core profile). The key derivation runs once per
/// key per process.
kcptun::FrameConfigResult frame_config_for(const PipelineConfig& config,
                                           const kcpgo::Release& release);

/// Empty if `config` can be built for a core running `kcp_profile`; otherwise why not (bad
/// shard counts, unknown cipher, AES-GCM under kcp-go v5.6.1).
std::string pipeline_config_error(const PipelineConfig& config,
                                  std::string_view kcp_profile = "ikcp");

/// Bytes the framing of `config` adds to each KCP datagram under `kcp_profile` (0 when
/// it cannot be built: see pipeline_config_error); the KCP mtu is the UDP payload minus this.
std::size_t framing_overhead(const PipelineConfig& config, std::string_view kcp_profile = "ikcp");

/// The crypt nonces of one endpoint, seeded (SplitMix64 spreads any seed over the AES key),
/// for a kcpgo::Session, which takes its NonceSource from the driver: a run stays
/// reproducible.
std::unique_ptr<crypt::NonceSource> make_nonce_source(std::uint64_t nonce_seed);

}  // namespace kcpkit::sim
