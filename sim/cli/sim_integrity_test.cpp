// Validation 1 (docs/simulation.md): KCP delivers every byte intact, in order and
// complete, in every scenario the simulator offers: each message's bytes are regenerated
// from the flow's seed at the receiver and compared (sim/ns3/message_stream.hpp), so
// corruption, loss, duplication or reordering that leaked through to the application would
// fail here.
#define BOOST_TEST_MODULE sim_integrity
#include <boost/test/unit_test.hpp>
#include <map>

#include "sim/cli/sim_test_support.hpp"

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

// kcp-go profiles run kcpgo::Session, which cuts every write into mss-sized messages of
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

namespace {

const std::vector<std::string> kCorruptPath = {"--bandwidth", "10Mbps", "--rtt",      "60ms",
                                               "--data",      "1.5MB",  "--duration", "60"};

std::vector<RunSpec> corrupt_specs(const std::vector<std::vector<std::string>>& runs) {
    std::vector<RunSpec> specs;
    for (const auto& args : runs) {
        std::vector<std::string> flags = kCorruptPath;
        flags.insert(flags.end(), args.begin(), args.end());
        const auto s = specs_from(flags);
        specs.insert(specs.end(), s.begin(), s.end());
    }
    return specs;
}

std::uint64_t corrupted(const RunResult& r) {
    return r.path.loss_fwd.corrupted + r.path.loss_rev.corrupted;
}

}  // namespace

// --corrupt flips one bit of a bottleneck packet's UDP payload. kcp-go's crypt layer must
// catch it (CRC-32; AES-GCM's tag) before KCP sees anything, counting InCsumErrors, and
// FEC or retransmission must make up for the dropped datagram: every byte still arrives
// intact and no corrupted datagram reaches the core. The CRC covers what follows the
// 20-byte nonce + CRC header, so a flip inside the nonce (kcp-go's `none`, and Salsa20's
// unencrypted half of it) passes unnoticed and harmlessly: csum_errors <= corrupted there.
// TCP segments drawn for corruption are dropped, as their checksum would drop them.
BOOST_AUTO_TEST_CASE(bit_corruption_is_caught_by_the_crc_or_tag_and_repaired) {
    const auto results = run_specs(corrupt_specs({
        {"--corrupt", "2%", "--crypt", "aes", "--sweep",
         "variant=kcp-fast3+fec10/3,kcp-normal+fec10/3@kcp-go"},
        // The same path without corruption: what FEC rebuilds there is queue overflow.
        {"--crypt", "aes", "--sweep", "variant=kcp-fast3+fec10/3,kcp-normal+fec10/3@kcp-go"},
        {"--corrupt", "1%", "--loss", "2%", "--crypt", "aes-128-gcm", "--variants",
         "kcp-fast3@kcp-go"},
        {"--corrupt", "3%", "--loss-dir", "fwd", "--crypt", "none", "--variants",
         "kcp-fast+fec4/2@kcp-go-5.6.1"},
        {"--corrupt", "2%", "--jitter", "10ms", "--crypt", "salsa20", "--variants",
         "kcp-fast2+fec4/2"},
        {"--corrupt", "1%", "--variants", "tcp-cubic"},
    }));
    require_all_delivered(results);
    std::map<std::string, std::uint64_t> clean_recovered;
    for (const RunResult& r : results)
        if (r.param("corrupt").empty())
            clean_recovered[r.groups.at(0).variant] = r.groups.at(0).fec_recovered;
    for (const RunResult& r : results) {
        if (r.param("corrupt").empty()) continue;
        const GroupResult& g = r.groups.at(0);
        BOOST_TEST_MESSAGE(g.variant << ": corrupted " << r.path.loss_fwd.corrupted << " fwd + "
                                     << r.path.loss_rev.corrupted << " rev, csum errors "
                                     << g.csum_errors << ", rejected " << g.rejected
                                     << ", KCP input errors " << g.kcp_input_errors
                                     << ", FEC recovered " << g.fec_recovered);
        BOOST_TEST_CONTEXT(r.id << " " << g.variant) {
            BOOST_CHECK_GT(corrupted(r), 10u);
            if (r.param("corrupt_dir") == "fwd") BOOST_CHECK_EQUAL(r.path.loss_rev.corrupted, 0u);
            if (g.variant.rfind("tcp", 0) == 0) {
                BOOST_CHECK_EQUAL(r.path.loss_fwd.dropped + r.path.loss_rev.dropped,
                                  corrupted(r));  // no --loss: every drop is corruption
                continue;
            }
            BOOST_CHECK_GT(g.csum_errors, 0u);
            BOOST_CHECK_LE(g.csum_errors, corrupted(r));
            BOOST_CHECK_GE(g.rejected, g.csum_errors);
            BOOST_CHECK_EQUAL(g.kcp_input_errors, 0u);  // nothing damaged got to the core
            // AES (CFB over the whole datagram) and AES-GCM (nonce under the tag) leave no
            // unchecked byte: all but those still in flight when the run ended are caught.
            if (g.variant.find("+aes") != std::string::npos)
                BOOST_CHECK_LE(corrupted(r) - g.csum_errors, 2u);
            // The same run without corruption: FEC rebuilt more here, the dropped ones.
            if (clean_recovered.count(g.variant))
                BOOST_CHECK_GT(g.fec_recovered, clean_recovered[g.variant]);
        }
    }
}

// With --crypt null there is no checksum anywhere: KCP has none, and ns-3's UDP computes
// none. A flipped bit in a KCP header either makes the core refuse the datagram (bad
// command, length, conv: kcp_input_errors) or is taken as valid; a flipped bit in the data
// reaches the application. So corruption is expected here, not a failure: the run must
// finish without a crash, and the receiver's seeded-stream check must see the damage.
BOOST_AUTO_TEST_CASE(with_crypt_null_corrupted_bytes_reach_the_application_and_nothing_crashes) {
    const auto results = run_specs(corrupt_specs({
        {"--corrupt", "5%", "--sweep", "seed=1,2", "--sweep",
         "variant=kcp-fast3,kcp-normal@kcp-go,kcp-fast+fec10/3@kcp-go-5.6.1"},
    }));
    std::uint64_t refused = 0;
    for (const RunResult& r : results) {
        for (const GroupResult& g : r.groups) {
            BOOST_TEST_MESSAGE(r.id << " " << g.variant << ": corrupted " << corrupted(r)
                                    << ", KCP input errors " << g.kcp_input_errors << ", "
                                    << g.messages_delivered << "/" << g.messages_sent
                                    << " messages verified before: " << g.error);
            BOOST_TEST_CONTEXT(r.id << " " << g.variant) {
                BOOST_CHECK_GT(corrupted(r), 10u);
                BOOST_CHECK_EQUAL(g.csum_errors, 0u);  // nothing to check them
                BOOST_CHECK(!g.intact);
                BOOST_CHECK(g.error.find("differs from the seeded stream") != std::string::npos);
            }
            refused += g.kcp_input_errors;
        }
    }
    BOOST_CHECK_GT(refused, 0u);
}
