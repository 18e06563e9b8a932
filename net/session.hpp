// kcp-go's UDPSession and Listener over real UDP sockets: a thin driver around the sans-IO
// protocol::kcpgo::Session (KCP + FEC + crypt + kcp-go semantics) and
// protocol::kcpgo::ListenerDemux. Nothing here decides anything about the protocol; it
// moves datagrams between sockets and the core, runs each session's single timer at the
// core's next_deadline(), and turns the core's would_block into blocking with deadlines or
// into callbacks. docs/net.md has the whole picture.
//
// Threads: sessions live on the loops of a LoopGroup (default_loop_group() unless
// Options::loops says otherwise). A client session is placed round-robin; a listener opens
// one SO_REUSEPORT socket per loop, so the kernel sends a remote address to the same loop
// every time, and the sessions it creates live there. Every public call is thread-safe;
// blocking calls must not be made from a loop thread (use the callback style there).
//
// Lifetime: a session stays alive until close(), whoever holds the shared_ptr; a listener's
// sockets stay open until it and every session it created are closed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "kcpkit/base/enum_names.hpp"
#include "kcpkit/kcpgo/session.hpp"
#include "kcpkit/kcpgo/snmp.hpp"
#include "kcpkit/net/address.hpp"
#include "kcpkit/net/event_loop.hpp"
#include "kcpkit/net/udp_socket.hpp"

namespace kcpkit::net {

/// What a call reports. Each call below lists the values it can return and what to do
/// next; in short: would_block and timeout leave everything intact (retry later), closed
/// is final, socket_error means the session cannot receive any more (close it), and
/// invalid_argument means nothing was done (change the argument).
enum class Error : std::uint8_t {
    none = 0,
    would_block,       ///< try_read / try_write / try_accept: nothing to read / window full
    timeout,           ///< the deadline passed (kcp-go: a net.Error with Timeout() true)
    closed,            ///< the session or listener was closed (kcp-go: io.ErrClosedPipe)
    invalid_argument,  ///< the argument was refused, or the call does not apply (server socket)
    socket_error,      ///< the socket failed (errno in last_socket_error())
};
// Several names a line: a table, not code to lay out.
// clang-format off
constexpr auto enum_names(Error) {
    using enum Error;
    return std::to_array<EnumName<Error>>({{none, "none"}, {would_block, "would_block"},
        {timeout, "timeout"}, {closed, "closed"}, {invalid_argument, "invalid_argument"},
        {socket_error, "socket_error"}});
}
// clang-format on
static_assert(names_are_distinct<Error>());

struct IoResult {
    std::size_t bytes = 0;
    Error error = Error::none;
    bool ok() const { return error == Error::none; }
};

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;
/// No deadline (kcp-go's zero time.Time).
inline constexpr Deadline kNoDeadline = Deadline::max();

/// What dial() and listen() take. `session` is the core's configuration: cipher and key
/// (frame.cipher/key, used as given: see protocol/crypt/key_derivation.hpp for kcptun's
/// derivation), FEC shards, release (kcpgo::Release: v5.6.72 or v5.6.1), mtu, windows,
/// nodelay, stream, write delay, ACK no-delay. For listen() it is the template for every
/// accepted session.
struct Options {
    kcpgo::SessionConfig session;
    /// dial: use session.conv as given (kcp-go's NewConn3) instead of a random conv.
    bool use_conv = false;
    LoopGroup* loops = nullptr;  ///< nullptr: default_loop_group()
    int read_buffer = 0;         ///< SO_RCVBUF for the socket(s); 0: OS default
    int write_buffer = 0;        ///< SO_SNDBUF; 0: OS default
    int dscp = -1;               ///< < 0: not set
};

class Listener;
namespace detail {
class ListenerShard;
}

/// kcp-go's UDPSession: one KCP conversation over a UDP socket (the core is a
/// kcpgo::Session).
class UdpSession : public std::enable_shared_from_this<UdpSession> {
  public:
    /// kcp-go's DialWithOptions: a client session on its own socket (random local port,
    /// same family as `remote`), conv from getrandom unless Options::use_conv. Nothing is
    /// sent until the first write (KCP has no handshake), so an unreachable peer is not an
    /// error here. nullptr with `error` (words, for people) when:
    ///  - `remote` does not parse or resolve: fix the address;
    ///  - the socket cannot be created or bound (strerror text; e.g. out of descriptors):
    ///    free resources and dial again;
    ///  - the core refuses Options::session (the framing's frame::ConfigError, a bad mtu, a
    ///    window < 1): fix the options; dialling again with the same ones fails the same way.
    /// Socket option failures (buffers, DSCP) are ignored here, as kcp-go does; call the
    /// setters afterwards to see them.
    static std::shared_ptr<UdpSession> dial(std::string_view remote, const Options& options,
                                            std::string* error = nullptr);

    ~UdpSession();
    UdpSession(const UdpSession&) = delete;
    UdpSession& operator=(const UdpSession&) = delete;

    // ----- blocking style ---------------------------------------------------------------

    /// kcp-go's Read: waits until bytes arrive, the read deadline passes or the session is
    /// closed; returns at most buffer.size() bytes of the next message (the rest follows).
    ///  - none: `bytes` > 0 copied (0 only for an empty buffer);
    ///  - timeout: the read deadline passed (or was already past) with nothing to read;
    ///    the session is intact: set a later deadline and read again, or close();
    ///  - closed: close() was called, or the listener replaced the session (its peer
    ///    restarted with a new conv): final, every later call fails the same way;
    ///  - socket_error: a client's socket failed (last_socket_error()); bytes already
    ///    received are still returned first, then this: nothing more can arrive, close().
    IoResult read(std::span<std::uint8_t> buffer);
    /// kcp-go's Write: waits while the send window is full (write deadline), then queues
    /// all of `data` (cut into mss-sized messages by the core) and flushes. Either all of
    /// `data` is queued (none, bytes = data.size()) or nothing is:
    ///  - timeout: the window stayed full until the write deadline: the peer is not
    ///    acknowledging (slow, gone, or not reading); retry later or close();
    ///  - closed: as for read(): final;
    ///  - socket_error: the client's socket failed: close();
    ///  - invalid_argument: the core refused the data (more than 255 fragments with
    ///    fragment_messages): write it in smaller pieces.
    IoResult write(std::span<const std::uint8_t> data);
    /// kcp-go's WriteBuffers: every buffer in order, one window check and one flush. The
    /// same results as write(); `bytes` is the sum of the buffers.
    IoResult write_buffers(std::span<const std::span<const std::uint8_t>> buffers);

    // ----- non-blocking / callback style -----------------------------------------------

    /// As read()/write() but never wait: Error::would_block instead of waiting (nothing to
    /// read / window full: nothing queued); wait for the callback below. Never timeout.
    IoResult try_read(std::span<std::uint8_t> buffer);
    IoResult try_write(std::span<const std::uint8_t> data);
    /// Called on the session's loop thread (without any lock held) when datagrams made the
    /// session readable / writable, and once when it is closed (both). Call try_read /
    /// try_write from there. Replaces earlier callbacks; empty functions remove them.
    void set_callbacks(std::function<void()> on_readable, std::function<void()> on_writable);

    // ----- lifetime ----------------------------------------------------------------------

    /// kcp-go's Close: a last flush, then reads and writes fail with closed (blocked ones
    /// wake up). No FIN: the peer is not told. none, or closed if already closed (also
    /// when the listener replaced the session): harmless, nothing to do.
    Error close();
    bool is_closed() const;

    // ----- deadlines -------------------------------------------------------------------

    void set_deadline(Deadline when);
    void set_read_deadline(Deadline when);
    void set_write_deadline(Deadline when);

    // ----- kcp-go's setters --------------------------------------------------------------

    /// false when the core refuses the mtu (no room for the headers, or above what the
    /// profile allows: Framer::kcp_mtu_for): nothing changed, the old mtu stays.
    bool set_mtu(std::size_t mtu);
    void set_window_size(int snd, int rcv);
    void set_nodelay(int nodelay, int interval, int resend, int nc);
    void set_stream_mode(bool on);
    void set_write_delay(bool on);
    void set_ack_nodelay(bool on);
    void set_dup(int dup);
    /// Client sessions only. none; invalid_argument on a server session (it shares its
    /// listener's socket, as in kcp-go: use the Listener's setters); socket_error if the
    /// kernel refuses the option (errno at the time of the call): the old value stays.
    Error set_dscp(int dscp);
    Error set_read_buffer(int bytes);
    Error set_write_buffer(int bytes);

    // ----- introspection -----------------------------------------------------------------

    std::uint32_t conv() const;
    std::uint32_t rto() const;
    std::int32_t srtt() const;
    std::int32_t srttvar() const;
    const Address& remote_address() const { return remote_; }
    Address local_address() const;
    /// This session's kcp-go counters: the core's, plus the one thing only the driver can
    /// see: a client's datagrams from an address other than the dialled one, counted in
    /// InErrs as kcp-go v5.6.72 does (the core never receives them).
    kcpgo::Snmp snmp() const;
    /// Runs `fn` on the core under the session's lock (for tests and tools).
    template <class F>
    auto with_core(F&& fn) const {
        std::lock_guard lock(mutex_);
        return fn(static_cast<const kcpgo::Session&>(*core_));
    }
    int last_socket_error() const { return socket_errno_; }

    // Internal: constructed by dial() and by listener shards.
    struct Private {};
    UdpSession(Private, EventLoop& loop, std::unique_ptr<kcpgo::Session> core, int fd,
               const Address& remote);

  private:
    friend class detail::ListenerShard;
    friend class Listener;
    class TimerHook final : public EventLoop::Timer {
      public:
        explicit TimerHook(UdpSession& s) : session_(s) {}
        void on_timer() override { session_.on_timer(); }

      private:
        UdpSession& session_;
    };
    class SocketHook final : public EventLoop::Watcher {
      public:
        explicit SocketHook(UdpSession& s) : session_(s) {}
        void on_readable() override { session_.on_client_socket_readable(); }

      private:
        UdpSession& session_;
    };
    struct Wake {
        bool readable = false, writable = false, closed = false;
    };

    /// Loop thread: registers the timer (and the client socket) and keeps `this` alive.
    void start();
    void on_timer();
    void on_client_socket_readable();
    /// Loop thread: one datagram from the listener, already decrypted by the demux. Returns
    /// whom to wake; the shard calls notify() once per receive batch, not per datagram.
    Wake deliver_decrypted(std::span<const std::uint8_t> plain);
    /// Loop thread: the listener replaced this session (sn == 0 from a new conv).
    void close_replaced();
    Wake wake_from(const kcpgo::DatagramResult& r) const;
    /// Under the lock: after an application call, make sure the timer is not later than the
    /// core's deadline (posting to the loop when called from another thread).
    void sync_timer_locked();
    void schedule_timer_locked();
    void notify(const Wake& wake);
    void finish_close_locked();
    void unregister();
    IoResult do_read(std::span<std::uint8_t> buffer, bool block);
    IoResult do_write(std::span<const std::span<const std::uint8_t>> buffers, bool block);
    void flush_sends_locked();
    static void transmit(void* context, std::span<const std::uint8_t> datagram);

    EventLoop& loop_;
    mutable std::mutex mutex_;
    std::condition_variable readable_cv_, writable_cv_;
    std::unique_ptr<kcpgo::Session> core_;
    int fd_;
    Address remote_;
    UdpSocket own_socket_;                          // client sessions only
    std::shared_ptr<detail::ListenerShard> shard_;  // server sessions only
    std::uint64_t token_ = 0;                       // the shard's handle for this session
    bool replaced_ = false;                         // shard thread only
    TimerHook timer_{*this};
    SocketHook socket_hook_{*this};
    std::uint64_t timer_due_ = 0;  // what the loop's timer is set to (under mutex_)
    bool reschedule_posted_ = false;
    Deadline read_deadline_ = kNoDeadline, write_deadline_ = kNoDeadline;
    // Shared, so a wake-up copies a pointer, not the callable (no allocation per wake).
    using Callback = std::shared_ptr<const std::function<void()>>;
    Callback on_readable_, on_writable_;
    int waiting_readers_ = 0, waiting_writers_ = 0;
    bool closed_ = false;
    bool close_notified_ = false;
    int socket_errno_ = 0;
    std::uint64_t foreign_source_drops_ = 0;
    std::shared_ptr<UdpSession> self_;  // set while registered with the loop
};

/// kcp-go's Listener: one SO_REUSEPORT socket per loop on `local`, sessions created per
/// remote address by protocol::kcpgo::ListenerDemux.
class Listener {
  public:
    /// kcp-go's ListenWithOptions. nullptr with `error` (words, for people) when:
    ///  - `local` does not parse or resolve: fix the address;
    ///  - a socket cannot be created or bound (strerror text; e.g. the port is taken by a
    ///    socket without SO_REUSEPORT): pick another address or free the port;
    ///  - the core refuses Options::session (as for dial()): fix the options.
    /// The configuration is checked once here, so accepted sessions never fail on it.
    static std::unique_ptr<Listener> listen(std::string_view local, const Options& options,
                                            std::string* error = nullptr);
    ~Listener();  ///< close()

    /// Waits for a new session until the accept deadline. The session, with none; or
    /// nullptr with
    ///  - timeout: the accept deadline passed (or was already past); the listener is
    ///    intact: set a later deadline and accept again;
    ///  - closed: close() was called: final.
    std::shared_ptr<UdpSession> accept(Error* error = nullptr);
    /// As accept() but never waits: nullptr with would_block when no session is queued
    /// (use set_accept_callback() to learn of the next), or closed. Does not read or change
    /// the accept deadline.
    std::shared_ptr<UdpSession> try_accept(Error* error = nullptr);
    void set_accept_deadline(Deadline when);
    /// Called on a loop thread whenever a session is queued for accept (callback style).
    void set_accept_callback(std::function<void()> on_session);

    /// Stops accepting: queued, not yet accepted sessions are closed; accepted ones keep
    /// working (the sockets close when the last of them closes). none, or closed if
    /// already closed (harmless).
    Error close();

    const Address& address() const { return address_; }
    /// On every shard socket: none, or socket_error when the kernel refuses the option
    /// (shards before the failing one have the new value; set it again or accept the mix).
    Error set_read_buffer(int bytes);
    Error set_write_buffer(int bytes);
    Error set_dscp(int dscp);
    /// Sessions currently routed by the listener (all threads).
    std::size_t session_count() const;

    /// Internal, for the shards.
    struct Shared;

  private:
    Listener() = default;
    /// accept() (block: waits until the accept deadline) and try_accept() (never waits):
    /// neither touches the shared accept deadline.
    std::shared_ptr<UdpSession> accept_impl(bool block, Error* error);
    std::shared_ptr<Shared> shared_;
    std::vector<std::shared_ptr<detail::ListenerShard>> shards_;
    Address address_;
};

/// Counters only the driver sees (process-wide).
struct DriverCounters {
    std::uint64_t send_dropped = 0;       ///< datagrams the socket refused (buffer full)
    std::uint64_t send_oversize = 0;      ///< datagrams longer than a send slot: not sent
    std::uint64_t foreign_source = 0;     ///< client: datagrams from an unexpected address (InErrs)
    std::uint64_t listener_dropped = 0;   ///< datagrams the listener demux dropped (any reason)
    std::uint64_t listener_csum = 0;      ///< the demuxes' in_csum_errors (InCsumErrors)
    std::uint64_t timer_reschedules = 0;  ///< calls on other threads that moved a timer earlier
    std::uint64_t timer_fires = 0;        ///< session timers that fired
    std::uint64_t idle_timer_fires = 0;   ///< of them, with the core not yet due (no flush)
};
DriverCounters driver_counters();

/// kcp-go's DefaultSnmp: the sum over every session of the process (closed ones included;
/// CurrEstab is the sessions' own, 1 per open session), plus the listeners' demux
/// in_csum_errors (garbage that reached no session) in InCsumErrors, and MaxConn as the
/// most sessions registered at once (only the driver sees them together).
kcpgo::Snmp default_snmp();

}  // namespace kcpkit::net
