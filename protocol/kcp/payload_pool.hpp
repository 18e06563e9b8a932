// Recycled payload buffers for KCP segments: a segment's bytes live in a buffer taken
// from this pool and given back when the segment is acknowledged or read, so a session
// in steady state allocates nothing per segment.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace kcpkit::kcp {

struct Payload {
    std::unique_ptr<std::uint8_t[]> bytes;
    std::uint32_t capacity = 0;
};

class PayloadPool {
  public:
    /// Buffers handed out are at least this large (the session's mss), so a stream-mode
    /// segment can grow in place.
    void set_min_capacity(std::uint32_t n) { min_capacity_ = n; }

    Payload acquire(std::uint32_t at_least) {
        if (!free_.empty()) {
            Payload p = std::move(free_.back());
            free_.pop_back();
            if (p.capacity >= at_least) return p;
        }
        const std::uint32_t cap = at_least > min_capacity_ ? at_least : min_capacity_;
        return Payload{std::make_unique_for_overwrite<std::uint8_t[]>(cap ? cap : 1), cap};
    }

    void release(Payload&& p) {
        if (p.bytes) free_.push_back(std::move(p));
    }

    std::size_t free_count() const { return free_.size(); }

  private:
    std::vector<Payload> free_;
    std::uint32_t min_capacity_ = 0;
};

}  // namespace kcpkit::kcp
