#include "sim/datagram_pipeline.hpp"

namespace kcpkit::sim {

void PassThroughPipeline::seal(std::span<const std::uint8_t> kcp_datagram, Sink wire_out) {
    ++stats_.sealed;
    ++stats_.wire_datagrams;
    stats_.wire_bytes += kcp_datagram.size();
    wire_out(kcp_datagram);
}

void PassThroughPipeline::open(std::span<const std::uint8_t> wire, Sink kcp_in) {
    ++stats_.opened;
    kcp_in(wire);
}

std::string pipeline_unavailable_reason(const PipelineConfig& config) {
    if (config.datashard < 0 || config.parityshard < 0) return "shard counts must be >= 0";
    if (config.plain()) return {};
    return "not available yet: needs the FEC/crypt layers (issue 3)";
}

std::unique_ptr<DatagramPipeline> make_pipeline(const PipelineConfig& config) {
    if (!pipeline_unavailable_reason(config).empty()) return nullptr;
    return std::make_unique<PassThroughPipeline>();
}

}  // namespace kcpkit::sim
