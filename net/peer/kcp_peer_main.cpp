// kcp-peer: kcpkit's UDP peer for interop runs against kcp-peer-go. The same command line
// (kcptun's flag names and defaults), transfer protocol, output lines and exit codes as
// interop/cmd/kcp-peer-go; docs/interop.md is the contract, docs/net.md the usage.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <set>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "kcpkit/kcptun/kcptun.hpp"
#include "kcpkit/kcptun/program_options.hpp"
#include "kcpkit/kcptun/settings.hpp"
#include "net/peer/peer_modes.hpp"
#include "net/peer/peer_protocol.hpp"

namespace po = boost::program_options;
using namespace kcpkit;
using namespace kcpkit::net::peer;

namespace {

struct UsageError {
    std::string what;
};

/// Go's flag package (kcp-peer-go) lets a later occurrence of a flag override an earlier
/// one; Program_options refuses repeats. Keeps only the last occurrence of each flag.
std::vector<std::string> last_occurrences(int argc, char** argv) {
    static const std::set<std::string> kSwitches = [] {
        std::set<std::string> names = {"help", "h", "quiet"};
        for (const kcptun::Flag& f : kcptun::flag_table())
            if (std::holds_alternative<bool kcptun::Settings::*>(f.member)) names.emplace(f.name);
        return names;
    }();
    struct Arg {
        std::string name;  // flag name, empty for a word
        std::vector<std::string> tokens;
    };
    std::vector<Arg> args;
    for (int i = 1; i < argc; ++i) {
        std::string token = argv[i];
        if (token.size() < 2 || token[0] != '-') {
            args.push_back({"", {token}});
            continue;
        }
        std::string name = token.substr(token.find_first_not_of('-'));
        const auto eq = name.find('=');
        const bool inline_value = eq != std::string::npos;
        if (inline_value) name = name.substr(0, eq);
        Arg arg{name, {token}};
        if (!inline_value && !kSwitches.count(name) && i + 1 < argc)
            arg.tokens.push_back(argv[++i]);
        args.push_back(std::move(arg));
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        bool later = false;
        for (std::size_t j = i + 1; j < args.size() && !args[i].name.empty(); ++j) {
            later |= args[j].name == args[i].name;
        }
        if (!later) out.insert(out.end(), args[i].tokens.begin(), args[i].tokens.end());
    }
    return out;
}

PeerOptions parse(int argc, char** argv, bool* help) {
    PeerOptions o;
    po::options_description flags("flags (kcptun's names and defaults)");
    auto add = flags.add_options();
    add("help,h", "this text");
    add("listen", po::value(&o.listen), "listen on ADDR (port 0 picks one: `listening ADDR`)");
    add("dial", po::value(&o.dial), "dial ADDR");
    kcptun::add_flags(flags);
    add("timeout", po::value(&o.timeout)->default_value(o.timeout),
        "bound on the run, s (0: none)");
    add("stats", po::value(&o.stats), "json: the SNMP counters as one JSON object on stderr");
    add("seed", po::value(&o.seed)->default_value(o.seed), "seed of the payload stream");
    add("chunk", po::value(&o.chunk)->default_value(o.chunk), "bytes per write (echo N: per trip)");
    add("quiet", po::bool_switch(&o.quiet), "no `throughput` line");
    add("profile", po::value(&o.kcptun.profile)->default_value(o.kcptun.profile),
        "core behaviour: kcp-go (v5.6.72), kcp-go-5.6.1, ikcp");
    po::options_description hidden;
    std::vector<std::string> words;
    hidden.add_options()("words", po::value(&words));
    po::options_description all;
    all.add(flags).add(hidden);
    po::positional_options_description positional;
    positional.add("words", -1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(last_occurrences(argc, argv))
                      .options(all)
                      .positional(positional)
                      .style(po::command_line_style::unix_style |
                             po::command_line_style::allow_long_disguise)
                      .run(),
                  vm);
        po::notify(vm);
        kcptun::read_flags(vm, o.kcptun);
    } catch (const po::error& e) {
        throw UsageError{e.what()};
    }
    if (vm.count("help")) {
        std::cout << "usage: kcp-peer (--listen ADDR | --dial ADDR) MODE [flags]\n"
                     "       kcp-peer gen N [--seed S]\n"
                     "modes: sink | source N | echo (listen) | echo N (dial) | cat | gen N\n"
                  << flags;
        *help = true;
        return o;
    }
    if (words.empty()) throw UsageError{"no mode given (sink, source N, echo [N], cat, gen N)"};
    o.action = words[0];
    if (o.action == "sink" || o.action == "cat") {
        if (words.size() != 1) throw UsageError{o.action + " takes no argument"};
    } else if (o.action == "source" || o.action == "gen" || o.action == "echo") {
        if (words.size() > 2 || (words.size() == 1 && o.action != "echo")) {
            throw UsageError{"usage: " + o.action + " N"};
        }
        if (words.size() == 2) {
            try {
                std::size_t used = 0;
                o.count = std::stoull(words[1], &used);
                if (used != words[1].size() || words[1][0] == '-') throw std::invalid_argument("");
            } catch (const std::exception&) {
                throw UsageError{o.action + " N: '" + words[1] + "' is not a byte count"};
            }
            o.has_count = true;
        }
    } else {
        throw UsageError{"unknown mode '" + o.action + "'"};
    }
    if (o.action == "gen") return o;
    if (o.listen.empty() == o.dial.empty()) {
        throw UsageError{"give exactly one of --listen ADDR and --dial ADDR"};
    }
    if (o.action == "echo" && o.has_count != !o.dial.empty()) {
        throw UsageError{"echo N dials (it checks what comes back); a listening echo takes no N"};
    }
    if (!o.stats.empty() && o.stats != "json") throw UsageError{"--stats: only json is known"};
    if (o.chunk <= 0) throw UsageError{"--chunk must be > 0"};
    if (o.timeout < 0) throw UsageError{"--timeout must be >= 0"};
    if (std::string why = kcptun::validate(o.kcptun); !why.empty()) throw UsageError{why};
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    PeerOptions o;
    bool help = false;
    try {
        o = parse(argc, argv, &help);
    } catch (const UsageError& e) {
        std::cerr << "kcp-peer: " << e.what << "\n";
        return kExitUsage;
    }
    if (help) return kExitOk;
    if (o.action == "gen") {
        std::cout << result_line(stream_digest(o.seed, o.count), o.count) << std::endl;
        return kExitOk;
    }
    Peer p(o);
    if (const int code = p.set_up(); code != kExitOk) return code;
    const int code = p.run();
    print_counters(o);
    std::cout.flush();
    std::fflush(stdout);
    // Sessions may still be blocked in other threads (no FIN): leave without unwinding them.
    std::_Exit(code);
}
