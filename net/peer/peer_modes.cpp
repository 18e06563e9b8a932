#include "net/peer/peer_modes.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <thread>

#include "kcpkit/frame/frame.hpp"
#include "kcpkit/kcp/profile.hpp"
#include "kcpkit/kcpgo/release.hpp"
#include "kcpkit/kcpgo/snmp.hpp"
#include "kcpkit/kcptun/kcptun.hpp"
#include "kcpkit/net/echo_service.hpp"
#include "net/peer/peer_protocol.hpp"

namespace kcpkit::net::peer {
namespace {

constexpr auto kSinkLinger = std::chrono::seconds(5);
constexpr auto kByeGrace = std::chrono::milliseconds(200);
constexpr auto kCatIdle = std::chrono::seconds(1);

}  // namespace

int Peer::set_up() {
    const kcptun::Role role = o_.dial.empty() ? kcptun::Role::listen : kcptun::Role::dial;
    kcptun::SessionConfigResult config = kcptun::session_config(o_.kcptun, role);
    if (!config) {
        std::cerr << "kcp-peer: " << config.error().message << "\n";
        return config.error().unsupported ? kExitUnsupported : kExitUsage;
    }
    options_.session = std::move(config).value();
    if (const kcp::Profile* core = options_.session.ikcp_profile) {
        // C semantics: each write is one message, and ikcp_send refuses one that needs
        // fragment_limit segments or more.
        const std::optional<std::size_t> kcp_mtu =
            (*frame::Framer::create(options_.session.frame))->kcp_mtu_for(options_.session.mtu);
        const std::size_t largest = kcp_mtu && *kcp_mtu > kcp::kHeaderSize
                                        ? (core->fragment_limit - 1) * (*kcp_mtu - kcp::kHeaderSize)
                                        : 0;
        if (static_cast<std::size_t>(o_.chunk) > largest) {
            std::cerr << "kcp-peer: --profile " << o_.kcptun.profile << ": --chunk " << o_.chunk
                      << " is longer than one C message (" << largest << " bytes)\n";
            return kExitUsage;
        }
    }
    options_.read_buffer = o_.kcptun.sockbuf;
    options_.write_buffer = o_.kcptun.sockbuf;
    if (o_.kcptun.dscp != 0) options_.dscp = o_.kcptun.dscp;
    progress_on_ = !o_.quiet && isatty(STDERR_FILENO);
    return kExitOk;
}

void Peer::finish(int code) {
    std::lock_guard lock(exit_mutex_);
    if (!exit_code_) exit_code_ = code;
    exit_cv_.notify_all();
}

int Peer::failed(const std::string& why) {
    if (progress_on_) std::cerr << "\n";
    std::cerr << "kcp-peer: " << why << "\n";
    return kExitFailed;
}

int Peer::run() {
    started_ = Clock::now();
    if (o_.timeout > 0) {
        deadline_ = started_ + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(o_.timeout));
    }
    // Signals are taken synchronously here; every thread started later inherits the mask.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::thread([this] {
        pthread_setname_np(pthread_self(), "kcp-peer-run");
        connect_and_run();
    }).detach();
    // A little after the sessions' own deadlines, in case a call ignores them.
    const Deadline bound =
        deadline_ == kNoDeadline ? kNoDeadline : deadline_ + std::chrono::seconds(2);
    for (;;) {
        {
            std::unique_lock lock(exit_mutex_);
            exit_cv_.wait_for(lock, std::chrono::milliseconds(100));
            if (exit_code_) return *exit_code_;
        }
        timespec poll{0, 0};
        const int sig = sigtimedwait(&signals, nullptr, &poll);
        std::string why;
        if (sig > 0) why = std::string("stopped by ") + strsignal(sig);
        if (why.empty() && Clock::now() >= bound) {
            why = "timeout after " + std::to_string(o_.timeout) + " s";
        }
        if (!why.empty()) {
            if (serving()) return kExitOk;
            return failed(why + " before the transfer completed");
        }
    }
}

void Peer::configure(UdpSession& s, bool dialer) {
    (void)dialer;  // dial() and listen() already set the socket options
    s.set_deadline(deadline_);
}

void Peer::connect_and_run() {
    std::string error;
    if (!o_.dial.empty()) {
        auto s = UdpSession::dial(o_.dial, options_, &error);
        if (!s) {
            finish(failed("dial " + o_.dial + ": " + error));
            return;
        }
        configure(*s, true);
        finish(run_session(*s, true));
        s->close();
        return;
    }
    listener_ = Listener::listen(o_.listen, options_, &error);
    if (!listener_) {
        finish(failed("listen " + o_.listen + ": " + error));
        return;
    }
    std::cout << "listening " << listener_->address().to_string() << std::endl;
    listener_->set_accept_deadline(deadline_);
    for (;;) {
        Error e = Error::none;
        auto s = listener_->accept(&e);
        if (!s) {
            finish(serving() ? kExitOk : failed(std::string("accept: ") + std::string(name_of(e))));
            return;
        }
        configure(*s, false);
        if (o_.action == "echo") {
            serve_echo(s);
            continue;
        }
        finish(run_session(*s, false));  // one transfer per listening run
        s->close();
        return;
    }
}

int Peer::run_session(UdpSession& s, bool dialer) {
    if (o_.action == "source") return source(s, dialer);
    if (o_.action == "sink") return sink(s, dialer);
    if (o_.action == "echo") return echo_client(s);
    return cat(s);
}

bool Peer::read_full(UdpSession& s, std::span<std::uint8_t> out) {
    std::size_t got = 0;
    while (got < out.size()) {
        const IoResult r = s.read(out.subspan(got));
        if (!r.ok()) return false;
        got += r.bytes;
    }
    return true;
}

bool Peer::write_all(UdpSession& s, std::span<const std::uint8_t> data) {
    return s.write(data).ok();  // kcp-go's Write queues everything once the window allows
}

void Peer::report(std::uint64_t n, double seconds) {
    if (progress_on_) std::cerr << "\n";
    if (o_.quiet) return;
    char line[128];
    std::snprintf(line, sizeof line, "throughput %.3f MB/s seconds %.6f",
                  static_cast<double>(n) / 1e6 / std::max(seconds, 1e-9), seconds);
    std::cout << line << std::endl;
}

void Peer::progress(std::uint64_t done, std::uint64_t total) {
    if (!progress_on_) return;
    const auto now = Clock::now();
    if (now - last_progress_ < std::chrono::milliseconds(250) && done != total) return;
    last_progress_ = now;
    const double seconds = std::chrono::duration<double>(now - started_).count();
    std::fprintf(stderr, "\r%llu / %llu bytes  %.3f MB/s   ", static_cast<unsigned long long>(done),
                 static_cast<unsigned long long>(total),
                 static_cast<double>(done) / 1e6 / std::max(seconds, 1e-9));
}

int Peer::source(UdpSession& s, bool dialer) {
    const std::uint64_t n = o_.count;
    if (!dialer) {
        std::uint8_t start = 0;
        if (!read_full(s, std::span(&start, 1))) return failed("waiting for the sink's start byte");
        if (start != peer::kStartByte) return failed("expected the start byte 0x01");
    }
    const auto began = Clock::now();
    const auto header = peer::encode_header(n);
    if (!write_all(s, header)) return failed("writing the header");
    peer::PayloadStream stream(o_.seed);
    peer::Sha256 hash;
    std::vector<std::uint8_t> buf(static_cast<std::size_t>(o_.chunk));
    for (std::uint64_t sent = 0; sent < n;) {
        const auto piece = std::span(buf).first(
            static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), n - sent)));
        stream.read(piece);
        hash.update(piece);
        if (!write_all(s, piece)) {
            return failed("after " + std::to_string(sent) + " of " + std::to_string(n) + " bytes");
        }
        sent += piece.size();
        progress(sent, n);
    }
    peer::Digest digest{};
    if (!read_full(s, digest)) {
        return failed("all " + std::to_string(n) + " bytes sent, waiting for the sink's digest");
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - began).count();
    const std::uint8_t bye = peer::kByeByte;
    write_all(s, std::span(&bye, 1));
    std::this_thread::sleep_for(kByeGrace);
    const peer::Digest own = hash.finish();
    report(n, elapsed);
    std::cout << peer::result_line(own, n) << std::endl;
    if (own != digest) return failed("the sink's digest differs from what was sent");
    return kExitOk;
}

int Peer::sink(UdpSession& s, bool dialer) {
    if (dialer) {
        const std::uint8_t start = peer::kStartByte;
        if (!write_all(s, std::span(&start, 1))) return failed("sending the start byte");
    }
    std::array<std::uint8_t, peer::kHeaderSize> header{};
    if (!read_full(s, header)) return failed("waiting for the transfer header");
    const auto began = Clock::now();
    const auto n = peer::decode_header(header);
    if (!n) return failed("transfer header above 2^40 bytes");
    peer::Sha256 hash;
    std::vector<std::uint8_t> buf(static_cast<std::size_t>(o_.chunk));
    std::uint64_t got = 0;
    while (got < *n) {
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), *n - got));
        const IoResult r = s.read(std::span(buf).first(want));
        if (!r.ok()) {
            return failed("received " + std::to_string(got) + " of " + std::to_string(*n) +
                          " bytes: " + std::string(name_of(r.error)));
        }
        hash.update(std::span(buf).first(r.bytes));
        got += r.bytes;
        progress(got, *n);
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - began).count();
    const peer::Digest digest = hash.finish();
    report(*n, elapsed);
    std::cout << peer::result_line(digest, *n) << std::endl;
    if (!write_all(s, digest)) return failed("returning the digest");
    s.set_read_deadline(earlier(Clock::now() + kSinkLinger));
    std::uint8_t bye = 0;
    if (!read_full(s, std::span(&bye, 1))) {
        std::cerr << "kcp-peer: no bye from the source; exiting anyway\n";
    } else if (bye != peer::kByeByte) {
        return failed("expected the bye byte 0x04 after the transfer");
    }
    return kExitOk;
}

int Peer::echo_client(UdpSession& s) {
    const std::uint64_t n = o_.count;
    peer::PayloadStream stream(o_.seed);
    peer::Sha256 hash;
    std::vector<std::uint8_t> out(static_cast<std::size_t>(o_.chunk)), back(out.size());
    const auto began = Clock::now();
    for (std::uint64_t done = 0; done < n;) {
        const auto size = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), n - done));
        stream.read(std::span(out).first(size));
        if (!write_all(s, std::span(out).first(size))) {
            return failed("after " + std::to_string(done) + " of " + std::to_string(n) + " bytes");
        }
        if (!read_full(s, std::span(back).first(size))) {
            return failed("echo of bytes " + std::to_string(done) + ".." +
                          std::to_string(done + size));
        }
        hash.update(std::span(back).first(size));
        if (!std::equal(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(size),
                        back.begin())) {
            std::cout << peer::result_line(hash.finish(), done + size) << std::endl;
            return failed("the echo differs from what was sent");
        }
        done += size;
        progress(done, n);
    }
    report(n, std::chrono::duration<double>(Clock::now() - began).count());
    std::cout << peer::result_line(hash.finish(), n) << std::endl;
    return kExitOk;
}

/// Echo for any number of sessions at once, in the callback style (net/echo_service.hpp).
void Peer::serve_echo(const std::shared_ptr<UdpSession>& s) {
    start_echo(s);
    std::lock_guard lock(echo_mutex_);
    echo_sessions_.push_back(s);
}

int Peer::cat(UdpSession& s) {
    std::atomic<bool> stdin_done{false};
    std::thread([&s, &stdin_done, this] {
        std::vector<std::uint8_t> buf(65536);
        for (;;) {
            const ssize_t n = ::read(STDIN_FILENO, buf.data(), buf.size());
            if (n <= 0) break;
            if (!s.write(std::span(buf).first(static_cast<std::size_t>(n))).ok()) break;
        }
        stdin_done = true;
        s.set_read_deadline(earlier(Clock::now() + kCatIdle));
    }).detach();
    std::vector<std::uint8_t> buf(65536);
    for (;;) {
        const IoResult r = s.read(buf);
        if (r.ok() && r.bytes > 0) {
            if (std::fwrite(buf.data(), 1, r.bytes, stdout) != r.bytes) return failed("stdout");
            std::fflush(stdout);
            if (stdin_done) s.set_read_deadline(earlier(Clock::now() + kCatIdle));
        }
        if (!r.ok()) {
            if (stdin_done || Clock::now() >= deadline_) return kExitOk;
            return failed(std::string(name_of(r.error)));
        }
    }
}

void print_counters(const PeerOptions& o) {
    if (!o.stats.empty()) {
        // The columns of the framing's kcp-go release (an ikcp core runs v5.6.72's).
        const kcpgo::SnmpColumns columns = kcpgo::release_for_core_profile(o.kcptun.profile).snmp;
        std::cerr << kcpgo::snmp_to_json(default_snmp(), columns) << std::endl;
    }
    if (std::getenv("KCP_PEER_DRIVER_COUNTERS") != nullptr) {
        // Not part of the kcp-peer-go contract: what only the UDP driver sees, for debugging.
        const DriverCounters d = driver_counters();
        std::cerr << "driver send_dropped " << d.send_dropped << " send_oversize "
                  << d.send_oversize << " foreign_source " << d.foreign_source
                  << " listener_dropped " << d.listener_dropped << " timer_reschedules "
                  << d.timer_reschedules << " timer_fires " << d.timer_fires << " idle_timer_fires "
                  << d.idle_timer_fires << "\n";
    }
}

}  // namespace kcpkit::net::peer
