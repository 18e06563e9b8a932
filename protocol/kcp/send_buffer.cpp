#include "kcpkit/kcp/send_buffer.hpp"

#include <cassert>
#include <utility>

namespace kcpkit::kcp {

void SendBuffer::push(Segment&& seg) {
    seg.live = true;
    ring_.push_back(std::move(seg));
    ++live_;
    unsent_ = true;
    assert_invariants();
}

std::uint32_t SendBuffer::remove_before(std::uint32_t una, PayloadPool& pool) {
    std::uint32_t removed = 0;
    while (!ring_.empty() && wrap_diff(una, ring_.front().sn) > 0) {
        Segment done = ring_.pop_front();
        if (done.live) {
            forget(done, pool);
            --live_;
        }
        ++removed;
        drop_acked_front();
    }
    assert_invariants();
    return removed;
}

void SendBuffer::acknowledge(std::uint32_t sn, PayloadPool& pool) {
    if (ring_.empty()) return;
    const std::uint32_t index = sn - ring_.front().sn;
    if (index >= ring_.size() || !ring_[index].live) return;
    forget(ring_[index], pool);
    --live_;
    drop_acked_front();
    assert_invariants();
}

void SendBuffer::forget(Segment& seg, PayloadPool& pool) {
    if (seg.resendts == earliest_resend_) earliest_resend_exact_ = false;
    release(seg, pool);
}

void SendBuffer::drop_acked_front() {
    if (keeps_acked()) return;  // they wait for una
    while (!ring_.empty() && !ring_.front().live) ring_.pop_front();
}

bool SendBuffer::idle_until(std::uint32_t now, std::uint32_t fast_threshold, bool early_retransmit,
                            std::uint32_t& next_flush) const {
    // Each transmission reason, ruled out without visiting a segment: first sends (none
    // unsent), fast and early retransmits (no fastack high enough), timeouts (the earliest
    // resendts, known exactly, is still ahead).
    if (unsent_ || !earliest_resend_exact_ || live_ == 0) return false;
    if (fastack_bound_ >= fast_threshold) return false;
    if (early_retransmit && fastack_bound_ > 0) return false;
    const std::int32_t wait = wrap_diff(earliest_resend_, now);
    if (wait <= 0) return false;
    if (static_cast<std::uint32_t>(wait) < next_flush)
        next_flush = static_cast<std::uint32_t>(wait);
    return true;
}

void SendBuffer::scanned(const Segment& seg) {
    if (!scan_saw_live_ || wrap_diff(seg.resendts, earliest_resend_) < 0)
        earliest_resend_ = seg.resendts;
    scan_saw_live_ = true;
    if (fastack_counts(seg) && seg.fastack > fastack_bound_) fastack_bound_ = seg.fastack;
}

void SendBuffer::end_scan() {
    // Every live segment has been sent now, and the bounds are exact again.
    unsent_ = false;
    earliest_resend_exact_ = scan_saw_live_;
    assert_invariants();
}

bool SendBuffer::invariants_hold() const {
    std::uint32_t live = 0;
    bool earliest_seen = false;
    for (std::size_t i = 0; i < ring_.size(); ++i) {
        const Segment& seg = ring_[i];
        if (seg.sn != ring_.front().sn + static_cast<std::uint32_t>(i)) return false;  // 1
        if (!seg.live) continue;
        ++live;
        if (fastack_counts(seg) && seg.fastack > fastack_bound_) return false;  // 3
        if (unsent_) continue;
        if (seg.xmit == 0) return false;  // 4
        if (earliest_resend_exact_) {     // 5
            if (wrap_diff(seg.resendts, earliest_resend_) < 0) return false;
            if (seg.resendts == earliest_resend_) earliest_seen = true;
        }
    }
    if (live != live_) return false;                                            // 2
    if (!keeps_acked() && !ring_.empty() && !ring_.front().live) return false;  // 2
    return unsent_ || !earliest_resend_exact_ || earliest_seen;                 // 5
}

void SendBuffer::assert_invariants() const {
    assert(invariants_hold());
}

}  // namespace kcpkit::kcp
