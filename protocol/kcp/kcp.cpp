#include "kcpkit/kcp/kcp.hpp"

#include <algorithm>
#include <climits>
#include <cstring>

namespace kcpkit::kcp {

namespace {

constexpr std::uint32_t kAskSend = 1;  // send WASK at the next flush
constexpr std::uint32_t kAskTell = 2;  // send WINS at the next flush
constexpr std::uint32_t kProbeLimit = 120000;
constexpr std::uint32_t kRtoMax = 60000;
constexpr std::uint32_t kRtoNoDelayMin = 30;
constexpr std::uint32_t kRtoNormalMin = 100;
constexpr std::uint32_t kThreshMin = 2;

/// The C original does its RTT math in 32-bit int and relies on it wrapping; this is
/// that wrap, without undefined behaviour.
constexpr std::int32_t wrap32(std::int64_t v) {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
}

constexpr std::uint32_t clamp_interval(int interval) {
    return static_cast<std::uint32_t>(std::clamp(interval, 10, 5000));
}

}  // namespace

Kcp::Kcp(std::uint32_t conv, const Profile& profile)
    : profile_(&profile),
      conv_(conv),
      rcv_wnd_(profile.default_rcv_wnd),
      rmt_wnd_(profile.default_rcv_wnd),
      snd_buf_(profile.selective_ack_keeps_segment ? AckedSegments::kept_until_una
                                                   : AckedSegments::dropped,
               profile.fastack_sentinel),
      out_(mtu_) {
    pool_.set_min_capacity(mss_);
}

// ----- application side -------------------------------------------------------------

int Kcp::send(std::span<const std::uint8_t> data) {
    if (data.size() > static_cast<std::size_t>(INT_MAX)) return rc::send_bad_length;
    const bool returns_bytes = profile_->send_result == SendResult::bytes;
    if (data.empty() && !returns_bytes) return rc::send_bad_length;
    const std::uint8_t* src = data.data();
    std::uint32_t len = static_cast<std::uint32_t>(data.size());
    std::uint32_t sent = 0;
    const auto result = [&] { return returns_bytes ? static_cast<int>(sent) : 0; };

    if (stream_) {
        // Top up the last unsent segment before cutting new ones.
        if (!snd_queue_.empty() && snd_queue_.back().len < mss_) {
            Segment& last = snd_queue_.back();
            const std::uint32_t extend = std::min(len, mss_ - last.len);
            if (last.payload.capacity < last.len + extend) {
                Payload bigger = pool_.acquire(last.len + extend);
                if (last.len) std::memcpy(bigger.bytes.get(), last.payload.bytes.get(), last.len);
                pool_.release(std::move(last.payload));
                last.payload = std::move(bigger);
            }
            if (extend) std::memcpy(last.payload.bytes.get() + last.len, src, extend);
            last.len += extend;
            last.frg = 0;
            src += extend;
            len -= extend;
            sent = extend;
        }
        if (len == 0) return result();
    }

    const std::uint32_t count =
        len <= mss_ ? 1 : static_cast<std::uint32_t>((std::uint64_t{len} + mss_ - 1) / mss_);
    if (count >= profile_->fragment_limit) {
        if (stream_ && sent > 0 && returns_bytes) return result();
        return rc::send_too_many_fragments;
    }
    for (std::uint32_t i = 0; i < count; ++i) {
        const std::uint32_t size = std::min(len, mss_);
        Segment seg;
        seg.payload = pool_.acquire(size);
        if (size) std::memcpy(seg.payload.bytes.get(), src, size);
        seg.len = size;
        seg.frg = stream_ ? 0 : static_cast<std::uint8_t>(count - i - 1);
        snd_queue_.push_back(std::move(seg));
        src += size;
        len -= size;
        sent += size;
    }
    return result();
}

int Kcp::peeksize() const {
    if (rcv_queue_.empty()) return -1;
    const Segment& first = rcv_queue_.front();
    if (first.frg == 0) return static_cast<int>(first.len);
    if (rcv_queue_.size() < std::size_t{first.frg} + 1) return -1;
    std::int64_t length = 0;
    for (std::size_t i = 0; i < rcv_queue_.size(); ++i) {
        length += rcv_queue_[i].len;
        if (rcv_queue_[i].frg == 0) break;
    }
    return static_cast<int>(length);
}

int Kcp::recv(std::span<std::uint8_t> buffer, bool peek) {
    const bool go_codes = profile_->recv_codes == RecvCodes::kcp_go;
    if (rcv_queue_.empty()) return rc::recv_empty;
    const int size = peeksize();
    if (size < 0) return go_codes ? rc::recv_go_none : rc::recv_incomplete;
    if (static_cast<std::size_t>(size) > buffer.size())
        return go_codes ? rc::recv_go_too_small : rc::recv_too_small;

    const bool window_was_full = rcv_queue_.size() >= rcv_wnd_;
    std::size_t copied = 0;
    for (std::size_t i = 0; !rcv_queue_.empty() && i < rcv_queue_.size();) {
        Segment& seg = rcv_queue_[i];
        if (seg.len) std::memcpy(buffer.data() + copied, seg.payload.bytes.get(), seg.len);
        copied += seg.len;
        const bool last = seg.frg == 0;
        if (peek) {
            ++i;
        } else {
            Segment done = rcv_queue_.pop_front();
            release(done, pool_);
        }
        if (last) break;
    }
    move_ready_to_rcv_queue();
    // Reading reopened a full window: tell the peer at the next flush.
    if (window_was_full && rcv_queue_.size() < rcv_wnd_) probe_ |= kAskTell;
    return static_cast<int>(copied);
}

// ----- network side -----------------------------------------------------------------

int Kcp::input(std::span<const std::uint8_t> datagram, std::uint32_t now, PacketType type,
               bool ack_nodelay) {
    const Profile& p = *profile_;
    const bool regular = type == PacketType::regular;
    const std::uint32_t prev_una = snd_una_;
    std::uint32_t maxack = 0, maxack_ts = 0;  // largest ACK (C's fast-ack counting)
    std::uint32_t last_ack_ts = 0;            // last ACK (kcp-go's RTT sample)
    bool saw_ack = false, una_removed = false, fastack_reached = false;

    if (datagram.size() < kHeaderSize) return rc::input_malformed;
    const std::uint8_t* ptr = datagram.data();
    std::size_t left = datagram.size();

    while (left >= kHeaderSize) {
        const SegmentHeader h = decode_header(ptr);
        if (h.conv != conv_) return rc::input_malformed;
        ptr += kHeaderSize;
        left -= kHeaderSize;
        if (left < h.len || static_cast<std::int32_t>(h.len) < 0) return rc::input_truncated;
        if (!is_known_command(h.cmd)) return rc::input_bad_command;

        if (regular || !p.window_from_regular_packets_only) rmt_wnd_ = h.wnd;
        if (snd_buf_.remove_before(h.una, pool_) > 0) una_removed = true;
        shrink_buf();

        switch (static_cast<Command>(h.cmd)) {
            case Command::ack:
                if (p.rtt_sampling == RttSampling::every_ack && wrap_diff(current_, h.ts) >= 0)
                    update_rtt(wrap_diff(current_, h.ts));
                parse_ack(h.sn);
                shrink_buf();
                if (p.fastack_counting == FastackCounting::every_ack) {
                    fastack_reached = parse_fastack(h.sn, h.ts) || fastack_reached;
                } else if (!saw_ack) {
                    maxack = h.sn;
                    maxack_ts = h.ts;
                } else if (wrap_diff(h.sn, maxack) > 0 &&
                           (!p.fastack_conserve || wrap_diff(h.ts, maxack_ts) > 0)) {
                    maxack = h.sn;
                    maxack_ts = h.ts;
                }
                saw_ack = true;
                last_ack_ts = h.ts;
                break;
            case Command::push: {
                bool stored = false;
                if (wrap_diff(h.sn, rcv_nxt_ + rcv_wnd_) < 0) {
                    acks_.emplace_back(h.sn, h.ts);  // duplicates are acknowledged too
                    if (wrap_diff(h.sn, rcv_nxt_) >= 0) stored = parse_data(h, ptr);
                }
                // kcp-go counts no repeats for FEC-rebuilt datagrams (they may re-deliver).
                if (!stored && regular) ++counters_.repeat_segs;
                break;
            }
            case Command::window_ask:
                probe_ |= kAskTell;
                break;
            case Command::window_tell:
                break;  // its wnd was taken above, like every segment's
        }
        ptr += h.len;
        left -= h.len;
    }

    if (saw_ack && p.fastack_counting == FastackCounting::max_ack_per_datagram)
        parse_fastack(maxack, maxack_ts);
    if (saw_ack && regular && p.rtt_sampling == RttSampling::last_ack_per_regular_input) {
        const std::uint32_t reading = clock_reading(now);
        if (wrap_diff(reading, last_ack_ts) >= 0) update_rtt(wrap_diff(reading, last_ack_ts));
    }

    // Congestion window growth, at most once per datagram and only if una advanced.
    const bool cwnd_on = !(p.cwnd_only_with_congestion_control && nocwnd_);
    if (cwnd_on && wrap_diff(snd_una_, prev_una) > 0 && cwnd_ < rmt_wnd_) {
        const std::uint32_t mss = mss_;
        if (cwnd_ < ssthresh_) {
            ++cwnd_;
            incr_ += mss;
        } else {
            if (incr_ < mss) incr_ = mss;
            incr_ += (mss * mss) / incr_ + (mss / 16);
            if ((cwnd_ + 1) * mss <= incr_) cwnd_ = (incr_ + mss - 1) / (mss > 0 ? mss : 1);
        }
        if (cwnd_ > rmt_wnd_) {
            cwnd_ = rmt_wnd_;
            incr_ = rmt_wnd_ * mss;
        }
    }

    // Flushes started by input itself (kcp-go; C leaves all output to the next flush).
    switch (p.input_flush) {
        case InputFlush::never:
            break;
        case InputFlush::una_or_nodelay:
            if (una_removed)
                flush_segments(FlushKind::full, now);
            else if (ack_nodelay && !acks_.empty())
                flush_segments(FlushKind::ack_only, now);
            break;
        case InputFlush::una_fastack_clocking_or_nodelay:
            if (una_removed || fastack_reached)
                flush_segments(FlushKind::full, now);
            else if (acks_.size() >= mtu_ / kHeaderSize || (ack_nodelay && !acks_.empty()))
                flush_segments(FlushKind::ack_only, now);
            break;
    }
    return rc::ok;
}

void Kcp::update_rtt(std::int32_t rtt) {
    if (rx_srtt_ == 0) {
        rx_srtt_ = rtt;
        rx_rttval_ = rtt / 2;  // rtt >= 0: the same as kcp-go's rtt >> 1
    } else if (profile_->rtt_estimator == RttEstimator::ikcp) {
        std::int64_t delta = wrap32(std::int64_t{rtt} - rx_srtt_);
        if (delta < 0) delta = -delta;
        rx_rttval_ = wrap32((wrap32(3 * std::int64_t{rx_rttval_}) + delta) / 4);
        rx_srtt_ = wrap32(7 * std::int64_t{rx_srtt_} + rtt) / 8;
        if (rx_srtt_ < 1) rx_srtt_ = 1;
    } else {
        // Go's >> on a negative int rounds towards minus infinity, as C++20's does.
        std::int32_t delta = wrap32(std::int64_t{rtt} - rx_srtt_);
        rx_srtt_ = wrap32(std::int64_t{rx_srtt_} + (delta >> 3));
        if (delta < 0) delta = wrap32(-std::int64_t{delta});
        const int shift = rtt < wrap32(std::int64_t{rx_srtt_} - rx_rttval_) ? 5 : 2;
        rx_rttval_ =
            wrap32(std::int64_t{rx_rttval_} + (wrap32(std::int64_t{delta} - rx_rttval_) >> shift));
    }
    const std::uint32_t rto =
        static_cast<std::uint32_t>(rx_srtt_) +
        std::max(interval_, static_cast<std::uint32_t>(wrap32(4 * std::int64_t{rx_rttval_})));
    rx_rto_ = static_cast<std::int32_t>(
        std::min(std::max(static_cast<std::uint32_t>(rx_minrto_), rto), kRtoMax));
}

void Kcp::shrink_buf() {
    snd_una_ = snd_buf_.empty() ? snd_nxt_ : snd_buf_.front().sn;
}

void Kcp::parse_ack(std::uint32_t sn) {
    if (wrap_diff(sn, snd_una_) < 0 || wrap_diff(sn, snd_nxt_) >= 0) return;
    snd_buf_.acknowledge(sn, pool_);
}

bool Kcp::parse_fastack(std::uint32_t sn, std::uint32_t ts) {
    const Profile& p = *profile_;
    if (wrap_diff(sn, snd_una_) < 0 || wrap_diff(sn, snd_nxt_) >= 0) return false;
    bool reached = false;
    for (std::size_t i = 0; i < snd_buf_.size(); ++i) {
        Segment& seg = snd_buf_[i];
        if (!seg.live && !snd_buf_.keeps_acked()) continue;
        if (wrap_diff(sn, seg.sn) < 0) break;
        if (seg.sn == sn || (p.fastack_conserve && wrap_diff(ts, seg.ts) < 0)) continue;
        if (!snd_buf_.fastack_counts(seg)) continue;
        snd_buf_.raise_fastack(seg);
        if (seg.fastack >= static_cast<std::uint32_t>(fastresend_)) reached = true;
    }
    return reached;
}

bool Kcp::parse_data(const SegmentHeader& h, const std::uint8_t* data) {
    if (wrap_diff(h.sn, rcv_nxt_ + rcv_wnd_) >= 0 || wrap_diff(h.sn, rcv_nxt_) < 0) return false;
    const std::uint32_t index = h.sn - rcv_nxt_;
    if (index >= rcv_buf_.size()) rcv_buf_.grow_to(std::size_t{index} + 1);
    Segment& slot = rcv_buf_[index];
    if (slot.live) return false;  // duplicate
    slot.payload = pool_.acquire(h.len);
    if (h.len) std::memcpy(slot.payload.bytes.get(), data, h.len);
    slot.len = h.len;
    slot.sn = h.sn;
    slot.ts = h.ts;
    slot.frg = h.frg;
    slot.live = true;
    ++rcv_buf_count_;
    move_ready_to_rcv_queue();
    return true;
}

void Kcp::move_ready_to_rcv_queue() {
    while (rcv_buf_count_ > 0 && rcv_buf_.front().live && rcv_queue_.size() < rcv_wnd_) {
        rcv_queue_.push_back(rcv_buf_.pop_front());
        --rcv_buf_count_;
        ++rcv_nxt_;
    }
    if (rcv_buf_count_ == 0) rcv_buf_.clear();  // only empty slots are left
}

// ----- timers -----------------------------------------------------------------------

void Kcp::update(std::uint32_t now) {
    current_ = now;
    if (!updated_) {
        updated_ = true;
        ts_flush_ = current_;
    }
    std::int32_t slap = wrap_diff(current_, ts_flush_);
    if (slap >= 10000 || slap < -10000) {  // the clock jumped: resynchronise
        ts_flush_ = current_;
        slap = 0;
    }
    if (slap >= 0) {
        ts_flush_ += interval_;
        if (wrap_diff(current_, ts_flush_) >= 0) ts_flush_ = current_ + interval_;
        flush_segments(FlushKind::full, current_);
    }
}

std::uint32_t Kcp::check(std::uint32_t now) const {
    if (!updated_) return now;
    std::uint32_t ts_flush = ts_flush_;
    if (wrap_diff(now, ts_flush) >= 10000 || wrap_diff(now, ts_flush) < -10000) ts_flush = now;
    if (wrap_diff(now, ts_flush) >= 0) return now;

    const std::int32_t tm_flush = wrap_diff(ts_flush, now);
    std::int32_t tm_packet = 0x7fffffff;
    for (std::size_t i = 0; i < snd_buf_.size(); ++i) {
        if (!snd_buf_[i].live && !snd_buf_.keeps_acked()) continue;
        const std::int32_t d = wrap_diff(snd_buf_[i].resendts, now);
        if (d <= 0) return now;
        tm_packet = std::min(tm_packet, d);
    }
    std::uint32_t minimal = static_cast<std::uint32_t>(std::min(tm_packet, tm_flush));
    if (minimal >= interval_) minimal = interval_;
    return now + minimal;
}

std::uint16_t Kcp::wnd_unused() const {
    const std::uint32_t queued = static_cast<std::uint32_t>(rcv_queue_.size());
    return static_cast<std::uint16_t>(queued < rcv_wnd_ ? rcv_wnd_ - queued : 0);
}

void Kcp::emit_pending() {
    if (out_len_ > 0 && output_fn_) output_fn_(output_context_, {out_.data(), out_len_});
    out_len_ = 0;
}

void Kcp::make_room(std::size_t need) {
    if (out_len_ + need > mtu_) {
        // kcp-go hands its buffer to the output even when it holds nothing yet.
        if (out_len_ == 0 && profile_->empty_datagram_before_oversized_segment && output_fn_)
            output_fn_(output_context_, {out_.data(), 0});
        emit_pending();
    }
    // A segment queued before the mtu shrank can exceed the new mtu; C sends it whole.
    if (out_len_ + need > out_.size()) out_.resize(out_len_ + need);
}

std::uint32_t Kcp::flush(std::uint32_t now) {
    return flush_segments(FlushKind::full, now);
}

std::uint32_t Kcp::flush_segments(FlushKind kind, std::uint32_t now) {
    const Profile& p = *profile_;
    if (p.flush_needs_update && !updated_) return interval_;
    out_len_ = 0;

    // One template for ACK, WASK and WINS: una and wnd are those at flush start, and the
    // probes carry the sn/ts of the last ACK written.
    SegmentHeader control{.conv = conv_,
                          .cmd = static_cast<std::uint8_t>(Command::ack),
                          .wnd = wnd_unused(),
                          .una = rcv_nxt_};
    const auto put_control = [&] {
        make_room(kHeaderSize);
        encode_header(out_.data() + out_len_, control);
        out_len_ += kHeaderSize;
    };

    for (std::size_t i = 0; i < acks_.size(); ++i) {
        const auto [sn, ts] = acks_[i];
        // The filter: una already covers it, so only the newest such ACK is written (kcp-go
        // still makes room for a skipped one; that changes no datagram).
        if (p.ack_filter && wrap_diff(sn, rcv_nxt_) < 0 && i + 1 != acks_.size()) {
            make_room(kHeaderSize);
            continue;
        }
        control.sn = sn;
        control.ts = ts;
        put_control();
    }
    acks_.clear();
    if (kind == FlushKind::ack_only && p.ack_only_flush == AckOnlyFlush::acks) {
        emit_pending();
        return interval_;
    }

    run_probe_timer(now);
    if (probe_ & kAskSend) {
        control.cmd = static_cast<std::uint8_t>(Command::window_ask);
        put_control();
    }
    if (probe_ & kAskTell) {
        control.cmd = static_cast<std::uint8_t>(Command::window_tell);
        put_control();
    }
    probe_ = 0;

    std::uint32_t cwnd = std::min(snd_wnd_, rmt_wnd_);
    if (!nocwnd_) cwnd = std::min(cwnd_, cwnd);
    const std::uint32_t moved = fill_snd_buf(cwnd);

    Transmitted sent{.next_flush = interval_};
    if (kind == FlushKind::full) sent = transmit(control.wnd, moved, now);
    emit_pending();
    react_to_congestion(sent, cwnd);
    return sent.next_flush;
}

void Kcp::run_probe_timer(std::uint32_t now) {
    if (rmt_wnd_ != 0) {
        ts_probe_ = 0;
        probe_wait_ = 0;
        return;
    }
    const std::uint32_t reading = clock_reading(now);
    if (probe_wait_ == 0) {
        probe_wait_ = profile_->probe_init;
        ts_probe_ = reading + probe_wait_;
    } else if (wrap_diff(reading, ts_probe_) >= 0) {
        if (probe_wait_ < profile_->probe_init) probe_wait_ = profile_->probe_init;
        probe_wait_ += probe_wait_ / 2;
        if (probe_wait_ > kProbeLimit) probe_wait_ = kProbeLimit;
        ts_probe_ = reading + probe_wait_;
        probe_ |= kAskSend;
    }
}

std::uint32_t Kcp::fill_snd_buf(std::uint32_t cwnd) {
    std::uint32_t moved = 0;
    while (wrap_diff(snd_nxt_, snd_una_ + cwnd) < 0 && !snd_queue_.empty()) {
        Segment seg = snd_queue_.pop_front();
        seg.sn = snd_nxt_++;
        if (profile_->stamp_on_move) {
            seg.ts = current_;
            seg.resendts = current_;
            seg.rto = static_cast<std::uint32_t>(rx_rto_);
            seg.fastack = 0;
            seg.xmit = 0;
        }
        snd_buf_.push(std::move(seg));
        ++moved;
    }
    return moved;
}

std::uint32_t Kcp::fast_resend_threshold() const {
    return fastresend_ > 0 ? static_cast<std::uint32_t>(fastresend_) : 0xffffffffu;
}

Kcp::Transmitted Kcp::transmit(std::uint16_t wnd, std::uint32_t moved, std::uint32_t call_now) {
    const Profile& p = *profile_;
    const std::uint32_t resent = fast_resend_threshold();
    const std::uint32_t rtomin =
        p.first_timeout_adds_eighth && nodelay_ == 0 ? static_cast<std::uint32_t>(rx_rto_ >> 3) : 0;
    const auto counting = [&](const Segment& seg) { return snd_buf_.fastack_counts(seg); };
    const auto fast_due = [&](const Segment& seg) {
        return seg.fastack >= resent && counting(seg) &&
               (!p.fastlimit || static_cast<std::int32_t>(seg.xmit) <= fastlimit_ ||
                fastlimit_ <= 0);
    };
    const auto early_due = [&](const Segment& seg) {
        return p.early_retransmit && moved == 0 && seg.fastack > 0 && counting(seg);
    };

    Transmitted sent{.next_flush = interval_};
    // kcp-go reads its clock here and again before each transmission; within one call
    // every reading is the call's time.
    const std::uint32_t now = clock_reading(call_now);
    if (snd_buf_.idle_until(now, fast_resend_threshold(), p.early_retransmit, sent.next_flush))
        return sent;
    // Fast and early retransmissions: no back-off.
    const auto quick_resend = [&](Segment& seg, std::uint64_t& counter) {
        seg.fastack = p.fastack_sentinel ? SendBuffer::kFastackSentinel : 0;
        if (p.fast_retransmit_resets_rto) seg.rto = static_cast<std::uint32_t>(rx_rto_);
        seg.resendts = now + seg.rto;
        sent.changed = true;
        ++counter;
    };

    snd_buf_.begin_scan();
    for (std::size_t i = 0; i < snd_buf_.size(); ++i) {
        Segment& seg = snd_buf_[i];
        if (!seg.live) continue;
        bool send_now = true;
        if (seg.xmit == 0) {  // first transmission
            seg.rto = static_cast<std::uint32_t>(rx_rto_);
            seg.resendts = now + seg.rto + rtomin;
        } else if (p.fast_retransmit_before_timeout && fast_due(seg)) {
            quick_resend(seg, counters_.fast_retrans_segs);
        } else if (early_due(seg)) {
            quick_resend(seg, counters_.early_retrans_segs);
        } else if (wrap_diff(now, seg.resendts) >= 0) {  // retransmission timeout
            ++xmit_;
            ++counters_.lost_segs;
            back_off(seg);
            seg.resendts = now + seg.rto;
            sent.lost = true;
        } else if (!p.fast_retransmit_before_timeout && fast_due(seg)) {
            quick_resend(seg, counters_.fast_retrans_segs);
        } else {
            send_now = false;
        }

        if (send_now) {
            ++seg.xmit;
            seg.ts = now;
            make_room(kHeaderSize + seg.len);
            encode_header(out_.data() + out_len_,
                          SegmentHeader{.conv = conv_,
                                        .cmd = static_cast<std::uint8_t>(Command::push),
                                        .frg = seg.frg,
                                        .wnd = wnd,
                                        .ts = seg.ts,
                                        .sn = seg.sn,
                                        .una = rcv_nxt_,
                                        .len = seg.len});
            out_len_ += kHeaderSize;
            if (seg.len) std::memcpy(out_.data() + out_len_, seg.payload.bytes.get(), seg.len);
            out_len_ += seg.len;
            if (seg.xmit >= dead_link_) state_ = 0xFFFFFFFFu;
        }
        const std::int32_t wait = wrap_diff(seg.resendts, now);
        if (wait > 0 && static_cast<std::uint32_t>(wait) < sent.next_flush)
            sent.next_flush = static_cast<std::uint32_t>(wait);
        snd_buf_.scanned(seg);
    }
    snd_buf_.end_scan();
    return sent;
}

void Kcp::back_off(Segment& seg) const {
    const auto rx_rto = static_cast<std::uint32_t>(rx_rto_);
    if (profile_->rto_backoff == RtoBackoff::rx_rto_steps) {
        seg.rto += nodelay_ == 0 ? rx_rto : rx_rto / 2;
    } else if (nodelay_ == 0) {
        seg.rto += std::max(seg.rto, rx_rto);
    } else {
        const std::int32_t step = nodelay_ < 2 ? static_cast<std::int32_t>(seg.rto) : rx_rto_;
        seg.rto += static_cast<std::uint32_t>(step / 2);
    }
    if (profile_->timeout_clears_fastack) seg.fastack = 0;
}

void Kcp::react_to_congestion(const Transmitted& sent, std::uint32_t cwnd) {
    if (profile_->cwnd_only_with_congestion_control && nocwnd_) return;
    if (sent.changed) {
        ssthresh_ = std::max((snd_nxt_ - snd_una_) / 2, kThreshMin);
        cwnd_ = ssthresh_ + fast_resend_threshold();
        incr_ = cwnd_ * mss_;
    }
    if (sent.lost) {
        ssthresh_ = std::max(cwnd / 2, kThreshMin);
        cwnd_ = 1;
        incr_ = mss_;
    }
    if (cwnd_ < 1) {
        cwnd_ = 1;
        incr_ = mss_;
    }
}

// ----- configuration ----------------------------------------------------------------

int Kcp::nodelay(int nodelay, int interval, int resend, int nc) {
    if (nodelay >= 0) {
        nodelay_ = static_cast<std::uint32_t>(nodelay);
        rx_minrto_ = static_cast<std::int32_t>(nodelay ? kRtoNoDelayMin : kRtoNormalMin);
    }
    if (interval >= 0) interval_ = clamp_interval(interval);
    if (resend >= 0) fastresend_ = resend;
    if (nc >= 0) nocwnd_ = nc != 0;
    return rc::ok;
}

int Kcp::wndsize(int snd, int rcv) {
    if (snd > 0) snd_wnd_ = static_cast<std::uint32_t>(snd);
    if (rcv > 0) rcv_wnd_ = std::max(static_cast<std::uint32_t>(rcv), profile_->min_rcv_wnd);
    return rc::ok;
}

int Kcp::setmtu(int mtu) {
    if (mtu < static_cast<int>(profile_->min_mtu) || mtu < static_cast<int>(kHeaderSize))
        return rc::setmtu_invalid;
    if (static_cast<std::uint32_t>(mtu) > kMaxMtu) return rc::setmtu_too_large;
    mtu_ = static_cast<std::uint32_t>(mtu);
    mss_ = mtu_ - static_cast<std::uint32_t>(kHeaderSize);
    out_.assign(mtu_, 0);
    pool_.set_min_capacity(mss_);
    return rc::ok;
}

int Kcp::set_interval(int interval) {
    interval_ = clamp_interval(interval);
    return rc::ok;
}

KcpState Kcp::state() const {
    return KcpState{
        .snd_una = snd_una_,
        .snd_nxt = snd_nxt_,
        .rcv_nxt = rcv_nxt_,
        .cwnd = cwnd_,
        .ssthresh = ssthresh_,
        .rx_srtt = rx_srtt_,
        .rx_rttval = rx_rttval_,
        .rx_rto = rx_rto_,
        .rmt_wnd = rmt_wnd_,
        .probe = probe_,
        .state = state_,
        .incr = incr_,
        .nsnd_buf = snd_buf_count(),
        .nrcv_buf = rcv_buf_count_,
        .nsnd_que = static_cast<std::uint32_t>(snd_queue_.size()),
        .nrcv_que = static_cast<std::uint32_t>(rcv_queue_.size()),
        .xmit = xmit_,
    };
}

}  // namespace kcpkit::kcp
