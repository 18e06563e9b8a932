// kcp-scale-load's run once its flags are parsed: open the client sessions to an echo
// server, ramp, send, check every echoed byte and print the one JSON line
// (kcp_scale_load_main.cpp is the tool; interop/matrix/scale uses it).
#pragma once

#include <cstddef>
#include <string>

namespace kcpkit::net::peer {

struct ScaleLoadOptions {
    std::string dial;  ///< the echo server (kcp-peer --listen ADDR echo)
    int sessions = 1000, size = 64;
    double rate = 1, ramp = 10, duration = 20, grace = 3;
    std::size_t threads = 0;  ///< loop threads; 0: one per core
    bool progress = false;    ///< print "ramped N SECONDS" once every session is open
};

/// Runs the load and prints its JSON line; returns the exit code (0: every session healthy).
int run_scale_load(const ScaleLoadOptions& o);

}  // namespace kcpkit::net::peer
