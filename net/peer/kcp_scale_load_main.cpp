// kcp-scale-load: a kcpkit load generator for the scale test. Opens --sessions client
// sessions (one UDP socket each, all on this process's fixed loop threads) to an echo
// server, ramps them up over --ramp seconds, sends each a --size-byte piece of its own
// payload stream --rate times a second for --duration seconds, checks every echoed byte
// and prints one JSON line: sessions opened/healthy, bytes, echo errors, this process's CPU
// seconds and peak RSS. The counterpart of interop's kcp-load (kcp-go clients), so the
// client side of kcpkit is measured at scale too: interop/matrix/scale --load kcpkit.
#include <boost/program_options.hpp>
#include <cstdlib>
#include <iostream>
#include <string>

#include "net/peer/scale_load.hpp"

namespace po = boost::program_options;
using namespace kcpkit::net;

int main(int argc, char** argv) {
    peer::ScaleLoadOptions o;
    po::options_description flags("kcp-scale-load flags");
    flags.add_options()("help,h", "this text")("dial", po::value(&o.dial)->required(),
                                               "echo server address (kcp-peer --listen ADDR echo)")(
        "sessions", po::value(&o.sessions)->default_value(o.sessions), "client sessions")(
        "rate", po::value(&o.rate)->default_value(o.rate), "messages per second per session")(
        "size", po::value(&o.size)->default_value(o.size), "bytes per message")(
        "ramp", po::value(&o.ramp)->default_value(o.ramp), "seconds to open every session")(
        "duration", po::value(&o.duration)->default_value(o.duration), "seconds of traffic")(
        "grace", po::value(&o.grace)->default_value(o.grace), "seconds the last echoes may take")(
        "threads", po::value(&o.threads)->default_value(0), "loop threads (0: one per core)")(
        "progress", po::bool_switch(&o.progress),
        "a \"ramped N SECONDS\" line on stdout once every session is open (as kcp-load)");
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, flags), vm);
        if (vm.count("help")) {
            std::cout << flags;
            return 0;
        }
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "kcp-scale-load: " << e.what() << "\n";
        return 2;
    }
    if (o.sessions < 1 || o.size < 1 || o.rate <= 0 || o.ramp < 0 || o.duration <= 0) {
        std::cerr << "kcp-scale-load: sessions, size, rate and duration must be positive\n";
        return 2;
    }
    // _Exit: a one-shot load run need not wind down its sessions' loop threads.
    std::_Exit(peer::run_scale_load(o));
}
