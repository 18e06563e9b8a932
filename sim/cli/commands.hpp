// What kcp-sim does once its command line is parsed: one function per command, each
// returning the process's exit code (0, or 1 when a run failed or a byte arrived corrupted).
// kcp_sim_main.cpp parses the arguments and dispatches here; --speed-bench is in
// speed_bench.hpp.
#pragma once

#include <string>
#include <vector>

#include "sim/cli/options.hpp"

namespace kcpkit::sim {

/// --list-presets: one line per named scenario.
int list_presets();

/// --merge: reads the result files and reports them as one batch (table, CSV, JSON, plots).
int merge_results(const CliConfig& cfg);

/// --default: KCP normal/fast/fast3, with and without FEC 10/3, against TCP Cubic and BBR on
/// the `default` preset's path; `args` are the user's flags, applied under the sweep's.
int run_default_comparison(const std::vector<std::string>& args, const CliConfig& cfg);

/// --emit-jobs (and --emit-slurm): one kcp-sim command line per run, for GNU parallel or
/// Slurm, instead of running.
int emit_jobs(const CliConfig& cfg);

/// The runs the flags describe: one in this process with a progress bar, several in child
/// processes; then the outputs the flags ask for.
int run_batch(const CliConfig& cfg);

}  // namespace kcpkit::sim
