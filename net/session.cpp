#include "kcpkit/net/session.hpp"

#include <atomic>
#include <cerrno>

#include "kcpkit/net/entropy.hpp"
#include "kcpkit/net/listener_shard.hpp"
#include "kcpkit/net/session_detail.hpp"

namespace kcpkit::net {

std::string_view error_name(Error error) {
    switch (error) {
        case Error::none:
            return "none";
        case Error::would_block:
            return "would_block";
        case Error::timeout:
            return "timeout";
        case Error::closed:
            return "closed";
        case Error::invalid_argument:
            return "invalid_argument";
        case Error::socket_error:
            return "socket_error";
    }
    return "?";
}

namespace detail {

std::uint64_t deadline_to_loop_ms(std::uint32_t deadline) {
    const std::uint64_t now = EventLoop::now_ms();
    const auto delta = static_cast<std::int32_t>(deadline - static_cast<std::uint32_t>(now));
    return delta <= 0 ? now : now + static_cast<std::uint64_t>(delta);
}

RecvBatch& thread_recv_batch() {
    thread_local RecvBatch batch;
    return batch;
}

Registry& registry() {
    static Registry r;
    return r;
}

AtomicDriverCounters& atomic_counters() {
    static AtomicDriverCounters c;
    return c;
}

std::string describe(const kcpgo::Session::CreateError& why) {
    if (why.frame != frame::ConfigError::none) {
        return "framing refused: " + std::string(frame::config_error_name(why.frame));
    }
    if (why.bad_mtu) return "mtu refused (too small for the headers, or above 1500)";
    if (why.bad_window) return "window sizes must be >= 1";
    return "session configuration refused";
}

}  // namespace detail

DriverCounters driver_counters() {
    const auto& c = detail::atomic_counters();
    DriverCounters out;
    out.send_dropped = total_send_drops();
    out.send_oversize = total_send_oversize();
    out.foreign_source = c.foreign_source.load();
    out.listener_dropped = c.listener_dropped.load();
    out.listener_csum = c.listener_csum.load();
    out.timer_reschedules = c.reschedules.load();
    out.timer_fires = c.timer_fires.load();
    out.idle_timer_fires = c.idle_timer_fires.load();
    return out;
}

kcpgo::Snmp default_snmp() {
    auto& reg = detail::registry();
    std::lock_guard lock(reg.mutex);
    kcpgo::Snmp total = reg.retired;
    for (const Session* s : reg.live) total += s->snmp();
    // CurrEstab is the sessions' own (each open core counts 1). The high-water mark of open
    // sessions and what listeners rejected before any session existed are only visible here.
    total.MaxConn = std::max(total.MaxConn, reg.max_conn);
    // What the listeners' demuxes counted before any session existed.
    kcpgo::DemuxCounters listeners;
    listeners.in_csum_errors = detail::atomic_counters().listener_csum.load();
    kcpgo::add_layer_counters(total, {.demux = &listeners});
    return total;
}

// ----- Session ---------------------------------------------------------------------------

void Session::transmit(void* context, std::span<const std::uint8_t> datagram) {
    auto* s = static_cast<Session*>(context);
    thread_send_batch().queue(datagram, s->fd_, s->remote_);
}

Session::Session(Private, EventLoop& loop, std::unique_ptr<kcpgo::Session> core, int fd,
                 const Address& remote)
    : loop_(loop), core_(std::move(core)), fd_(fd), remote_(remote) {
    core_->set_transmit_sink(&Session::transmit, this);
}

Session::~Session() = default;

std::shared_ptr<Session> Session::dial(std::string_view remote, const Options& options,
                                       std::string* error) {
    const auto address = Address::parse(remote);
    if (!address) {
        if (error) *error = "cannot parse or resolve address '" + std::string(remote) + "'";
        return nullptr;
    }
    const auto local = Address::parse(address->family() == AF_INET6 ? "[::]:0" : "0.0.0.0:0");
    UdpSocket socket = UdpSocket::bind(*local, false, error);
    if (!socket.is_open()) return nullptr;
    if (options.read_buffer > 0) socket.set_read_buffer(options.read_buffer);
    if (options.write_buffer > 0) socket.set_write_buffer(options.write_buffer);
    if (options.dscp >= 0) socket.set_dscp(options.dscp);

    kcpgo::SessionConfig config = options.session;
    config.passive = false;
    if (!options.use_conv) {
        KernelRandom random;
        config.conv = kcpgo::random_conv(random);
    }
    kcpgo::Session::CreateError why;
    auto core = kcpgo::Session::create(config, detail::now32(), thread_nonces(), &why);
    if (!core) {
        if (error) *error = detail::describe(why);
        return nullptr;
    }
    LoopGroup& group = options.loops ? *options.loops : default_loop_group();
    auto s =
        std::make_shared<Session>(Private{}, group.next(), std::move(core), socket.fd(), *address);
    s->own_socket_ = std::move(socket);
    s->start();
    return s;
}

void Session::start() {
    {
        auto& reg = detail::registry();
        std::lock_guard lock(reg.mutex);
        reg.live.insert(this);
        reg.max_conn = std::max<std::uint64_t>(reg.max_conn, reg.live.size());
    }
    self_ = shared_from_this();
    auto attach = [this] {
        if (own_socket_.is_open()) loop_.watch(fd_, &socket_hook_);
        std::lock_guard lock(mutex_);
        if (!closed_) schedule_timer_locked();
    };
    if (EventLoop::current() == &loop_) {
        attach();
    } else {
        loop_.post([keep = self_, attach] { attach(); });
    }
}

void Session::schedule_timer_locked() {
    timer_due_ = detail::deadline_to_loop_ms(core_->next_deadline());
    loop_.schedule(timer_, timer_due_);
}

void Session::sync_timer_locked() {
    if (closed_) return;
    const std::uint64_t due = detail::deadline_to_loop_ms(core_->next_deadline());
    if (EventLoop::current() == &loop_) {
        if (!timer_.scheduled() || due < timer_due_) schedule_timer_locked();
        return;
    }
    // Another thread: only timer_due_ (under our lock) may be read here, not the heap.
    // A timer that is firing right now reschedules itself from the new deadline.
    if (due >= timer_due_ || reschedule_posted_) return;
    reschedule_posted_ = true;
    detail::atomic_counters().reschedules.fetch_add(1, std::memory_order_relaxed);
    loop_.post([keep = shared_from_this()] {
        std::lock_guard lock(keep->mutex_);
        keep->reschedule_posted_ = false;
        if (!keep->closed_) keep->schedule_timer_locked();
    });
}

void Session::on_timer() {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    auto& counters = detail::atomic_counters();
    counters.timer_fires.fetch_add(1, std::memory_order_relaxed);
    if (!core_->handle_timeout(detail::now32())) {
        counters.idle_timer_fires.fetch_add(1, std::memory_order_relaxed);
    }
    schedule_timer_locked();
}

Session::Wake Session::wake_from(const kcpgo::DatagramResult& r) const {
    Wake w;
    w.readable = r.readable;
    w.writable = r.writable && waiting_writers_ + (on_writable_ ? 1 : 0) > 0;
    return w;
}

void Session::on_client_socket_readable() {
    RecvBatch& batch = detail::thread_recv_batch();
    Wake wake;
    for (int round = 0; round < 4; ++round) {
        const int n = batch.receive(fd_);
        if (n < 0) {
            std::lock_guard lock(mutex_);
            socket_errno_ = errno;
            wake.readable = wake.writable = true;
            break;
        }
        if (n == 0) break;
        {
            std::lock_guard lock(mutex_);
            if (closed_) return;
            const std::uint32_t now = detail::now32();
            for (int i = 0; i < n; ++i) {
                if (!(batch.source(i) == remote_)) {
                    // kcp-go v5.6.72 accepts only the dialled address (InErrs).
                    ++foreign_source_drops_;
                    detail::atomic_counters().foreign_source.fetch_add(1);
                    continue;
                }
                const Wake w = wake_from(core_->handle_datagram(batch.data(i), now));
                wake.readable |= w.readable;
                wake.writable |= w.writable;
            }
            sync_timer_locked();  // C semantics: input may owe a flush (ACK no-delay)
        }
        if (static_cast<std::size_t>(n) < batch.count()) break;
    }
    notify(wake);
}

Session::Wake Session::deliver_decrypted(std::span<const std::uint8_t> plain) {
    std::lock_guard lock(mutex_);
    if (closed_) return {};
    const Wake wake = wake_from(core_->handle_decrypted(plain, detail::now32()));
    sync_timer_locked();  // C semantics: input may owe a flush (ACK no-delay)
    return wake;
}

void Session::notify(const Wake& wake) {
    if (!wake.readable && !wake.writable && !wake.closed) return;
    Callback on_readable, on_writable;
    {
        std::lock_guard lock(mutex_);
        if (wake.closed) {
            if (close_notified_) return;
            close_notified_ = true;
        }
        if ((wake.readable || wake.closed) && waiting_readers_ > 0) readable_cv_.notify_all();
        if ((wake.writable || wake.closed) && waiting_writers_ > 0) writable_cv_.notify_all();
        if (wake.readable || wake.closed) on_readable = on_readable_;
        if (wake.writable || wake.closed) on_writable = on_writable_;
    }
    if (on_readable) (*on_readable)();
    if (on_writable) (*on_writable)();
}

void Session::set_callbacks(std::function<void()> on_readable, std::function<void()> on_writable) {
    std::lock_guard lock(mutex_);
    on_readable_ = on_readable
                       ? std::make_shared<const std::function<void()>>(std::move(on_readable))
                       : nullptr;
    on_writable_ = on_writable
                       ? std::make_shared<const std::function<void()>>(std::move(on_writable))
                       : nullptr;
}

void Session::flush_sends_locked() {
    // Datagrams the core produced on this thread go out before the lock is released, so
    // the socket cannot be closed (and its descriptor reused) underneath them.
    if (EventLoop::current() != &loop_) detail::flush_thread_sends();
}

IoResult Session::do_read(std::span<std::uint8_t> buffer, bool block) {
    std::unique_lock lock(mutex_);
    for (;;) {
        if (closed_) return {0, Error::closed};
        const int n = core_->read(buffer, detail::now32());
        if (n >= 0) {
            sync_timer_locked();
            flush_sends_locked();
            return {static_cast<std::size_t>(n), Error::none};
        }
        if (n == kcpgo::rc::closed) return {0, Error::closed};
        if (socket_errno_ != 0) return {0, Error::socket_error};
        if (!block) return {0, Error::would_block};
        if (Clock::now() >= read_deadline_) return {0, Error::timeout};
        ++waiting_readers_;
        if (read_deadline_ == kNoDeadline) {
            readable_cv_.wait(lock);
        } else {
            readable_cv_.wait_until(lock, read_deadline_);
        }
        --waiting_readers_;
    }
}

IoResult Session::do_write(std::span<const std::span<const std::uint8_t>> buffers, bool block) {
    std::unique_lock lock(mutex_);
    for (;;) {
        if (closed_) return {0, Error::closed};
        if (socket_errno_ != 0) return {0, Error::socket_error};
        const std::uint32_t now = detail::now32();
        const int n = buffers.size() == 1 ? core_->write(buffers[0], now)
                                          : core_->write_buffers(buffers, now);
        if (n >= 0) {
            sync_timer_locked();
            flush_sends_locked();
            return {static_cast<std::size_t>(n), Error::none};
        }
        if (n == kcpgo::rc::closed) return {0, Error::closed};
        if (n != kcpgo::rc::would_block) return {0, Error::invalid_argument};
        if (!block) return {0, Error::would_block};
        if (Clock::now() >= write_deadline_) return {0, Error::timeout};
        ++waiting_writers_;
        if (write_deadline_ == kNoDeadline) {
            writable_cv_.wait(lock);
        } else {
            writable_cv_.wait_until(lock, write_deadline_);
        }
        --waiting_writers_;
    }
}

IoResult Session::read(std::span<std::uint8_t> buffer) {
    return do_read(buffer, true);
}
IoResult Session::write(std::span<const std::uint8_t> data) {
    const std::span<const std::uint8_t> one[1] = {data};
    return do_write(one, true);
}
IoResult Session::write_buffers(std::span<const std::span<const std::uint8_t>> buffers) {
    return do_write(buffers, true);
}
IoResult Session::try_read(std::span<std::uint8_t> buffer) {
    return do_read(buffer, false);
}
IoResult Session::try_write(std::span<const std::uint8_t> data) {
    const std::span<const std::uint8_t> one[1] = {data};
    return do_write(one, false);
}

Error Session::close() {
    {
        std::lock_guard lock(mutex_);
        if (closed_) return Error::closed;
        core_->close(detail::now32());
        closed_ = true;
        flush_sends_locked();
    }
    loop_.post([keep = shared_from_this()] {
        keep->notify(Wake{false, false, true});
        keep->unregister();
    });
    return Error::none;
}

void Session::close_replaced() {
    {
        std::lock_guard lock(mutex_);
        if (!closed_) {
            core_->close(detail::now32());
            closed_ = true;
        }
    }
    notify(Wake{false, false, true});
    unregister();
}

void Session::unregister() {
    if (!self_) return;
    detail::flush_thread_sends();
    loop_.cancel(timer_);
    if (own_socket_.is_open()) {
        loop_.unwatch(fd_);
        std::lock_guard lock(mutex_);
        own_socket_.reset();
    }
    {
        auto& reg = detail::registry();
        std::lock_guard lock(reg.mutex);
        reg.retired += snmp();
        reg.live.erase(this);
    }
    if (shard_) shard_->session_closed(*this);
    auto last = std::move(self_);  // may be the last reference: `this` dies with it
}

bool Session::is_closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
}

void Session::set_deadline(Deadline when) {
    set_read_deadline(when);
    set_write_deadline(when);
}

void Session::set_read_deadline(Deadline when) {
    std::lock_guard lock(mutex_);
    read_deadline_ = when;
    readable_cv_.notify_all();
}

void Session::set_write_deadline(Deadline when) {
    std::lock_guard lock(mutex_);
    write_deadline_ = when;
    writable_cv_.notify_all();
}

bool Session::set_mtu(std::size_t mtu) {
    std::lock_guard lock(mutex_);
    return core_->set_mtu(mtu);
}

void Session::set_window_size(int snd, int rcv) {
    std::lock_guard lock(mutex_);
    core_->set_window_size(snd, rcv);
}

void Session::set_nodelay(int nodelay, int interval, int resend, int nc) {
    std::lock_guard lock(mutex_);
    core_->set_nodelay(nodelay, interval, resend, nc);
    sync_timer_locked();
}

void Session::set_stream_mode(bool on) {
    std::lock_guard lock(mutex_);
    core_->set_stream_mode(on);
}

void Session::set_write_delay(bool on) {
    std::lock_guard lock(mutex_);
    core_->set_write_delay(on);
}

void Session::set_ack_nodelay(bool on) {
    std::lock_guard lock(mutex_);
    core_->set_ack_nodelay(on);
}

void Session::set_dup(int dup) {
    std::lock_guard lock(mutex_);
    core_->set_dup(dup);
}

Error Session::set_dscp(int dscp) {
    std::lock_guard lock(mutex_);
    if (!own_socket_.is_open()) return Error::invalid_argument;
    return own_socket_.set_dscp(dscp) ? Error::none : Error::socket_error;
}

Error Session::set_read_buffer(int bytes) {
    std::lock_guard lock(mutex_);
    if (!own_socket_.is_open()) return Error::invalid_argument;
    return own_socket_.set_read_buffer(bytes) ? Error::none : Error::socket_error;
}

Error Session::set_write_buffer(int bytes) {
    std::lock_guard lock(mutex_);
    if (!own_socket_.is_open()) return Error::invalid_argument;
    return own_socket_.set_write_buffer(bytes) ? Error::none : Error::socket_error;
}

std::uint32_t Session::conv() const {
    std::lock_guard lock(mutex_);
    return core_->conv();
}
std::uint32_t Session::rto() const {
    std::lock_guard lock(mutex_);
    return core_->rto();
}
std::int32_t Session::srtt() const {
    std::lock_guard lock(mutex_);
    return core_->srtt();
}
std::int32_t Session::srttvar() const {
    std::lock_guard lock(mutex_);
    return core_->srttvar();
}

Address Session::local_address() const {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
    return Address(reinterpret_cast<sockaddr*>(&ss), len);
}

kcpgo::Snmp Session::snmp() const {
    std::lock_guard lock(mutex_);
    kcpgo::Snmp s = core_->snmp();
    s.InErrs += foreign_source_drops_;
    return s;
}

}  // namespace kcpkit::net
