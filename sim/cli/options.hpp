// The kcp-sim command line: Boost.Program_options in, RunSpecs out.
//
// Scenario flags reuse ns-3's tcp-variants-comparison names where they fit
// (bandwidth, delay, access_bandwidth, access_delay, error_p, data, num_flows, duration,
// run, queue_disc_type, transport_prot, pcap_tracing, prefix_name); KCP flags are
// kcptun's (mode, nodelay, interval, resend, nc, sndwnd, rcvwnd, mtu, datashard,
// parityshard, crypt). A preset is a set of flags that explicit flags override; a sweep
// point is a set of flags that override both.
#pragma once

#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace kcpkit::sim {

struct CliConfig {
    // What to do.
    bool help = false, list_presets = false, speed_bench = false, default_comparison = false;
    std::vector<std::string> merge_files;
    std::string emit_jobs, emit_slurm, jobs_out = "kcp-sim-results";
    // How.
    int jobs = 0;  ///< 0: one per processor
    bool progress = true, quiet = false;
    std::string csv, json, plot_dir, result_json, out_dir;
    // What to run: one spec per run, and the scenario flags that reproduce it alone
    // (what a sweep job runs).
    std::vector<RunSpec> runs;
    std::vector<std::vector<std::string>> run_args;
    bool swept = false;
};

/// Exit codes besides 0.
inline constexpr int kUsageError = 2;

/// Parses the arguments (without the program name). Returns 0 or kUsageError, with
/// `error` set.
int parse_cli(const std::vector<std::string>& args, CliConfig& out, std::string& error);

/// The --help text.
std::string cli_help();

/// `args` as one shell command line (each argument quoted when needed).
std::string shell_join(const std::vector<std::string>& args);

}  // namespace kcpkit::sim
