#include "net/peer/scale_load.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "kcpkit/net/session.hpp"
#include "net/peer/peer_protocol.hpp"

namespace kcpkit::net::peer {

using namespace std::chrono_literals;

namespace {

struct Client {
    explicit Client(std::uint64_t seed) : send_stream(seed), check_stream(seed) {}
    std::shared_ptr<UdpSession> session;
    PayloadStream send_stream;   // main thread
    PayloadStream check_stream;  // the session's loop thread
    std::uint64_t sent = 0;      // main thread
    std::atomic<std::uint64_t> echoed{0};
    std::atomic<std::uint64_t> errors{0};
};

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

long peak_rss_kib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

}  // namespace

int run_scale_load(const ScaleLoadOptions& o) {
    LoopGroup& loops = default_loop_group(o.threads);
    // kcp-load's settings: no crypt, no FEC, 32/32 windows, interval 100, resend 2, nc 1.
    Options options;
    options.loops = &loops;
    options.session.resend = 2;
    options.session.nc = 1;

    std::vector<std::unique_ptr<Client>> clients;
    clients.reserve(static_cast<std::size_t>(o.sessions));
    std::vector<std::string> dial_errors;
    const auto started = Clock::now();
    const double cpu_start = cpu_seconds();
    std::vector<std::uint8_t> message(static_cast<std::size_t>(o.size));
    auto send_due = [&](Client& c, double seconds_since_open) {
        const auto due = static_cast<std::uint64_t>(seconds_since_open * o.rate) + 1;
        while (c.sent < due) {
            c.send_stream.read(message);
            if (!c.session->try_write(message).ok()) break;  // window full: retry later
            ++c.sent;
        }
    };
    std::vector<Clock::time_point> opened_at;
    std::optional<double> ramp_seconds;
    // Ramp, then steady traffic; messages go out from this thread on a 10 ms tick.
    const auto ramp_end = started + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(o.ramp));
    const auto steady_end = ramp_end + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(o.duration));
    while (Clock::now() < steady_end) {
        const auto now = Clock::now();
        const double ramp_share =
            o.ramp <= 0 ? 1.0 : std::chrono::duration<double>(now - started).count() / o.ramp;
        const auto target =
            std::min<std::size_t>(static_cast<std::size_t>(o.sessions),
                                  static_cast<std::size_t>(std::ceil(ramp_share * o.sessions)));
        while (clients.size() + dial_errors.size() < target) {
            auto c = std::make_unique<Client>(clients.size() + 1);
            std::string error;
            c->session = UdpSession::dial(o.dial, options, &error);
            if (!c->session) {
                dial_errors.push_back(error);
                continue;
            }
            Client* raw = c.get();
            c->session->set_callbacks(
                [raw] {
                    std::uint8_t got[4096], want[4096];
                    for (;;) {
                        const IoResult r = raw->session->try_read(got);
                        if (!r.ok() || r.bytes == 0) return;
                        raw->check_stream.read(std::span(want).first(r.bytes));
                        if (!std::equal(got, got + r.bytes, want)) raw->errors.fetch_add(1);
                        raw->echoed.fetch_add(r.bytes);
                    }
                },
                {});
            clients.push_back(std::move(c));
            opened_at.push_back(Clock::now());
        }
        if (!ramp_seconds &&
            clients.size() + dial_errors.size() == static_cast<std::size_t>(o.sessions)) {
            ramp_seconds = std::chrono::duration<double>(Clock::now() - started).count();
            if (o.progress) {
                std::printf("ramped %zu %.3f\n", clients.size(), *ramp_seconds);
                std::fflush(stdout);
            }
        }
        for (std::size_t i = 0; i < clients.size(); ++i) {
            send_due(*clients[i], std::chrono::duration<double>(now - opened_at[i]).count());
        }
        std::this_thread::sleep_for(10ms);
    }
    // Grace: wait for the echoes of what was sent.
    const auto grace_end = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                              std::chrono::duration<double>(o.grace));
    auto all_back = [&] {
        for (const auto& c : clients) {
            if (c->echoed.load() < c->sent * static_cast<std::uint64_t>(o.size)) return false;
        }
        return true;
    };
    while (Clock::now() < grace_end && !all_back()) std::this_thread::sleep_for(50ms);

    std::size_t healthy = 0, silent = 0;
    std::uint64_t sent_bytes = 0, echoed_bytes = 0, errors = 0;
    for (const auto& c : clients) {
        const std::uint64_t want = c->sent * static_cast<std::uint64_t>(o.size);
        sent_bytes += want;
        echoed_bytes += c->echoed.load();
        errors += c->errors.load();
        if (c->errors.load() == 0 && c->echoed.load() == want && c->sent > 0) ++healthy;
        if (c->echoed.load() == 0) ++silent;
    }
    const double cpu = cpu_seconds() - cpu_start;
    const DriverCounters driver = driver_counters();
    const kcpgo::Snmp snmp_total = default_snmp();
    const std::size_t opened = clients.size();
    std::printf(
        "{\"sessions\":%d,\"opened\":%zu,\"healthy\":%zu,\"unhealthy\":%zu,"
        "\"no_echo_at_all\":%zu,\"bytes_sent\":%llu,\"bytes_echoed\":%llu,\"echo_errors\":%llu,"
        "\"messages_sent\":%llu,\"messages_echoed\":%llu,\"ramp_seconds\":%.3f,"
        "\"dial_errors\":%zu,"
        "\"loop_threads\":%zu,\"cpu_seconds\":%.3f,\"cpu_ms_per_session\":%.4f,"
        "\"peak_rss_kib\":%ld,\"rss_kib_per_session\":%.2f,\"send_dropped\":%llu,"
        "\"foreign_source\":%llu,\"retrans_segs\":%llu}\n",
        o.sessions, opened, healthy, opened - healthy, silent,
        static_cast<unsigned long long>(sent_bytes), static_cast<unsigned long long>(echoed_bytes),
        static_cast<unsigned long long>(errors),
        static_cast<unsigned long long>(sent_bytes / static_cast<std::uint64_t>(o.size)),
        static_cast<unsigned long long>(echoed_bytes / static_cast<std::uint64_t>(o.size)),
        ramp_seconds.value_or(0.0), dial_errors.size(), loops.size(), cpu,
        opened ? 1000 * cpu / static_cast<double>(opened) : 0.0, peak_rss_kib(),
        opened ? static_cast<double>(peak_rss_kib()) / static_cast<double>(opened) : 0.0,
        static_cast<unsigned long long>(driver.send_dropped),
        static_cast<unsigned long long>(driver.foreign_source),
        static_cast<unsigned long long>(snmp_total.RetransSegs));
    std::fflush(stdout);
    return healthy == static_cast<std::size_t>(o.sessions) ? 0 : 1;
}

}  // namespace kcpkit::net::peer
