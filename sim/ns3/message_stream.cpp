#include "kcpkit/ns3/message_stream.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

#include "kcpkit/base/byte_order.hpp"
#include "kcpkit/ns3/splitmix64.hpp"

namespace kcpkit::sim {
namespace {

// Message fields are little-endian, like every integer KCP puts on the wire.
void put_u64(std::uint8_t* p, std::uint64_t v) {
    store_le32(p, static_cast<std::uint32_t>(v));
    store_le32(p + 4, static_cast<std::uint32_t>(v >> 32));
}
std::uint64_t get_u64(const std::uint8_t* p) {
    return std::uint64_t{load_le32(p)} | (std::uint64_t{load_le32(p + 4)} << 32);
}

}  // namespace

std::uint64_t content_word(std::uint64_t seed, std::uint32_t seq, std::uint64_t word) {
    return splitmix64_mix(seed * kSplitMix64Gamma + (std::uint64_t{seq} << 40) + word);
}

void append_message(std::vector<std::uint8_t>& out, std::uint64_t seed, std::uint32_t seq,
                    std::uint64_t sent_ns, std::uint32_t size) {
    size = std::max(size, kMessageHeaderSize);
    const std::size_t at = out.size();
    out.resize(at + size);
    std::uint8_t* p = out.data() + at;
    store_le32(p, size);
    store_le32(p + 4, seq);
    put_u64(p + 8, sent_ns);
    std::uint8_t* payload = p + kMessageHeaderSize;
    const std::size_t n = size - kMessageHeaderSize;
    std::size_t j = 0;
    for (; j + 8 <= n; j += 8) put_u64(payload + j, content_word(seed, seq, j / 8));
    if (j < n) {
        std::uint8_t tail[8];
        put_u64(tail, content_word(seed, seq, j / 8));
        std::memcpy(payload + j, tail, n - j);
    }
}

MessageHeader read_header(const std::uint8_t* bytes) {
    return MessageHeader{load_le32(bytes), load_le32(bytes + 4), get_u64(bytes + 8)};
}

MessageReader::MessageReader(std::uint64_t seed, std::uint32_t max_size)
    : seed_(seed), max_size_(std::max(max_size, kMessageHeaderSize)) {}

bool MessageReader::verify(const std::uint8_t* msg, const MessageHeader& h) {
    const std::uint8_t* payload = msg + kMessageHeaderSize;
    const std::size_t n = h.size - kMessageHeaderSize;
    std::uint64_t d = digest_;
    for (std::size_t j = 0; j < n; j += 8) {
        const std::size_t len = std::min<std::size_t>(8, n - j);
        std::uint8_t want[8];
        put_u64(want, content_word(seed_, h.seq, j / 8));
        if (std::memcmp(payload + j, want, len) != 0) {
            std::size_t k = 0;
            while (payload[j + k] == want[k]) ++k;
            std::ostringstream os;
            os << "message " << h.seq << " (" << h.size << " bytes): payload byte " << j + k
               << " differs from the seeded stream (stream offset "
               << bytes_ + kMessageHeaderSize + j + k << ")";
            error_ = os.str();
            return false;
        }
        std::uint64_t got = 0;
        std::memcpy(&got, payload + j, len);
        d = (d ^ got) * 0x100000001b3ull;
    }
    digest_ = (d ^ h.size ^ (std::uint64_t{h.seq} << 32)) * 0x100000001b3ull;
    return true;
}

bool MessageReader::feed(std::span<const std::uint8_t> bytes, OnMessage on_message) {
    if (!ok()) return false;
    buf_.insert(buf_.end(), bytes.begin(), bytes.end());
    while (buf_.size() - start_ >= kMessageHeaderSize) {
        const std::uint8_t* msg = buf_.data() + start_;
        const MessageHeader h = read_header(msg);
        if (h.size < kMessageHeaderSize || h.size > max_size_) {
            std::ostringstream os;
            os << "message " << next_seq_ << ": bad size " << h.size << " at stream offset "
               << bytes_;
            error_ = os.str();
            return false;
        }
        if (h.seq != next_seq_) {
            std::ostringstream os;
            os << "message out of sequence: got seq " << h.seq << ", expected " << next_seq_
               << " at stream offset " << bytes_;
            error_ = os.str();
            return false;
        }
        if (buf_.size() - start_ < h.size) break;
        if (!verify(msg, h)) return false;
        bytes_ += h.size;
        ++next_seq_;
        on_message(h, std::span<const std::uint8_t>(msg, h.size));
        start_ += h.size;
    }
    if (start_ == buf_.size()) {
        buf_.clear();
        start_ = 0;
    } else if (start_ > 65536 && start_ * 2 > buf_.size()) {
        buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(start_));
        start_ = 0;
    }
    return true;
}

LatencySummary summarize(std::vector<double>& samples) {
    LatencySummary s;
    s.count = samples.size();
    if (samples.empty()) return s;
    std::sort(samples.begin(), samples.end());
    double sum = 0;
    for (double v : samples) sum += v;
    s.mean = sum / static_cast<double>(samples.size());
    auto rank = [&](double q) {
        std::size_t k =
            static_cast<std::size_t>(std::ceil(q * static_cast<double>(samples.size())));
        return samples[std::clamp<std::size_t>(k, 1, samples.size()) - 1];
    };
    s.p50 = rank(0.50);
    s.p95 = rank(0.95);
    s.p99 = rank(0.99);
    s.max = samples.back();
    return s;
}

std::vector<double> quantiles(const std::vector<double>& sorted, std::size_t points) {
    std::vector<double> q;
    if (sorted.empty() || points == 0) return q;
    if (points == 1) return {sorted.back()};
    q.reserve(points);
    for (std::size_t i = 0; i < points; ++i) {
        const std::size_t k = (i * (sorted.size() - 1) + (points - 1) / 2) / (points - 1);
        q.push_back(sorted[k]);
    }
    return q;
}

}  // namespace kcpkit::sim
