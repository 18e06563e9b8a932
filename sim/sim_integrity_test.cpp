// Issue 6, validation 1: KCP delivers every byte intact, in order and complete, in every
// scenario the simulator offers: each message's bytes are regenerated from the flow's
// seed at the receiver and compared (sim/message_stream.hpp), so corruption, loss,
// duplication or reordering that leaked through to the application would fail here.
#define BOOST_TEST_MODULE sim_integrity
#include <boost/test/unit_test.hpp>

#include "sim/sim_test_support.hpp"

using namespace kcpkit::sim;
using namespace kcpkit::sim::testing;

namespace {

void require_all_delivered(const std::vector<RunResult>& results) {
    for (const RunResult& r : results) {
        BOOST_REQUIRE(!r.groups.empty());
        for (const GroupResult& g : r.groups) {
            BOOST_TEST_MESSAGE(r.id << " " << g.variant << " [" << r.param("loss_model")
                                    << "]: " << g.messages_delivered << "/" << g.messages_sent
                                    << " messages, " << g.bytes_delivered << " bytes, retrans "
                                    << g.retrans_bytes << ", sim " << r.sim_seconds << " s");
            BOOST_TEST_CONTEXT(r.id << " " << g.variant << " [" << r.param("loss_model") << "]") {
                BOOST_CHECK_MESSAGE(g.intact, g.error);
                BOOST_CHECK(g.complete);
                BOOST_CHECK_GT(g.messages_delivered, 0u);
                BOOST_CHECK_EQUAL(g.messages_delivered, g.messages_sent);
                if (r.param("traffic") == "bulk" && !r.param("data").empty())
                    BOOST_CHECK_GE(g.bytes_delivered, std::stoull(r.param("data")));
            }
        }
    }
}

// Every KCP mode; each scenario carries 1.5 MB per flow over a 10 Mbit/s, 60 ms path.
const std::vector<std::string> kBase = {
    "--bandwidth", "10Mbps",
    "--rtt",       "60ms",
    "--data",      "1.5MB",
    "--duration",  "60",
    "--sweep",     "variant=kcp-normal,kcp-fast,kcp-fast2,kcp-fast3"};

std::vector<std::string> with(std::vector<std::string> extra) {
    std::vector<std::string> args = kBase;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

}  // namespace

BOOST_AUTO_TEST_CASE(bulk_over_every_loss_model) {
    std::vector<RunSpec> specs;
    for (const auto& extra : std::vector<std::vector<std::string>>{
             {},                                                             // clean
             {"--loss", "5%", "--loss-model", "bernoulli"},                  // random loss
             {"--loss", "10%", "--burst", "6"},                              // long GE bursts
             {"--drop-list", "1,2,3,10,11,50", "--drop-list-rev", "1,2,7"},  // handshake-free start
             {"--blackhole-on", "1s", "--blackhole-off", "0.7s"},            // outages
         }) {
        const auto s = specs_from(with(extra));
        specs.insert(specs.end(), s.begin(), s.end());
    }
    require_all_delivered(run_specs(specs));
}

BOOST_AUTO_TEST_CASE(bulk_with_jitter_reordering_duplication_and_everything_at_once) {
    std::vector<RunSpec> specs;
    for (const auto& extra : std::vector<std::vector<std::string>>{
             {"--jitter", "30ms"},                                   // heavy reordering
             {"--duplicate", "5%"},                                  // duplicates
             {"--jitter", "20ms", "--jitter-fifo", "--loss", "2%"},  // delay variation, in order
             {"--loss", "3%", "--burst", "3", "--jitter", "10ms", "--duplicate", "2%",
              "--blackhole-on", "2s", "--blackhole-off", "0.3s", "--queue", "20p"},
         }) {
        const auto s = specs_from(with(extra));
        specs.insert(specs.end(), s.begin(), s.end());
    }
    require_all_delivered(run_specs(specs));
}

BOOST_AUTO_TEST_CASE(echo_periodic_stream_mode_many_flows_and_the_clock_wrap) {
    std::vector<RunSpec> specs;
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--traffic", "echo", "--msg-size", "3000", "--rate", "40", "--loss", "5%", "--burst",
              "2", "--jitter", "5ms", "--duration", "15", "--sweep",
              "variant=kcp-normal,kcp-fast3"},
             {"--traffic", "periodic", "--loss", "5%", "--duplicate", "1%", "--duration", "15",
              "--variants", "kcp-fast3"},
             {"--stream", "--data", "2MB", "--loss", "3%", "--jitter", "10ms", "--duration", "60",
              "--variants", "kcp-fast"},
             {"--num_flows", "4", "--data", "0.5MB", "--loss", "2%", "--bandwidth", "10Mbps",
              "--duration", "60", "--variants", "kcp-fast3"},
             // The core's millisecond clock wraps 2^32 three seconds into the run.
             {"--clock-offset", "4294964296", "--data", "1MB", "--loss", "2%", "--duration", "60",
              "--variants", "kcp-fast3"},
             // TCP carries the same self-checking stream.
             {"--data", "1MB", "--loss", "1%", "--duration", "60", "--variants",
              "tcp-cubic,tcp-newreno"},
         }) {
        const auto s = specs_from(args);
        specs.insert(specs.end(), s.begin(), s.end());
    }
    require_all_delivered(run_specs(specs));
}

// kcp-go's framing from the core under loss: FEC rebuilds what it can, the CRC-checked
// cipher must hand KCP exactly the bytes that were sent, and the run still delivers every
// byte intact. FEC must really have worked (recovered > 0, parity on the wire).
BOOST_AUTO_TEST_CASE(fec_and_crypt_under_loss_deliver_every_byte) {
    std::vector<RunSpec> specs;
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--loss", "3%", "--burst", "2", "--crypt", "aes", "--sweep",
              "variant=kcp-normal+fec10/3,kcp-fast3+fec10/3"},
             {"--loss", "5%", "--loss-model", "bernoulli", "--jitter", "10ms", "--duplicate", "2%",
              "--crypt", "salsa20", "--variants", "kcp-fast+fec4/2"},
             {"--loss", "2%", "--crypt", "aes-128-gcm", "--variants", "kcp-fast3+fec10/3@kcp-go"},
             {"--loss", "2%", "--crypt", "none", "--variants", "kcp-fast3+fec10/3@kcp-go-5.6.1"},
             {"--blackhole-on", "1s", "--blackhole-off", "0.5s", "--crypt", "tea", "--variants",
              "kcp-fast2"},
         }) {
        std::vector<std::string> flags = {"--bandwidth", "10Mbps", "--rtt",      "60ms",
                                          "--data",      "1.5MB",  "--duration", "60"};
        flags.insert(flags.end(), args.begin(), args.end());
        const auto s = specs_from(flags);
        specs.insert(specs.end(), s.begin(), s.end());
    }
    {
        const auto echo = specs_from({"--traffic", "echo", "--msg-size", "500", "--rate", "100",
                                      "--loss", "5%", "--burst", "3", "--duration", "15", "--crypt",
                                      "aes", "--variants", "kcp-fast3+fec10/3"});
        specs.insert(specs.end(), echo.begin(), echo.end());
    }
    const auto results = run_specs(specs);
    require_all_delivered(results);
    for (const RunResult& r : results) {
        for (const GroupResult& g : r.groups) {
            if (g.variant.find("+fec") == std::string::npos) continue;
            BOOST_TEST_CONTEXT(r.id << " " << g.variant) {
                BOOST_CHECK_GT(g.fec_recovered, 0u);
                BOOST_CHECK_GT(g.fec_parity_bytes, 0u);
            }
        }
    }
}

// kcp-go profiles run session::Session, which cuts every write into mss-sized messages of
// one segment each, so a 1 MB message (C's limit is 255 fragments, ~350 KB) arrives whole;
// the echo runs send the server's replies through Session::write as well.
BOOST_AUTO_TEST_CASE(kcp_go_sessions_carry_messages_beyond_the_fragment_limit) {
    const auto bulk =
        run_specs(specs_from({"--bandwidth", "10Mbps", "--rtt", "60ms", "--data", "3MB",
                              "--msg-size", "1MB", "--duration", "60", "--loss", "2%", "--sweep",
                              "variant=kcp-fast3@kcp-go,kcp-fast+fec10/3@kcp-go-5.6.1"}));
    require_all_delivered(bulk);
    for (const RunResult& r : bulk)
        for (const GroupResult& g : r.groups) BOOST_CHECK_EQUAL(g.messages_delivered, 3u);
    require_all_delivered(
        run_specs(specs_from({"--traffic", "echo", "--msg-size", "3000", "--rate", "40", "--loss",
                              "3%", "--duration", "10", "--crypt", "aes", "--sweep",
                              "variant=kcp-fast3@kcp-go,kcp-normal+fec10/3@kcp-go-5.6.1"})));
}
