// The datagram pipeline: what sits between the KCP core and the socket.
//
//   Kcp output --seal()--> wire datagrams --socket--> ... --open()--> KCP datagrams --> Kcp::input
//
// kcp-go puts FEC (Reed-Solomon data + parity shards) and packet encryption (nonce,
// CRC-32, cipher) there; issue 3 adds both to the sans-IO core as a framing layer. The
// simulator reaches that layer only through this interface, so the ns-3 driver does not
// change when it lands: a pipeline built on the core's framing replaces the pass-through
// one in make_pipeline(). No protocol logic lives here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "sim/function_ref.hpp"

namespace kcpkit::sim {

/// kcptun's names: --datashard/--parityshard (FEC group), --crypt (cipher, or "none").
struct PipelineConfig {
    int datashard = 0;
    int parityshard = 0;
    std::string crypt = "none";
    std::string key = "it's a secrect";  // kcptun's default key (sic)

    bool plain() const { return (datashard == 0 || parityshard == 0) && crypt == "none"; }
    bool has_fec() const { return datashard > 0 && parityshard > 0; }
};

/// What a pipeline did, for the result table.
struct PipelineStats {
    std::uint64_t sealed = 0;            ///< KCP datagrams sealed
    std::uint64_t wire_datagrams = 0;    ///< datagrams handed to the socket
    std::uint64_t wire_bytes = 0;        ///< their bytes
    std::uint64_t fec_parity_bytes = 0;  ///< wire bytes that were parity shards
    std::uint64_t header_bytes = 0;      ///< framing bytes added (nonce, CRC, FEC headers)
    std::uint64_t opened = 0;            ///< KCP datagrams delivered by open()
    std::uint64_t fec_recovered = 0;     ///< of them, rebuilt from parity
    std::uint64_t rejected = 0;          ///< wire datagrams dropped (CRC, malformed)
};

class DatagramPipeline {
  public:
    using Sink = FunctionRef<void(std::span<const std::uint8_t>)>;

    virtual ~DatagramPipeline() = default;

    /// Bytes the pipeline adds to a KCP datagram; the KCP mtu is the link budget minus
    /// this, so a sealed datagram still fits one IP packet.
    virtual std::size_t overhead() const = 0;
    /// Turns one KCP datagram into zero or more wire datagrams (FEC adds parity ones);
    /// each span is valid only during the call to `wire_out`.
    virtual void seal(std::span<const std::uint8_t> kcp_datagram, Sink wire_out) = 0;
    /// Turns one wire datagram into zero or more KCP datagrams (none if it fails its
    /// check, several when it completes an FEC group with losses).
    virtual void open(std::span<const std::uint8_t> wire, Sink kcp_in) = 0;

    virtual const PipelineStats& stats() const = 0;
    virtual std::string describe() const = 0;
};

/// Hands datagrams through unchanged: FEC 0/0, crypt none (kcp-go's plain framing is
/// still added by issue 3's layer; until then KCP datagrams go on the wire as they are).
class PassThroughPipeline final : public DatagramPipeline {
  public:
    std::size_t overhead() const override { return 0; }
    void seal(std::span<const std::uint8_t> kcp_datagram, Sink wire_out) override;
    void open(std::span<const std::uint8_t> wire, Sink kcp_in) override;
    const PipelineStats& stats() const override { return stats_; }
    std::string describe() const override { return "plain"; }

  private:
    PipelineStats stats_;
};

/// The exit code for a configuration the build cannot run yet (as the QUIC interop
/// runner's "unsupported").
inline constexpr int kUnsupportedExit = 127;

/// Empty if `config` can be built; otherwise why not.
std::string pipeline_unavailable_reason(const PipelineConfig& config);

/// The pipeline for `config`, or nullptr (see pipeline_unavailable_reason).
std::unique_ptr<DatagramPipeline> make_pipeline(const PipelineConfig& config);

}  // namespace kcpkit::sim
