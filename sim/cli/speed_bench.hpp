// kcp-sim --speed-bench: what a KCP flow costs the simulator, against a plain ns-3 UDP
// flow on the same path, and how large a single-process run fits in ten minutes.
#pragma once

#include <string>
#include <vector>

#include "sim/cli/options.hpp"

namespace kcpkit::sim {

int run_speed_bench(const std::vector<std::string>& args, const CliConfig& cfg);

}  // namespace kcpkit::sim
