// Results out: the table on stdout, CSV, JSON (one file per run, or all merged), and
// reading JSON back so that sweep results computed anywhere merge into one report.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/scenario/scenario.hpp"

namespace kcpkit::sim {

nlohmann::json to_json(const RunResult& r);
/// Throws nlohmann::json::exception on a malformed document.
RunResult run_from_json(const nlohmann::json& j);

/// Writes {"kcp_sim": 1, "runs": [...]}.
void write_json(std::ostream& out, const std::vector<RunResult>& runs);
/// Reads a file written by write_json (or a single run object). Appends to `runs`;
/// returns false with `error` set on failure.
bool read_json_file(const std::string& path, std::vector<RunResult>& runs, std::string& error);

/// One row per (run, variant): every param, then every metric.
void write_csv(std::ostream& out, const std::vector<RunResult>& runs);

/// The table: variant, the params that differ between runs, then goodput, latency
/// percentiles, retransmitted bytes, FEC overhead and recovery, integrity.
void print_table(std::ostream& out, const std::vector<RunResult>& runs);

/// Params every run shares, as one line ("10Mbps, rtt 200ms, queue 175p, ...").
std::string common_description(const std::vector<RunResult>& runs);

}  // namespace kcpkit::sim
