#include "sim/cli/options.hpp"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cmath>
#include <optional>
#include <set>
#include <sstream>

#include "kcpkit/kcp/profile.hpp"
#include "kcpkit/kcptun/kcptun.hpp"
#include "kcpkit/kcptun/program_options.hpp"
#include "sim/cli/presets.hpp"
#include "sim/scenario/units.hpp"

namespace kcpkit::sim {

namespace po = boost::program_options;

namespace {

using Args = std::vector<std::string>;

po::options_description control_options() {
    po::options_description d("What to run and where the results go");
    d.add_options()("help,h", "this text")(
        "default",
        "the default comparison: KCP normal/fast/fast3 vs TCP Cubic and BBR on "
        "the `default` preset's path (bulk goodput vs loss, echo latency)")(
        "list-presets", "list the named scenarios")(
        "speed-bench", "simulation cost of KCP flows vs a plain ns-3 UDP flow on the same path")(
        "sweep", po::value<Args>()->composing(),
        "KEY=V1,V2,...: run the grid of every value of every swept flag (repeatable; KEY is "
        "any scenario or KCP flag without dashes, or `variant`)")(
        "jobs,j", po::value<int>(), "parallel simulation processes (default: one per CPU)")(
        "emit-jobs", po::value<std::string>(),
        "write one kcp-sim command per run to FILE (for GNU parallel) instead of running")(
        "emit-slurm", po::value<std::string>(),
        "also write a Slurm job-array script running FILE's lines (with --emit-jobs)")(
        "jobs-out", po::value<std::string>(),
        "directory the emitted jobs write results to "
        "(default kcp-sim-results)")("result-json", po::value<std::string>(),
                                     "write this invocation's results as JSON")(
        "run-id", po::value<std::string>(),
        "the run's name in its results (emitted jobs keep the sweep's names)")(
        "merge", po::value<Args>()->multitoken(),
        "merge result JSON files (from --result-json/--json) and report them")(
        "csv", po::value<std::string>(), "write the results as CSV")(
        "json", po::value<std::string>(), "write the results as JSON")(
        "plot", po::value<std::string>(),
        "write PNG plots (goodput vs loss, latency CDF) into DIR (needs gnuplot)")(
        "out-dir", po::value<std::string>(),
        "--default: where CSV, JSON and plots go (default <build>/reports/sim-default)")(
        "quiet,q", po::bool_switch(), "no table on stdout")(
        "no-progress", po::bool_switch(), "no progress bar (it only shows on a terminal)");
    return d;
}

po::options_description scenario_options() {
    po::options_description d("Scenario (ns-3 tcp-variants-comparison names where they fit)");
    d.add_options()("preset", po::value<std::string>(),
                    "a named scenario (see --list-presets); other "
                    "flags override it")("bandwidth", po::value<std::string>(),
                                         "bottleneck rate (10Mbps)")(
        "delay", po::value<std::string>(), "bottleneck one-way delay (98ms)")(
        "rtt", po::value<std::string>(),
        "round-trip propagation time; sets delay = rtt/2 - 2*access_delay")(
        "access_bandwidth", po::value<std::string>(), "access link rate (100Mbps)")(
        "access_delay", po::value<std::string>(), "access link delay (1ms)")(
        "queue", po::value<std::string>(),
        "bottleneck queue: Np packets, N bytes (150KB), or auto = 1 BDP (auto)")(
        "queue_disc_type", po::value<std::string>(),
        "none (drop-tail device queue) or an ns-3 queue disc, e.g. ns3::FqCoDelQueueDisc")(
        "link_mtu", po::value<unsigned>(), "IP MTU of every link (1500); TCP MSS = link_mtu - 52")(
        "loss", po::value<std::string>(), "mean packet loss on the bottleneck: 0.02 or 2%")(
        "loss-model", po::value<std::string>(),
        "bernoulli | ge (Gilbert-Elliott; default when --burst is given)")(
        "burst", po::value<double>(), "GE mean loss burst, packets (3)")(
        "ge", po::value<std::string>(),
        "explicit GE: p,r[,loss_good,loss_bad] (good->bad p, bad->good r)")(
        "error_p", po::value<std::string>(), "Bernoulli loss rate (tcp-variants-comparison)")(
        "loss-dir", po::value<std::string>(),
        "both | fwd | rev: directions that lose and corrupt (both)")(
        "drop-list", po::value<std::string>(),
        "drop these packets (1-based, comma-separated) on the forward bottleneck")(
        "drop-list-rev", po::value<std::string>(), "the same on the reverse direction")(
        "blackhole-on", po::value<std::string>(), "blackhole cycle: link up for this long")(
        "blackhole-off", po::value<std::string>(), "... then down (everything lost) this long")(
        "blackhole-start", po::value<std::string>(), "first cycle starts at (0s)")(
        "jitter", po::value<std::string>(),
        "extra delay U[0, jitter] per bottleneck packet (reorders)")(
        "jitter-fifo", po::bool_switch(), "jitter without reordering")(
        "duplicate", po::value<std::string>(), "probability a bottleneck packet arrives twice")(
        "corrupt", po::value<std::string>(),
        "probability a bottleneck packet gets one random bit of its UDP payload flipped "
        "(directions as --loss-dir; a TCP segment is dropped instead, as its checksum would)")(
        "traffic", po::value<std::string>(),
        "bulk | echo (fixed size and rate, server echoes, RTT) | periodic (one way)")(
        "msg-size", po::value<std::string>(),
        "bytes per message (bulk write 16KB, echo 100, periodic 64)")(
        "rate", po::value<double>(), "messages per second (echo 50, periodic 30)")(
        "data", po::value<std::string>(), "bulk: bytes per flow, e.g. 10MB (0: until the end)")(
        "num_flows", po::value<unsigned>(), "flows (each its own sender/receiver pair)")(
        "duration", po::value<std::string>(), "seconds of traffic (30)")(
        "seed", po::value<unsigned>(), "RNG seed: the same seed gives the same numbers (1)")(
        "run", po::value<unsigned>(), "ns-3 run number (substream) (1)")(
        "pcap", po::value<std::string>(),
        "write a pcap of the bottleneck: PREFIX-<run>-bottleneck.pcap")(
        "pcap_tracing", po::bool_switch(), "the same with PREFIX = prefix_name")(
        "prefix_name", po::value<std::string>(), "output prefix for pcap_tracing (kcp-sim)");
    return d;
}

std::string quad_text(const kcptun::NoDelay& q) {
    return "(" + std::to_string(q.nodelay) + "," + std::to_string(q.interval) + "," +
           std::to_string(q.resend) + "," + std::to_string(q.nc) + ")";
}

// "normal (0,40,2,1) | ... | manual (...)", from kcptun's one table.
std::string mode_help() {
    std::string text;
    for (const kcptun::Mode& m : kcptun::modes())
        text += std::string(m.name) + " " + quad_text(m.quad) + " | ";
    return text + std::string(kcptun::kManualMode) + " (--nodelay --interval --resend --nc, from " +
           quad_text(kcptun::kManualDefaults) + ")";
}

po::options_description kcp_options() {
    po::options_description d("KCP (kcptun's names)");
    // kcptun's flags come from its one table (protocol/kcptun/settings.hpp), with kcp-sim's
    // defaults; only the meanings kcp-sim changes are worded here.
    static const std::string modes = mode_help();
    static constexpr std::string_view kOffered[] = {
        "mode",   "nodelay", "interval",     "resend",         "nc",    "sndwnd",
        "rcvwnd", "mtu",     "datashard,ds", "parityshard,ps", "crypt", "key"};
    static constexpr std::string_view kSwitches[] = {"stream", "acknodelay"};
    const std::pair<std::string_view, std::string_view> help[] = {
        {"mode", modes},
        {"sndwnd", "send window, segments (0 = auto: 1.5 x each flow's BDP share, >= 32)"},
        {"rcvwnd", "receive window, segments (0 = auto)"},
        {"crypt",
         "packet cipher, kcptun's names: null (no crypt layer), none (nonce + CRC only), aes, "
         "aes-128, aes-192, aes-128-gcm, salsa20, blowfish, twofish, cast5, 3des, tea, xtea, "
         "xor, sm4"},
    };
    const kcptun::Settings defaults = KcpSettings{}.kcptun;
    kcptun::add_flags(d, {defaults, kOffered, help});
    d.add_options()("profile", po::value<std::string>(), "behaviour profile of the core (ikcp)");
    kcptun::add_flags(d, {defaults, kSwitches, {}});
    d.add_options()("write-delay", po::bool_switch(),
                    "leave writes for the next tick (default: flush)")(
        "deadlink", po::value<unsigned>(),
        "transmissions before the core reports a dead link (20)")(
        "clock-offset", po::value<unsigned>(), "start the core's ms clock here (tests wrap)");
    po::options_description c("Comparison");
    c.add_options()("compare", po::value<std::string>(),
                    "also run these variants, e.g. tcp-cubic,tcp-bbr,tcp-newreno,kcp-fast3")(
        "variants", po::value<std::string>(),
        "run exactly these variants (kcp, kcp-<mode>[+fecD/P], tcp-<cc>)")(
        "transport_prot", po::value<std::string>(),
        "tcp-variants-comparison's name (TcpCubic, ...) as a variant to run")(
        "shared", po::bool_switch(), "all variants share one bottleneck (num_flows each)");
    d.add(c);
    return d;
}

po::options_description all_options() {
    po::options_description d;
    d.add(control_options()).add(scenario_options()).add(kcp_options());
    return d;
}

std::set<std::string> option_names(const po::options_description& d) {
    std::set<std::string> names;
    for (const auto& o : d.options()) names.insert(o->long_name());
    return names;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    std::istringstream in(s);
    while (std::getline(in, cur, sep))
        if (!cur.empty()) out.push_back(cur);
    return out;
}

std::string pct(double v) {
    std::ostringstream os;
    os << v * 100 << "%";
    return os.str();
}

struct Fail {
    int code;
    std::string message;
};

/// The flag was given (on the command line, a sweep point or a preset), not defaulted.
bool given(const po::variables_map& vm, const char* k) {
    return vm.count(k) && !vm[k].defaulted();
}

std::string str(const po::variables_map& vm, const char* k, const std::string& def = {}) {
    return vm.count(k) ? vm[k].as<std::string>() : def;
}

std::int64_t time_ns(const po::variables_map& vm, const char* k, std::int64_t def) {
    if (!vm.count(k)) return def;
    auto v = parse_time_ns(vm[k].as<std::string>());
    if (!v)
        throw Fail{kUsageError, std::string("--") + k + ": not a time: " + vm[k].as<std::string>()};
    return *v;
}

double probability(const po::variables_map& vm, const char* k) {
    auto v = parse_probability(vm[k].as<std::string>());
    if (!v)
        throw Fail{kUsageError,
                   std::string("--") + k + ": not a probability: " + vm[k].as<std::string>()};
    return *v;
}

std::vector<std::uint64_t> drop_list(const std::string& text) {
    std::vector<std::uint64_t> out;
    for (const auto& t : split(text, ',')) {
        char* end = nullptr;
        const unsigned long long v = std::strtoull(t.c_str(), &end, 10);
        if (*end != '\0' || v == 0) throw Fail{kUsageError, "--drop-list: bad packet number " + t};
        out.push_back(v);
    }
    return out;
}

constexpr const char* kManualFlags[] = {"nodelay", "interval", "resend", "nc"};

// Builds the scenario and the KCP base settings from a variables map.
void build(const po::variables_map& vm, Scenario& sc, KcpSettings& kcp) {
    sc.name = str(vm, "preset", "custom");
    PathConfig& p = sc.path;
    if (vm.count("bandwidth")) {
        auto r = parse_rate_bps(str(vm, "bandwidth"));
        if (!r) throw Fail{kUsageError, "--bandwidth: not a rate: " + str(vm, "bandwidth")};
        p.bandwidth_bps = *r;
    }
    if (vm.count("access_bandwidth")) {
        auto r = parse_rate_bps(str(vm, "access_bandwidth"));
        if (!r) throw Fail{kUsageError, "--access_bandwidth: not a rate"};
        p.access_bandwidth_bps = *r;
    }
    p.access_delay_ns = time_ns(vm, "access_delay", p.access_delay_ns);
    p.delay_ns = time_ns(vm, "delay", p.delay_ns);
    if (vm.count("rtt")) {
        const std::int64_t rtt = time_ns(vm, "rtt", 0);
        p.delay_ns = rtt / 2 - 2 * p.access_delay_ns;
        if (p.delay_ns <= 0)
            throw Fail{kUsageError, "--rtt must exceed 4 x access_delay (" +
                                        std::to_string(4 * p.access_delay_ns / 1000000) + " ms)"};
    }
    if (vm.count("queue")) {
        auto q = parse_queue(str(vm, "queue"));
        if (!q)
            throw Fail{kUsageError,
                       "--queue: expected Np, a byte size or auto: " + str(vm, "queue")};
        p.queue_packets = q->packets;
        p.queue_bytes = q->bytes;
    }
    p.queue_disc_type = str(vm, "queue_disc_type", "none");
    if (vm.count("link_mtu")) {
        p.mtu = vm["link_mtu"].as<unsigned>();
        if (p.mtu < 576 || p.mtu > 65535) throw Fail{kUsageError, "--link_mtu: 576..65535"};
    }

    // Loss.
    LossConfig loss;
    std::string label = "none";
    double nominal = 0;
    if (vm.count("error_p")) {
        nominal = probability(vm, "error_p");
        loss.bernoulli = nominal;
        label = "Bernoulli " + pct(nominal);
    }
    if (vm.count("loss")) {
        nominal = probability(vm, "loss");
        std::string model = str(vm, "loss-model", vm.count("burst") ? "ge" : "bernoulli");
        if (model == "ge" || model == "gilbert-elliott") {
            const double burst = vm.count("burst") ? vm["burst"].as<double>() : 3.0;
            if (burst < 1) throw Fail{kUsageError, "--burst must be >= 1"};
            loss = LossConfig::gilbert_elliott(nominal, burst);
            std::ostringstream os;
            os << "GE " << pct(nominal) << " burst " << burst;
            label = nominal > 0 ? os.str() : "none";
        } else if (model == "bernoulli") {
            loss = LossConfig{};
            loss.bernoulli = nominal;
            label = nominal > 0 ? "Bernoulli " + pct(nominal) : "none";
        } else if (model != "none") {
            throw Fail{kUsageError, "--loss-model: bernoulli, ge or none"};
        }
    }
    if (vm.count("ge")) {
        const auto parts = split(str(vm, "ge"), ',');
        if (parts.size() < 2 || parts.size() > 4)
            throw Fail{kUsageError, "--ge p,r[,loss_good,loss_bad]"};
        loss.ge = true;
        loss.ge_p = std::stod(parts[0]);
        loss.ge_r = std::stod(parts[1]);
        loss.ge_loss_good = parts.size() > 2 ? std::stod(parts[2]) : 0;
        loss.ge_loss_bad = parts.size() > 3 ? std::stod(parts[3]) : 1;
        nominal = (loss.ge_p * loss.ge_loss_bad + loss.ge_r * loss.ge_loss_good) /
                  std::max(1e-12, loss.ge_p + loss.ge_r);
        label = "GE p=" + parts[0] + " r=" + parts[1];
    }
    if (vm.count("corrupt")) loss.corrupt = probability(vm, "corrupt");
    const std::string dir = str(vm, "loss-dir", "both");
    if (dir != "both" && dir != "fwd" && dir != "rev")
        throw Fail{kUsageError, "--loss-dir: both, fwd or rev"};
    LossConfig fwd = dir != "rev" ? loss : LossConfig{};
    LossConfig rev = dir != "fwd" ? loss : LossConfig{};
    if (vm.count("drop-list")) fwd.drop_list = drop_list(str(vm, "drop-list"));
    if (vm.count("drop-list-rev")) rev.drop_list = drop_list(str(vm, "drop-list-rev"));
    if (vm.count("blackhole-off")) {
        for (LossConfig* l : {&fwd, &rev}) {
            l->blackhole_on = ns3::NanoSeconds(time_ns(vm, "blackhole-on", 10'000'000'000));
            l->blackhole_off = ns3::NanoSeconds(time_ns(vm, "blackhole-off", 0));
            l->blackhole_start = ns3::NanoSeconds(time_ns(vm, "blackhole-start", 0));
        }
        if (label == "none") label = "blackhole";
    }
    if (!fwd.drop_list.empty() || !rev.drop_list.empty()) {
        if (label == "none") label = "drop list";
    }
    p.loss_fwd = fwd;
    p.loss_rev = rev;
    sc.loss_rate = nominal;
    sc.loss_label = label + (dir == "both" || label == "none" ? "" : " (" + dir + " only)");
    if (vm.count("jitter")) p.channel.jitter = ns3::NanoSeconds(time_ns(vm, "jitter", 0));
    p.channel.reorder = !vm["jitter-fifo"].as<bool>();
    if (vm.count("duplicate")) p.channel.duplicate = probability(vm, "duplicate");

    // Traffic.
    if (vm.count("traffic") && !parse_traffic(str(vm, "traffic"), sc.traffic.kind))
        throw Fail{kUsageError, "--traffic: bulk, echo or periodic"};
    if (vm.count("msg-size")) {
        auto b = parse_bytes(str(vm, "msg-size"));
        if (!b || *b < kMessageHeaderSize || *b > (1u << 24))
            throw Fail{kUsageError, "--msg-size: 16 bytes .. 16 MB"};
        sc.traffic.message_size = static_cast<std::uint32_t>(*b);
    }
    if (vm.count("rate")) {
        sc.traffic.rate = vm["rate"].as<double>();
        if (!(sc.traffic.rate > 0)) throw Fail{kUsageError, "--rate must be > 0"};
    }
    if (vm.count("data")) {
        auto b = parse_bytes(str(vm, "data"));
        if (!b) throw Fail{kUsageError, "--data: a byte size, e.g. 10MB"};
        sc.traffic.data_bytes = *b;
    }
    if (vm.count("num_flows")) sc.num_flows = std::max(1u, vm["num_flows"].as<unsigned>());
    if (vm.count("duration")) {
        sc.duration = static_cast<double>(time_ns(vm, "duration", 0)) * 1e-9;
        if (!(sc.duration > 0)) throw Fail{kUsageError, "--duration must be > 0"};
    }
    if (vm.count("seed")) sc.seed = vm["seed"].as<unsigned>();
    if (vm.count("run")) sc.run = vm["run"].as<unsigned>();

    // KCP: kcptun's flags through their one table, then kcptun's checks.
    kcptun::read_flags(vm, kcp.kcptun);
    if (vm.count("profile")) kcp.kcptun.profile = str(vm, "profile");
    if (const std::string why = kcptun::validate(kcp.kcptun); !why.empty())
        throw Fail{kUsageError, why};
    // kcptun's rule (protocol/kcptun/kcptun.hpp): a preset ignores --nodelay --interval
    // --resend --nc, so setting one with a preset is a usage error rather than silently lost.
    const bool manual_flag = std::any_of(std::begin(kManualFlags), std::end(kManualFlags),
                                         [&](const char* k) { return given(vm, k); });
    if (manual_flag && kcp.kcptun.mode != kcptun::kManualMode)
        throw Fail{kUsageError,
                   "--nodelay, --interval, --resend and --nc need --mode manual (--mode " +
                       kcp.kcptun.mode + " ignores them, as kcptun does)"};
    if (given(vm, "mtu") && (kcp.kcptun.mtu < 50 || kcp.kcptun.mtu + 28 > static_cast<int>(p.mtu)))
        throw Fail{kUsageError, "--mtu: 50 .. link_mtu - 28 (" + std::to_string(p.mtu - 28) + ")"};
    if (kcp::find_profile(kcp.kcptun.profile) == nullptr) {
        std::string known;
        for (const kcp::Profile* pr : kcp::all_profiles()) known += " " + std::string(pr->name);
        throw Fail{kUsageError,
                   "--profile: unknown profile " + kcp.kcptun.profile + " (known:" + known + ")"};
    }
    kcp.write_delay = vm["write-delay"].as<bool>();
    if (vm.count("deadlink")) kcp.dead_link = vm["deadlink"].as<unsigned>();
    if (vm.count("clock-offset")) kcp.clock_offset = vm["clock-offset"].as<unsigned>();
}

std::string sanitize(std::string s) {
    for (char& c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') c = '_';
    return s;
}

}  // namespace

std::string shell_join(const std::vector<std::string>& args) {
    std::string out;
    for (const std::string& a : args) {
        if (!out.empty()) out += ' ';
        const bool plain = !a.empty() && a.find_first_not_of(
                                             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                             "0123456789-_./=:,%+@") == std::string::npos;
        if (plain) {
            out += a;
        } else {
            out += '\'';
            for (char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
            out += '\'';
        }
    }
    return out;
}

std::string cli_help() {
    std::ostringstream os;
    os << "kcp-sim: KCP (the real kcpkit core) and ns-3's TCP side by side on ns-3 paths.\n\n"
          "  kcp-sim --default                          the default comparison\n"
          "  kcp-sim --preset transpacific --mode fast3 --compare tcp-cubic,tcp-bbr\n"
          "  kcp-sim --traffic echo --loss 5% --burst 3 --rtt 100ms --compare tcp-cubic\n"
          "  kcp-sim --mode fast3 --datashard 10 --parityshard 3 --crypt aes --loss 2%\n"
          "  kcp-sim --corrupt 0.1% --crypt aes --variants kcp-fast3+fec10/3   (bit flips)\n"
          "  kcp-sim --sweep loss=0,1%,2%,5% --sweep variant=kcp-fast3,tcp-cubic --plot plots\n"
          "  kcp-sim --sweep loss=0,2% --emit-jobs jobs.txt && parallel < jobs.txt\n"
          "  kcp-sim --merge kcp-sim-results/*.json --csv all.csv\n\n"
          "Units: rates 10Mbps, times 200ms / 0.2s, sizes 16KB, probabilities 0.02 or 2%.\n"
          "Exit codes: 0 ok, 1 a run failed or a byte arrived corrupted, 2 usage.\n"
          "--corrupt with --crypt null: KCP has no checksum, so flipped bits reach the\n"
          "application (reported as corrupted); a crypt layer's CRC drops them.\n";
    os << all_options();
    return os.str();
}

int parse_cli(const std::vector<std::string>& args, CliConfig& out, std::string& error) {
    const po::options_description all = all_options();
    const std::set<std::string> control = option_names(control_options());
    po::variables_map user;
    po::parsed_options parsed(&all);
    try {
        parsed = po::command_line_parser(args).options(all).run();
        po::store(parsed, user);
    } catch (const std::exception& e) {
        error = e.what();
        return kUsageError;
    }
    out = CliConfig{};
    out.help = user.count("help") > 0;
    out.list_presets = user.count("list-presets") > 0;
    out.speed_bench = user.count("speed-bench") > 0;
    out.default_comparison = user.count("default") > 0;
    if (user.count("merge")) out.merge_files = user["merge"].as<Args>();
    out.emit_jobs = str(user, "emit-jobs");
    out.emit_slurm = str(user, "emit-slurm");
    if (user.count("jobs-out")) out.jobs_out = str(user, "jobs-out");
    if (user.count("jobs")) out.jobs = user["jobs"].as<int>();
    out.quiet = user["quiet"].as<bool>();
    out.progress = !user["no-progress"].as<bool>();
    out.csv = str(user, "csv");
    out.json = str(user, "json");
    out.plot_dir = str(user, "plot");
    out.result_json = str(user, "result-json");
    out.out_dir = str(user, "out-dir");
    if (!out.emit_slurm.empty() && out.emit_jobs.empty()) {
        error = "--emit-slurm needs --emit-jobs FILE (the script runs that file's lines)";
        return kUsageError;
    }
    if (out.help || out.list_presets || !out.merge_files.empty()) return 0;

    // The user's scenario flags, as tokens (what every sweep point and job starts from).
    Args scenario_args;
    std::vector<std::pair<std::string, Args>> user_flags;
    for (const auto& o : parsed.options) {
        if (control.count(o.string_key)) continue;
        scenario_args.insert(scenario_args.end(), o.original_tokens.begin(),
                             o.original_tokens.end());
        user_flags.push_back({o.string_key, o.original_tokens});
    }
    // The grid.
    const std::set<std::string> names = option_names(all);
    std::vector<Args> points = {{}};
    std::set<std::string> swept_keys;
    if (user.count("sweep")) {
        for (const std::string& s : user["sweep"].as<Args>()) {
            const auto eq = s.find('=');
            std::string key = eq == std::string::npos ? s : s.substr(0, eq);
            if (key == "variant") key = "variants";
            if (eq == std::string::npos || !names.count(key) || control.count(key)) {
                error = "--sweep " + s + ": expected KEY=V1,V2,... with KEY a scenario or KCP flag";
                return kUsageError;
            }
            swept_keys.insert(key);
            const auto values = split(s.substr(eq + 1), ',');
            if (values.empty()) {
                error = "--sweep " + s + ": no values";
                return kUsageError;
            }
            std::vector<Args> next;
            for (const Args& p : points)
                for (const std::string& v : values) {
                    Args q = p;
                    q.push_back("--" + key);
                    // A switch takes no value: sweep it as on/off.
                    if (v != "on" && v != "off")
                        q.push_back(v);
                    else if (v == "off")
                        q.pop_back();
                    next.push_back(q);
                }
            points = std::move(next);
        }
        out.swept = true;
    }

    std::size_t point_index = 0;
    for (const Args& point : points) {
        ++point_index;
        try {
            // Sweep point first, then the user's flags, then the preset: the first
            // value stored for a flag wins.
            po::variables_map vm;
            po::store(po::command_line_parser(point).options(all).run(), vm);
            po::store(po::command_line_parser(scenario_args).options(all).run(), vm);
            const bool use_default = out.default_comparison && !vm.count("preset");
            const std::string preset_name = use_default ? "default" : str(vm, "preset");
            if (!preset_name.empty()) {
                const Preset* preset = find_preset(preset_name);
                if (!preset) {
                    error = "--preset: unknown preset " + preset_name + " (see --list-presets)";
                    return kUsageError;
                }
                Args with = preset->args;
                with.push_back("--preset");
                with.push_back(preset_name);
                po::store(po::command_line_parser(with).options(all).run(), vm);
            }
            po::notify(vm);
            Scenario sc;
            KcpSettings base;
            build(vm, sc, base);
            if (!sc.path.queue_disc_type.empty() && sc.path.queue_disc_type != "none" &&
                sc.path.queue_disc_type.rfind("ns3::", 0) != 0)
                sc.path.queue_disc_type = "ns3::" + sc.path.queue_disc_type;

            // Variants.
            Args names_v;
            if (vm.count("variants")) {
                names_v = split(str(vm, "variants"), ',');
            } else {
                names_v.push_back("kcp");
                for (const auto& n : split(str(vm, "compare"), ',')) names_v.push_back(n);
                if (vm.count("transport_prot")) names_v.push_back(str(vm, "transport_prot"));
            }
            std::vector<Variant> variants;
            for (const std::string& n : names_v) {
                Variant v;
                std::string why;
                if (!parse_variant(n, base, v, why)) {
                    error = why;
                    return kUsageError;
                }
                if (!v.tcp) {
                    std::string reason;
                    const std::optional<std::size_t> overhead = v.kcp.framing_overhead(&reason);
                    if (!overhead) {
                        error = v.name + ": " + reason;
                        return kUsageError;
                    }
                    // The core needs a KCP mtu of at least 50 after the framing's share.
                    const std::size_t need = 50 + *overhead;
                    if (static_cast<std::size_t>(v.kcp.kcptun.mtu) < need) {
                        error = v.name + ": --mtu " + std::to_string(v.kcp.kcptun.mtu) +
                                " leaves the core less than 50 bytes after the framing (use >= " +
                                std::to_string(need) + ")";
                        return kUsageError;
                    }
                }
                if (std::none_of(variants.begin(), variants.end(),
                                 [&](const Variant& x) { return x.name == v.name; }))
                    variants.push_back(v);
            }
            std::string pcap = str(vm, "pcap");
            if (pcap.empty() && vm["pcap_tracing"].as<bool>())
                pcap = str(vm, "prefix_name", "kcp-sim");

            auto add = [&](RunSpec spec, const std::string& variant_arg) {
                char id[32];
                std::snprintf(id, sizeof id, "p%03zu-", point_index);
                spec.id = points.size() > 1 ? id + sanitize(variant_arg) : sanitize(variant_arg);
                if (!pcap.empty()) spec.scenario.pcap_prefix = pcap + "-" + spec.id;
                // The job's flags: this point's, the user's (except those the point
                // sets, and the variant choice: the job runs exactly one set), the preset.
                static const std::set<std::string> variant_keys = {"variants", "compare",
                                                                   "transport_prot"};
                Args cleaned;
                for (std::size_t i = 0; i < point.size(); ++i)
                    if (!(point[i] == "--variants" && i + 1 < point.size() && (++i, true)))
                        cleaned.push_back(point[i]);
                for (const auto& [key, tokens] : user_flags)
                    if (!swept_keys.count(key) && !variant_keys.count(key))
                        cleaned.insert(cleaned.end(), tokens.begin(), tokens.end());
                if (!preset_name.empty() && !swept_keys.count("preset") &&
                    std::none_of(user_flags.begin(), user_flags.end(),
                                 [](const auto& f) { return f.first == "preset"; })) {
                    cleaned.push_back("--preset");
                    cleaned.push_back(preset_name);
                }
                cleaned.push_back("--variants");
                cleaned.push_back(variant_arg);
                out.runs.push_back(std::move(spec));
                out.run_args.push_back(std::move(cleaned));
            };
            if (vm["shared"].as<bool>() && variants.size() > 1) {
                RunSpec spec;
                spec.scenario = sc;
                spec.scenario.num_flows =
                    sc.num_flows * static_cast<std::uint32_t>(variants.size());
                spec.variants = variants;
                std::string joined;
                for (const Variant& v : variants) joined += (joined.empty() ? "" : ",") + v.name;
                add(spec, joined);
            } else {
                for (const Variant& v : variants) {
                    RunSpec spec;
                    spec.scenario = sc;
                    spec.variants = {v};
                    add(spec, v.name);
                }
            }
        } catch (const Fail& f) {
            error = f.message;
            return f.code;
        } catch (const std::exception& e) {
            error = e.what();
            return kUsageError;
        }
    }
    if (user.count("run-id")) {
        if (out.runs.size() != 1) {
            error = "--run-id names a single run (this invocation has " +
                    std::to_string(out.runs.size()) + ")";
            return kUsageError;
        }
        out.runs.front().id = str(user, "run-id");
    }
    return 0;
}

}  // namespace kcpkit::sim
