// Scale-out (docs/simulation.md): a sweep emitted as GNU parallel jobs runs over two ssh "hosts"
// (sshd on 127.0.0.1 and 127.0.0.2, see sim/cli/cluster-demo), both hosts run jobs, and the
// merged per-run results equal the same sweep run in one local kcp-sim.
#define BOOST_TEST_MODULE sim_cluster
#include <sys/wait.h>

#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <filesystem>
#include <string>

namespace fs = std::filesystem;

namespace {

// This test binary's build tree: <build>/tests/sim_cluster_test -> <build>/bin/kcp-sim.
fs::path kcp_sim_path() {
    return fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "bin" / "kcp-sim";
}

struct Outcome {
    int exit_code = -1;
    std::string output;
};

Outcome run(const std::string& command) {
    Outcome o;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    BOOST_REQUIRE(pipe != nullptr);
    char buf[4096];
    while (std::fgets(buf, sizeof buf, pipe)) o.output += buf;
    const int status = ::pclose(pipe);
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return o;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_sweep_over_two_ssh_hosts_merges_to_the_local_result) {
    const fs::path kcp_sim = kcp_sim_path();
    BOOST_REQUIRE_MESSAGE(fs::exists(kcp_sim), kcp_sim.string() + " not built");
    // Short runs: the point is the plumbing, the grid still mixes KCP, FEC and TCP.
    const Outcome o = run("sim/cli/cluster-demo --kcp-sim '" + kcp_sim.string() +
                          "' --duration 4 -- --bandwidth 5Mbps");
    BOOST_TEST_MESSAGE(o.output);
    BOOST_CHECK_MESSAGE(o.exit_code == 0, "sim/cli/cluster-demo exited " << o.exit_code << ":\n"
                                                                         << o.output);
    BOOST_CHECK(o.output.find("OK: 12 runs over 2 ssh hosts") != std::string::npos);
    BOOST_CHECK(o.output.find("sim-host-a") != std::string::npos);
    BOOST_CHECK(o.output.find("sim-host-b") != std::string::npos);
}
