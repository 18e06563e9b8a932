#include <cerrno>

#include "kcpkit/net/entropy.hpp"
#include "kcpkit/net/listener_shard.hpp"
#include "kcpkit/net/session.hpp"
#include "kcpkit/net/session_detail.hpp"

namespace kcpkit::net {

namespace {
std::span<const std::uint8_t> key_bytes(const Address& a) {
    const std::string_view k = a.key();
    return {reinterpret_cast<const std::uint8_t*>(k.data()), k.size()};
}
}  // namespace

namespace detail {

ListenerShard::ListenerShard(EventLoop& loop, UdpSocket socket,
                             std::unique_ptr<kcpgo::ListenerDemux> demux,
                             std::shared_ptr<Listener::Shared> shared)
    : loop_(loop),
      socket_(std::move(socket)),
      demux_(std::move(demux)),
      shared_(std::move(shared)) {}

void ListenerShard::start() {
    self_ = shared_from_this();
    loop_.post([this, keep = self_] { loop_.watch(socket_.fd(), this); });
}

void ListenerShard::on_readable() {
    RecvBatch& batch = thread_recv_batch();
    for (int round = 0; round < 4; ++round) {
        const int n = batch.receive(socket_.fd());
        if (n <= 0) break;
        for (int i = 0; i < n; ++i) handle(batch.source(i), batch.data(i));
        publish_demux_counters();
        wake_all();
        if (static_cast<std::size_t>(n) < batch.count()) break;
    }
}

void ListenerShard::publish_demux_counters() {
    // The demux decides what a checksum error is; the process-wide table only adds it up.
    const std::uint64_t csum = demux_->counters().in_csum_errors;
    if (csum != published_csum_) {
        atomic_counters().listener_csum.fetch_add(csum - published_csum_,
                                                  std::memory_order_relaxed);
        published_csum_ = csum;
    }
}

void ListenerShard::note_wake(const std::shared_ptr<UdpSession>& s, const UdpSession::Wake& wake) {
    if (!wake.readable && !wake.writable) return;
    // Datagrams of one session usually arrive back to back: merge with the last entry.
    if (!woken_.empty() && woken_.back().first == s) {
        woken_.back().second.readable |= wake.readable;
        woken_.back().second.writable |= wake.writable;
        return;
    }
    woken_.emplace_back(s, wake);
}

void ListenerShard::wake_all() {
    for (auto& [session, wake] : woken_) session->notify(wake);
    woken_.clear();
}

void ListenerShard::handle(const Address& from, std::span<std::uint8_t> wire) {
    const auto key = key_bytes(from);
    const kcpgo::DemuxDecision d = demux_->route(key, wire);
    switch (d.action) {
        case kcpgo::DemuxAction::deliver: {
            const auto it = sessions_.find(d.token);
            if (it != sessions_.end())
                note_wake(it->second, it->second->deliver_decrypted(d.plain));
            return;
        }
        case kcpgo::DemuxAction::replace:
        case kcpgo::DemuxAction::close: {
            const auto it = sessions_.find(d.token);
            if (it != sessions_.end()) {
                auto old = it->second;  // keeps it alive through its own unregister
                old->replaced_ = true;
                old->close_replaced();
            }
            demux_->erase(key);
            if (d.action == kcpgo::DemuxAction::replace) create_session(from, d);
            return;
        }
        case kcpgo::DemuxAction::create:
            create_session(from, d);
            return;
        case kcpgo::DemuxAction::drop:
            atomic_counters().listener_dropped.fetch_add(1, std::memory_order_relaxed);
            return;
    }
}

void ListenerShard::create_session(const Address& from, const kcpgo::DemuxDecision& d) {
    std::function<void()> on_session;
    {
        std::lock_guard lock(shared_->mutex);
        if (shared_->closed) {
            atomic_counters().listener_dropped.fetch_add(1, std::memory_order_relaxed);
            return;
        }
    }
    kcpgo::SessionConfig config = shared_->options.session;
    config.conv = d.conv;
    config.passive = true;
    auto core = kcpgo::Session::create(config, now32(), thread_nonces());
    if (!core) {  // listen() checked the configuration; only allocation failure gets here
        atomic_counters().listener_dropped.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    auto s = std::make_shared<UdpSession>(UdpSession::Private{}, loop_, std::move(core).value(),
                                          socket_.fd(), from);
    s->shard_ = shared_from_this();
    s->token_ = next_token_++;
    demux_->insert(key_bytes(from), d.conv, s->token_);
    sessions_.emplace(s->token_, s);
    shared_->sessions.fetch_add(1, std::memory_order_relaxed);
    s->start();
    note_wake(s, s->deliver_decrypted(d.plain));
    {
        std::lock_guard lock(shared_->mutex);
        shared_->accept_queue.push_back(s);
        on_session = shared_->on_session;
    }
    shared_->accept_cv.notify_one();
    if (on_session) on_session();
}

void ListenerShard::session_closed(UdpSession& s) {
    if (!s.replaced_) demux_->erase(key_bytes(s.remote_));
    if (sessions_.erase(s.token_) != 0) shared_->sessions.fetch_sub(1, std::memory_order_relaxed);
    maybe_retire();
}

void ListenerShard::mark_accepted(UdpSession& s) {
    if (!s.replaced_ && sessions_.count(s.token_) != 0) demux_->accepted(key_bytes(s.remote_));
}

void ListenerShard::maybe_retire() {
    if (retired_ || !sessions_.empty()) return;
    {
        std::lock_guard lock(shared_->mutex);
        if (!shared_->closed) return;
    }
    retired_ = true;
    flush_thread_sends();
    loop_.unwatch(socket_.fd());
    socket_.reset();
    auto last = std::move(self_);
}

}  // namespace detail

// ----- Listener --------------------------------------------------------------------------

std::unique_ptr<Listener> Listener::listen(std::string_view local, const Options& options,
                                           std::string* error) {
    const auto address = Address::parse(local);
    if (!address) {
        if (error) *error = "cannot parse or resolve address '" + std::string(local) + "'";
        return nullptr;
    }
    // The configuration is checked once here, so sessions created later cannot fail on it;
    // the demuxes take the framing exactly as the core resolved it (profile included).
    frame::FrameConfig frame;
    {
        kcpgo::SessionConfig probe = options.session;
        probe.passive = true;
        const auto core = kcpgo::Session::create(probe, detail::now32(), thread_nonces());
        if (!core) {
            if (error) *error = detail::describe(core.error());
            return nullptr;
        }
        frame = (*core)->config().frame;
    }

    std::unique_ptr<Listener> l(new Listener());
    l->shared_ = std::make_shared<Shared>();
    l->shared_->options = options;
    LoopGroup& group = options.loops ? *options.loops : default_loop_group();
    Address bind_to = *address;
    for (std::size_t i = 0; i < group.size(); ++i) {
        UdpSocket socket = UdpSocket::bind(bind_to, true, error);
        if (!socket.is_open()) return nullptr;
        if (i == 0) {
            bind_to = socket.local_address();  // port 0: the others join the chosen port
            l->address_ = bind_to;
        }
        if (options.read_buffer > 0) socket.set_read_buffer(options.read_buffer);
        if (options.write_buffer > 0) socket.set_write_buffer(options.write_buffer);
        if (options.dscp >= 0) socket.set_dscp(options.dscp);
        auto demux = kcpgo::ListenerDemux::create(frame);
        if (!demux) {
            if (error) *error = std::string(name_of(demux.error()));
            return nullptr;
        }
        l->shards_.push_back(std::make_shared<detail::ListenerShard>(
            group.at(i), std::move(socket), std::move(demux).value(), l->shared_));
    }
    for (auto& shard : l->shards_) shard->start();
    return l;
}

Listener::~Listener() {
    close();
}

std::shared_ptr<UdpSession> Listener::accept(Error* error) {
    return accept_impl(true, error);
}

std::shared_ptr<UdpSession> Listener::try_accept(Error* error) {
    return accept_impl(false, error);
}

std::shared_ptr<UdpSession> Listener::accept_impl(bool block, Error* error) {
    std::unique_lock lock(shared_->mutex);
    for (;;) {
        if (shared_->closed) {
            if (error) *error = Error::closed;
            return nullptr;
        }
        while (!shared_->accept_queue.empty()) {
            auto s = std::move(shared_->accept_queue.front());
            shared_->accept_queue.pop_front();
            if (s->is_closed()) continue;  // replaced before anyone accepted it
            lock.unlock();
            auto* shard = s->shard_.get();
            shard->loop().post([shard, s] { shard->mark_accepted(*s); });
            if (error) *error = Error::none;
            return s;
        }
        if (!block) {
            if (error) *error = Error::would_block;
            return nullptr;
        }
        if (Clock::now() >= shared_->accept_deadline) {
            if (error) *error = Error::timeout;
            return nullptr;
        }
        if (shared_->accept_deadline == kNoDeadline) {
            shared_->accept_cv.wait(lock);
        } else {
            shared_->accept_cv.wait_until(lock, shared_->accept_deadline);
        }
    }
}

void Listener::set_accept_deadline(Deadline when) {
    std::lock_guard lock(shared_->mutex);
    shared_->accept_deadline = when;
    shared_->accept_cv.notify_all();
}

void Listener::set_accept_callback(std::function<void()> on_session) {
    std::lock_guard lock(shared_->mutex);
    shared_->on_session = std::move(on_session);
}

Error Listener::close() {
    std::deque<std::shared_ptr<UdpSession>> unaccepted;
    {
        std::lock_guard lock(shared_->mutex);
        if (shared_->closed) return Error::closed;
        shared_->closed = true;
        unaccepted.swap(shared_->accept_queue);
    }
    shared_->accept_cv.notify_all();
    for (auto& s : unaccepted) s->close();
    for (auto& shard : shards_) {
        shard->loop().post([shard] { shard->maybe_retire(); });
    }
    return Error::none;
}

Error Listener::set_read_buffer(int bytes) {
    for (auto& shard : shards_) {
        if (!shard->socket().set_read_buffer(bytes)) return Error::socket_error;
    }
    return Error::none;
}

Error Listener::set_write_buffer(int bytes) {
    for (auto& shard : shards_) {
        if (!shard->socket().set_write_buffer(bytes)) return Error::socket_error;
    }
    return Error::none;
}

Error Listener::set_dscp(int dscp) {
    for (auto& shard : shards_) {
        if (!shard->socket().set_dscp(dscp)) return Error::socket_error;
    }
    return Error::none;
}

std::size_t Listener::session_count() const {
    return shared_->sessions.load();
}

}  // namespace kcpkit::net
