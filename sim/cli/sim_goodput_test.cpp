// Validation 2 and 3 (docs/simulation.md): on a clean path KCP (window >= BDP) and TCP
// carry close to the bottleneck; under random loss, TCP NewReno's goodput follows the
// Mathis model.
#define BOOST_TEST_MODULE sim_goodput
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "sim/cli/sim_test_support.hpp"

using namespace kcpkit::sim;
using namespace kcpkit::sim::testing;

// The default comparison's path without loss: 10 Mbit/s, RTT 200 ms, queue 1 BDP, 60 s.
// KCP's auto window is 1.5 BDP (273 segments); kcp-fast (nodelay 0, interval 30) fills
// the pipe. Payload capacity: KCP carries 1376 of every 1428 IP bytes, TCP 1448 of 1500.
BOOST_AUTO_TEST_CASE(zero_loss_goodput_is_close_to_the_bottleneck) {
    const auto results = run_flags({"--preset", "default", "--loss", "0", "--variants",
                                    "kcp-fast,tcp-newreno,tcp-cubic,tcp-bbr"});
    for (const RunResult& r : results) {
        const GroupResult& g = r.groups.at(0);
        const bool kcp = g.variant.rfind("kcp", 0) == 0;
        const double capacity =
            kcp ? payload_capacity_mbps(10, 1376, 1428) : payload_capacity_mbps(10, 1448, 1500);
        BOOST_TEST_MESSAGE(g.variant << ": " << g.goodput_mbps << " Mbit/s of " << capacity << " ("
                                     << 100 * g.goodput_mbps / capacity << "%), window "
                                     << g.sndwnd);
        BOOST_CHECK(g.intact);
        if (kcp) BOOST_CHECK_GE(g.sndwnd * 1376.0, 10e6 / 8 * 0.2);  // window >= BDP
        BOOST_CHECK_MESSAGE(
            g.goodput_mbps >= 0.90 * capacity,
            g.variant << " carries " << g.goodput_mbps << " Mbit/s, < 90% of " << capacity);
        BOOST_CHECK_LE(g.goodput_mbps, capacity * 1.001);
    }
}

// Mathis et al. (1997): throughput = MSS / RTT * C / sqrt(p), C = sqrt(3 / (2b)) with b
// packets acknowledged per ACK; ns-3 acknowledges every second segment (b = 2, C = 0.87).
// Forward-path Bernoulli loss only, a 100 Mbit/s link that never limits, a queue that
// never fills, 150 s. The model ignores timeouts, which grow with p, so the tolerance is
// stated as a band: measured / model within [0.65, 1.35] (observed 0.73 .. 0.97).
BOOST_AUTO_TEST_CASE(tcp_under_random_loss_follows_the_mathis_model) {
    const auto results =
        run_flags({"--variants", "tcp-newreno", "--sweep", "loss=0.2%,1%,2%", "--loss-model",
                   "bernoulli", "--loss-dir", "fwd", "--rtt", "100ms", "--bandwidth", "100Mbps",
                   "--access_bandwidth", "1Gbps", "--queue", "5000p", "--duration", "150"});
    BOOST_REQUIRE_EQUAL(results.size(), 3u);
    for (const RunResult& r : results) {
        const double p = std::stod(r.param("loss"));
        const double mss_bits = 1448 * 8.0, rtt = 0.100, c = std::sqrt(3.0 / 4.0);
        const double model = mss_bits / rtt * c / std::sqrt(p) / 1e6;
        const double measured = r.groups.at(0).goodput_mbps;
        BOOST_TEST_MESSAGE("p=" << p << ": NewReno " << measured << " Mbit/s, Mathis " << model
                                << ", ratio " << measured / model);
        BOOST_CHECK_GE(measured / model, 0.65);
        BOOST_CHECK_LE(measured / model, 1.35);
    }
}
