// Validation 4 (docs/simulation.md): the same seed gives identical output, whether a run is alone
// or inside a batch of parallel runs; another seed gives other numbers.
#define BOOST_TEST_MODULE sim_determinism
#include <boost/test/unit_test.hpp>

#include "sim/cli/sim_test_support.hpp"
#include "sim/report/report.hpp"

using namespace kcpkit::sim;
using namespace kcpkit::sim::testing;

namespace {

// Everything a run reports except how long it took on this machine.
std::string fingerprint(const RunResult& r) {
    nlohmann::json j = to_json(r);
    j.erase("wall_seconds");
    j.erase("cpu_seconds");
    j.erase("id");
    return j.dump();
}

const std::vector<std::string> kScenario = {
    "--preset",   "lossy-wifi",
    "--duration", "8",
    "--sweep",    "variant=kcp-fast3,kcp-normal,tcp-cubic,tcp-bbr,kcp-fast3+fec10/3",
    "--sweep",    "traffic=bulk,echo"};

std::vector<std::string> seeded(unsigned seed) {
    std::vector<std::string> args = kScenario;
    args.insert(args.end(), {"--seed", std::to_string(seed)});
    return args;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_same_seed_gives_identical_results) {
    const auto specs = specs_from(seeded(7));
    const auto a = run_specs(specs, 2);
    const auto b = run_specs(specs, 1);  // other batching, other order of completion
    BOOST_REQUIRE_EQUAL(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        BOOST_TEST_CONTEXT(a[i].id) {
            BOOST_CHECK_EQUAL(fingerprint(a[i]), fingerprint(b[i]));
            BOOST_CHECK(a[i].groups.at(0).intact);
        }
    }
    // A run alone, outside any batch.
    const auto alone = run_specs({specs[2]}, 1);
    BOOST_CHECK_EQUAL(fingerprint(alone.at(0)), fingerprint(a[2]));
}

BOOST_AUTO_TEST_CASE(another_seed_gives_other_numbers) {
    const auto a = run_flags(seeded(7));
    const auto b = run_flags(seeded(8));
    int differing = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const GroupResult& ga = a[i].groups.at(0);
        const GroupResult& gb = b[i].groups.at(0);
        if (a[i].path.loss_fwd.seen != b[i].path.loss_fwd.seen ||
            a[i].path.loss_fwd.dropped != b[i].path.loss_fwd.dropped ||
            a[i].path.loss_rev.dropped != b[i].path.loss_rev.dropped ||
            ga.goodput_mbps != gb.goodput_mbps || ga.latency.mean != gb.latency.mean)
            ++differing;
        // The content seed changes too: the same bytes are not resent under another seed.
        if (a[i].groups.at(0).bytes_delivered > 0 && b[i].groups.at(0).bytes_delivered > 0)
            BOOST_CHECK_NE(a[i].groups.at(0).digest, b[i].groups.at(0).digest);
    }
    BOOST_CHECK_EQUAL(differing, static_cast<int>(a.size()));
}
