// The datagram pipeline: what sits between the KCP core and the socket.
//
//   Kcp output --seal()--> wire datagrams --socket--> ... --open()--> KCP datagrams --> Kcp::input
//
// kcp-go puts FEC (Reed-Solomon data + parity shards) and packet encryption (nonce,
// CRC-32, cipher) there. Both live in the sans-IO core as one framing layer
// (protocol/frame/frame.hpp); this file only adapts it to the driver: it picks the layers from
// kcptun-style settings, supplies the clock and the nonces, and counts what happened.
// No protocol logic lives here.
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
#include "kcpkit/ns3/function_ref.hpp"

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

/// What a pipeline did, for the result table. Byte counts are UDP payload bytes.
struct PipelineStats {
    std::uint64_t sealed = 0;            ///< KCP datagrams sealed
    std::uint64_t wire_datagrams = 0;    ///< datagrams handed to the socket
    std::uint64_t wire_bytes = 0;        ///< their bytes
    std::uint64_t fec_parity = 0;        ///< of the wire datagrams, parity shards
    std::uint64_t fec_parity_bytes = 0;  ///< their bytes
    std::uint64_t header_bytes = 0;      ///< framing added to data datagrams (crypt + FEC headers)
    std::uint64_t opened = 0;            ///< KCP datagrams delivered by open()
    std::uint64_t fec_recovered = 0;     ///< of them, rebuilt from parity
    std::uint64_t rejected = 0;          ///< wire datagrams dropped (CRC, malformed, length gates)
    std::uint64_t csum_errors = 0;       ///< of them, CRC-32 / AES-GCM tag failures (InCsumErrors)
    std::uint64_t seal_rejected = 0;     ///< KCP datagrams too long to frame (a driver bug)

    /// Adds every field (datagram_pipeline.cpp's column table lists them).
    PipelineStats& operator+=(const PipelineStats& other);
};

/// The table's view of the core's framing counters; `rejected` is counted by the driver
/// (wire datagrams whose open() did not succeed).
PipelineStats pipeline_stats_of(const frame::FrameCounters& c, std::uint64_t rejected);

class DatagramPipeline {
  public:
    using WireSink = FunctionRef<void(std::span<const std::uint8_t>)>;
    /// A KCP datagram to input; `recovered`: rebuilt by FEC (Kcp::PacketType::fec_recovered).
    using KcpSink = FunctionRef<void(std::span<const std::uint8_t>, bool recovered)>;

    virtual ~DatagramPipeline() = default;

    /// Bytes the pipeline adds to a KCP datagram; the KCP mtu is the UDP payload budget
    /// minus this, so a sealed datagram still fits one IP packet.
    virtual std::size_t overhead() const = 0;
    /// Turns one KCP datagram into zero or more wire datagrams (FEC adds parity ones);
    /// each span is valid only during the call to `wire_out`. `now_ms` is the core's clock.
    virtual void seal(std::span<const std::uint8_t> kcp_datagram, std::uint32_t now_ms,
                      WireSink wire_out) = 0;
    /// Turns one wire datagram into zero or more KCP datagrams (none if it fails its
    /// check, several when it completes an FEC group with losses). `wire` may be
    /// overwritten (decryption works in place).
    virtual void open(std::span<std::uint8_t> wire, std::uint32_t now_ms, KcpSink kcp_in) = 0;
    /// The same for a datagram a listener (kcpgo::ListenerDemux) already decrypted.
    virtual void open_decrypted(std::span<const std::uint8_t> plain, std::uint32_t now_ms,
                                KcpSink kcp_in) = 0;

    virtual PipelineStats stats() const = 0;
    virtual std::string describe() const = 0;
};

/// Hands datagrams through unchanged: no FEC, no crypt layer (kcptun's "null").
class PassThroughPipeline final : public DatagramPipeline {
  public:
    std::size_t overhead() const override { return 0; }
    void seal(std::span<const std::uint8_t> kcp_datagram, std::uint32_t now_ms,
              WireSink wire_out) override;
    void open(std::span<std::uint8_t> wire, std::uint32_t now_ms, KcpSink kcp_in) override;
    void open_decrypted(std::span<const std::uint8_t> plain, std::uint32_t now_ms,
                        KcpSink kcp_in) override;
    PipelineStats stats() const override { return stats_; }
    std::string describe() const override { return "plain"; }

  private:
    PipelineStats stats_;
};

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

/// The pipeline for `config`, or nullptr (see pipeline_config_error). FEC follows kcp-go
/// v5.6.1 when the core runs the kcp-go-5.6.1 profile, else v5.6.72. `nonce_seed` seeds
/// the crypt nonces, so a run stays reproducible.
std::unique_ptr<DatagramPipeline> make_pipeline(const PipelineConfig& config,
                                                std::string_view kcp_profile = "ikcp",
                                                std::uint64_t nonce_seed = 1);

/// The crypt nonces of one endpoint, seeded (SplitMix64 spreads any seed over the AES key),
/// for a kcpgo::Session, which takes its NonceSource from the driver.
std::unique_ptr<crypt::NonceSource> make_nonce_source(std::uint64_t nonce_seed);

}  // namespace kcpkit::sim
