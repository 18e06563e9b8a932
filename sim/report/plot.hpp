// PNG plots through gnuplot (Debian: gnuplot-nox). The data and the .gp script are left
// next to each PNG, so a plot can be restyled and re-rendered by hand.
#pragma once

#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace kcpkit::sim {

/// Writes into `dir` (created if needed):
///  - goodput-vs-loss.png: bulk runs, goodput against the nominal loss rate, one line
///    per variant (and per value of any other parameter that varies), if the runs span
///    at least two loss rates;
///  - latency-cdf.png: the latency CDF of every echo or periodic (run, variant), at
///    most 16 curves.
/// Returns the PNG paths written; `error` says why nothing could be drawn (e.g. no
/// gnuplot).
std::vector<std::string> write_plots(const std::vector<RunResult>& runs, const std::string& dir,
                                     const std::string& title, std::string& error);

/// True if a gnuplot with the pngcairo or png terminal is on PATH.
bool gnuplot_available();

}  // namespace kcpkit::sim
