// The loss models and the impaired channel on their own: rates, burst lengths, drop
// lists, blackhole timing, determinism per stream.
#define BOOST_TEST_MODULE sim_impairment
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "ns3/packet.h"
#include "ns3/rng-seed-manager.h"
#include "ns3/simulator.h"
#include "sim/impairment.hpp"

using namespace kcpkit::sim;
using namespace ns3;

namespace {

// Feeds n packets through a fresh model; returns the loss pattern.
std::vector<bool> pattern(const LossConfig& config, int n, int64_t stream = 10, uint32_t seed = 1) {
    RngSeedManager::SetSeed(seed);
    Ptr<ImpairmentErrorModel> m = CreateObject<ImpairmentErrorModel>();
    m->Configure(config);
    m->AssignStreams(stream);
    std::vector<bool> lost;
    lost.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) lost.push_back(m->IsCorrupt(Create<Packet>(100)));
    return lost;
}

double rate(const std::vector<bool>& lost) {
    double k = 0;
    for (bool b : lost) k += b;
    return k / static_cast<double>(lost.size());
}

double mean_burst(const std::vector<bool>& lost) {
    double bursts = 0, total = 0;
    for (std::size_t i = 0; i < lost.size(); ++i) {
        if (!lost[i]) continue;
        ++total;
        if (i == 0 || !lost[i - 1]) ++bursts;
    }
    return bursts > 0 ? total / bursts : 0;
}

}  // namespace

BOOST_AUTO_TEST_CASE(bernoulli_loses_at_its_rate_without_bursts) {
    LossConfig c;
    c.bernoulli = 0.05;
    const auto lost = pattern(c, 400000);
    BOOST_CHECK_CLOSE(rate(lost), 0.05, 3);  // within 3 %
    BOOST_CHECK_CLOSE(mean_burst(lost), 1 / (1 - 0.05), 3);
}

BOOST_AUTO_TEST_CASE(gilbert_elliott_has_the_asked_mean_loss_and_burst_length) {
    for (double burst : {1.5, 3.0, 8.0}) {
        const auto lost = pattern(LossConfig::gilbert_elliott(0.02, burst), 1000000);
        BOOST_TEST_MESSAGE("burst " << burst << ": loss " << rate(lost) << ", mean burst "
                                    << mean_burst(lost));
        BOOST_CHECK_CLOSE(rate(lost), 0.02, 6);
        BOOST_CHECK_CLOSE(mean_burst(lost), burst, 6);
    }
    // Explicit parameters with loss in both states: mean = (p*lb + r*lg) / (p + r).
    LossConfig c;
    c.ge = true;
    c.ge_p = 0.01;
    c.ge_r = 0.1;
    c.ge_loss_good = 0.001;
    c.ge_loss_bad = 0.5;
    BOOST_CHECK_CLOSE(rate(pattern(c, 1000000)), (0.01 * 0.5 + 0.1 * 0.001) / 0.11, 6);
}

BOOST_AUTO_TEST_CASE(the_drop_list_drops_exactly_those_packets) {
    LossConfig c;
    c.drop_list = {1, 2, 5, 100};
    const auto lost = pattern(c, 200);
    for (std::size_t i = 0; i < lost.size(); ++i)
        BOOST_CHECK_EQUAL(lost[i], i == 0 || i == 1 || i == 4 || i == 99);
}

BOOST_AUTO_TEST_CASE(the_same_stream_and_seed_repeat_and_others_differ) {
    const LossConfig c = LossConfig::gilbert_elliott(0.05, 3);
    BOOST_CHECK(pattern(c, 5000, 10, 1) == pattern(c, 5000, 10, 1));
    BOOST_CHECK(pattern(c, 5000, 10, 1) != pattern(c, 5000, 12, 1));
    BOOST_CHECK(pattern(c, 5000, 10, 1) != pattern(c, 5000, 10, 2));
}

BOOST_AUTO_TEST_CASE(a_blackhole_drops_everything_in_its_off_phase) {
    LossConfig c;
    c.blackhole_on = Seconds(1);
    c.blackhole_off = MilliSeconds(500);
    c.blackhole_start = Seconds(2);
    Ptr<ImpairmentErrorModel> m = CreateObject<ImpairmentErrorModel>();
    m->Configure(c);
    std::vector<std::pair<double, bool>> seen;
    for (int k = 0; k < 60; ++k) {
        Simulator::Schedule(MilliSeconds(100 * k + 50), [m, &seen]() {
            seen.push_back({Simulator::Now().GetSeconds(), m->IsCorrupt(Create<Packet>(10))});
        });
    }
    Simulator::Run();
    Simulator::Destroy();
    for (auto [t, lost] : seen) {
        const double phase = t - 2.0;
        const bool off = phase > 0 && std::fmod(phase, 1.5) >= 1.0;
        BOOST_CHECK_MESSAGE(lost == off, "t=" << t);
    }
    BOOST_CHECK_EQUAL(m->Counters().blackhole, m->Counters().dropped);
}
