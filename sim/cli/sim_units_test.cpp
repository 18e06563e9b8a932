// The pure parts of the simulator: seeded messages and their verification, latency
// summaries, unit parsing, the command line (presets, sweeps, errors), the framing settings.
#define BOOST_TEST_MODULE sim_units
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <random>

#include "kcpkit/ns3/framing.hpp"
#include "kcpkit/ns3/kcp_application.hpp"
#include "kcpkit/ns3/message_stream.hpp"
#include "ns3/object-factory.h"
#include "sim/cli/options.hpp"
#include "sim/scenario/units.hpp"

using namespace kcpkit;
using namespace kcpkit::sim;

namespace {

std::vector<std::uint8_t> stream_of(std::uint64_t seed, int count, std::uint32_t size) {
    std::vector<std::uint8_t> out;
    for (int i = 0; i < count; ++i)
        append_message(out, seed, static_cast<std::uint32_t>(i), 1000u * i,
                       size + static_cast<std::uint32_t>(i % 7));
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(messages_survive_any_slicing_of_the_stream) {
    const auto bytes = stream_of(42, 200, 1000);
    std::mt19937 rng(1);
    for (int trial = 0; trial < 20; ++trial) {
        MessageReader reader(42, 2000);
        std::vector<std::uint32_t> seqs;
        std::size_t at = 0;
        while (at < bytes.size()) {
            const std::size_t n = std::min<std::size_t>(bytes.size() - at, 1 + rng() % 3000);
            BOOST_REQUIRE(reader.feed({bytes.data() + at, n}, [&](const MessageHeader& h, auto) {
                seqs.push_back(h.seq);
            }));
            at += n;
        }
        BOOST_REQUIRE_EQUAL(seqs.size(), 200u);
        BOOST_CHECK_EQUAL(reader.bytes(), bytes.size());
        BOOST_CHECK_EQUAL(reader.pending(), 0u);
        for (std::uint32_t i = 0; i < seqs.size(); ++i) BOOST_REQUIRE_EQUAL(seqs[i], i);
    }
}

BOOST_AUTO_TEST_CASE(the_digest_depends_on_every_byte_and_the_seed) {
    const auto a = stream_of(7, 50, 300);
    MessageReader r1(7, 1000), r2(7, 1000);
    BOOST_REQUIRE(r1.feed(a, [](auto&, auto) {}));
    BOOST_REQUIRE(r2.feed(a, [](auto&, auto) {}));
    BOOST_CHECK_EQUAL(r1.digest(), r2.digest());
    const auto b = stream_of(8, 50, 300);
    MessageReader r3(8, 1000);
    BOOST_REQUIRE(r3.feed(b, [](auto&, auto) {}));
    BOOST_CHECK_NE(r1.digest(), r3.digest());
}

BOOST_AUTO_TEST_CASE(a_flipped_byte_is_caught_and_located) {
    auto bytes = stream_of(3, 20, 500);
    bytes[5 * 506 + 100] ^= 0x01;  // a payload byte of some message
    MessageReader reader(3, 1000);
    std::size_t delivered = 0;
    BOOST_CHECK(!reader.feed(bytes, [&](auto&, auto) { ++delivered; }));
    BOOST_CHECK(!reader.ok());
    BOOST_CHECK_LT(delivered, 20u);
    BOOST_TEST_MESSAGE(reader.error());
    BOOST_CHECK(reader.error().find("payload byte") != std::string::npos);
    // Failed readers stay failed.
    BOOST_CHECK(!reader.feed(stream_of(3, 1, 100), [&](auto&, auto) { ++delivered; }));
}

BOOST_AUTO_TEST_CASE(gaps_repeats_and_wrong_seeds_are_caught) {
    std::vector<std::uint8_t> gap, dup;
    append_message(gap, 1, 0, 0, 100);
    append_message(gap, 1, 2, 0, 100);  // seq 1 missing
    MessageReader r1(1, 1000);
    BOOST_CHECK(!r1.feed(gap, [](auto&, auto) {}));
    BOOST_CHECK(r1.error().find("out of sequence") != std::string::npos);
    append_message(dup, 1, 0, 0, 100);
    append_message(dup, 1, 0, 0, 100);
    MessageReader r2(1, 1000);
    BOOST_CHECK(!r2.feed(dup, [](auto&, auto) {}));
    MessageReader r3(2, 1000);  // another flow's content
    BOOST_CHECK(!r3.feed(stream_of(1, 1, 100), [](auto&, auto) {}));
    MessageReader r4(1, 50);  // larger than allowed
    BOOST_CHECK(!r4.feed(stream_of(1, 1, 100), [](auto&, auto) {}));
}

BOOST_AUTO_TEST_CASE(percentiles_are_nearest_rank) {
    std::vector<double> v;
    for (int i = 100; i >= 1; --i) v.push_back(i);
    const LatencySummary s = summarize(v);
    BOOST_CHECK_EQUAL(s.count, 100u);
    BOOST_CHECK_EQUAL(s.p50, 50);
    BOOST_CHECK_EQUAL(s.p95, 95);
    BOOST_CHECK_EQUAL(s.p99, 99);
    BOOST_CHECK_EQUAL(s.max, 100);
    BOOST_CHECK_CLOSE(s.mean, 50.5, 1e-9);
    const auto q = quantiles(v, 11);
    BOOST_REQUIRE_EQUAL(q.size(), 11u);
    BOOST_CHECK_EQUAL(q.front(), 1);
    BOOST_CHECK_EQUAL(q.back(), 100);
    std::vector<double> empty;
    BOOST_CHECK_EQUAL(summarize(empty).count, 0u);
}

BOOST_AUTO_TEST_CASE(units_parse_like_ns3_and_reject_garbage) {
    BOOST_CHECK_EQUAL(*parse_rate_bps("10Mbps"), 10'000'000u);
    BOOST_CHECK_EQUAL(*parse_rate_bps("1.5Gbps"), 1'500'000'000u);
    BOOST_CHECK_EQUAL(*parse_rate_bps("500kbps"), 500'000u);
    BOOST_CHECK(!parse_rate_bps("fast"));
    // Every spelling of a unit scales alike; a number with no unit is bits, seconds, bytes.
    BOOST_CHECK_EQUAL(*parse_rate_bps("2 kbit/s"), 2'000u);
    BOOST_CHECK_EQUAL(*parse_rate_bps("3Mb/s"), 3'000'000u);
    BOOST_CHECK_EQUAL(*parse_rate_bps("1gbit/s"), 1'000'000'000u);
    BOOST_CHECK_EQUAL(*parse_rate_bps("64"), 64u);
    BOOST_CHECK(!parse_rate_bps("0.5bps"));
    BOOST_CHECK_EQUAL(*parse_time_ns("2min"), 120'000'000'000);
    BOOST_CHECK_EQUAL(*parse_time_ns("5us"), 5'000);
    BOOST_CHECK_EQUAL(*parse_time_ns("7ns"), 7);
    BOOST_CHECK(!parse_time_ns("5h"));
    BOOST_CHECK_EQUAL(*parse_bytes("1200"), 1'200u);
    BOOST_CHECK_EQUAL(*parse_bytes("1200b"), 1'200u);
    BOOST_CHECK_EQUAL(*parse_bytes("2GiB"), 2'147'483'648u);
    BOOST_CHECK(!parse_bytes("3 pages"));
    BOOST_CHECK_EQUAL(*parse_time_ns("98ms"), 98'000'000);
    BOOST_CHECK_EQUAL(*parse_time_ns("0.2s"), 200'000'000);
    BOOST_CHECK_EQUAL(*parse_time_ns("60"), 60'000'000'000);
    BOOST_CHECK(!parse_time_ns("soon"));
    BOOST_CHECK_EQUAL(*parse_bytes("16KB"), 16'000u);
    BOOST_CHECK_EQUAL(*parse_bytes("1MiB"), 1'048'576u);
    BOOST_CHECK_EQUAL(parse_queue("100p")->packets, 100u);
    BOOST_CHECK_EQUAL(parse_queue("150KB")->bytes, 150'000u);
    BOOST_CHECK_EQUAL(parse_queue("auto")->packets, 0u);
    BOOST_CHECK(!parse_queue("lots"));
    BOOST_CHECK_CLOSE(*parse_probability("2%"), 0.02, 1e-9);
    BOOST_CHECK_CLOSE(*parse_probability("0.02"), 0.02, 1e-9);
    BOOST_CHECK(!parse_probability("150%"));
}

BOOST_AUTO_TEST_CASE(explicit_flags_override_a_preset_and_sweeps_override_both) {
    CliConfig cfg;
    std::string error;
    BOOST_REQUIRE_EQUAL(
        parse_cli({"--preset", "transpacific", "--loss", "5%", "--compare", "tcp-cubic"}, cfg,
                  error),
        0);
    BOOST_REQUIRE_EQUAL(cfg.runs.size(), 2u);
    BOOST_CHECK_EQUAL(cfg.runs[0].scenario.path.bandwidth_bps, 20'000'000u);  // preset
    BOOST_CHECK_CLOSE(cfg.runs[0].scenario.loss_rate, 0.05, 1e-9);            // override
    BOOST_CHECK_EQUAL(cfg.runs[0].variants[0].name, "kcp-fast");
    BOOST_CHECK_EQUAL(cfg.runs[1].variants[0].tcp_type, "ns3::TcpCubic");

    BOOST_REQUIRE_EQUAL(parse_cli({"--preset", "transpacific", "--loss", "5%", "--sweep",
                                   "loss=0,1%", "--sweep", "variant=kcp-fast3,tcp-bbr,kcp-normal"},
                                  cfg, error),
                        0);
    BOOST_REQUIRE_EQUAL(cfg.runs.size(), 6u);
    BOOST_CHECK_EQUAL(cfg.runs[0].scenario.loss_rate, 0.0);
    BOOST_CHECK_CLOSE(cfg.runs[5].scenario.loss_rate, 0.01, 1e-9);
    BOOST_CHECK_EQUAL(cfg.runs[4].variants[0].name, "tcp-bbr");
    // Each run's own flags reproduce it alone.
    CliConfig one;
    BOOST_REQUIRE_EQUAL(parse_cli(cfg.run_args[4], one, error), 0);
    BOOST_REQUIRE_EQUAL(one.runs.size(), 1u);
    BOOST_CHECK_EQUAL(one.runs[0].variants[0].name, "tcp-bbr");
    BOOST_CHECK_CLOSE(one.runs[0].scenario.loss_rate, 0.01, 1e-9);
    BOOST_CHECK_EQUAL(one.runs[0].scenario.path.bandwidth_bps, 20'000'000u);
}

BOOST_AUTO_TEST_CASE(kcp_modes_and_rtt_are_kcptuns) {
    CliConfig cfg;
    std::string error;
    BOOST_REQUIRE_EQUAL(
        parse_cli({"--mode", "fast3", "--rtt", "100ms", "--access_delay", "5ms"}, cfg, error), 0);
    const kcpkit::kcptun::NoDelay k = *cfg.runs[0].variants[0].kcp.kcptun.quad();
    BOOST_CHECK_EQUAL(k.nodelay, 1);
    BOOST_CHECK_EQUAL(k.interval, 10);
    BOOST_CHECK_EQUAL(k.resend, 2);
    BOOST_CHECK_EQUAL(k.nc, 1);
    BOOST_CHECK_EQUAL(cfg.runs[0].scenario.path.delay_ns, 40'000'000);
    BOOST_CHECK_CLOSE(cfg.runs[0].scenario.path.rtt_seconds(), 0.1, 1e-9);
    // kcptun's manual rule: the four flags start from 0/50/0/0 and need --mode manual.
    BOOST_REQUIRE_EQUAL(parse_cli({"--mode", "manual", "--interval", "20"}, cfg, error), 0);
    BOOST_CHECK_EQUAL(cfg.runs[0].variants[0].name, "kcp-manual");
    const kcpkit::kcptun::NoDelay m = *cfg.runs[0].variants[0].kcp.kcptun.quad();
    BOOST_CHECK_EQUAL(m.nodelay, 0);
    BOOST_CHECK_EQUAL(m.interval, 20);
    BOOST_CHECK_EQUAL(m.resend, 0);
    BOOST_CHECK_EQUAL(m.nc, 0);
    BOOST_CHECK_NE(parse_cli({"--interval", "20"}, cfg, error), 0);
    BOOST_CHECK_NE(error.find("--mode manual"), std::string::npos);
    BOOST_CHECK_NE(parse_cli({"--mode", "fast3", "--nc", "0"}, cfg, error), 0);
    BOOST_CHECK_NE(parse_cli({"--mode", "turbo"}, cfg, error), 0);
}

BOOST_AUTO_TEST_CASE(fec_and_crypt_flags_are_checked) {
    CliConfig cfg;
    std::string error;
    BOOST_REQUIRE_EQUAL(parse_cli({"--datashard", "10", "--parityshard", "3"}, cfg, error), 0);
    BOOST_CHECK_EQUAL(cfg.runs[0].variants[0].name, "kcp-fast+fec10/3");
    BOOST_REQUIRE_EQUAL(parse_cli({"--crypt", "aes", "--mode", "fast3"}, cfg, error), 0);
    BOOST_CHECK_EQUAL(cfg.runs[0].variants[0].name, "kcp-fast3+aes");
    BOOST_REQUIRE_EQUAL(parse_cli({"--variants", "kcp-fast3+fec10/3"}, cfg, error), 0);
    BOOST_CHECK_EQUAL(cfg.runs[0].variants[0].kcp.kcptun.parityshard, 3);
    BOOST_CHECK_EQUAL(
        parse_cli({"--datashard", "0", "--parityshard", "0", "--crypt", "null"}, cfg, error), 0);
    BOOST_CHECK(!cfg.runs[0].variants[0].kcp.has_fec());
    BOOST_CHECK(!cfg.runs[0].variants[0].kcp.has_crypt());
    BOOST_CHECK_EQUAL(parse_cli({"--crypt", "rot13"}, cfg, error), kUsageError);
    BOOST_CHECK(error.find("rot13") != std::string::npos);
    BOOST_CHECK_EQUAL(parse_cli({"--mtu", "60", "--crypt", "aes"}, cfg, error), kUsageError);
    BOOST_CHECK(error.find(">= 70") != std::string::npos);
    BOOST_CHECK_EQUAL(parse_cli({"--mtu", "70", "--crypt", "aes"}, cfg, error), 0);
    BOOST_CHECK_EQUAL(parse_cli({"--datashard", "-1", "--parityshard", "3"}, cfg, error),
                      kUsageError);
    BOOST_CHECK_EQUAL(parse_cli({"--datashard", "200", "--parityshard", "100"}, cfg, error),
                      kUsageError);
    BOOST_CHECK_EQUAL(
        parse_cli({"--crypt", "aes-128-gcm", "--profile", "kcp-go-5.6.1"}, cfg, error),
        kUsageError);
    BOOST_CHECK_EQUAL(parse_cli({"--mode", "warp"}, cfg, error), kUsageError);
    BOOST_CHECK_EQUAL(parse_cli({"--compare", "tcp-nosuch"}, cfg, error), kUsageError);
    BOOST_CHECK_EQUAL(parse_cli({"--bogus"}, cfg, error), kUsageError);
}

BOOST_AUTO_TEST_CASE(kcp_flags_reach_the_application_whole) {
    CliConfig cfg;
    std::string error;
    BOOST_REQUIRE_EQUAL(
        parse_cli({"--mode", "fast2", "--mtu", "1200", "--datashard", "4", "--parityshard", "2",
                   "--crypt", "salsa20", "--key", "k", "--stream", "--profile", "kcp-go"},
                  cfg, error),
        0);
    const kcpkit::kcptun::Settings flags = cfg.runs[0].variants[0].kcp.kcptun;
    BOOST_CHECK_EQUAL(flags.mode, "fast2");
    BOOST_CHECK_EQUAL(flags.mtu, 1200);
    BOOST_CHECK_EQUAL(flags.crypt, "salsa20");
    BOOST_CHECK_EQUAL(flags.key, "k");
    BOOST_CHECK(flags.stream);
    BOOST_CHECK(!flags.acknodelay);
    // Flags not given keep the application's defaults.
    const kcpkit::kcptun::Settings defaults = KcpApplication::DefaultKcptunSettings();
    BOOST_CHECK_EQUAL(parse_cli({}, cfg, error), 0);
    BOOST_CHECK_EQUAL(cfg.runs[0].variants[0].kcp.kcptun.mtu, defaults.mtu);
    BOOST_CHECK_EQUAL(cfg.runs[0].variants[0].kcp.kcptun.crypt, "null");
    BOOST_CHECK_EQUAL(cfg.runs[0].variants[0].kcp.kcptun.profile, "ikcp");

    // One attribute carries them into the application.
    ns3::ObjectFactory factory;
    factory.SetTypeId(KcpApplication::GetTypeId());
    factory.Set("Kcptun", KcptunSettingsValue(flags));
    const ns3::Ptr<KcpApplication> app = factory.Create<KcpApplication>();
    BOOST_CHECK_EQUAL(app->GetKcptunSettings().mode, "fast2");
    BOOST_CHECK_EQUAL(app->GetKcptunSettings().datashard, 4);
    BOOST_CHECK_EQUAL(app->GetKcptunSettings().key, "k");
    KcptunSettingsValue back;
    app->GetAttribute("Kcptun", back);
    BOOST_CHECK_EQUAL(back.Get().parityshard, 2);
    const std::string line = back.SerializeToString(nullptr);
    BOOST_CHECK_NE(line.find("--mode 'fast2'"), std::string::npos);
    BOOST_CHECK_NE(line.find("--stream"), std::string::npos);
    BOOST_CHECK_EQUAL(line.find("--acknodelay"), std::string::npos);
}

namespace {

// The framing a simulated session runs for `config`: kcptun's recipe (kcptun::session_config)
// with the sim's seeded nonces (make_nonce_source).
struct Framing {
    Framing(const KcpSettings& config, std::uint64_t nonce_seed)
        : framer(*frame::Framer::create(
              kcpkit::kcptun::session_config(config.kcptun, kcpkit::kcptun::Role::dial)->frame)),
          nonces(make_nonce_source(nonce_seed)) {
        BOOST_REQUIRE(framer);
    }
    // Hands each KCP datagram `wire` opens to `kcp_in`; counts a refused datagram.
    template <class F>
    void open(std::span<std::uint8_t> wire, std::uint32_t now, F&& kcp_in) {
        const frame::OpenResult r = framer->open(wire, now);
        if (r.status != frame::FrameOpenStatus::ok) ++rejected;
        for (const fec::Delivery& d : r.deliveries) kcp_in(d.kcp, d.recovered);
    }
    std::unique_ptr<frame::Framer> framer;
    std::unique_ptr<crypt::NonceSource> nonces;
    std::uint64_t rejected = 0;
};

// KCP-shaped datagrams (a 24-byte header, then payload) of varied lengths.
std::vector<std::vector<std::uint8_t>> kcp_datagrams(int count) {
    std::vector<std::vector<std::uint8_t>> out;
    std::mt19937 rng(7);
    for (int i = 0; i < count; ++i) {
        std::vector<std::uint8_t> d(24 + rng() % 1300);
        for (auto& b : d) b = static_cast<std::uint8_t>(rng());
        d[0] = 1;  // conv 1
        d[1] = d[2] = d[3] = 0;
        out.push_back(std::move(d));
    }
    return out;
}

using Wire = std::vector<std::vector<std::uint8_t>>;

Wire seal_all(Framing& f, const std::vector<std::vector<std::uint8_t>>& kcp) {
    Wire wire;
    std::uint32_t now = 1000;
    for (const auto& d : kcp)
        for (const frame::WireDatagram w : f.framer->seal(d, now += 5, *f.nonces).datagrams)
            wire.emplace_back(w.begin(), w.end());
    return wire;
}

}  // namespace

BOOST_AUTO_TEST_CASE(plain_framing_adds_nothing) {
    BOOST_CHECK_EQUAL(KcpSettings{}.framing_overhead().value(), 0u);
    Framing f(KcpSettings{}, 1);
    std::vector<std::uint8_t> d = {1, 2, 3, 4, 5};
    const frame::SealResult sealed = f.framer->seal(d, 0, *f.nonces);
    BOOST_REQUIRE_EQUAL(sealed.datagrams.size(), 1u);
    BOOST_CHECK(
        std::equal(d.begin(), d.end(), sealed.datagrams[0].begin(), sealed.datagrams[0].end()));
    BOOST_CHECK_EQUAL(f.framer->counters().sealed, 1u);
}

BOOST_AUTO_TEST_CASE(fec_and_crypt_rebuild_lost_datagrams_and_reject_corrupt_ones) {
    KcpSettings config;
    config.kcptun.datashard = 10;
    config.kcptun.parityshard = 3;
    config.kcptun.crypt = "aes";
    Framing tx(config, 11), rx(config, 12);
    // nonce + CRC, FEC seqid/type/size
    BOOST_CHECK_EQUAL(config.framing_overhead().value(), 20u + 8u);
    const auto kcp = kcp_datagrams(20);
    const Wire wire = seal_all(tx, kcp);
    // Two groups: 10 data datagrams, then 3 parity, twice.
    BOOST_REQUIRE_EQUAL(wire.size(), 26u);
    BOOST_CHECK_EQUAL(pipeline_stats_of(tx.framer->counters(), 0).sealed, 20u);
    BOOST_CHECK_EQUAL(pipeline_stats_of(tx.framer->counters(), 0).fec_parity, 6u);
    BOOST_CHECK_EQUAL(wire[0].size(), kcp[0].size() + 28);
    BOOST_CHECK(!std::equal(kcp[0].begin(), kcp[0].end(), wire[0].begin() + 28));  // encrypted

    // Lose 3 data datagrams of the first group (as many as it has parity) and 1 parity
    // datagram plus 1 data datagram of the second; flip a bit in another parity datagram.
    std::vector<std::vector<std::uint8_t>> delivered;
    int recovered = 0;
    std::uint32_t now = 2000;
    for (std::size_t i = 0; i < wire.size(); ++i) {
        if (i == 2 || i == 5 || i == 9 || i == 14 || i == 23) continue;
        auto copy = wire[i];
        if (i == 24) copy[copy.size() / 2] ^= 0x10;
        rx.open(copy, ++now, [&](std::span<const std::uint8_t> k, bool r) {
            delivered.emplace_back(k.begin(), k.end());
            recovered += r;
        });
    }
    BOOST_CHECK_EQUAL(rx.rejected, 1u);  // the flipped bit fails the CRC
    BOOST_CHECK_EQUAL(recovered, 4);
    BOOST_CHECK_EQUAL(pipeline_stats_of(rx.framer->counters(), 0).fec_recovered, 4u);
    // Every byte back, each datagram once, none invented.
    BOOST_CHECK_EQUAL(delivered.size(), kcp.size());
    for (const auto& d : kcp)
        BOOST_CHECK_EQUAL(std::count(delivered.begin(), delivered.end(), d), 1);
}

BOOST_AUTO_TEST_CASE(crypt_layers_differ_as_kcptun_names_say_and_follow_the_seed) {
    const auto kcp = kcp_datagrams(3);
    KcpSettings none;
    none.kcptun.crypt = "none";
    Framing n(none, 1);
    BOOST_CHECK_EQUAL(none.framing_overhead().value(), 20u);  // nonce + CRC, not encrypted
    const Wire plain = seal_all(n, kcp);
    BOOST_CHECK(std::equal(kcp[1].begin(), kcp[1].end(), plain[1].begin() + 20));

    KcpSettings gcm;
    gcm.kcptun.crypt = "aes-128-gcm";
    BOOST_CHECK_EQUAL(gcm.framing_overhead().value(), 12u + 16u);

    KcpSettings salsa;
    salsa.kcptun.crypt = "salsa20";
    Framing fa(salsa, 5), fb(salsa, 5), fc(salsa, 6);
    const Wire a = seal_all(fa, kcp);
    const Wire b = seal_all(fb, kcp);
    const Wire c = seal_all(fc, kcp);
    BOOST_CHECK(a == b);  // same seed, same nonces, same bytes
    BOOST_CHECK(a != c);
    salsa.kcptun.key = "another key";
    Framing other_key(salsa, 5);
    int opened = 0;
    for (auto w : a) other_key.open(w, 0, [&](std::span<const std::uint8_t>, bool) { ++opened; });
    BOOST_CHECK_EQUAL(opened, 0);
    BOOST_CHECK_EQUAL(other_key.rejected, a.size());
}
