// The send buffer (snd_buf): the segments in flight, with the bounds that let a flush skip
// an idle session in O(1).
//
// Rules (invariants; checked by invariants_hold(), asserted after every change in debug
// builds, never evaluated in release builds)
//  1. Contiguous sequence numbers: the segment at index i has sn == front().sn + i, so an
//     ACK finds its segment in O(1). Acknowledged segments stay as tombstones (live ==
//     false) until they reach the front; under AckedSegments::kept_until_una (kcp-go) they
//     stay until una passes them.
//  2. live_count() is the number of live segments; under AckedSegments::dropped the front
//     segment is live (or the buffer is empty).
//  3. fastack bound: every live segment whose fastack still counts (not kcp-go's sentinel)
//     has fastack <= fastack_bound().
//  4. Unsent flag: if has_unsent() is false, every live segment was transmitted (xmit > 0).
//  5. Earliest timer: if has_unsent() is false and earliest_resend_exact() is true,
//     earliest_resend() is the resendts of a live segment and no live segment's resendts
//     is earlier (wrap-aware).
//  The bounds (3-5) are exact after a scan (begin_scan, one scanned() per live segment in
//  order, end_scan) and only loosen in between: push() sets the unsent flag, removing the
//  segment that held the earliest timer clears exactness, raise_fastack() raises the bound.
//  The caller changes resendts only inside a scan, and fastack only through raise_fastack()
//  or by lowering it.
//
// Theory of operation
//  A flush pass over thousands of idle sessions must not visit their segments. A segment
//  is sent by the transmission loop for one of four reasons: first transmission, fast
//  retransmission (fastack at the threshold), early retransmission (any fastack, kcp-go)
//  and timeout (resendts reached). idle_until() rules each out from the bounds alone; when
//  it cannot, the caller scans, which makes the bounds exact again.
//
// Storage: a contiguous ring (protocol/base/ring_buffer.hpp); payloads go back to the
// session's PayloadPool when a segment is acknowledged, so nothing here allocates in the
// steady state.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kcpkit/base/ring_buffer.hpp"
#include "kcpkit/kcp/payload_pool.hpp"
#include "kcpkit/kcp/segment.hpp"

namespace kcpkit::kcp {

/// What happens to a segment acknowledged out of order (selective ACK).
enum class AckedSegments : std::uint8_t {
    dropped,         ///< it leaves once it reaches the front (C)
    kept_until_una,  ///< it stays, counted, until una passes it (kcp-go)
};

class SendBuffer {
  public:
    /// kcp-go marks a segment's fastack after a fast or early retransmission so that it
    /// counts no more skips until a timeout.
    static constexpr std::uint32_t kFastackSentinel = 0xFFFFFFFFu;

    SendBuffer(AckedSegments acked, bool fastack_sentinel)
        : acked_(acked), fastack_sentinel_(fastack_sentinel) {}

    // ----- contents -----------------------------------------------------------------

    bool empty() const { return ring_.empty(); }
    /// Slots, tombstones included.
    std::size_t size() const { return ring_.size(); }
    std::uint32_t live_count() const { return live_; }
    /// Segments as the profile counts them (kept acknowledged ones included).
    std::uint32_t count() const {
        return keeps_acked() ? static_cast<std::uint32_t>(ring_.size()) : live_;
    }
    bool keeps_acked() const { return acked_ == AckedSegments::kept_until_una; }
    /// Whether a segment's fastack counts skips (it is not the sentinel).
    bool fastack_counts(const Segment& seg) const {
        return !(fastack_sentinel_ && seg.fastack == kFastackSentinel);
    }

    const Segment& front() const { return ring_.front(); }
    /// Index i holds sn == front().sn + i. Write access is for the transmission scan and
    /// for lowering fastack; see the rules above.
    Segment& operator[](std::size_t i) { return ring_[i]; }
    const Segment& operator[](std::size_t i) const { return ring_[i]; }

    // ----- changes ------------------------------------------------------------------

    /// Appends the next segment (sn == front().sn + size()) as live and not yet sent.
    void push(Segment&& seg);

    /// Removes every segment with sn before `una`; their payloads go back to `pool`.
    /// Returns how many slots were removed (tombstones included).
    std::uint32_t remove_before(std::uint32_t una, PayloadPool& pool);

    /// Marks segment `sn` acknowledged if it is in the buffer and live; its payload goes
    /// back to `pool`.
    void acknowledge(std::uint32_t sn, PayloadPool& pool);

    /// One more later ACK skipped `seg` (a segment of this buffer).
    void raise_fastack(Segment& seg) {
        ++seg.fastack;
        if (seg.fastack > fastack_bound_) fastack_bound_ = seg.fastack;
    }

    // ----- the idle skip --------------------------------------------------------------

    /// True when the transmission loop provably sends nothing at `now` with fast-resend
    /// threshold `fast_threshold` (and early retransmission on or off); then `next_flush`
    /// is lowered to the earliest timer, as the loop would have done.
    bool idle_until(std::uint32_t now, std::uint32_t fast_threshold, bool early_retransmit,
                    std::uint32_t& next_flush) const;

    /// A transmission scan: begin_scan(), then scanned(seg) for every live segment after
    /// deciding (and perhaps sending) it, then end_scan(), which makes the bounds exact.
    void begin_scan() {
        fastack_bound_ = 0;
        scan_saw_live_ = false;
    }
    void scanned(const Segment& seg);
    void end_scan();

    bool has_unsent() const { return unsent_; }
    std::uint32_t fastack_bound() const { return fastack_bound_; }
    std::uint32_t earliest_resend() const { return earliest_resend_; }
    bool earliest_resend_exact() const { return earliest_resend_exact_; }

    /// Checks every rule above by visiting every segment (O(n); for tests and debug
    /// assertions).
    bool invariants_hold() const;

  private:
    void forget(Segment& seg, PayloadPool& pool);
    void drop_acked_front();
    void assert_invariants() const;

    // What an idle check reads comes first, so that it touches one cache line.
    bool unsent_ = false;
    bool earliest_resend_exact_ = false;
    bool scan_saw_live_ = false;
    AckedSegments acked_;
    std::uint32_t live_ = 0;
    std::uint32_t fastack_bound_ = 0;
    std::uint32_t earliest_resend_ = 0;
    bool fastack_sentinel_;
    RingBuffer<Segment> ring_;
};

}  // namespace kcpkit::kcp
