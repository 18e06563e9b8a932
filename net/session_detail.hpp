// What net/session.cpp and net/listener.cpp share: the uint32 clock the core runs on, the
// per-thread receive batch, the process-wide registry behind default_snmp().
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_set>

#include "kcpkit/kcpgo/session.hpp"
#include "kcpkit/kcpgo/snmp.hpp"
#include "kcpkit/net/event_loop.hpp"
#include "kcpkit/net/udp_socket.hpp"

namespace kcpkit::net {
class UdpSession;
}

namespace kcpkit::net::detail {

/// The core's clock: EventLoop::now_ms() cut to 32 bits (the core compares differences).
inline std::uint32_t now32() {
    return static_cast<std::uint32_t>(EventLoop::now_ms());
}

/// A core deadline (32-bit ms) as an EventLoop timer time; past deadlines are "now".
std::uint64_t deadline_to_loop_ms(std::uint32_t deadline);

RecvBatch& thread_recv_batch();

/// Sends this thread's batched datagrams now.
inline void flush_thread_sends() {
    thread_send_batch().flush();
}

/// kcp-go's DefaultSnmp is one table for the process: the live sessions, plus the final
/// counters of closed ones.
struct Registry {
    std::mutex mutex;
    std::unordered_set<const UdpSession*> live;
    kcpgo::Snmp retired;
    std::uint64_t max_conn = 0;
};
Registry& registry();

struct AtomicDriverCounters {
    std::atomic<std::uint64_t> foreign_source{0}, listener_dropped{0}, listener_csum{0},
        reschedules{0}, timer_fires{0}, idle_timer_fires{0};
};
AtomicDriverCounters& atomic_counters();

/// Why kcpgo::Session::create refused a configuration, in words.
std::string describe(const kcpgo::ConfigError& why);

}  // namespace kcpkit::net::detail
