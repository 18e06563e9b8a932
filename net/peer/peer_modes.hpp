// kcp-peer's modes once the command line is parsed: the session options built from kcptun's
// flags, then sink, source N, echo (serving or dialling) and cat over one net::UdpSession, with
// the output lines and exit codes of interop/cmd/kcp-peer-go (docs/interop.md is the
// contract). kcp_peer_main.cpp parses the arguments and dispatches here.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "kcpkit/kcptun/settings.hpp"
#include "kcpkit/net/session.hpp"

namespace kcpkit::net::peer {

inline constexpr int kExitOk = 0, kExitFailed = 1, kExitUsage = 2, kExitUnsupported = 127;

struct PeerOptions {
    std::string listen, dial, action;
    std::uint64_t count = 0;
    bool has_count = false;
    kcptun::Settings kcptun;  ///< kcptun's flags, kcptun's defaults
    bool quiet = false;
    double timeout = 60;
    std::string stats;
    std::uint64_t seed = 1;
    int chunk = 65536;
};

class Peer {
  public:
    explicit Peer(PeerOptions o) : o_(std::move(o)) {}

    /// Builds the session options; returns an exit code other than kExitOk to stop.
    int set_up();
    /// Runs the mode on a worker thread and waits for it, a signal, or the time bound.
    int run();

  private:
    void connect_and_run();
    int run_session(UdpSession& s, bool dialer);
    int source(UdpSession& s, bool dialer);
    int sink(UdpSession& s, bool dialer);
    int echo_client(UdpSession& s);
    int cat(UdpSession& s);
    void serve_echo(const std::shared_ptr<UdpSession>& s);
    void configure(UdpSession& s, bool dialer);
    void finish(int code);
    int failed(const std::string& why);
    void report(std::uint64_t n, double seconds);
    void progress(std::uint64_t done, std::uint64_t total);
    bool read_full(UdpSession& s, std::span<std::uint8_t> out);
    bool write_all(UdpSession& s, std::span<const std::uint8_t> data);
    bool serving() const { return o_.action == "cat" || (o_.action == "echo" && !o_.has_count); }
    Deadline earlier(Deadline t) const { return std::min(t, deadline_); }

    PeerOptions o_;
    Options options_;
    Deadline deadline_ = kNoDeadline;
    Clock::time_point started_;
    bool progress_on_ = false;
    Clock::time_point last_progress_{};
    std::mutex exit_mutex_;
    std::condition_variable exit_cv_;
    std::optional<int> exit_code_;
    std::unique_ptr<Listener> listener_;
    std::mutex echo_mutex_;
    std::vector<std::shared_ptr<UdpSession>> echo_sessions_;
};

/// After a run: the SNMP counters as JSON on stderr (--stats json), and the UDP driver's own
/// counters when KCP_PEER_DRIVER_COUNTERS is set.
void print_counters(const PeerOptions& o);

}  // namespace kcpkit::net::peer
