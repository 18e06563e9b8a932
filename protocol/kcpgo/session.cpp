#include "kcpkit/kcpgo/session.hpp"

#include <algorithm>
#include <cstring>

#include "kcpkit/base/byte_order.hpp"

namespace kcpkit::kcpgo {

namespace {

constexpr std::size_t kSlot = frame::kMaxDatagram;
constexpr std::size_t kFirstSlots = 8;

const kcp::Profile& kcp_profile_for(const SessionConfig& config) {
    if (config.ikcp_profile) return *config.ikcp_profile;
    return *config.release.kcp;
}

bool before(std::uint32_t a, std::uint32_t b) {
    return static_cast<std::int32_t>(a - b) < 0;
}

}  // namespace

std::uint32_t random_conv(RandomSource& random) {
    // kcp-go reads 4 bytes from crypto/rand as a little-endian u32: any u32 is as likely.
    return random.next_u32();
}

std::unique_ptr<Session> Session::create(const SessionConfig& config, std::uint32_t now_ms,
                                         crypt::NonceSource& nonces, CreateError* why) {
    CreateError error;
    auto fail = [&]() -> std::unique_ptr<Session> {
        if (why) *why = error;
        return nullptr;
    };
    if (config.snd_wnd < 1 || config.rcv_wnd < 1) {
        error.bad_window = true;
        return fail();
    }
    frame::FrameConfig fc = config.frame;
    fc.behaviour = config.release.frame;
    auto framer = frame::Framer::create(fc, &error.frame);
    if (!framer) return fail();
    const std::optional<std::size_t> kcp_mtu = framer->kcp_mtu_for(config.mtu);
    if (!kcp_mtu) {
        error.bad_mtu = true;
        return fail();
    }
    std::unique_ptr<Session> s(new Session(config, std::move(framer), nonces, now_ms));
    s->config_.frame.behaviour = config.release.frame;
    s->kcp_.setmtu(static_cast<int>(*kcp_mtu));
    s->kcp_.wndsize(config.snd_wnd, config.rcv_wnd);
    s->kcp_.nodelay(config.nodelay, config.interval, config.resend, config.nc);
    s->kcp_.set_stream(config.stream);
    s->set_dup(config.dup);
    // A C program calls ikcp_update once when it creates the kcp; kcp-go's first update
    // comes at the first deadline (now_ms).
    if (s->c_semantics()) s->kcp_.update(now_ms);
    if (why) *why = error;
    return s;
}

Session::Session(const SessionConfig& config, std::unique_ptr<frame::Framer> framer,
                 crypt::NonceSource& nonces, std::uint32_t now_ms)
    : config_(config),
      framer_(std::move(framer)),
      nonces_(&nonces),
      kcp_(config.conv, kcp_profile_for(config)),
      now_(now_ms),
      deadline_(now_ms) {
    kcp_.set_output(
        [](void* self, std::span<const std::uint8_t> d) {
            static_cast<Session*>(self)->on_kcp_output(d);
        },
        this);
}

Session::~Session() = default;

// ----- output ----------------------------------------------------------------------------

void Session::on_kcp_output(std::span<const std::uint8_t> datagram) {
    count_segments(datagram, true);
    const frame::SealResult sealed = framer_->seal(datagram, now_, *nonces_, config_.dup);
    for (const frame::WireDatagram& d : sealed.datagrams) emit(d);
}

void Session::emit(std::span<const std::uint8_t> datagram) {
    if (sink_fn_) {
        sink_fn_(sink_context_, datagram);
        return;
    }
    std::size_t capacity = tx_lengths_.size();
    if (tx_count_ == capacity) {
        if (capacity >= config_.transmit_queue_limit) {
            ++tx_drops_;
            return;
        }
        // Grow (and straighten the ring); this stops once the queue reached its peak.
        const std::size_t grown =
            std::min(std::max(kFirstSlots, capacity * 2), config_.transmit_queue_limit);
        std::vector<std::uint8_t> slots(grown * kSlot);
        std::vector<std::uint16_t> lengths(grown);
        for (std::size_t i = 0; i < tx_count_; ++i) {
            const std::size_t from = (tx_head_ + i) % capacity;
            std::memcpy(slots.data() + i * kSlot, tx_slots_.data() + from * kSlot,
                        tx_lengths_[from]);
            lengths[i] = tx_lengths_[from];
        }
        tx_slots_ = std::move(slots);
        tx_lengths_ = std::move(lengths);
        tx_head_ = 0;
        capacity = grown;
    }
    const std::size_t at = (tx_head_ + tx_count_) % capacity;
    std::memcpy(tx_slots_.data() + at * kSlot, datagram.data(), datagram.size());
    tx_lengths_[at] = static_cast<std::uint16_t>(datagram.size());
    ++tx_count_;
}

int Session::poll_transmit(std::span<std::uint8_t> buffer) {
    run_owed_flush();
    if (tx_count_ == 0) return 0;
    const std::size_t length = tx_lengths_[tx_head_];
    if (buffer.size() < length) return rc::buffer_too_small;
    std::memcpy(buffer.data(), tx_slots_.data() + tx_head_ * kSlot, length);
    tx_head_ = (tx_head_ + 1) % tx_lengths_.size();
    --tx_count_;
    return static_cast<int>(length);
}

void Session::set_transmit_sink(TransmitFn fn, void* context) {
    sink_fn_ = fn;
    sink_context_ = context;
}

void Session::set_oob_handler(OobFn fn, void* context) {
    oob_fn_ = fn;
    oob_context_ = context;
}

void Session::count_segments(std::span<const std::uint8_t> d, bool outgoing) {
    std::size_t at = 0;
    while (at + frame::kKcpOverhead <= d.size()) {
        const std::uint32_t len = load_le32(d.data() + at + 20);
        if (outgoing)
            ++out_segs_;
        else
            ++in_segs_;
        if (len > d.size() - at - frame::kKcpOverhead) break;
        at += frame::kKcpOverhead + len;
    }
}

void Session::flush_now() {
    flush_owed_ = false;
    const std::uint32_t delay = kcp_.flush(now_);
    if (before(now_ + delay, deadline_)) deadline_ = now_ + delay;
}

void Session::run_owed_flush() {
    if (flush_owed_ && !closed_) flush_now();
}

// ----- network side ----------------------------------------------------------------------

DatagramResult Session::handle_datagram(std::span<std::uint8_t> wire, std::uint32_t now_ms) {
    if (closed_) {
        DatagramResult r;
        r.closed = true;
        return r;
    }
    latch(now_ms);
    return deliver(framer_->open(wire, now_ms));
}

DatagramResult Session::handle_decrypted(std::span<const std::uint8_t> plain,
                                         std::uint32_t now_ms) {
    if (closed_) {
        DatagramResult r;
        r.closed = true;
        return r;
    }
    latch(now_ms);
    return deliver(framer_->open_decrypted(plain, now_ms));
}

DatagramResult Session::deliver(const frame::OpenResult& opened) {
    DatagramResult r;
    r.status = opened.status;
    r.kind = opened.kind;
    if (opened.kind == fec::PacketKind::oob && oob_fn_) oob_fn_(oob_context_, opened.oob_payload);
    for (const fec::Delivery& d : opened.deliveries) {
        count_segments(d.kcp, false);
        if (c_semantics()) kcp_.update(now_);  // C's RTT samples use the last update's clock
        const int ret = kcp_.input(
            d.kcp, now_, d.recovered ? kcp::PacketType::fec_recovered : kcp::PacketType::regular,
            config_.ack_nodelay);
        ++r.kcp_inputs;
        if (ret != kcp::rc::ok) {
            ++r.kcp_errors;
            ++kcp_in_errors_;
        }
    }
    if (c_semantics() && config_.ack_nodelay) flush_owed_ = true;
    r.readable = readable_bytes() > 0;
    r.writable = writable();
    return r;
}

// ----- application side ------------------------------------------------------------------

bool Session::writable() const {
    if (closed_) return false;
    const int waitsnd = kcp_.waitsnd();
    // C: ikcp_send never refuses for a full window; the session stops a sender at two.
    if (c_semantics()) return waitsnd < 2 * static_cast<int>(kcp_.snd_wnd());
    if (waitsnd >= static_cast<int>(kcp_.snd_wnd())) return false;
    if (config_.release.writable_waits_for_peer_window &&
        waitsnd >= static_cast<int>(kcp_.state().rmt_wnd))
        return false;
    return true;
}

int Session::write(std::span<const std::uint8_t> data, std::uint32_t now_ms) {
    const std::span<const std::uint8_t> one[] = {data};
    return write_buffers(one, now_ms);
}

int Session::write_buffers(std::span<const std::span<const std::uint8_t>> buffers,
                           std::uint32_t now_ms) {
    if (closed_) return rc::closed;
    latch(now_ms);
    if (!writable()) return rc::would_block;
    std::size_t total = 0;
    if (config_.fragment_messages || c_semantics()) {
        // C semantics: one message per buffer; check them all first so a refusal queues none.
        const std::size_t limit = std::size_t{kcp_.mss()} * (kcp_.profile().fragment_limit - 1);
        for (auto b : buffers)
            if (b.size() > limit) return rc::too_many_fragments;
        for (auto b : buffers) {
            if (!b.empty()) kcp_.send(b);
            total += b.size();
        }
    } else {
        const std::size_t mss = kcp_.mss();
        for (auto b : buffers) {
            total += b.size();
            while (!b.empty()) {
                const std::size_t n = std::min(b.size(), mss);
                kcp_.send(b.first(n));
                b = b.subspan(n);
            }
        }
    }
    bytes_sent_ += total;
    if (c_semantics()) {
        if (!config_.write_delay) flush_owed_ = true;
    } else if (kcp_.waitsnd() >= static_cast<int>(kcp_.snd_wnd()) || !config_.write_delay) {
        flush_now();
    }
    return static_cast<int>(total);
}

int Session::drain_partial(std::span<std::uint8_t> buffer) {
    const std::size_t n = std::min(buffer.size(), partial_length_ - partial_offset_);
    std::memcpy(buffer.data(), partial_.data() + partial_offset_, n);
    partial_offset_ += n;
    if (partial_offset_ == partial_length_) partial_offset_ = partial_length_ = 0;
    bytes_received_ += n;
    return static_cast<int>(n);
}

int Session::read(std::span<std::uint8_t> buffer, std::uint32_t now_ms) {
    if (closed_) return rc::closed;
    latch(now_ms);
    if (buffer.empty()) return 0;
    if (partial_length_ > 0) return drain_partial(buffer);
    for (;;) {
        const int size = kcp_.peeksize();
        if (size < 0) return rc::would_block;
        const bool was_full = kcp_.state().nrcv_que >= kcp_.rcv_wnd();
        int n = 0;
        if (static_cast<std::size_t>(size) <= buffer.size()) {
            n = kcp_.recv(buffer);
            bytes_received_ += static_cast<std::size_t>(n);
        } else {
            if (partial_.size() < static_cast<std::size_t>(size)) partial_.resize(size);
            partial_length_ = static_cast<std::size_t>(kcp_.recv(partial_));
            partial_offset_ = 0;
        }
        if (config_.window_update_on_read && !c_semantics() && was_full &&
            kcp_.state().nrcv_que < kcp_.rcv_wnd()) {
            // The peer saw a zero window; tell it now (the WINS recv() asked for).
            ++window_updates_;
            flush_now();
        }
        if (partial_length_ > 0) return drain_partial(buffer);
        if (n > 0) return n;
        ++empty_messages_;  // a zero-length message: consumed, look for the next one
    }
}

std::size_t Session::oob_max_size() const {
    if (c_semantics() || !framer_->fec_enabled() || !config_.release.frame.fec.oob) return 0;
    return kcp_.mtu() - 4;
}

int Session::send_oob(std::span<const std::uint8_t> payload, std::uint32_t now_ms) {
    if (closed_) return rc::closed;
    const std::size_t limit = oob_max_size();
    if (limit == 0) return rc::unsupported;
    if (payload.size() > limit) return rc::bad_argument;
    latch(now_ms);
    const frame::SealResult sealed = framer_->seal_oob(kcp_.conv(), payload, *nonces_, config_.dup);
    for (const frame::WireDatagram& d : sealed.datagrams) emit(d);
    return sealed.status == frame::SealResult::Status::ok ? rc::ok : rc::bad_argument;
}

std::size_t Session::readable_bytes() const {
    if (partial_length_ > 0) return partial_length_ - partial_offset_;
    const int size = kcp_.peeksize();
    return size > 0 ? static_cast<std::size_t>(size) : 0;
}

// ----- timers ----------------------------------------------------------------------------

std::uint32_t Session::next_deadline() const {
    if (!c_semantics() || closed_) return deadline_;
    if (flush_owed_ && sink_fn_) return now_;
    return kcp_.check(now_);
}

bool Session::handle_timeout(std::uint32_t now_ms) {
    if (closed_) return false;
    if (c_semantics()) {
        // ikcp_update at any time, as a C timer calls it: it latches the clock and flushes
        // only when an interval has passed.
        const bool due = !before(now_ms, next_deadline());
        latch(now_ms);
        kcp_.update(now_ms);
        run_owed_flush();
        return due;
    }
    if (before(now_ms, deadline_)) return false;
    latch(now_ms);
    deadline_ = now_ms + kcp_.flush(now_ms);
    return true;
}

int Session::close(std::uint32_t now_ms) {
    if (closed_) return rc::closed;
    latch(now_ms);
    flush_now();
    closed_ = true;
    return rc::ok;
}

// ----- settings --------------------------------------------------------------------------

bool Session::set_mtu(std::size_t mtu) {
    const std::optional<std::size_t> kcp_mtu = framer_->kcp_mtu_for(mtu);
    if (!kcp_mtu || kcp_.setmtu(static_cast<int>(*kcp_mtu)) != kcp::rc::ok) return false;
    config_.mtu = mtu;
    return true;
}

void Session::set_window_size(int snd, int rcv) {
    kcp_.wndsize(snd, rcv);
    if (snd > 0) config_.snd_wnd = snd;
    if (rcv > 0) config_.rcv_wnd = rcv;
}

void Session::set_nodelay(int nodelay, int interval, int resend, int nc) {
    kcp_.nodelay(nodelay, interval, resend, nc);
}

void Session::set_stream_mode(bool on) {
    config_.stream = on;
    kcp_.set_stream(on);
}

// ----- introspection ---------------------------------------------------------------------

std::uint32_t Session::rto() const {
    return static_cast<std::uint32_t>(kcp_.state().rx_rto);
}
std::int32_t Session::srtt() const {
    return kcp_.state().rx_srtt;
}
std::int32_t Session::srttvar() const {
    return kcp_.state().rx_rttval;
}

kcpgo::Snmp Session::snmp() const {
    kcpgo::Snmp s;
    const fec::FecCounters fc = framer_->fec_counters();
    const kcp::KcpState st = kcp_.state();
    s.BytesSent = bytes_sent_;
    s.BytesReceived = bytes_received_;
    s.MaxConn = 1;
    s.ActiveOpens = config_.passive ? 0 : 1;
    s.PassiveOpens = config_.passive ? 1 : 0;
    s.CurrEstab = closed_ ? 0 : 1;
    s.KCPInErrors = kcp_in_errors_;
    s.InSegs = in_segs_;
    s.OutSegs = out_segs_;
    s.RingBufferSndQueue = st.nsnd_que;
    s.RingBufferRcvQueue = st.nrcv_que;
    s.RingBufferSndBuffer = st.nsnd_buf;
    add_layer_counters(s, {&fc, &framer_->counters(), &kcp_.counters()});
    return s;
}

}  // namespace kcpkit::kcpgo
