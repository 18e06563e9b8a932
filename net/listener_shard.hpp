// One listener socket on one loop: its SO_REUSEPORT socket, its ListenerDemux (the kernel
// sends each remote address to one socket, so each address has one shard and the tables
// need no lock) and the sessions it created. Internal to net/.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "kcpkit/kcpgo/listener_demux.hpp"
#include "kcpkit/net/event_loop.hpp"
#include "kcpkit/net/session.hpp"
#include "kcpkit/net/udp_socket.hpp"

namespace kcpkit::net {

/// What the shards and the application side of a Listener share.
struct Listener::Shared {
    Options options;
    std::mutex mutex;
    std::condition_variable accept_cv;
    std::deque<std::shared_ptr<UdpSession>> accept_queue;
    std::function<void()> on_session;
    Deadline accept_deadline = kNoDeadline;
    bool closed = false;
    std::atomic<std::size_t> sessions{0};
};

namespace detail {

class ListenerShard final : public EventLoop::Watcher,
                            public std::enable_shared_from_this<ListenerShard> {
  public:
    ListenerShard(EventLoop& loop, UdpSocket socket, std::unique_ptr<kcpgo::ListenerDemux> demux,
                  std::shared_ptr<Listener::Shared> shared);

    /// Registers the socket with the loop (from any thread).
    void start();
    void on_readable() override;

    // Loop thread only:
    void session_closed(UdpSession& s);
    void mark_accepted(UdpSession& s);
    /// After the listener closed: once no session is left, stop reading and close the socket.
    void maybe_retire();

    EventLoop& loop() { return loop_; }
    UdpSocket& socket() { return socket_; }

  private:
    void handle(const Address& from, std::span<std::uint8_t> wire);
    void note_wake(const std::shared_ptr<UdpSession>& s, const UdpSession::Wake& wake);
    void wake_all();
    /// Adds what the demux counted since the last call to the process-wide counters.
    void publish_demux_counters();
    void create_session(const Address& from, const kcpgo::DemuxDecision& d);

    EventLoop& loop_;
    UdpSocket socket_;
    std::unique_ptr<kcpgo::ListenerDemux> demux_;
    std::shared_ptr<Listener::Shared> shared_;
    std::unordered_map<std::uint64_t, std::shared_ptr<UdpSession>> sessions_;
    std::uint64_t next_token_ = 1;
    // Sessions a receive batch made readable/writable, woken once after the batch.
    std::vector<std::pair<std::shared_ptr<UdpSession>, UdpSession::Wake>> woken_;
    bool retired_ = false;
    std::uint64_t published_csum_ = 0;     // demux in_csum_errors already added process-wide
    std::shared_ptr<ListenerShard> self_;  // while watched by the loop
};

}  // namespace detail
}  // namespace kcpkit::net
