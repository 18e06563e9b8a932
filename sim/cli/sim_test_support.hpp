// Shared by the sim/*_test.cpp files: build runs from kcp-sim flags and run them in
// child processes (two at a time), exactly as the CLI does.
#pragma once

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "sim/cli/options.hpp"
#include "sim/cli/runner.hpp"

namespace kcpkit::sim::testing {

inline std::vector<RunSpec> specs_from(const std::vector<std::string>& args) {
    CliConfig cfg;
    std::string error;
    const int rc = parse_cli(args, cfg, error);
    BOOST_REQUIRE_MESSAGE(rc == 0, "parse_cli: " + error);
    return cfg.runs;
}

inline std::vector<RunResult> run_specs(const std::vector<RunSpec>& specs, int jobs = 2) {
    RunnerOptions ro;
    ro.jobs = jobs;
    ro.progress = false;
    int failures = 0;
    auto results = run_all(specs, ro, &failures);
    BOOST_REQUIRE_EQUAL(failures, 0);
    BOOST_REQUIRE_EQUAL(results.size(), specs.size());
    return results;
}

inline std::vector<RunResult> run_flags(const std::vector<std::string>& args, int jobs = 2) {
    return run_specs(specs_from(args), jobs);
}

/// The application payload rate a saturated path carries: bandwidth times the payload
/// share of each IP packet.
inline double payload_capacity_mbps(double bandwidth_mbps, double payload, double ip_packet) {
    return bandwidth_mbps * payload / ip_packet;
}

}  // namespace kcpkit::sim::testing
